from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "mashang.supervision"
    label = "supervision"
    verbose_name = _("Supervision")

    def ready(self) -> None:
        from mashang.audit.labels import event_label_register
        from mashang.notify.jobs import SWEEP, job_register
        from mashang.supervision.services.notices import NOTICE_ACTION
        from mashang.supervision.services.sweep import supervision_sweep

        # The worker (embedded or Celery) runs the deadline sweep every minute.
        job_register(SWEEP, supervision_sweep)

        # A notice shows on the demand's timeline under its own name.
        event_label_register(subject_type="demand", action=NOTICE_ACTION, label=_("supervision notice"))
