from django.contrib import admin

from mashang.core.admin import ReadOnlyAdmin
from mashang.supervision.models import SupervisionNotice


@admin.register(SupervisionNotice)
class SupervisionNoticeAdmin(ReadOnlyAdmin):
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
