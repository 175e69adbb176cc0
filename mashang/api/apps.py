from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "mashang.api"
    label = "api"
    verbose_name = _("API")

    def ready(self) -> None:
        from django.db.models.signals import post_save, pre_save

        from mashang.api import receivers
        from mashang.org.models import User

        # A password change or a deactivation revokes all of the person's API tokens.
        pre_save.connect(receivers.user_before_save, sender=User, dispatch_uid="api-tokens-user-before")
        post_save.connect(receivers.user_after_save, sender=User, dispatch_uid="api-tokens-user-after")
