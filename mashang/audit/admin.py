from django.contrib import admin

from mashang.audit.models import Event


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    """Events are append-only: the admin shows them and changes nothing."""

    list_display = ["at", "subject_type", "subject_id", "action", "actor", "from_state", "to_state"]
    list_filter = ["subject_type", "action"]
    search_fields = ["reason"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
