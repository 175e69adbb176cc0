"""The level a deadline has reached: pure, on a calendar built in the test (no database)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from mashang.supervision.models import Level
from mashang.supervision.rules import level_reached, to_raise, windows_at
from mashang.workcal.calendar import WorkCalendar, parse_office_hours

CST = ZoneInfo("Asia/Shanghai")
CAL = WorkCalendar(tz=CST, office_hours=parse_office_hours("08:30-12:00,14:00-17:30"), overrides={})


def at(*args) -> datetime:
    return datetime(*args, tzinfo=CST)


def w(now: datetime, *, hours=30, days=210, grace=210):
    return windows_at(
        CAL, now, reminder_hours_minutes=hours, reminder_days_minutes=days, grace_minutes=grace
    )


def test_the_bounds_of_a_monday_morning():
    win = w(at(2026, 10, 19, 11, 0))
    # 30 working minutes later is 11:30; the window ends just after it.
    assert win.remind_hours_until == at(2026, 10, 19, 11, 30) + timedelta(microseconds=1)
    # 210: 60 until noon, 150 after 14:00 — 16:30.
    assert win.remind_days_until == at(2026, 10, 19, 16, 30) + timedelta(microseconds=1)
    # 210 before 11:00: 150 that morning, 60 on Friday afternoon — Friday 16:30 (Saturday
    # 10 October would be a make-up working day, hence the week after).
    assert win.red_from == at(2026, 10, 16, 16, 30)


@pytest.mark.parametrize(
    ("due", "kind", "expected"),
    [
        (at(2026, 10, 19, 11, 31), "triage", None),
        (at(2026, 10, 19, 11, 30), "triage", Level.REMINDER),
        (at(2026, 10, 19, 11, 30), "first_contact", Level.REMINDER),
        (at(2026, 10, 19, 16, 30), "triage", None),  # hour limits remind 30 minutes ahead
        (at(2026, 10, 19, 16, 30), "resolution", Level.REMINDER),
        (at(2026, 10, 19, 16, 31), "interim_reply", None),
        (at(2026, 10, 19, 11, 0), "resolution", Level.YELLOW),  # at the deadline
        (at(2026, 10, 16, 16, 31), "triage", Level.YELLOW),
        (at(2026, 10, 16, 16, 30), "triage", Level.RED),  # missed by exactly the grace
        (at(2025, 1, 1, 9, 0), "resolution", Level.RED),
        (None, "triage", None),
        (at(2026, 10, 19, 11, 0), None, None),
    ],
)
def test_level_reached(due, kind, expected):
    assert level_reached(due, kind, w(at(2026, 10, 19, 11, 0))) == expected


def test_at_night_the_window_reaches_into_the_next_working_day():
    win = w(at(2026, 10, 19, 20, 0))
    assert level_reached(at(2026, 10, 20, 9, 0), "triage", win) == Level.REMINDER
    assert level_reached(at(2026, 10, 20, 9, 1), "triage", win) is None
    # The red bound is the latest instant 210 working minutes back: 14:00 (not 12:00).
    assert win.red_from == at(2026, 10, 19, 14, 0)


def test_zero_minutes_turn_reminders_off_and_make_red_immediate():
    win = w(at(2026, 10, 19, 11, 0), hours=0, days=0, grace=0)
    assert level_reached(at(2026, 10, 19, 11, 0, 1), "triage", win) is None
    assert level_reached(at(2026, 10, 19, 11, 0), "resolution", win) == Level.RED


@pytest.mark.parametrize(
    ("reached", "highest", "expected"),
    [
        (None, 0, None),
        (Level.REMINDER, 0, Level.REMINDER),
        (Level.REMINDER, 1, None),
        (Level.YELLOW, 1, Level.YELLOW),
        (Level.RED, 0, Level.RED),
        (Level.YELLOW, 3, None),
    ],
)
def test_only_a_higher_level_is_raised(reached, highest, expected):
    assert to_raise(reached, highest) == expected
