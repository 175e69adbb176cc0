"""Working-time arithmetic on the zone's calendar: pure, no database, no settings.

Whether a date is a working day: the admin override for that date if there is one; else,
for the years the ``chinese_calendar`` package covers, its statutory holidays and make-up
working days (调休); else Monday to Friday. On a working day the office periods count, and
nothing else does.

Office hours are wall-clock times in the calendar's zone and are assumed not to straddle
a daylight-saving change (China has none).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, timedelta
from itertools import accumulate
from zoneinfo import ZoneInfo

from chinese_calendar import constants as _package

#: The years whose holidays and make-up working days the installed package knows.
PACKAGE_YEARS = range(min(_package.holidays).year, max(_package.holidays).year + 1)

_MAX_ORDINAL = date.max.toordinal()
_MICROSECOND = timedelta(microseconds=1)
_PERIOD = re.compile(r"(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})")

Periods = tuple[tuple[time, time], ...]


def parse_office_hours(text: str) -> Periods:
    """Parse ``"08:30-12:00,14:00-17:30"`` into sorted, non-overlapping ``(start, end)`` periods."""
    if not text.strip():
        raise ValueError("office hours are empty; expected periods like 08:30-12:00,14:00-17:30")
    periods = []
    for part in text.split(","):
        part = part.replace(" ", "")
        match = _PERIOD.fullmatch(part)
        if not match:
            raise ValueError(f"office hours: {part!r} is not a period like 08:30-12:00")
        hour1, minute1, hour2, minute2 = map(int, match.groups())
        try:
            periods.append((time(hour1, minute1), time(hour2, minute2)))
        except ValueError:
            raise ValueError(f"office hours: {part!r} is not a valid time of day") from None
    _check_periods(periods)
    return tuple(periods)


def _check_periods(periods: Iterable[tuple[time, time]]) -> None:
    previous: tuple[time, time] | None = None
    for start, end in periods:
        if start >= end:
            raise ValueError(
                f"office hours: period {start:%H:%M}-{end:%H:%M} does not end after it starts"
            )
        if previous is not None and start < previous[0]:
            raise ValueError(f"office hours: period {start:%H:%M}-{end:%H:%M} is out of order")
        if previous is not None and start < previous[1]:
            raise ValueError(
                f"office hours: period {start:%H:%M}-{end:%H:%M} overlaps "
                f"{previous[0]:%H:%M}-{previous[1]:%H:%M}"
            )
        previous = (start, end)
    if previous is None:
        raise ValueError("office hours: at least one period is needed")


def _micros(value: time) -> int:
    return ((value.hour * 60 + value.minute) * 60 + value.second) * 1_000_000 + value.microsecond


def _weekdays_before(ordinal: int) -> int:
    """Mondays to Fridays among the date ordinals ``[1, ordinal)``; ordinal 1 is a Monday."""
    weeks, rest = divmod(ordinal - 1, 7)
    return weeks * 5 + min(rest, 5)


def _weekday_numbered(count: int) -> int:
    """The ordinal of the Monday-to-Friday date that has ``count`` such dates before it."""
    weeks, rest = divmod(count, 5)
    return 1 + weeks * 7 + rest


class WorkCalendar:
    """The zone's working days and office hours, and arithmetic in working time.

    Working days are counted from 1 January of year 1 through a prefix sum precomputed over
    the years the package or the overrides know, and by formula (Monday to Friday) outside
    them: measuring a span of months costs the same as measuring an hour, and adding working
    time is one binary search.

    Convention: for ``amount > 0``, ``add_working_time(t, amount)`` is the EARLIEST instant
    ``T`` with ``working_time_between(t, T) == amount`` — a deadline that ends exactly at a
    closing time is that closing time (12:00, 17:30), never the next opening. For
    ``amount < 0`` it is the LATEST instant ``T`` with ``working_time_between(T, t) ==
    -amount`` (an opening time rather than the previous closing). ``amount == 0`` gives
    the same instant as ``t``. Inputs are aware datetimes in any zone (naive ones raise
    ``ValueError``); outputs are in ``tz``; arithmetic is exact to the microsecond.
    """

    def __init__(
        self,
        *,
        tz: ZoneInfo,
        office_hours: Periods,
        overrides: Mapping[date, bool],
        known_years: Iterable[int] | None = None,
    ) -> None:
        _check_periods(office_hours)
        self.tz = tz
        self.office_hours = tuple(office_hours)
        self._periods = tuple((_micros(start), _micros(end)) for start, end in office_hours)
        self._day = sum(end - start for start, end in self._periods)
        self._override_years = frozenset(day.year for day in overrides)
        # The years beyond the package whose holidays are known: those of the State Council
        # notices imported (the selector says which); without that word, any year overridden.
        self._known_years = self._override_years if known_years is None else frozenset(known_years)
        years = [*PACKAGE_YEARS, *self._override_years]
        self._first = date(min(years), 1, 1).toordinal()
        last = date(max(years), 12, 31).toordinal()
        flags = bytearray((ordinal - 1) % 7 < 5 for ordinal in range(self._first, last + 1))
        # In this order, so that an override wins over the package.
        fixed = [
            *((day, False) for day in _package.holidays),
            *((day, True) for day in _package.workdays),
            *overrides.items(),
        ]
        for day, working in fixed:
            flags[day.toordinal() - self._first] = working
        self._flags = bytes(flags)
        # _prefix[i]: working days before the ordinal _first + i, counted from ordinal 1.
        self._prefix = list(accumulate(flags, initial=_weekdays_before(self._first)))
        # Past the table only Monday to Friday work: the count is the formula's plus this.
        self._after = self._prefix[-1] - _weekdays_before(last + 1)

    @property
    def day_length(self) -> timedelta:
        """Working time in one working day."""
        return timedelta(microseconds=self._day)

    def is_working_day(self, d: date) -> bool:
        if isinstance(d, datetime):
            raise TypeError(
                "is_working_day takes a date; convert the datetime to the calendar's zone first"
            )
        return self._works(d.toordinal())

    def is_covered(self, year: int) -> bool:
        """Whether the package knows the year's holidays or they are otherwise known (a notice
        imported; without ``known_years``, an admin has entered some of its days)."""
        return year in PACKAGE_YEARS or year in self._known_years

    def uncovered_years(self, years: Iterable[int]) -> list[int]:
        """The years among ``years`` that are not covered, sorted, each once."""
        return sorted({year for year in years if not self.is_covered(year)})

    def working_time_between(self, start: datetime, end: datetime) -> timedelta:
        """Working time in ``[start, end)``; the negative of the reverse when ``end < start``."""
        done = self._position(end) - self._position(start)
        return timedelta(microseconds=done)

    def add_working_time(self, start: datetime, amount: timedelta) -> datetime:
        """The instant ``amount`` of working time after ``start`` (see the class convention)."""
        step = amount // _MICROSECOND
        position = self._position(start)
        if step == 0:
            return start.astimezone(self.tz)
        earliest = step > 0
        # Working days before the one the instant falls on, and the working time within it:
        # in (0, day] for the earliest instant, in [0, day) for the latest.
        days, rest = divmod(position + step - 1 if earliest else position + step, self._day)
        ordinal = self._numbered(days)
        if not 1 <= ordinal <= _MAX_ORDINAL:
            raise OverflowError("working time beyond the years 1 to 9999")
        moment = datetime.combine(date.fromordinal(ordinal), time())
        offset = self._clock_at(rest + 1 if earliest else rest, earliest=earliest)
        return (moment + timedelta(microseconds=offset)).replace(tzinfo=self.tz)

    def add_working_hours(self, start: datetime, hours: float | int) -> datetime:
        return self.add_working_time(start, timedelta(hours=hours))

    def add_working_days(self, start: datetime, days: int) -> datetime:
        """``days`` times ``day_length`` of working time after ``start``."""
        return self.add_working_time(start, days * self.day_length)

    def _position(self, value: datetime) -> int:
        """Working microseconds from 1 January of year 1 to ``value``."""
        if value.utcoffset() is None:
            raise ValueError(f"working time needs an aware datetime, got naive {value.isoformat()}")
        local = value.astimezone(self.tz)
        ordinal = local.toordinal()
        done = self._working_days_before(ordinal) * self._day
        if self._works(ordinal):
            clock = _micros(local.time())
            for opens, closes in self._periods:
                if clock <= opens:
                    break
                done += min(clock, closes) - opens
        return done

    def _works(self, ordinal: int) -> bool:
        index = ordinal - self._first
        if 0 <= index < len(self._flags):
            return self._flags[index] == 1
        return (ordinal - 1) % 7 < 5

    def _working_days_before(self, ordinal: int) -> int:
        index = ordinal - self._first
        if index < 0:
            return _weekdays_before(ordinal)
        if index < len(self._prefix):
            return self._prefix[index]
        return _weekdays_before(ordinal) + self._after

    def _numbered(self, count: int) -> int:
        """The ordinal of the working day that has ``count`` working days before it."""
        if count < self._prefix[0]:
            return _weekday_numbered(count)
        if count < self._prefix[-1]:
            return self._first + bisect_right(self._prefix, count) - 1
        return _weekday_numbered(count - self._after)

    def _clock_at(self, rest: int, *, earliest: bool) -> int:
        """The time of day (microseconds) after ``rest`` of the day's working time."""
        for opens, closes in self._periods[:-1]:
            length = closes - opens
            if rest < length or (earliest and rest == length):
                return opens + rest
            rest -= length
        return self._periods[-1][0] + rest
