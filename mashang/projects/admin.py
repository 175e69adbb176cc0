"""Projects in the admin: the stage, the version and the history are read-only here (the pipeline
moves through its transitions); a change of the other fields goes through ``project_update``,
so it writes its event and bumps the version like a change made on the project page."""

from django import forms
from django.contrib import admin

from mashang.core.admin import ReadOnlyInline
from mashang.core.errors import ValidationFailed
from mashang.projects.models import FundsReceipt, Milestone, Project
from mashang.projects.permissions import MANAGING_ROLES
from mashang.projects.services import project_update
from mashang.projects.services.lifecycle import EDITABLE, changes_clean


def _service_changes(form) -> dict:
    """The form's changes as keyword arguments of ``project_update``."""
    changes = {}
    for name in form.changed_data:
        value = form.cleaned_data.get(name)
        if name == "investor":
            changes["investor_credit_code"] = value.credit_code if value else ""
            changes["investor_name"] = value.name if value else form.cleaned_data.get("investor_name", "")
        elif name == "service_officer":
            changes[name] = value.username if value else ""
        elif name in EDITABLE:
            changes[name] = "" if value is None else value
    if "land_area_mu" in changes and "land_area_m2" not in changes:
        changes["land_area_m2"] = ""
    elif "land_area_m2" in changes and "land_area_mu" not in changes:
        changes["land_area_mu"] = ""
    return changes


class ProjectAdminForm(forms.ModelForm):
    class Meta:
        model = Project
        fields = [
            "name", "investor", "investor_name", "project_type", "industry", "planned_investment", "land_area_mu",
            "land_area_m2", "service_officer", "is_key", "is_city_key", "behind_plan_reason",
        ]

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and not self.errors:
            try:
                changes_clean(self.instance, _service_changes(self))
            except ValidationFailed as exc:
                for name, msgs in exc.fields.items():
                    target = {"investor_credit_code": "investor"}.get(name, name)
                    for m in msgs:
                        self.add_error(target if target in self.fields else None, m)
        return cleaned


class MilestoneInline(ReadOnlyInline):
    model = Milestone
    fields = ["stage", "planned_on", "reached_on"]
    readonly_fields = fields


class FundsReceiptInline(ReadOnlyInline):
    model = FundsReceipt
    fields = ["received_on", "amount", "note", "recorded_by", "recorded_at"]
    readonly_fields = fields


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["number", "name", "investor_name", "project_type", "industry", "stage", "planned_investment",
                    "is_key", "is_city_key", "service_officer"]
    list_filter = ["stage", "project_type", "industry", "is_key", "is_city_key"]
    search_fields = ["number", "name", "investor_name", "investor__credit_code"]
    list_select_related = ["service_officer"]
    raw_id_fields = ["investor", "service_officer"]
    readonly_fields = ["number", "stage", "stage_before_pause", "stage_reason", "version", "created_at",
                       "updated_at"]
    inlines = [MilestoneInline, FundsReceiptInline]
    form = ProjectAdminForm

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and request.user.role in MANAGING_ROLES

    def save_model(self, request, obj, form, change):
        current = Project.objects.only("version").get(pk=obj.pk).version
        project_update(actor=request.user, project_id=obj.pk, version=current, **_service_changes(form))
