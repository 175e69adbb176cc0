"""The ranges every date, time, amount and area must fall within (mashang.core.bounds), and the
read-only pages and endpoints that took a year-1 or year-9999 date with a 500: now a 4xx that
names the field."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pydantic
import pytest
from django import forms
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from mashang.core import bounds
from mashang.core.bounds import (
    AREA_MAX_M2,
    AREA_MAX_MU,
    DATE_MAX,
    DATE_MIN,
    MONEY_MAX,
    BoundedDate,
    BoundedDateField,
    BoundedDateTime,
    BoundedDateTimeField,
    date_problem,
    datetime_local,
    datetime_problem,
    decimal_bounded,
)

CST = ZoneInfo("Asia/Shanghai")
DATE_MSG = str(bounds.MSG_DATE_RANGE) % {"min": "2000-01-01", "max": "2100-12-31"}
TIME_MSG = str(bounds.MSG_DATETIME_RANGE) % {"min": "2000-01-01", "max": "2100-12-31"}

#: Any fixed offset a time may be written with (ISO 8601 allows up to ±23:59).
offsets = st.integers(min_value=-(24 * 60 - 1), max_value=24 * 60 - 1).map(
    lambda m: timezone(timedelta(minutes=m))
)
#: Any wall-clock time of years 1 to 9999, with any offset or none.
any_datetime = st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31, 23, 59, 59)).flatmap(
    lambda naive: st.one_of(st.just(naive), offsets.map(lambda tz: naive.replace(tzinfo=tz)))
)


# --- the range itself -----------------------------------------------------------------------


def test_the_range_is_2000_to_2100_inclusive():
    assert (DATE_MIN, DATE_MAX) == (date(2000, 1, 1), date(2100, 12, 31))
    assert date_problem(DATE_MIN) is None and date_problem(DATE_MAX) is None and date_problem(None) is None
    assert date_problem(date(1999, 12, 31)) == DATE_MSG
    assert date_problem(date(2101, 1, 1)) == DATE_MSG
    assert date_problem(date(1, 1, 1)) == date_problem(date(9999, 12, 31)) == DATE_MSG


def test_times_are_read_in_the_zones_time_zone():
    # The first and last moments of the range, in China Standard Time.
    first = datetime.combine(DATE_MIN, time(), tzinfo=CST)
    last = datetime.combine(DATE_MAX, time(23, 59, 59, 999999), tzinfo=CST)
    assert datetime_problem(first) is None and datetime_problem(last) is None
    assert datetime_problem(first - timedelta(microseconds=1)) == TIME_MSG
    assert datetime_problem(last + timedelta(microseconds=1)) == TIME_MSG
    # 1999-12-31 20:00 in London is already 2000-01-01 04:00 in the zone.
    assert datetime_problem(datetime(1999, 12, 31, 20, 0, tzinfo=UTC)) is None
    # 2100-12-31 23:00 at −12:00 is 2101-01-01 19:00 in the zone: outside.
    assert datetime_problem(datetime(2100, 12, 31, 23, 0, tzinfo=timezone(timedelta(hours=-12)))) == TIME_MSG
    # A naive time is the zone's.
    assert datetime_local(datetime(2026, 3, 2, 9, 0)) == datetime(2026, 3, 2, 9, 0, tzinfo=CST)
    # The reported overflows: no exception, a message.
    assert datetime_problem(datetime(9999, 12, 31, 23, 59, 59, tzinfo=timezone(timedelta(hours=-12)))) == TIME_MSG
    assert datetime_problem(datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=14)))) == TIME_MSG


@given(any_datetime)
def test_any_time_of_any_year_with_any_offset_is_judged_without_overflow(value):
    problem = datetime_problem(value)
    if 1999 <= value.year <= 2101:  # near the range: converting is safe, and is the oracle
        aware = value.replace(tzinfo=CST) if value.tzinfo is None else value
        inside = DATE_MIN <= aware.astimezone(CST).date() <= DATE_MAX
        assert (problem is None) == inside
    else:
        assert problem == TIME_MSG


def test_money_and_areas_are_compared_before_any_rounding():
    assert MONEY_MAX == Decimal("9999999999999.99")
    assert (AREA_MAX_MU, AREA_MAX_M2) == (Decimal("100000.00"), Decimal("66666667.00"))
    # 100 000 mu is 66 666 666.67 m²: the m² bound is the mu bound, rounded up.
    assert AREA_MAX_MU * 2000 / 3 <= AREA_MAX_M2 < AREA_MAX_MU * 2000 / 3 + 1
    assert decimal_bounded(MONEY_MAX, maximum=MONEY_MAX)
    assert not decimal_bounded(MONEY_MAX + Decimal("0.01"), maximum=MONEY_MAX)
    assert not decimal_bounded(Decimal("1e26"), maximum=MONEY_MAX)
    assert not decimal_bounded(Decimal("1.12e64"), maximum=AREA_MAX_MU)


# --- the API's annotated types ------------------------------------------------------------------


class _Query(pydantic.BaseModel):
    day: BoundedDate | None = None
    at: BoundedDateTime | None = None


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("day", "0001-01-01", DATE_MSG),
        ("day", "9999-12-31", DATE_MSG),
        ("day", "2101-01-01", DATE_MSG),
        ("at", "9999-12-31T23:59:59-12:00", TIME_MSG),
        ("at", "0001-01-01T00:00:00+14:00", TIME_MSG),
        ("at", "2100-12-31T23:00:00-12:00", TIME_MSG),
    ],
)
def test_a_schema_refuses_out_of_range_values_naming_the_field(field, value, message):
    with pytest.raises(pydantic.ValidationError) as caught:
        _Query.model_validate({field: value})
    (error,) = caught.value.errors()
    assert error["loc"] == (field,) and error["msg"] == message


def test_a_schema_takes_the_values_at_the_bounds():
    q = _Query.model_validate({"day": "2100-12-31", "at": "2000-01-01T00:00:00+08:00"})
    assert q.day == DATE_MAX and q.at == datetime(2000, 1, 1, tzinfo=CST)
    assert _Query.model_validate({"day": "2000-01-01", "at": "2100-12-31T23:59:59+08:00"}).day == DATE_MIN


# --- the forms' fields --------------------------------------------------------------------------


class _Form(forms.Form):
    day = BoundedDateField(required=False)
    at = BoundedDateTimeField(required=False)


def test_a_form_gives_the_fields_message():
    form = _Form({"day": "9999-12-31", "at": "0001-01-01 00:00"})
    assert not form.is_valid()
    assert form.errors == {"day": [DATE_MSG], "at": [TIME_MSG]}
    form = _Form({"day": "2000-01-01", "at": "2100-12-31 23:59"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["at"] == datetime(2100, 12, 31, 23, 59, tzinfo=CST)


@given(any_datetime)
def test_a_form_takes_any_typed_time_without_an_exception(value):
    text = value.isoformat()
    form = _Form({"at": text})
    valid = form.is_valid()
    assert valid == (datetime_problem(value) is None)
    if not valid:
        assert form.errors["at"] == [TIME_MSG]


# --- the read-only surfaces named in the report: 4xx with the field, never a 500 ---------------


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"created_from": "9999-12-31T23:59:59-12:00"}, "created_from"),
        ({"created_to": "0001-01-01T00:00:00+14:00"}, "created_to"),
        ({"created_from": "2026-01-01T00:00:00+08:00", "created_to": "9999-12-31T23:59:59Z"}, "created_to"),
    ],
)
def test_the_demand_list_filter(zone, api, query, field):
    response = api("ent-a").get("/api/v1/demands", **query)
    assert response.status_code == 422
    assert response.json()["fields"] == {field: [TIME_MSG]}


@pytest.mark.parametrize(
    ("path", "query", "field"),
    [
        ("/api/v1/scorecards", {"from": "0001-01-01", "to": "0001-02-01"}, "from"),
        ("/api/v1/scorecards", {"from": "9999-11-01", "to": "9999-12-31"}, "from"),
        ("/api/v1/scorecards", {"from": "2026-01-01", "to": "9999-12-31"}, "to"),
        ("/api/v1/scorecards/scheme", {"from": "0001-01-01", "to": "0001-02-01"}, "from"),
        ("/api/v1/scorecards/export", {"from": "9999-12-01", "to": "9999-12-31"}, "from"),
        ("/supervision/scorecards/data.json", {"from": "0001-01-01", "to": "0001-02-01"}, "from"),
        ("/supervision/scorecards/data.json", {"from": "9999-12-01", "last": "9999-12-31"}, "from"),
        ("/supervision/scorecards/export.xlsx", {"from": "2026-01-01", "last": "9999-12-31"}, "to"),
    ],
)
def test_scorecard_periods(zone, api, path, query, field):
    if path.startswith("/api/"):
        response = api("supervisor").get(path, **query)
    else:
        response = _signed_in(zone.supervisor).get(path, query)
    assert response.status_code == 422
    assert response.json()["fields"] == {field: [DATE_MSG]}


@pytest.mark.parametrize(
    "query",
    [{"from": "0001-01-01", "to": "0001-02-01"}, {"from": "9999-12-01", "last": "9999-12-31"}],
)
def test_the_scorecard_pages_keep_to_their_default_period_and_say_why(zone, query):
    for path in ("/supervision/scorecards/", f"/supervision/scorecards/{zone.land.code}/"):
        response = _signed_in(zone.supervisor).get(path, query)
        assert response.status_code == 422, path
        assert DATE_MSG in response.content.decode()


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"start": "0001-01-01", "end": "2026-01-31"}, "start"),
        ({"start": "2026-01-01", "end": "9999-12-31"}, "end"),
        ({"start": "9999-12-01", "end": "9999-12-31"}, "start"),
    ],
)
def test_the_dashboard_period(zone, query, field):
    client = _signed_in(zone.leader)
    data = client.get("/demands/dashboard/data.json", query)
    assert data.status_code == 422
    assert data.json()["fields"][field] == [DATE_MSG]
    page = client.get("/demands/dashboard/", query)
    assert page.status_code == 422
    assert DATE_MSG in page.content.decode()
