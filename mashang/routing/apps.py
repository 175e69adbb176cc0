from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoutingConfig(AppConfig):
    """Smart dispatch (智能分拨): the zone's routing rules, suggestions learnt from its own
    history, similar demands and hot topics."""

    name = "mashang.routing"
    label = "routing"
    verbose_name = _("Smart dispatch")

    def ready(self) -> None:
        from mashang.notify.jobs import job_register
        from mashang.routing.tasks import HOT_TOPICS_JOB, HOT_TOPICS_SECONDS, hot_topics_now

        # The hot topics, every hour (beat's "routing-hot-topics" with a broker).
        job_register(HOT_TOPICS_JOB, hot_topics_now, every=HOT_TOPICS_SECONDS)

        from config.celery import ROUTING_RETRAIN_SECONDS
        from mashang.audit.labels import event_label_register
        from mashang.demands.advice import advice_register, filed_register
        from mashang.routing.tasks import RETRAIN_JOB, retrain_now

        # The suggestion classifiers retrained on schedule (beat's "routing-retrain").
        if ROUTING_RETRAIN_SECONDS > 0:
            job_register(RETRAIN_JOB, retrain_now, every=ROUTING_RETRAIN_SECONDS)
        # The triage form starts from the matching rule or a confident suggestion; a new
        # demand is dispatched automatically where the zone turned that on. (Imported when
        # first used: scikit-learn stays out of processes that never suggest, the worker's.)
        advice_register(_triage_advice)
        filed_register(_on_filed)
        event_label_register(subject_type="demand", action="auto_dispatch", label=_("automatic dispatch"))


def _triage_advice(demand):
    from mashang.routing.suggest import triage_advice_for

    return triage_advice_for(demand)


def _on_filed(demand_id: int) -> None:
    from mashang.routing.services.automatic import on_filed

    on_filed(demand_id)
