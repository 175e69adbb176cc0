from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OperationsConfig(AppConfig):
    """Running mashang: health and readiness, metrics, structured logs, backups."""

    name = "mashang.operations"
    label = "operations"
    verbose_name = _("Operations")

    def ready(self) -> None:
        from celery.signals import before_task_publish, task_postrun, task_prerun
        from django.core.signals import request_finished

        from mashang.operations import requestid
        from mashang.operations.services import on_sweep_finished
        from mashang.supervision.signals import sweep_finished

        # Every sweep adds to the sweeps' tally the metrics read (the sweep runs in the worker).
        sweep_finished.connect(on_sweep_finished, dispatch_uid="operations.sweep_tally")
        # The request id is forgotten once the request is finished; a task published during
        # the request carries it, and the worker logs under it.
        request_finished.connect(requestid.on_request_finished, dispatch_uid="operations.rid")
        before_task_publish.connect(requestid.on_before_task_publish, dispatch_uid="operations.rid")
        task_prerun.connect(requestid.on_task_prerun, dispatch_uid="operations.rid")
        task_postrun.connect(requestid.on_task_postrun, dispatch_uid="operations.rid")
