from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demo zone: its generator and the commands that load it and list its users."""

    name = "mashang.demo"
    label = "demo"
    verbose_name = _("Demo zone")
