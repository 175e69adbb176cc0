"""The zone's calendar: admin overrides loaded in one query, kept per process for a while."""

from __future__ import annotations

import logging
import time
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from mashang.workcal.calendar import WorkCalendar, parse_office_hours
from mashang.workcal.models import CalendarDay

logger = logging.getLogger("mashang.workcal")

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
    calendar = WorkCalendar(
        tz=ZoneInfo(settings.TIME_ZONE),
        office_hours=parse_office_hours(settings.MASHANG_OFFICE_HOURS),
        overrides=dict(CalendarDay.objects.values_list("date", "is_working_day")),
    )
    missing = calendar_uncovered_upcoming(calendar=calendar)
    if missing:
        logger.warning(
            "No statutory holidays are known for %s: enter the holidays and make-up working "
            "days as calendar days in the admin; until then Monday to Friday are working days",
            ", ".join(map(str, missing)),
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
