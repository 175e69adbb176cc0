from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "mashang.meetings"
    label = "meetings"
    verbose_name = _("Review meetings")
