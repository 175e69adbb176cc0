from django.contrib import admin

from mashang.supervision.models import SupervisionNotice


@admin.register(SupervisionNotice)
class SupervisionNoticeAdmin(admin.ModelAdmin):
    """Notices are read here; the sweep raises them, supervisors issue them, units acknowledge them."""

    list_display = [
        "demand",
        "kind",
        "due_at",
        "level",
        "raised_at",
        "raised_by",
        "unit",
        "acknowledged_at",
    ]
    list_filter = ["level", "kind", "unit"]
    search_fields = ["demand__number", "demand__title", "comment"]
    date_hierarchy = "raised_at"
    list_select_related = ["demand", "raised_by", "unit"]
    raw_id_fields = ["demand"]
    filter_horizontal = ["addressed_to"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
