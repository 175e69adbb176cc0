"""Land-start's dates and times are bounded (mashang.core.bounds): an award in year 1, a batch or
history period in year 9999, get a 4xx naming the field, never a 500, and change nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils.html import escape

from mashang.audit.models import Event
from mashang.core import bounds
from mashang.landstart.models import Batch, Run, RunState
from tests.kit.landstart import AWARD, OPENED, run_of

DATE_MSG = str(bounds.MSG_DATE_RANGE) % {"min": "2000-01-01", "max": "2100-12-31"}
TIME_MSG = str(bounds.MSG_DATETIME_RANGE) % {"min": "2000-01-01", "max": "2100-12-31"}
NOW = AWARD + timedelta(minutes=5)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.mark.parametrize(
    "awarded_at", ["0001-01-01T00:00:00+14:00", "0001-01-01T00:00:00", "1999-12-31T15:59:59+00:00"]
)
def test_an_award_before_2000_is_refused_through_the_api(bundle, api, awarded_at):
    run = run_of(bundle, opened=OPENED)
    events = Event.objects.count()
    response = api("unit-jyzx").post(f"/api/v1/landstarts/{run.pk}/award", {"awarded_at": awarded_at})
    assert response.status_code == 422
    assert response.json()["fields"] == {"awarded_at": [TIME_MSG]}
    run.refresh_from_db()
    assert run.state == RunState.LISTED and run.awarded_at is None
    assert Event.objects.count() == events


def test_an_award_in_year_1_is_refused_on_the_page(bundle):
    run = run_of(bundle, opened=OPENED)
    client = Client()
    client.force_login(bundle.people["jyzx"])
    response = client.post(
        f"/landstart/{run.pk}/act/award/", {"run-award-awarded_at": "0001-01-01T00:00:00"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 422
    assert escape(TIME_MSG) in response.content.decode()
    assert Run.objects.get(pk=run.pk).awarded_at is None


def test_a_batch_in_year_9999_is_refused(bundle, api):
    response = api("officer").post(
        "/api/v1/landstart-batches", {"name": "第一批", "award_from": "9999-12-01", "award_to": "9999-12-31"}
    )
    assert response.status_code == 422
    assert response.json()["fields"] == {"award_from": [DATE_MSG], "award_to": [DATE_MSG]}
    assert not Batch.objects.exists()


def test_the_history_refuses_a_period_in_year_1(bundle, api):
    response = api("officer").get("/api/v1/landstart-history", date_from="0001-01-01")
    assert response.status_code == 422
    assert response.json()["fields"] == {"date_from": [DATE_MSG]}
