from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LandstartConfig(AppConfig):
    name = "mashang.landstart"
    label = "landstart"
    verbose_name = _("Land start")
