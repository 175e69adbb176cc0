"""Admin of calendar overrides; writes go through the services so they invalidate and audit.

Besides one date at a time, the system administrator imports a year's State Council notice:
paste it, review the year's months and what changes, confirm.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mashang.audit.models import SecurityEvent
from mashang.audit.security import security_event
from mashang.workcal.models import CalendarDay
from mashang.workcal.notice import NoticeError, notice_days, notice_lines
from mashang.workcal.selectors import calendar_ends_soon, calendar_year_preview
from mashang.workcal.services import calendar_day_clear, calendar_day_set, calendar_year_apply


class NoticeForm(forms.Form):
    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=2000, max_value=2100)
    text = forms.CharField(
        label=gettext_lazy("Notice text"),
        widget=forms.Textarea(attrs={"rows": 16, "cols": 90}),
        help_text=gettext_lazy(
            "Paste the State Council's notice on the year's holidays, from its title to the date."
        ),
    )


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ("date", "is_working_day", "note", "notice_year", "updated_at")
    list_filter = ("is_working_day", "notice_year")
    search_fields = ("note",)
    date_hierarchy = "date"
    ordering = ("date",)

    def get_readonly_fields(
        self, request: HttpRequest, obj: CalendarDay | None = None
    ) -> tuple[str, ...]:
        # The date identifies the override: changing it is clearing one and setting another.
        return ("date", "notice_year", "updated_at") if obj else ("updated_at",)

    def get_urls(self) -> list[URLPattern]:
        return [
            path(
                "import-notice/",
                self.admin_site.admin_view(self.import_notice_view),
                name="workcal_calendarday_import",
            ),
            *super().get_urls(),
        ]

    def changelist_view(
        self, request: HttpRequest, extra_context: dict | None = None
    ) -> HttpResponse:
        if request.method == "GET":
            ending = calendar_ends_soon()
            if ending is not None:
                messages.warning(
                    request,
                    _(
                        "The statutory holidays are known until %(date)s only. Import the "
                        "State Council's notice for %(year)d; after that date Monday to Friday "
                        "count as working days."
                    )
                    % {"date": f"{ending:%Y-%m-%d}", "year": ending.year + 1},
                )
        context = {
            "can_import_notice": self.has_change_permission(request),
            **(extra_context or {}),
        }
        return super().changelist_view(request, context)

    def import_notice_view(self, request: HttpRequest) -> HttpResponse:
        """Paste → review (the year's months, the lines read, the changes) → confirm."""
        if not (self.has_change_permission(request) and self.has_add_permission(request)):
            raise PermissionDenied
        ending = calendar_ends_soon()
        next_year = (ending.year + 1) if ending else timezone.localdate().year + 1
        form = NoticeForm(request.POST or None, initial={"year": next_year})
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Import a year's holiday notice"),
            "form": form,
        }
        if request.method == "POST" and form.is_valid():
            year, text = form.cleaned_data["year"], form.cleaned_data["text"]
            try:
                lines = notice_lines(text, year=year)
            except NoticeError as error:
                form.add_error("text", str(error))
            else:
                days = notice_days(lines)
                if "confirm" in request.POST:
                    with transaction.atomic():
                        written = calendar_year_apply(
                            actor=request.user, year=year, days=days, notice_text=text
                        )
                        security_event(
                            request,
                            SecurityEvent.Kind.ADMIN_CHANGE,
                            object_type="workcal.calendarday",
                            object_id=f"notice:{year}",
                            detail=f"imported the {year} holiday notice: {written} dates",
                        )
                    messages.success(
                        request,
                        _("The %(year)d notice is applied: %(count)d dates.")
                        % {"year": year, "count": written},
                    )
                    return HttpResponseRedirect(reverse("admin:workcal_calendarday_changelist"))
                context.update(
                    year=year,
                    lines=lines,
                    preview=calendar_year_preview(year=year, days=days),
                    weekdays=[_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")],
                    title=_("Review the %(year)d holiday notice") % {"year": year},
                )
                return TemplateResponse(
                    request, "admin/workcal/calendarday/import_review.html", context
                )
        return TemplateResponse(request, "admin/workcal/calendarday/import_notice.html", context)

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
