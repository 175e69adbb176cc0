"""The demands' dates and times are bounded (mashang.core.bounds): a year-1 or year-9999 filter,
deadline or contact time gets a 422 naming the field, never a 500, and writes nothing."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from django.test import Client
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from mashang.audit.models import Event
from mashang.core import bounds
from mashang.demands.models import Demand, Status
from tests.kit.clocks import CST
from tests.kit.walk import walk_to

DATE_MSG = str(bounds.MSG_DATE_RANGE) % {"min": "2000-01-01", "max": "2100-12-31"}
TIME_MSG = str(bounds.MSG_DATETIME_RANGE) % {"min": "2000-01-01", "max": "2100-12-31"}
FILED = datetime(2026, 3, 2, 9, 0, tzinfo=CST)

#: Any wall-clock time of years 1 to 9999 with any offset ISO 8601 allows.
any_aware = st.builds(
    lambda naive, minutes: naive.replace(tzinfo=timezone(timedelta(minutes=minutes))),
    st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31, 23, 59, 59)),
    st.integers(min_value=-(24 * 60 - 1), max_value=24 * 60 - 1),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=any_aware, field=st.sampled_from(["created_from", "created_to"]))
# An offset Python takes and PostgreSQL refuses (it allows ±15:59): a 500 before the fix.
@example(value=datetime(2017, 1, 1, 1, 0, tzinfo=timezone(-timedelta(hours=18, minutes=1))), field="created_to")
def test_the_list_filter_takes_any_time_and_answers_200_or_422(zone, api, value, field):
    if not Demand.objects.exists():
        walk_to(zone, Status.SUBMITTED, start=FILED)
    response = api("ent-a").get("/api/v1/demands", **{field: value.isoformat()})
    if bounds.datetime_problem(value):
        assert response.status_code == 422
        assert response.json()["fields"] == {field: [TIME_MSG]}
        return
    assert response.status_code == 200, response.content
    after = value <= Demand.objects.get().submitted_at
    assert response.json()["count"] == (1 if after == (field == "created_from") else 0)


def test_the_list_filter_takes_the_bounds(zone, api):
    walk_to(zone, Status.SUBMITTED, start=FILED)
    client = api("ent-a")
    response = client.get(
        "/api/v1/demands", created_from="2000-01-01T00:00:00+08:00", created_to="2100-12-31T23:59:59+08:00"
    )
    assert response.status_code == 200 and response.json()["count"] == 1


def test_a_12345_deadline_in_year_9999_is_refused_and_nothing_is_filed(zone, api):
    response = api("officer").post(
        "/api/v1/demands",
        {
            "title": "厂房用地红线需要复核",
            "description": "请协助复核用地红线。",
            "channel": "hotline",
            "enterprise_credit_code": zone.enterprise.credit_code,
            "external_number": "GD12345-20261102-0001",
            "external_due_at": "9999-12-31T23:59:59-12:00",
        },
    )
    assert response.status_code == 422
    assert response.json()["fields"] == {"external_due_at": [TIME_MSG]}
    assert not Demand.objects.exists()


def test_a_contact_time_in_year_1_is_refused_and_nothing_changes(zone, api):
    demand = walk_to(zone, Status.DISPATCHED, start=FILED)
    events = Event.objects.count()
    client = api("unit-zrzy")
    response = client.post(
        f"/api/v1/demands/{demand.pk}/actions/respond",
        {
            "version": demand.version,
            "method": "phone",
            "contact_with": "李经理",
            "note": "已联系",
            "contacted_at": "0001-01-01T00:00:00+14:00",
        },
    )
    assert response.status_code == 422
    assert response.json()["fields"] == {"contacted_at": [TIME_MSG]}
    assert Event.objects.count() == events
    demand.refresh_from_db()
    assert demand.status == Status.DISPATCHED


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(day=st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)), field=st.sampled_from(["start", "end"]))
def test_the_dashboard_takes_any_date_and_names_the_field_out_of_range(zone, day, field):
    client = Client()
    client.force_login(zone.leader)
    query = {field: day.isoformat()}
    data = client.get("/demands/dashboard/data.json", query)
    page = client.get("/demands/dashboard/", query)
    # The page and its data refuse the same input: a 422 naming the field, never a 500.
    assert page.status_code == data.status_code
    if bounds.date_problem(day):
        assert data.status_code == 422
        assert data.json()["fields"][field] == [DATE_MSG]
        assert DATE_MSG in page.content.decode()
    else:
        assert data.status_code in (200, 422)
        assert DATE_MSG not in page.content.decode()
