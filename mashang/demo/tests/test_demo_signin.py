"""The demo's people sign in with the published password under the password policy and the
second factor: staff reach their pages, the administrator is sent to set up a second factor."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.test import Client, override_settings

from mashang.demo.reference import DEMO_PASSWORD
from mashang.demo.tests.small_demo import load
from mashang.workcal.selectors import calendar_invalidate


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), override_settings(MASHANG_CALENDAR_CACHE_SECONDS=600):
        calendar_invalidate()
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield load()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            calendar_invalidate()


def _sign_in(username: str) -> Client:
    client = Client()
    response = client.post("/login/", {"username": username, "password": DEMO_PASSWORD})
    assert response.status_code == 302, response.content
    return client


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["officer", "leader", "ent001"])
def test_the_demos_people_sign_in_and_are_not_sent_to_change_the_password(demo, settings, username):
    settings.MASHANG_PASSWORD_MAX_DAYS = 90
    page = _sign_in(username).get("/", follow=True)
    assert page.status_code == 200
    assert not page.request["PATH_INFO"].startswith("/account/")


@pytest.mark.django_db
def test_the_demos_administrator_is_sent_to_set_up_a_second_factor(demo, settings):
    settings.MASHANG_ADMIN_OTP_REQUIRED = True
    page = _sign_in("admin").get("/admin/", follow=True)
    assert page.status_code == 200
    assert page.request["PATH_INFO"] == "/account/second-factor/"
