"""Headers of a system that holds personal data, and the session limits (issue 15, finding 10)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils.http import urlencode

from mashang.core.middleware import MSG_SIGNED_OUT_IDLE, MSG_SIGNED_OUT_MAX
from mashang.web.navigation import home_url
from tests.kit.clocks import CST

START = datetime(2026, 11, 20, 9, 0, tzinfo=CST)
FEATURES = ("camera=()", "microphone=()", "geolocation=()", "payment=()")


def _no_store(response) -> bool:
    directives = {d.strip() for d in response.get("Cache-Control", "").split(",")}
    return "no-store" in directives


def _policies(response) -> None:
    assert all(f in response["Permissions-Policy"] for f in FEATURES)
    assert response["Referrer-Policy"] == "same-origin"


@pytest.fixture
def signed_in(zone):
    client = Client()
    client.force_login(zone.officer)
    return client


def test_a_signed_in_page_is_not_stored_and_carries_the_policies(zone, signed_in):
    response = signed_in.get(home_url(zone.officer))
    assert response.status_code == 200
    assert _no_store(response)
    _policies(response)


def test_the_sign_in_page_carries_the_policies(db):
    response = Client().get("/login/")
    assert response.status_code == 200
    _policies(response)
    assert not _no_store(response)  # nothing personal on it: no reason to forbid a cache


def test_an_api_answer_is_not_stored(zone, api):
    response = api("officer").get("/api/v1/demands")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert _no_store(response)
    _policies(response)
    anonymous = Client().get("/api/v1/demands")
    assert anonymous.status_code == 401 and _no_store(anonymous)


def test_a_static_file_keeps_its_caching(zone, signed_in):
    response = signed_in.get(f"/{settings.STATIC_URL.strip('/')}/web/mashang.css")
    assert response.status_code == 200
    assert not _no_store(response)
    _policies(response)


def _signed_in_at(zone, at: datetime) -> Client:
    client = Client()
    with time_machine.travel(at, tick=False):
        client.force_login(zone.officer)
    return client


def test_an_idle_session_ends_and_the_sign_in_page_says_why(zone):
    client = _signed_in_at(zone, START)
    page = home_url(zone.officer)
    idle = settings.MASHANG_SESSION_IDLE_MINUTES
    with time_machine.travel(START + timedelta(minutes=idle - 1), tick=False):
        assert client.get(page).status_code == 200
    with time_machine.travel(START + timedelta(minutes=2 * idle - 2), tick=False):
        assert client.get(page).status_code == 200  # the activity before kept it alive
    with time_machine.travel(START + timedelta(minutes=3 * idle), tick=False):
        response = client.get(page, follow=True)
    assert response.redirect_chain[-1][0].startswith(reverse("web:login"))
    assert response.wsgi_request.user.is_authenticated is False
    expected = str(MSG_SIGNED_OUT_IDLE % {"minutes": idle})
    assert expected in [str(m) for m in response.context["messages"]]
    assert expected in response.content.decode()


def test_a_busy_session_still_ends_at_its_absolute_limit(zone):
    client = _signed_in_at(zone, START)
    page = home_url(zone.officer)
    hours = settings.MASHANG_SESSION_MAX_HOURS
    at = START
    step = timedelta(minutes=settings.MASHANG_SESSION_IDLE_MINUTES - 5)
    while at + step < START + timedelta(hours=hours):
        at += step
        with time_machine.travel(at, tick=False):
            assert client.get(page).status_code == 200, at
    with time_machine.travel(START + timedelta(hours=hours, minutes=1), tick=False):
        response = client.get(page, follow=True)
    assert response.wsgi_request.user.is_authenticated is False
    expected = str(MSG_SIGNED_OUT_MAX % {"hours": hours})
    assert [str(m) for m in response.context["messages"]] == [expected]
    assert expected in response.content.decode()


def test_an_htmx_request_of_an_idle_session_goes_to_the_sign_in_page(zone):
    client = _signed_in_at(zone, START)
    page = home_url(zone.officer)
    with time_machine.travel(START + timedelta(hours=1), tick=False):
        headers = {"HX-Request": "true", "HX-Current-URL": f"http://testserver{page}"}
        response = client.get(page, headers=headers)
    assert response.status_code == 204
    assert response["HX-Redirect"] == f"{reverse('web:login')}?{urlencode({'next': page})}"


def test_signing_in_again_restarts_the_clock(zone):
    client = _signed_in_at(zone, START)
    page = home_url(zone.officer)
    with time_machine.travel(START + timedelta(hours=2), tick=False):
        client.force_login(zone.officer)
    with time_machine.travel(START + timedelta(hours=2, minutes=20), tick=False):
        assert client.get(page).status_code == 200
