from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemandsConfig(AppConfig):
    name = "mashang.demands"
    label = "demands"
    verbose_name = _("Enterprise demands")

    def ready(self) -> None:
        from mashang.core.backfill import backfill_register
        from mashang.demands.backfills import BACKFILLS

        # The long data changes of the demands' migrations, for `mashang backfill`.
        for backfill in BACKFILLS:
            backfill_register(backfill)
