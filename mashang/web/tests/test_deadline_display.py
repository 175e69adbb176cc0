"""The countdown a person sees: working time left, and whether the clock is running right now."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from mashang.web.deadline_display import countdown, state_of
from mashang.workcal.calendar import WorkCalendar

CST = ZoneInfo("Asia/Shanghai")
CAL = WorkCalendar(tz=CST, office_hours=((time(8, 30), time(12)), (time(14), time(17, 30))), overrides={})


def at(*args) -> datetime:
    return datetime(*args, tzinfo=CST)


def test_in_office_hours_the_clock_runs_until_the_period_closes():
    # Friday 27 Nov 2026 11:00, due Monday 30 Nov 09:30: 1 h + 3.5 h on Friday, 1 h on Monday.
    c = countdown(CAL, at(2026, 11, 30, 9, 30), now=at(2026, 11, 27, 11, 0))
    assert c.remaining_seconds == int(5.5 * 3600)
    assert c.running_seconds == 3600  # ticks until 12:00, then the lunch break stops it


def test_at_lunch_at_night_and_at_the_weekend_the_clock_stands_still():
    due = at(2026, 11, 30, 9, 30)
    assert countdown(CAL, due, now=at(2026, 11, 27, 12, 30)).running_seconds == 0
    assert countdown(CAL, due, now=at(2026, 11, 27, 20, 0)).running_seconds == 0
    weekend = countdown(CAL, due, now=at(2026, 11, 28, 10, 0))
    assert (weekend.running_seconds, weekend.remaining_seconds) == (0, 3600)


def test_an_overdue_deadline_counts_below_zero_in_working_time():
    c = countdown(CAL, at(2026, 11, 27, 9, 0), now=at(2026, 11, 27, 14, 30))
    assert c.remaining_seconds == -int(3.5 * 3600)  # 09:00–12:00 and 14:00–14:30
    assert c.running_seconds == 3 * 3600


def test_deadline_states():
    now = at(2026, 11, 27, 10, 0)
    assert state_of(None, now) == "none"
    assert state_of(at(2026, 11, 27, 9, 59), now) == "late"
    assert state_of(at(2026, 11, 27, 17, 30), now) == "due"
    assert state_of(at(2026, 11, 30, 9, 0), now) == "ok"
