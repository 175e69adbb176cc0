from django.contrib import admin

from mashang.core.admin import ReadOnlyAdmin, ReadOnlyInline
from mashang.landstart.models import BundleTemplate, Run, RunStep, StepDocument, TemplateStep


class TemplateStepInline(ReadOnlyInline):
    model = TemplateStep
    fields = ["position", "code", "name", "unit", "prerequisites", "expected_minutes", "pre_reviewable", "document"]
    readonly_fields = fields


@admin.register(BundleTemplate)
class BundleTemplateAdmin(ReadOnlyAdmin):
    """Templates are read here with their steps; a new version is saved through the API (or
    the template editor), which checks the DAG — a stored version never changes."""

    list_display = ["code", "version", "name", "award_unit", "created_at", "created_by"]
    list_filter = ["code"]
    search_fields = ["code", "name"]
    inlines = [TemplateStepInline]


class RunStepInline(ReadOnlyInline):
    model = RunStep
    fields = ["code", "name", "unit", "state", "staged", "started_at", "completed_at", "completed_by", "version"]
    readonly_fields = fields


class StepDocumentInline(ReadOnlyInline):
    model = StepDocument
    fields = ["original_name", "content_type", "size", "uploaded_by", "uploaded_at"]
    readonly_fields = fields


@admin.register(Run)
class RunAdmin(ReadOnlyAdmin):
    """Runs are read here; every change goes through the services (API and board)."""

    list_display = ["id", "project", "template", "state", "opened_at", "awarded_at", "completed_at"]
    list_filter = ["state"]
    search_fields = ["project__number", "project__name"]
    date_hierarchy = "opened_at"
    list_select_related = ["project", "template"]
    inlines = [RunStepInline]


@admin.register(RunStep)
class RunStepAdmin(ReadOnlyAdmin):
    list_display = ["run", "code", "unit", "state", "started_at", "completed_at"]
    list_filter = ["state", "unit"]
    list_select_related = ["run", "unit"]
    inlines = [StepDocumentInline]
