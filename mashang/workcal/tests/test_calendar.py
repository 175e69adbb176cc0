"""Concrete cases of the pure calendar: 2026 holidays, deadlines by hand, fallback years, parsing."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest

from mashang.workcal.calendar import PACKAGE_YEARS, WorkCalendar, parse_office_hours

TZ = ZoneInfo("Asia/Shanghai")
HOURS = parse_office_hours("08:30-12:00,14:00-17:30")


def make(overrides: dict[date, bool] | None = None) -> WorkCalendar:
    return WorkCalendar(tz=TZ, office_hours=HOURS, overrides=overrides or {})


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=TZ)


CAL = make()


def test_package_years_come_from_the_package():
    assert PACKAGE_YEARS.start == 2004
    assert 2026 in PACKAGE_YEARS
    assert PACKAGE_YEARS.stop - 1 == max(chinese_calendar.holidays).year


@pytest.mark.parametrize(
    "day", [date(2026, 10, d) for d in range(1, 8)] + [date(2026, 9, d) for d in (25, 26, 27)]
)
def test_national_day_and_mid_autumn_2026_are_rest_days(day):
    assert not CAL.is_working_day(day)


@pytest.mark.parametrize(
    "day", [date(2026, 9, 20), date(2026, 10, 10), date(2026, 9, 30), date(2026, 10, 8)]
)
def test_make_up_days_and_ordinary_weekdays_around_national_day_are_working_days(day):
    assert CAL.is_working_day(day)


def test_day_length_is_the_sum_of_the_office_periods():
    assert CAL.day_length == timedelta(hours=7)
    eight = WorkCalendar(tz=TZ, office_hours=parse_office_hours("09:00-17:00"), overrides={})
    assert eight.day_length == timedelta(hours=8)


@pytest.mark.parametrize(
    ("start", "amount", "due"),
    [
        # 1 h left on Wed 30 Sep, then 1–7 Oct off; Thu 8 Oct 08:30–12:00 and 14:00–16:30.
        (at(2026, 9, 30, 16, 30), timedelta(hours=7), at(2026, 10, 8, 16, 30)),
        # 1 + 7 (8 Oct) + 7 (9 Oct) + 7 (Sat 10 Oct, make-up) + 7 (12 Oct) + 6 (13 Oct).
        (at(2026, 9, 30, 16, 30), timedelta(hours=35), at(2026, 10, 13, 16, 30)),
        (at(2026, 9, 30, 11, 30), timedelta(hours=1), at(2026, 9, 30, 14, 30)),
        (at(2026, 9, 30, 11, 0), timedelta(hours=1), at(2026, 9, 30, 12, 0)),
        (at(2026, 9, 30, 16, 30), timedelta(hours=1), at(2026, 9, 30, 17, 30)),
        # Friday before a weekend whose Sunday is a make-up working day.
        (at(2026, 9, 18, 17, 0), timedelta(hours=1), at(2026, 9, 20, 9, 0)),
        # Thursday before Mid-Autumn (Fri 25 – Sun 27 Sep).
        (at(2026, 9, 24, 17, 0), timedelta(hours=1), at(2026, 9, 28, 9, 0)),
        # Friday before Spring Festival 2026: Sat 14 Feb works, 15–23 Feb off.
        (at(2026, 2, 13, 17, 0), timedelta(hours=1), at(2026, 2, 14, 9, 0)),
        (at(2026, 2, 14, 17, 0), timedelta(hours=1), at(2026, 2, 24, 9, 0)),
        # Outside office hours the clock starts at the next opening.
        (at(2026, 9, 30, 20, 0), timedelta(hours=1), at(2026, 10, 8, 9, 30)),
        (at(2026, 9, 29, 7, 0), timedelta(hours=1), at(2026, 9, 29, 9, 30)),
        (at(2026, 9, 29, 12, 30), timedelta(minutes=30), at(2026, 9, 29, 14, 30)),
        (at(2026, 9, 30, 20, 0), timedelta(hours=7), at(2026, 10, 8, 17, 30)),
        # Backwards: the latest instant, an opening rather than the previous closing.
        (at(2026, 10, 8, 9, 30), timedelta(hours=-1), at(2026, 10, 8, 8, 30)),
        (at(2026, 10, 8, 8, 30), timedelta(hours=-1), at(2026, 9, 30, 16, 30)),
        (at(2026, 9, 30, 15, 0), timedelta(hours=-1), at(2026, 9, 30, 14, 0)),
    ],
)
def test_add_working_time_by_hand(start, amount, due):
    result = CAL.add_working_time(start, amount)
    assert result == due
    assert result.tzinfo is TZ
    assert CAL.working_time_between(start, result) == amount


def test_add_working_hours_and_days():
    start = at(2026, 9, 30, 16, 30)
    assert CAL.add_working_days(start, 1) == at(2026, 10, 8, 16, 30)
    assert CAL.add_working_hours(start, 1) == at(2026, 9, 30, 17, 30)
    assert CAL.add_working_hours(start, 0.5) == at(2026, 9, 30, 17, 0)


def test_zero_amount_gives_the_same_instant_in_the_calendar_zone():
    start = datetime(2026, 10, 3, 1, 2, 3, 456789, tzinfo=UTC)
    result = CAL.add_working_time(start, timedelta(0))
    assert result == start
    assert result.tzinfo is TZ


def test_inputs_in_other_zones_are_converted():
    start = datetime(2026, 9, 30, 8, 30, tzinfo=UTC)  # 16:30 in Shanghai
    assert CAL.add_working_days(start, 1) == at(2026, 10, 8, 16, 30)


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="aware"):
        CAL.add_working_hours(datetime(2026, 9, 30, 9, 0), 1)
    with pytest.raises(ValueError, match="aware"):
        CAL.working_time_between(at(2026, 9, 30, 9, 0), datetime(2026, 10, 9))


def test_is_working_day_refuses_a_datetime():
    with pytest.raises(TypeError):
        CAL.is_working_day(at(2026, 10, 1, 9, 0))


def test_working_time_between():
    assert CAL.working_time_between(at(2026, 9, 29, 20, 0), at(2026, 9, 30, 8, 30)) == timedelta(0)
    assert CAL.working_time_between(at(2026, 9, 30, 11, 0), at(2026, 9, 30, 15, 0)) == timedelta(
        hours=2
    )
    assert CAL.working_time_between(at(2026, 9, 30, 15, 0), at(2026, 9, 30, 11, 0)) == timedelta(
        hours=-2
    )
    assert CAL.working_time_between(at(2026, 10, 1), at(2026, 10, 8)) == timedelta(0)


def test_a_long_span_matches_the_package_working_day_count():
    days = len(chinese_calendar.get_workdays(date(2004, 1, 1), date(2026, 12, 31)))
    span = CAL.working_time_between(at(2004, 1, 1), at(2027, 1, 1))
    assert span == days * timedelta(hours=7)


def test_years_far_outside_the_precomputed_range_work():
    start = at(2101, 3, 4, 10, 0)  # a Friday
    assert CAL.add_working_days(start, 1) == at(2101, 3, 7, 10, 0)
    assert CAL.working_time_between(at(1950, 1, 2), at(1950, 1, 9)) == timedelta(hours=35)
    assert CAL.add_working_days(at(2026, 1, 5, 10, 0), -20_000).year < 1950
    # Just outside the years the package knows, on both sides.
    assert CAL.working_time_between(at(2003, 12, 31, 17, 0), at(2004, 1, 2, 9, 0)) == timedelta(
        hours=1
    )
    with pytest.raises(OverflowError):
        CAL.add_working_days(at(9999, 12, 30, 10, 0), 5)
    with pytest.raises(OverflowError):
        CAL.add_working_days(at(1, 1, 2, 10, 0), -5)


def test_uncovered_year_falls_back_to_monday_to_friday():
    assert not CAL.is_covered(2027)
    assert CAL.uncovered_years([2028, 2026, 2027, 2027]) == [2027, 2028]
    assert CAL.is_working_day(date(2027, 1, 1))  # a Friday: New Year is not known yet
    assert not CAL.is_working_day(date(2027, 1, 2))
    # Fri 31 Dec 2027 17:00 + 1 h: Monday 3 Jan 2028.
    assert CAL.add_working_hours(at(2027, 12, 31, 17, 0), 1) == at(2028, 1, 3, 9, 0)


def test_an_override_is_honoured_and_covers_its_year():
    cal = make({date(2027, 1, 1): False, date(2027, 1, 9): True, date(2026, 10, 8): False})
    assert cal.is_covered(2027)
    assert not cal.is_covered(2028)
    assert not cal.is_working_day(date(2027, 1, 1))
    assert cal.is_working_day(date(2027, 1, 9))  # a Saturday made a working day
    assert not cal.is_working_day(date(2026, 10, 8))  # overrides win over the package too
    assert cal.add_working_hours(at(2026, 12, 31, 17, 0), 1) == at(2027, 1, 4, 9, 0)
    assert cal.add_working_days(at(2026, 9, 30, 16, 30), 1) == at(2026, 10, 9, 16, 30)


def test_working_time_between_is_fast_for_long_spans():
    import time as clock

    pairs = [
        (at(2026, 1, 5, 9, 0) + timedelta(hours=h), at(2026, 8, 1, 10, 0)) for h in range(20_000)
    ]
    started = clock.perf_counter()
    for start, end in pairs:
        CAL.working_time_between(start, end)
    assert clock.perf_counter() - started < 1.0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("8:30", "not a period"),
        ("08:30-12:00;14:00-17:30", "not a period"),
        ("25:00-26:00", "not a valid time"),
        ("12:00-08:30", "does not end after"),
        ("08:30-08:30", "does not end after"),
        ("14:00-17:30,08:30-12:00", "out of order"),
        ("08:30-12:00,11:00-13:00", "overlaps 08:30-12:00"),
    ],
)
def test_parse_office_hours_errors(text, message):
    with pytest.raises(ValueError, match=message):
        parse_office_hours(text)


def test_parse_office_hours():
    assert parse_office_hours(" 08:30-12:00, 14:00 - 17:30 ") == (
        (time(8, 30), time(12, 0)),
        (time(14, 0), time(17, 30)),
    )
    assert parse_office_hours("08:00-12:00,12:00-16:00") == (
        (time(8), time(12)),
        (time(12), time(16)),
    )


def test_calendar_refuses_bad_office_hours():
    with pytest.raises(ValueError, match="at least one period"):
        WorkCalendar(tz=TZ, office_hours=(), overrides={})
