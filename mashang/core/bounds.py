"""The ranges every date, time, amount and area that comes in must fall within.

A year-9999 date with a −12:00 offset, or an amount of 1e26 yuan, is nothing the zone will
ever hold, and turning it into UTC or into a database decimal overflows (a 500). So each
input is checked here, once, before anything is computed from it:

- dates and times between 2000-01-01 and 2100-12-31 inclusive, read in the zone's time zone
  (a time with another offset is compared in the zone's time without overflowing);
- money from 0 to 9,999,999,999,999.99 yuan with at most 2 decimals (15 digits: what SQLite's
  doubles give back exactly, and what the database columns hold);
- land areas up to 100,000 mu (66,666,667 m², some 67 km²): larger than any development zone's
  plot, and far below what the columns hold.

The same checks serve the API (the annotated types :data:`BoundedDate` and
:data:`BoundedDateTime`, answered with a 422 naming the field), the forms
(:class:`BoundedDateField`, :class:`BoundedDateTimeField`) and the services and importers
(:func:`date_problem`, :func:`datetime_problem`, :func:`decimal_bounded`).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

DATE_MIN = date(2000, 1, 1)
DATE_MAX = date(2100, 12, 31)
#: The largest amount of money, in yuan.
MONEY_MAX = Decimal("9999999999999.99")
#: The largest land area in mu, and the same in m² (1 mu = 2000/3 m²), rounded up.
AREA_MAX_MU = Decimal("100000.00")
AREA_MAX_M2 = Decimal("66666667.00")
CENT = Decimal("0.01")

MSG_DATE_RANGE = _("Give a date between %(min)s and %(max)s.")
MSG_DATETIME_RANGE = _("Give a time between %(min)s 00:00 and %(max)s 23:59 in the zone's local time.")


def _say(message: Any) -> str:
    return str(message) % {"min": DATE_MIN.isoformat(), "max": DATE_MAX.isoformat()}


def date_problem(value: date | None) -> str | None:
    """The message when ``value`` is outside the range, else None."""
    if value is None:
        return None
    day = value.date() if isinstance(value, datetime) else value
    return None if DATE_MIN <= day <= DATE_MAX else _say(MSG_DATE_RANGE)


def datetime_local(value: datetime) -> datetime | None:
    """``value`` in the zone's time zone (a naive one is taken as the zone's), or None when it
    falls outside the range. Nothing overflows: a value far outside is refused before converting."""
    # Offsets are below a day, so a value a year away from the range cannot fall into it.
    if not DATE_MIN.year - 1 <= value.year <= DATE_MAX.year + 1:
        return None
    zone = timezone.get_default_timezone()
    try:
        local = timezone.make_aware(value, zone) if timezone.is_naive(value) else value.astimezone(zone)
    except (OverflowError, ValueError):  # pragma: no cover - years 1999..2101 convert
        return None
    return local if DATE_MIN <= local.date() <= DATE_MAX else None


def datetime_problem(value: datetime | None) -> str | None:
    """The message when ``value`` is outside the range, else None."""
    if value is None or datetime_local(value) is not None:
        return None
    return _say(MSG_DATETIME_RANGE)


def decimal_bounded(value: Decimal, *, maximum: Decimal) -> bool:
    """Whether the finite ``value`` lies within ``[-maximum, maximum]``: compared before any
    rounding, since quantizing 1e26 to the cent overflows the decimal context."""
    return -maximum <= value <= maximum


# --- the API: annotated types for pydantic schemas --------------------------------------------


def _date_check(value: date) -> date:
    problem = date_problem(value)
    if problem:
        raise PydanticCustomError("date_out_of_range", problem)
    return value


def _datetime_check(value: datetime) -> datetime:
    local = datetime_local(value)
    if local is None:
        raise PydanticCustomError("datetime_out_of_range", _say(MSG_DATETIME_RANGE))
    # In the zone's time zone: an offset Python takes (up to ±23:59) may be one the database
    # refuses (PostgreSQL: ±15:59), e.g. 2017-01-01T01:00-18:01.
    return local


#: A date between 2000-01-01 and 2100-12-31; outside it the API answers 422 naming the field.
BoundedDate = Annotated[date, AfterValidator(_date_check)]
#: A date and time within the same range, in the zone's time zone.
BoundedDateTime = Annotated[datetime, AfterValidator(_datetime_check)]


# --- the pages: form fields --------------------------------------------------------------------


def validate_date(value: date | None) -> None:
    problem = date_problem(value)
    if problem:
        raise ValidationError(problem, code="date_out_of_range")


def validate_datetime(value: datetime | None) -> None:
    problem = datetime_problem(value)
    if problem:
        raise ValidationError(problem, code="datetime_out_of_range")


class BoundedDateField(forms.DateField):
    """A date between 2000-01-01 and 2100-12-31 (outside it: the field's error)."""

    default_validators = [validate_date]


class BoundedDateTimeField(forms.DateTimeField):
    """A date and time within the same range, in the zone's time zone."""

    default_validators = [validate_datetime]

    def to_python(self, value):
        # Django makes a naive time aware in the zone's time zone; a year-1 or year-9999 value
        # may not convert. Check the wall-clock year first, then let Django parse it.
        result = super().to_python(value)
        if result is None:
            return None
        local = datetime_local(result)
        if local is None:
            raise ValidationError(_say(MSG_DATETIME_RANGE), code="datetime_out_of_range")
        return local  # in the zone's time zone, whatever offset was typed
