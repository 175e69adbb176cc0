"""Publishing a scorecard of a period near year 1 or 9999 is refused naming the field, never a
500, and publishes nothing (mashang.core.bounds)."""

from __future__ import annotations

import pytest
from django.test import Client

from mashang.core import bounds
from mashang.supervision.scorecards.models import ScorecardPublication

DATE_MSG = str(bounds.MSG_DATE_RANGE) % {"min": "2000-01-01", "max": "2100-12-31"}


@pytest.mark.parametrize(
    ("period", "field"),
    [
        ({"from": "0001-01-01", "to": "0001-02-01"}, "from"),
        ({"from": "9999-11-01", "to": "9999-12-31"}, "from"),
        ({"from": "2100-12-01", "to": "2101-01-01"}, "to"),
    ],
)
def test_publishing_out_of_range_is_refused(zone, api, period, field):
    response = api("supervisor").post("/api/v1/scorecards/publish", period)
    assert response.status_code == 422
    assert response.json()["fields"] == {field: [DATE_MSG]}
    client = Client()
    client.force_login(zone.supervisor)
    page = client.post("/supervision/scorecards/publish/", period, follow=True)
    assert page.status_code == 200 and DATE_MSG in page.content.decode()
    assert not ScorecardPublication.objects.exists()


def test_the_last_month_of_the_range_is_a_period():
    from mashang.supervision.scorecards.api import period_of

    period = period_of(bounds.DATE_MAX.replace(day=1), bounds.DATE_MAX)
    assert (period.start.isoformat(), period.end.isoformat()) == ("2100-12-01", "2100-12-31")
