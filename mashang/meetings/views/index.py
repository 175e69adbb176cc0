"""The meetings of the zone: a list with filters, a month calendar, and calling a meeting."""

from __future__ import annotations

import calendar
import re
from collections import defaultdict
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dates import WEEKDAYS_ABBR
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from mashang.core.errors import ApplicationError
from mashang.core.views import form_errors_add, or_404
from mashang.meetings import selectors as sel
from mashang.meetings import services
from mashang.meetings.forms import MeetingFilterForm, PlanForm
from mashang.meetings.transitions import can_plan

PAGE_SIZE = 20
MSG_CHECK_FIELDS = _("Please check the fields marked below.")
MSG_CALLED = _("Meeting {number} was called; its agenda was proposed from the data.")

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def month_of(value: str | None, today: date) -> date:
    """The first day of ``value`` (``2026-12``), or of this month when it is not a month."""
    match = _MONTH.match(value or "")
    if match:
        year, month = int(match[1]), int(match[2])
        if 1900 < year < 2200 and 1 <= month <= 12:
            return date(year, month, 1)
    return today.replace(day=1)


def _shift(first: date, months: int) -> date:
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def month_grid(first: date, meetings, today: date) -> list[list[dict]]:
    """The weeks (Monday first) of ``first``'s month, each day with its meetings."""
    by_day = defaultdict(list)
    for m in meetings:
        by_day[timezone.localtime(m.starts_at).date()].append(m)
    return [
        [
            {
                "day": d,
                "in_month": d.month == first.month,
                "today": d == today,
                "meetings": by_day.get(d, []),
            }
            for d in week
        ]
        for week in calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    ]


@require_GET
@login_required
def meeting_index(request: HttpRequest) -> HttpResponse:
    """The meetings, latest first, by status and kind; with ``?month=2026-12`` the month's
    calendar."""
    if "month" in request.GET:
        return _calendar(request)
    form = MeetingFilterForm(request.GET or None)
    meetings = or_404(
        sel.meeting_list, actor=request.user, filters=sel.MeetingFilters(**form.filters())
    )
    page = Paginator(meetings, PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "meetings/index.html",
        {
            "form": form,
            "page": page,
            "meetings": page.object_list,
            "query": params.urlencode(),
            "may_plan": can_plan(request.user),
            "this_month": timezone.localdate().strftime("%Y-%m"),
        },
    )


def _calendar(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    first = month_of(request.GET.get("month"), today)
    meetings = or_404(sel.meeting_calendar, actor=request.user, year=first.year, month=first.month)
    return render(
        request,
        "meetings/calendar.html",
        {
            "first": first,
            "weeks": month_grid(first, meetings, today),
            "weekdays": [WEEKDAYS_ABBR[n] for n in range(7)],
            "count": len(meetings),
            "previous": _shift(first, -1).strftime("%Y-%m"),
            "next": _shift(first, 1).strftime("%Y-%m"),
            "this_month": today.strftime("%Y-%m"),
            "may_plan": can_plan(request.user),
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def meeting_new(request: HttpRequest) -> HttpResponse:
    """Call a meeting: its agenda is proposed from the data at once."""
    if not can_plan(request.user):
        raise PermissionDenied(services.MSG_MAY_NOT_PLAN)
    if request.method != "POST":
        initial = {}
        if request.user.username in {u for u, _label in sel.secretary_choices()}:
            initial["secretary"] = request.user.username
        form = PlanForm(initial=initial, label_suffix="")
        return render(request, "meetings/new.html", {"form": form})
    form = PlanForm(request.POST, label_suffix="")
    message, status = str(MSG_CHECK_FIELDS), 422
    if form.is_valid():
        try:
            meeting = services.meeting_plan(actor=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            form_errors_add(form, exc)
            message, status = exc.message, exc.status_code
        else:
            messages.success(request, str(MSG_CALLED).format(number=meeting.number))
            return redirect("meetings:detail", meeting_id=meeting.pk)
    return render(request, "meetings/new.html", {"form": form, "message": message}, status=status)
