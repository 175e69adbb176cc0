from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "mashang.audit"
    label = "audit"
    verbose_name = _("Audit trail")

    def ready(self) -> None:
        from mashang.audit import receivers

        receivers.connect()
        # The admin's autodiscovery ran in its own ready() (the admin is the first app).
        from mashang.audit.admin import account_security_admins_restrict

        account_security_admins_restrict()
