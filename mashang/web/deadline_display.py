"""How a deadline shows on a page: its colour state and a countdown in working time."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

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


@dataclass(frozen=True)
class Duration:
    """A working-time duration as people say it: working days of the zone's day length, hours
    and minutes (seconds dropped)."""

    days: int
    hours: int
    minutes: int


def duration_parts(seconds: float, day_seconds: int) -> Duration:
    """``abs(seconds)`` floored to whole minutes, in working days of ``day_seconds``, hours and
    minutes; hours stay under a working day."""
    minutes_total = int(abs(seconds)) // 60
    day_minutes = max(int(day_seconds) // 60, 1)
    days, rest = divmod(minutes_total, day_minutes)
    hours, minutes = divmod(rest, 60)
    return Duration(days=days, hours=hours, minutes=minutes)


def _unit_texts() -> dict[str, tuple[str, str]]:
    """Each unit's words for one and for many (``%(n)s`` is the number); the page's script
    says the ticking countdown with them."""
    return {
        "days": (
            ngettext("%(n)s working day", "%(n)s working days", 1),
            ngettext("%(n)s working day", "%(n)s working days", 2),
        ),
        "hours": (ngettext("%(n)s hour", "%(n)s hours", 1), ngettext("%(n)s hour", "%(n)s hours", 2)),
        "minutes": (
            ngettext("%(n)s minute", "%(n)s minutes", 1),
            ngettext("%(n)s minute", "%(n)s minutes", 2),
        ),
    }


def duration_text(seconds: float, day_seconds: int) -> str:
    """'3 working days 2 hours', '1 hour 30 minutes', '5 minutes': the parts that are not zero
    (under a minute: '0 minutes')."""
    parts = duration_parts(seconds, day_seconds)
    words = []
    for name, singular, plural in (
        ("days", "%(n)s working day", "%(n)s working days"),
        ("hours", "%(n)s hour", "%(n)s hours"),
        ("minutes", "%(n)s minute", "%(n)s minutes"),
    ):
        n = getattr(parts, name)
        if n or (name == "minutes" and not words):
            words.append(ngettext(singular, plural, n) % {"n": n})
    return " ".join(words)


def unit_texts_json() -> str:
    return json.dumps(_unit_texts(), ensure_ascii=False)


def remaining_text(seconds: float, day_seconds: int) -> str:
    """'1 hour 30 minutes left' or 'overdue by 3 working days 2 hours'."""
    text = duration_text(seconds, day_seconds)
    if seconds < 0:
        return _("overdue by %s") % text
    return _("%s left") % text
