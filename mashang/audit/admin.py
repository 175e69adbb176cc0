from django.contrib import admin

from mashang.audit.models import Event
from mashang.core.admin import ReadOnlyAdmin


@admin.register(Event)
class EventAdmin(ReadOnlyAdmin):
    """Events are append-only: the admin shows them and changes nothing."""

    list_display = ["at", "subject_type", "subject_id", "action", "actor", "from_state", "to_state"]
    list_filter = ["subject_type", "action"]
    search_fields = ["reason"]
    date_hierarchy = "at"
