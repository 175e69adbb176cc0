"""Admin of calendar overrides; writes go through the services so they invalidate and audit."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from mashang.workcal.models import CalendarDay
from mashang.workcal.selectors import calendar_get, calendar_uncovered_upcoming
from mashang.workcal.services import calendar_day_clear, calendar_day_set


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ("date", "is_working_day", "note", "updated_at")
    list_filter = ("is_working_day",)
    search_fields = ("note",)
    date_hierarchy = "date"
    ordering = ("date",)

    def get_readonly_fields(
        self, request: HttpRequest, obj: CalendarDay | None = None
    ) -> tuple[str, ...]:
        # The date identifies the override: changing it is clearing one and setting another.
        return ("date", "updated_at") if obj else ("updated_at",)

    def changelist_view(
        self, request: HttpRequest, extra_context: dict | None = None
    ) -> HttpResponse:
        if request.method == "GET":
            missing = calendar_uncovered_upcoming(calendar=calendar_get())
            if missing:
                messages.warning(
                    request,
                    _(
                        "The statutory holidays of %(years)s are not known yet: enter the rest "
                        "days and make-up working days here. Until then Monday to Friday count "
                        "as working days."
                    )
                    % {"years": "、".join(map(str, missing))},
                )
        return super().changelist_view(request, extra_context)

    def save_model(
        self, request: HttpRequest, obj: CalendarDay, form: ModelForm, change: bool
    ) -> None:
        saved = calendar_day_set(
            actor=request.user, day=obj.date, is_working_day=obj.is_working_day, note=obj.note
        )
        obj.pk, obj.updated_at = saved.pk, saved.updated_at

    def delete_model(self, request: HttpRequest, obj: CalendarDay) -> None:
        calendar_day_clear(actor=request.user, day=obj.date)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[CalendarDay]) -> None:
        for day in queryset.values_list("date", flat=True):
            calendar_day_clear(actor=request.user, day=day)
