from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OperationsConfig(AppConfig):
    """Running mashang: health and readiness, metrics, structured logs, backups."""

    name = "mashang.operations"
    label = "operations"
    verbose_name = _("Operations")
