from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoutingConfig(AppConfig):
    """Smart dispatch (智能分拨): the zone's routing rules, suggestions learnt from its own
    history, similar demands and hot topics."""

    name = "mashang.routing"
    label = "routing"
    verbose_name = _("Smart dispatch")

    def ready(self) -> None:
        from config.celery import ROUTING_RETRAIN_SECONDS
        from mashang.audit.labels import event_label_register
        from mashang.demands.advice import advice_register
        from mashang.notify.jobs import job_register
        from mashang.routing.tasks import (
            AUTO_DISPATCH_JOB,
            AUTO_DISPATCH_SECONDS,
            HOT_TOPICS_JOB,
            HOT_TOPICS_SECONDS,
            RETRAIN_JOB,
            auto_dispatch_now,
            hot_topics_now,
            retrain_now,
        )

        # The worker's jobs (with a broker, beat's "routing-…" entries in config.celery): the
        # hot topics every hour, new demands dispatched automatically where the zone turned
        # that on, the suggestion classifiers retrained daily.
        job_register(HOT_TOPICS_JOB, hot_topics_now, every=HOT_TOPICS_SECONDS)
        job_register(AUTO_DISPATCH_JOB, auto_dispatch_now, every=AUTO_DISPATCH_SECONDS)
        if ROUTING_RETRAIN_SECONDS > 0:
            job_register(RETRAIN_JOB, retrain_now, every=ROUTING_RETRAIN_SECONDS)
        # The triage form starts from the matching rule or a confident suggestion. (Imported
        # when first used: scikit-learn stays out of processes that never suggest.)
        advice_register(_triage_advice)
        event_label_register(subject_type="demand", action="auto_dispatch", label=_("automatic dispatch"))

def _triage_advice(demand):
    from mashang.routing.suggest import triage_advice_for

    return triage_advice_for(demand)
