from django.contrib import admin

from mashang.core.admin import ReadOnlyAdmin, ReadOnlyInline
from mashang.demands.models import Assignment, Attachment, Demand


class AssignmentInline(ReadOnlyInline):
    model = Assignment
    readonly_fields = ["unit", "role", "is_current", "is_open", "due_at", "assigned_at"]


class AttachmentInline(ReadOnlyInline):
    model = Attachment
    fields = ["original_name", "content_type", "size", "uploaded_by", "uploaded_at"]
    readonly_fields = fields


@admin.register(Demand)
class DemandAdmin(ReadOnlyAdmin):
    """Demands are read here; every change goes through the transitions (API and pages)."""

    list_display = ["number", "title", "enterprise", "category", "status", "lead_unit", "next_due_at"]
    list_filter = ["status", "category", "channel", "urgency"]
    search_fields = ["number", "title", "enterprise__name", "enterprise__credit_code"]
    date_hierarchy = "submitted_at"
    list_select_related = ["enterprise", "category", "lead_unit"]
    inlines = [AssignmentInline, AttachmentInline]
