"""Which notice level a deadline has reached: pure functions of a calendar, the settings and times.

A deadline ``D`` of a running clock, looked at the instant ``now``:

* **red** once it is missed by at least the grace in working time:
  ``working_time_between(D, now) >= grace``, i.e. ``D <= red_from`` where ``red_from`` is
  the latest instant that lies ``grace`` working time before ``now``;
* **yellow** once it is reached: ``D <= now``;
* **reminder** while at most the reminder's working time is left:
  ``working_time_between(now, D) <= reminder``, i.e. ``D < remind_until`` where
  ``remind_until`` is the earliest instant one microsecond of working time past the
  reminder. Deadlines counted in working hours (triage, first contact) and in working days
  (interim reply, resolution) have their own reminder.

The bounds are computed once per sweep, so the sweep is one indexed range query on
``next_due_at`` whatever the calendar says about nights and holidays in between.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from mashang.demands.deadlines import DeadlineKind
from mashang.supervision.models import LEVEL_RANK, Level
from mashang.workcal.calendar import WorkCalendar

#: Deadlines whose limits are counted in working hours; the others are in working days.
HOUR_KINDS = frozenset({DeadlineKind.TRIAGE, DeadlineKind.FIRST_CONTACT})
DAY_KINDS = frozenset({DeadlineKind.INTERIM_REPLY, DeadlineKind.RESOLUTION})

_MICROSECOND = timedelta(microseconds=1)


@dataclass(frozen=True)
class Windows:
    now: datetime
    remind_hours_until: datetime  # exclusive bound for deadlines in HOUR_KINDS
    remind_days_until: datetime  # exclusive bound for deadlines in DAY_KINDS
    red_from: datetime  # inclusive: a deadline at or before it is red

    @property
    def horizon(self) -> datetime:
        """Every deadline that has reached some level lies before this instant."""
        return max(self.remind_hours_until, self.remind_days_until, self.now + _MICROSECOND)


def _remind_until(cal: WorkCalendar, now: datetime, minutes: int) -> datetime:
    if minutes <= 0:
        return now  # no reminders: nothing after ``now`` is in the window
    return cal.add_working_time(now, timedelta(minutes=minutes) + _MICROSECOND)


def windows_at(
    cal: WorkCalendar,
    now: datetime,
    *,
    reminder_hours_minutes: int,
    reminder_days_minutes: int,
    grace_minutes: int,
) -> Windows:
    return Windows(
        now=now,
        remind_hours_until=_remind_until(cal, now, reminder_hours_minutes),
        remind_days_until=_remind_until(cal, now, reminder_days_minutes),
        red_from=cal.add_working_time(now, -timedelta(minutes=max(grace_minutes, 0))),
    )


def level_reached(due: datetime | None, kind: str | None, windows: Windows) -> Level | None:
    """The highest level the deadline ``due`` of ``kind`` has reached at ``windows.now``."""
    if due is None or not kind:
        return None
    if due <= windows.red_from:
        return Level.RED
    if due <= windows.now:
        return Level.YELLOW
    until = windows.remind_hours_until if kind in HOUR_KINDS else windows.remind_days_until
    if due < until:
        return Level.REMINDER
    return None


def to_raise(reached: Level | None, highest_raised: int) -> Level | None:
    """The level to raise now: the one reached, unless it or a higher one was raised already.

    Only the highest level reached is raised, never the ones below it that were skipped: a
    deadline first seen already missed by more than the grace (the sweep was down, or the
    clock resumed after a pause with a deadline long past) gets a red card, not a reminder
    and a yellow card after the fact.
    """
    if reached is None or LEVEL_RANK[reached] <= highest_raised:
        return None
    return reached
