"""The supervisor's watch page and the leaders' dashboard, through Django's test client."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from tests.kit.walk import submit, walk_to

WATCH = reverse("demands:watch")
DASHBOARD = reverse("demands:dashboard")
DATA = reverse("demands:dashboard-data")
EVIL = '<script>alert("x")</script><a href="http://spam.example">cheap</a>'


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def overdue(zone):
    """A demand filed ten days ago and never triaged (its 1-hour triage limit long passed)."""
    return submit(zone, when=timezone.now() - timedelta(days=10), title=EVIL)


def test_the_supervisor_sees_the_overdue_demand_escaped(zone, overdue):
    response = signed_in(zone.supervisor).get(WATCH)
    assert response.status_code == 200
    html = response.content.decode()
    assert reverse("demands:detail", args=[overdue.pk]) in html
    assert overdue.number in html
    # The title shows as text: no tag, no link of the attacker's.
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
    assert '<script>alert("x")' not in html
    assert 'href="http://spam.example"' not in html
    assert "data-countdown" in html  # the live countdown of the running deadline
    assert "Content-Security-Policy" in response.headers


@pytest.mark.parametrize("person", ["supervisor", "leader", "officer"])
def test_who_may_watch(zone, overdue, person):
    response = signed_in(getattr(zone, person)).get(WATCH, {"unit": "team"})
    assert response.status_code == 200
    assert overdue.number in response.content.decode()


@pytest.mark.parametrize("person", ["contact", "land_staff"])
@pytest.mark.parametrize("url", [WATCH, DASHBOARD, DATA])
def test_others_are_refused(zone, overdue, person, url):
    response = signed_in(getattr(zone, person)).get(url)
    assert response.status_code == 403
    assert overdue.number not in response.content.decode()


def test_an_officer_may_watch_but_not_see_the_dashboard(zone):
    client = signed_in(zone.officer)
    assert client.get(DASHBOARD).status_code == 403
    assert client.get(DATA).status_code == 403


def test_strangers_are_sent_to_sign_in(db):
    client = Client()
    for url in (WATCH, DASHBOARD):
        response = client.get(url)
        assert response.status_code == 302 and reverse("web:login") in response["Location"]
    response = client.get(DATA)
    assert response.status_code == 403 and response.json()["message"]


def test_the_watch_filters_by_unit(zone, overdue):
    walked = walk_to(zone, "dispatched", start=timezone.now() - timedelta(days=10))
    client = signed_in(zone.supervisor)
    html = client.get(WATCH, {"unit": "zrzy"}).content.decode()
    assert walked.number in html and overdue.number not in html
    html = client.get(WATCH, {"unit": "team"}).content.decode()
    assert overdue.number in html and walked.number not in html
    # An unknown unit is ignored rather than an error.
    assert client.get(WATCH, {"unit": "nope"}).status_code == 200


@pytest.mark.parametrize("person", ["supervisor", "leader"])
def test_the_dashboard_page_loads_its_charts_from_files(zone, overdue, person):
    response = signed_in(getattr(zone, person)).get(DASHBOARD)
    assert response.status_code == 200
    html = response.content.decode()
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    # Every script is a file of mashang's own; none is inline.
    scripts = re.findall(r"<script\b([^>]*)>", html)
    assert scripts and all('src="/static/' in attrs for attrs in scripts)
    assert 'src="/static/vendor/echarts.min.js"' in html
    assert 'src="/static/web/dashboard.js"' in html
    assert f'data-url="{DATA}?start=' in html
    assert "<details" in html and 'id="definitions"' in html
    assert 'style="' not in html
    # The headline counts the overdue demand.
    assert re.search(
        r'dash-stat late"><dt class="stat-label">[^<]+</dt><dd class="stat">1</dd>', html
    )


def test_the_dashboard_data(zone, overdue):
    today = timezone.localdate()
    closed = walk_to(zone, "closed", start=timezone.now() - timedelta(hours=1))
    response = signed_in(zone.leader).get(DATA)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "Content-Security-Policy" in response.headers
    data = response.json()
    months = data["volume"]["months"]
    assert len(months) == 12 and months[-1] == today.strftime("%Y-%m")
    assert data["period"]["end"] == today.isoformat()
    assert data["headline"]["filed"] == 2
    assert data["headline"]["overdue"] == 1
    assert data["headline"]["open"] == 1
    assert sum(data["volume"]["filed"]) == 2 and sum(data["volume"]["closed"]) == 1
    # The walked demand was contacted and replied at once, and rated satisfied.
    assert data["headline"]["first_contact_rate"] == 100.0
    assert data["headline"]["satisfaction_rate"] == 100.0
    assert data["on_time"] == {
        "units": ["自然资源分局"],
        "first_contact": [100.0],
        "resolution": [100.0],
    }
    assert data["satisfaction"]["units"] == ["自然资源分局"]
    assert data["satisfaction"]["satisfied"] == [100.0] and data["satisfaction"]["unsatisfied"] == [
        0.0
    ]
    assert data["categories"]["counts"] == [1, 1]
    assert len(data["trend"]["resolution"]) == 12
    # Labels come translated (Chinese is the default language).
    with translation.override("zh-hans"):
        assert data["labels"]["filed"] == translation.gettext("Filed")
    assert closed.number not in response.content.decode()  # figures only, no demand


def test_the_dashboard_data_of_a_period_and_a_unit(zone, overdue):
    walk_to(zone, "closed", start=timezone.now() - timedelta(hours=1))
    today = timezone.localdate()
    client = signed_in(zone.supervisor)
    start = (today - timedelta(days=40)).replace(day=1)
    data = client.get(
        DATA, {"start": start.isoformat(), "end": today.isoformat(), "unit": "zjj"}
    ).json()
    assert data["period"] == {"start": start.isoformat(), "end": today.isoformat(), "unit": "zjj"}
    assert data["headline"]["filed"] == 0  # housing leads nothing
    assert len(data["volume"]["months"]) in (2, 3)


def test_bad_filters_are_a_422_with_fields_not_a_404(zone):
    client = signed_in(zone.leader)
    response = client.get(DATA, {"start": "2026-05-01", "end": "2026-04-01"})
    assert response.status_code == 422
    assert "end" in response.json()["fields"]
    response = client.get(DATA, {"unit": "no-such-unit", "start": "yesterday"})
    assert response.status_code == 422
    assert set(response.json()["fields"]) == {"unit", "start"}
    response = client.get(DATA, {"start": "2000-01-01", "end": "2026-01-01"})
    assert response.status_code == 422
    # The page shows the same mistakes beside the form and falls back to the last 12 months.
    response = client.get(DASHBOARD, {"start": "2026-05-01", "end": "2026-04-01"})
    assert response.status_code == 422
    assert 'role="alert"' in response.content.decode()
