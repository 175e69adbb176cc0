"""The meetings in the admin: read to check, not to edit — every change goes through the
services (pages and API), which keep the version and the events."""

from django.contrib import admin

from mashang.meetings.models import AgendaItem, Meeting


class AgendaItemInline(admin.TabularInline):
    model = AgendaItem
    fields = ["position", "source", "status", "title", "decision", "decided_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["number", "title", "kind", "status", "starts_at", "chair", "secretary"]
    list_filter = ["kind", "status"]
    search_fields = ["number", "title"]
    date_hierarchy = "starts_at"
    inlines = [AgendaItemInline]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Meeting._meta.get_fields() if f.concrete] + ["participants", "units"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
