from django.contrib import admin

from mashang.landstart.models import BundleTemplate, Run, RunStep, StepDocument, TemplateStep


class TemplateStepInline(admin.TabularInline):
    model = TemplateStep
    extra = 0
    fields = ["position", "code", "name", "unit", "prerequisites", "expected_minutes", "pre_reviewable", "document"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(BundleTemplate)
class BundleTemplateAdmin(admin.ModelAdmin):
    """Templates are read here with their steps; a new version is saved through the API (or
    the template editor), which checks the DAG — a stored version never changes."""

    list_display = ["code", "version", "name", "award_unit", "created_at", "created_by"]
    list_filter = ["code"]
    search_fields = ["code", "name"]
    inlines = [TemplateStepInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class RunStepInline(admin.TabularInline):
    model = RunStep
    extra = 0
    fields = ["code", "name", "unit", "state", "staged", "started_at", "completed_at", "completed_by", "version"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class StepDocumentInline(admin.TabularInline):
    model = StepDocument
    extra = 0
    fields = ["original_name", "content_type", "size", "uploaded_by", "uploaded_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Run)
class RunAdmin(admin.ModelAdmin):
    """Runs are read here; every change goes through the services (API and board)."""

    list_display = ["id", "project", "template", "state", "opened_at", "awarded_at", "completed_at"]
    list_filter = ["state"]
    search_fields = ["project__number", "project__name"]
    date_hierarchy = "opened_at"
    list_select_related = ["project", "template"]
    inlines = [RunStepInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RunStep)
class RunStepAdmin(admin.ModelAdmin):
    list_display = ["run", "code", "unit", "state", "started_at", "completed_at"]
    list_filter = ["state", "unit"]
    list_select_related = ["run", "unit"]
    inlines = [StepDocumentInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
