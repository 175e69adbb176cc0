from django.contrib import admin

from mashang.demands.models import Assignment, Attachment, Demand


class AssignmentInline(admin.TabularInline):
    model = Assignment
    extra = 0
    readonly_fields = ["unit", "role", "is_current", "is_open", "due_at", "assigned_at"]
    can_delete = False


class AttachmentInline(admin.TabularInline):
    model = Attachment
    extra = 0
    fields = ["original_name", "content_type", "size", "uploaded_by", "uploaded_at"]
    readonly_fields = fields
    can_delete = False


@admin.register(Demand)
class DemandAdmin(admin.ModelAdmin):
    """Demands are read here; every change goes through the transitions (API and pages)."""

    list_display = ["number", "title", "enterprise", "category", "status", "lead_unit", "next_due_at"]
    list_filter = ["status", "category", "channel", "urgency"]
    search_fields = ["number", "title", "enterprise__name", "enterprise__credit_code"]
    date_hierarchy = "submitted_at"
    list_select_related = ["enterprise", "category", "lead_unit"]
    inlines = [AssignmentInline, AttachmentInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
