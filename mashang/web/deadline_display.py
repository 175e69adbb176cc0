"""How a deadline shows on a page: its colour state and a countdown in working time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from mashang.workcal.calendar import WorkCalendar


def state_of(due: datetime | None, now: datetime | None = None) -> str:
    """``late`` (passed), ``due`` (falls today), ``ok`` (later) or ``none`` (no running clock)."""
    if due is None:
        return "none"
    now = now or timezone.now()
    if due < now:
        return "late"
    if timezone.localdate(due) == timezone.localdate(now):
        return "due"
    return "ok"


@dataclass(frozen=True)
class Countdown:
    """Working seconds left (negative once overdue), and how long the clock runs from now on."""

    remaining_seconds: int
    running_seconds: int


def countdown(cal: WorkCalendar, due: datetime, now: datetime | None = None) -> Countdown:
    now = (now or timezone.now()).astimezone(cal.tz)
    remaining = cal.working_time_between(now, due).total_seconds()
    running = 0.0
    if cal.is_working_day(now.date()):
        for start, end in cal.office_hours:
            if start <= now.time() < end:
                running = (datetime.combine(now.date(), end, tzinfo=cal.tz) - now).total_seconds()
                break
    return Countdown(remaining_seconds=int(remaining), running_seconds=int(running))
