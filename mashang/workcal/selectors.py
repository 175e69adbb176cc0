"""The zone's calendar: admin overrides loaded in one query, kept per process for a while."""

from __future__ import annotations

import calendar as _months
import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from mashang.workcal.calendar import PACKAGE_YEARS, WorkCalendar, parse_office_hours
from mashang.workcal.models import CalendarDay
from mashang.workcal.notice import NoticeDay

logger = logging.getLogger("mashang.workcal")

#: From this many days before the known calendar ends, the admin, the supervisors' pages,
#: the log and ``mashang check`` say that the next year's notice is due.
KNOWN_UNTIL_WARNING_DAYS = 60

_cached: tuple[float, WorkCalendar] | None = None
_generation = 0


def calendar_get() -> WorkCalendar:
    """The zone's calendar, read again after ``MASHANG_CALENDAR_CACHE_SECONDS`` (0: every call)."""
    global _cached
    ttl = settings.MASHANG_CALENDAR_CACHE_SECONDS
    now = time.monotonic()
    cached = _cached
    if ttl > 0 and cached is not None and now - cached[0] < ttl:
        return cached[1]
    generation = _generation
    rows = list(CalendarDay.objects.values_list("date", "is_working_day", "notice_year"))
    calendar = WorkCalendar(
        tz=ZoneInfo(settings.TIME_ZONE),
        office_hours=parse_office_hours(settings.MASHANG_OFFICE_HOURS),
        overrides={day: working for day, working, _ in rows},
        known_years={notice for _, _, notice in rows if notice},
    )
    ending = calendar_ends_soon(calendar=calendar)
    if ending:
        logger.warning(
            "The statutory holidays are known until %s only: import the State Council's "
            "notice for the next year in the admin (calendar overrides); after that date "
            "Monday to Friday count as working days",
            ending.isoformat(),
        )
    # A load that raced with an invalidation may hold stale overrides: use it, don't keep it.
    if ttl > 0 and generation == _generation:
        _cached = (now, calendar)
    return calendar


def calendar_invalidate() -> None:
    """Forget this process's cached calendar, so the next ``calendar_get`` reads the overrides."""
    global _cached, _generation
    _generation += 1
    _cached = None


def calendar_uncovered_upcoming(*, calendar: WorkCalendar) -> list[int]:
    """The current and next year (in the calendar's zone) that the calendar does not cover."""
    year = timezone.now().astimezone(calendar.tz).year
    return calendar.uncovered_years((year, year + 1))


def calendar_known_until(*, calendar: WorkCalendar | None = None) -> date | None:
    """The last day up to which the calendar knows the holidays without a gap from today: the
    31 December of the last covered year in the run that starts with this year (in the zone),
    or None when this year itself is not covered."""
    calendar = calendar or calendar_get()
    year = timezone.now().astimezone(calendar.tz).year
    if not calendar.is_covered(year):
        return None
    while calendar.is_covered(year + 1):
        year += 1
    return date(year, 12, 31)


def calendar_ends_soon(
    *, calendar: WorkCalendar | None = None, today: date | None = None
) -> date | None:
    """The last day whose holidays are known when that is less than
    ``KNOWN_UNTIL_WARNING_DAYS`` days after ``today`` (default: today in the zone) or already
    past — the next year's notice is due — else None. The same day as ``calendar_known_until``
    while today's year is known; the end of the last known year before it otherwise."""
    calendar = calendar or calendar_get()
    today = today or timezone.now().astimezone(calendar.tz).date()
    year = today.year
    if calendar.is_covered(year):
        while calendar.is_covered(year + 1):
            year += 1
    else:
        while year > PACKAGE_YEARS.start and not calendar.is_covered(year):
            year -= 1
    known_until = date(year, 12, 31)
    if today >= known_until - timedelta(days=KNOWN_UNTIL_WARNING_DAYS):
        return known_until
    return None


@dataclass(frozen=True)
class PreviewDay:
    date: date
    in_month: bool
    #: "holiday" (a rest day the notice names), "makeup" (a make-up working day it names),
    #: "manual" (a date set by hand, kept), "weekend" or "workday".
    kind: str
    is_working_day: bool
    changed: bool


@dataclass(frozen=True)
class YearPreview:
    year: int
    #: (month number, weeks of seven ``PreviewDay``s from Monday) for the twelve months.
    months: list[tuple[int, list[list[PreviewDay]]]]
    #: The dates whose arrangement changes: (date, working now, working after).
    changes: list[tuple[date, bool, bool]]
    #: Dates of the year set by hand that the import keeps (the notice does not name them).
    kept: list[CalendarDay]
    #: Dates set by hand that the import replaces (the notice names them).
    replaced: list[CalendarDay]


def calendar_year_overrides(
    *, year: int, days: Iterable[NoticeDay], rows: Iterable[tuple[date, bool, int | None]]
) -> dict[date, bool]:
    """The overrides once ``year``'s notice ``days`` are applied to the current ``rows``
    (date, working, notice year): the rows of an earlier import of that year go, the dates
    the notice names are set, and every other row stays (dates set by hand, other years)."""
    named = {day.date: day.is_working_day for day in days}
    kept = {d: w for d, w, notice in rows if notice != year and d not in named}
    return {**kept, **named}


def calendar_year_preview(*, year: int, days: list[NoticeDay]) -> YearPreview:
    """What applying ``year``'s notice ``days`` would do: the year's months as they would be,
    the dates that change against the calendar in use, and the dates set by hand."""
    current = calendar_get()
    rows = list(CalendarDay.objects.values_list("date", "is_working_day", "notice_year"))
    after = WorkCalendar(
        tz=current.tz,
        office_hours=current.office_hours,
        overrides=calendar_year_overrides(year=year, days=days, rows=rows),
    )
    named = {day.date: day for day in days}
    manual = list(
        CalendarDay.objects.filter(notice_year__isnull=True, date__year__in=(year - 1, year))
    )
    kept = [row for row in manual if row.date.year == year and row.date not in named]
    replaced = [row for row in manual if row.date in named]
    kept_dates = {row.date for row in kept}

    def preview(day: date, month: int) -> PreviewDay:
        working = after.is_working_day(day)
        if day in named:
            kind = "makeup" if named[day].is_working_day else "holiday"
        elif day in kept_dates:
            kind = "manual"
        else:
            kind = "workday" if working else "weekend"
        changed = working != current.is_working_day(day)
        return PreviewDay(day, day.month == month, kind, working, changed)

    grid = _months.Calendar()
    months = [
        (m, [[preview(day, m) for day in week] for week in grid.monthdatescalendar(year, m)])
        for m in range(1, 13)
    ]
    first, last = date(year, 1, 1), date(year, 12, 31)
    span = sorted({*(first + timedelta(days=i) for i in range((last - first).days + 1)), *named})
    changes = [
        (day, current.is_working_day(day), after.is_working_day(day))
        for day in span
        if current.is_working_day(day) != after.is_working_day(day)
    ]
    return YearPreview(year=year, months=months, changes=changes, kept=kept, replaced=replaced)
