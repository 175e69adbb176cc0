from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _

from mashang.core.admin import ReadOnlyAdmin
from mashang.core.errors import ApplicationError
from mashang.supervision.models import AssessmentIndicator, AssessmentScheme, SupervisionNotice
from mashang.supervision.scorecards.services import MSG_SCHEME_EMPTY, scheme_copy, scheme_put_in_use


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


class IndicatorFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        weights = [
            form.cleaned_data.get("weight") or 0
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        if not any(w > 0 for w in weights):
            raise ValidationError(MSG_SCHEME_EMPTY)


class AssessmentIndicatorInline(admin.TabularInline):
    model = AssessmentIndicator
    formset = IndicatorFormSet
    extra = 0
    fields = ["position", "measure", "direction", "normalisation", "weight"]
    ordering = ["position", "id"]


@admin.register(AssessmentScheme)
class AssessmentSchemeAdmin(admin.ModelAdmin):
    """The zone's assessment schemes. A scheme a published scorecard was computed with is shown
    read-only (the publication keeps it); "Copy as the next version" gives one to change.
    "Put in use" makes a scheme the one the scorecards use from now on."""

    list_display = ["name", "version", "in_use", "indicator_weights", "publications_count", "created_at"]
    list_filter = ["in_use", "name"]
    readonly_fields = ["in_use", "created_at"]
    fields = [
        "name",
        "version",
        "in_use",
        "urgent_weight",
        "critical_weight",
        "co_unit_weight",
        "list_size",
        "note",
        "created_at",
    ]
    inlines = [AssessmentIndicatorInline]
    actions = ["put_in_use", "copy_as_next_version"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("indicators").annotate(n_pub=Count("publications"))

    @admin.display(description=_("indicators and weights"))
    def indicator_weights(self, obj):
        return " / ".join(f"{i.get_measure_display()} {i.weight:g}" for i in obj.indicators.all())

    @admin.display(description=_("published scorecards"), ordering="n_pub")
    def publications_count(self, obj):
        return obj.n_pub

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.publications.exists():
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and (obj.in_use or obj.publications.exists()):
            return False
        return super().has_delete_permission(request, obj)

    @admin.action(description=_("Put the selected scheme in use"))
    def put_in_use(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("Choose exactly one scheme to put in use."), messages.ERROR)
            return
        try:
            scheme = scheme_put_in_use(actor=request.user, scheme_id=queryset.get().pk)
        except ApplicationError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return
        self.message_user(request, _("%(scheme)s is now in use.") % {"scheme": scheme}, messages.SUCCESS)

    @admin.action(description=_("Copy as the next version"))
    def copy_as_next_version(self, request, queryset):
        for scheme in queryset:
            copy = scheme_copy(actor=request.user, scheme_id=scheme.pk)
            self.message_user(request, _("Created %(scheme)s.") % {"scheme": copy}, messages.SUCCESS)
