"""Properties of working-time arithmetic, over random aware instants in 2001–2030."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar
from hypothesis import given, settings
from hypothesis import strategies as st

from mashang.workcal.calendar import PACKAGE_YEARS, WorkCalendar, parse_office_hours

TZ = ZoneInfo("Asia/Shanghai")
CAL = WorkCalendar(
    tz=TZ,
    office_hours=parse_office_hours("08:30-12:00,14:00-17:30"),
    overrides={date(2027, 1, 1): False, date(2027, 2, 6): True},
)
MAX_SECONDS = 30 * 7 * 3600

instants = st.datetimes(
    min_value=datetime(2001, 1, 1),
    max_value=datetime(2030, 12, 31, 23, 59, 59),
    timezones=st.sampled_from([TZ, UTC, ZoneInfo("America/New_York"), ZoneInfo("Asia/Kolkata")]),
)
amounts = st.integers(min_value=-MAX_SECONDS, max_value=MAX_SECONDS).map(
    lambda seconds: timedelta(seconds=seconds)
)
positive_amounts = st.integers(min_value=1, max_value=MAX_SECONDS).map(
    lambda seconds: timedelta(seconds=seconds)
)
examples = settings(max_examples=200, deadline=None)


def in_office_hours(moment: datetime) -> bool:
    """Opening exclusive, closing inclusive: where a deadline may fall."""
    clock = moment.time()
    return any(opens < clock <= closes for opens, closes in CAL.office_hours)


def reference_is_working_day(day: date) -> bool:
    if day == date(2027, 1, 1):
        return False
    if day == date(2027, 2, 6):
        return True
    if day.year in PACKAGE_YEARS:
        return chinese_calendar.is_workday(day)
    return day.weekday() < 5


def reference_between(start: datetime, end: datetime) -> timedelta:
    """Working time in [start, end) by walking the days, from an independent source of holidays."""
    start, end = start.astimezone(TZ), end.astimezone(TZ)
    total = timedelta(0)
    day = start.date()
    while day <= end.date():
        if reference_is_working_day(day):
            for opens, closes in CAL.office_hours:
                low = max(datetime.combine(day, opens, TZ), start)
                high = min(datetime.combine(day, closes, TZ), end)
                total += max(high - low, timedelta(0))
        day += timedelta(days=1)
    return total


@examples
@given(instants, amounts)
def test_adding_then_measuring_gives_back_the_amount(start, amount):
    assert CAL.working_time_between(start, CAL.add_working_time(start, amount)) == amount


@examples
@given(instants, positive_amounts)
def test_a_deadline_is_the_earliest_instant_on_a_working_day_in_office_hours(start, amount):
    due = CAL.add_working_time(start, amount)
    assert due.tzinfo is TZ
    assert CAL.is_working_day(due.date())
    assert in_office_hours(due)
    assert CAL.working_time_between(start, due - timedelta(microseconds=1)) < amount


@examples
@given(instants, instants, instants)
def test_working_time_between_is_additive_and_antisymmetric(a, b, c):
    ab, bc, ac = (CAL.working_time_between(*pair) for pair in ((a, b), (b, c), (a, c)))
    assert ab + bc == ac
    assert CAL.working_time_between(b, a) == -ab


@examples
@given(instants, instants, instants)
def test_working_time_between_is_monotonic_and_bounded_by_elapsed_time(origin, a, b):
    a, b = sorted((a, b))
    assert CAL.working_time_between(origin, a) <= CAL.working_time_between(origin, b)
    assert timedelta(0) <= CAL.working_time_between(a, b) <= b - a


@examples
@given(instants, amounts, amounts)
def test_adding_is_monotonic_in_the_amount(start, first, second):
    first, second = sorted((first, second))
    assert CAL.add_working_time(start, first) <= CAL.add_working_time(start, second)


@settings(max_examples=100, deadline=None)
@given(instants, st.integers(min_value=0, max_value=40 * 86400).map(lambda s: timedelta(seconds=s)))
def test_working_time_between_matches_a_day_by_day_reference(start, span):
    assert CAL.working_time_between(start, start + span) == reference_between(start, start + span)
