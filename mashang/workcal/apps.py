from django.apps import AppConfig
from django.core import checks
from django.utils.translation import gettext_lazy as _


class WorkcalConfig(AppConfig):
    name = "mashang.workcal"
    label = "workcal"
    verbose_name = _("Working-time calendar")

    def ready(self) -> None:
        from mashang.workcal.checks import calendar_coverage_check

        checks.register(calendar_coverage_check)
