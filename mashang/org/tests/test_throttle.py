"""One sign-in throttle for every way in (issue 15, findings 1 and 2): the sign-in page, the
Django admin's sign-in and POST /api/v1/auth/token share one state in the database, limited per
username *and* client address and per address, so nobody can lock the staff out from elsewhere."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessAttempt
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from django.utils.translation import override
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from mashang.org.signin import MSG_TOO_MANY, signin_refused_message
from tests.kit.factories import UserFactory

A = "10.0.0.1"
B = "10.0.0.2"


def _client(address: str) -> Client:
    return Client(REMOTE_ADDR=address)


def _token(client: Client, username: str, password: str, **headers):
    return client.post(
        "/api/v1/auth/token",
        {"username": username, "password": password},
        content_type="application/json",
        headers=headers,
    )


def _page(client: Client, username: str, password: str):
    return client.post("/login/", {"username": username, "password": password})


def _admin(client: Client, username: str, password: str):
    return client.post("/admin/login/?next=/admin/", {"username": username, "password": password})


def _signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


@pytest.fixture
def admin(db):
    return UserFactory(username="admin", role="admin", is_staff=True, is_superuser=True)


def test_admin_failures_count_toward_the_page_and_the_api(zone, admin, settings):
    """Finding 1: /admin/login/ took 12 wrong passwords and its failures did not count."""
    assert settings.MASHANG_SIGNIN_MAX_FAILURES == 5
    client = _client(A)
    assert _admin(client, "admin", "wrong").status_code == 200  # the admin's form again
    assert _admin(client, "admin", "wrong").status_code == 200
    assert _page(client, "admin", "wrong").status_code == 401
    assert _page(client, "admin", "wrong").status_code == 401
    assert _token(client, "admin", "wrong").status_code == 429  # the fifth, whichever way in
    # Now every way in refuses even the right password, from this address.
    assert _token(client, "admin", "pw").status_code == 429
    assert _page(client, "admin", "pw").status_code == 429
    refused = _admin(client, "admin", "pw")
    assert refused.status_code == 429
    assert refused["Retry-After"] == "900"
    assert not _signed_in(client)
    # The admin's refusal is mashang's sign-in page in the zone's language, not axes' English.
    assert signin_refused_message() in refused.content.decode()
    assert "Account locked" not in refused.content.decode()


def test_the_admin_sign_in_alone_locks_too(zone, admin):
    client = _client(A)
    for _ in range(4):
        assert _admin(client, "admin", "wrong").status_code == 200
    assert _admin(client, "admin", "wrong").status_code == 429
    assert _admin(client, "admin", "pw").status_code == 429
    assert not _signed_in(client)


def test_a_locked_out_person_still_signs_in_from_another_client(zone):
    """Finding 2: 5 wrong passwords for officer from A lock A + officer only."""
    at_a, at_b = _client(A), _client(B)
    for _ in range(4):
        assert _page(at_a, "officer", "wrong").status_code == 401
    assert _page(at_a, "officer", "wrong").status_code == 429
    assert _page(at_a, "officer", "pw").status_code == 429
    assert _token(at_a, "officer", "pw").status_code == 429
    assert not _signed_in(at_a)
    # The officer, from a client that has not been failing: in.
    assert _page(at_b, "officer", "pw").status_code == 302
    assert _signed_in(at_b)
    assert _token(_client(B), "officer", "pw").status_code == 200
    # Someone else at A is not locked either.
    assert _token(at_a, "supervisor", "pw").status_code == 200


def test_the_username_is_one_whatever_its_case_or_spaces(zone):
    client = _client(A)
    for username in ("officer", "OFFICER", " Officer", "officer ", "oFFicer"):
        _token(client, username, "wrong")
    assert _token(client, "officer", "pw").status_code == 429


def test_fifteen_usernames_from_one_address_lock_the_address(zone, settings):
    """Finding 2: 15 usernames × 1 wrong password were 15 ordinary 401s."""
    assert settings.MASHANG_SIGNIN_ADDRESS_MAX_FAILURES == 15
    client = _client(A)
    statuses = [_token(client, f"guess{n}", "wrong").status_code for n in range(15)]
    assert statuses == [401] * 14 + [429]
    # The address is refused for everyone, whatever the password …
    r = _token(client, "officer", "pw")
    assert r.status_code == 429
    assert _page(client, "supervisor", "pw").status_code == 429
    # … and only the address: the same people from elsewhere sign in.
    assert _token(_client(B), "officer", "pw").status_code == 200
    assert _page(_client(B), "supervisor", "pw").status_code == 302


def test_a_forged_forwarded_for_header_does_not_change_the_address(zone, settings):
    """Without a trusted proxy (MASHANG_PROXY_COUNT=0) an attacker cannot rotate addresses."""
    settings.MASHANG_PROXY_COUNT = 0
    client = _client(A)
    for n in range(5):
        _token(client, "officer", "wrong", X_Forwarded_For=f"192.0.2.{n}")
    assert _token(client, "officer", "pw", X_Forwarded_For="192.0.2.99").status_code == 429


def test_behind_a_trusted_proxy_each_client_counts_on_its_own(zone, settings):
    settings.MASHANG_PROXY_COUNT = 1
    proxy = _client("127.0.0.1")
    for _ in range(5):
        _token(proxy, "officer", "wrong", X_Forwarded_For=f"203.0.113.9, {A}")
    assert _token(proxy, "officer", "pw", X_Forwarded_For=A).status_code == 429
    assert _token(proxy, "officer", "pw", X_Forwarded_For=B).status_code == 200


def test_the_state_is_in_the_database_and_survives_a_new_process(zone):
    client = _client(A)
    for _ in range(5):
        _token(client, "officer", "wrong")
    rows = list(AccessAttempt.objects.values_list("username", "ip_address", "failures_since_start"))
    assert rows == [("officer", A, 5)]
    # A new process: nothing in memory or in the cache, the handler made anew.
    cache.clear()
    AxesProxyHandler.get_implementation(force=True)
    assert _token(_client(A), "officer", "pw").status_code == 429
    assert _token(_client(B), "officer", "pw").status_code == 200


def test_a_locked_api_request_is_429_in_the_api_shape_with_retry_after(zone):
    client = _client(A)
    for _ in range(5):
        _token(client, "officer", "wrong")
    r = _token(client, "officer", "pw")
    assert r.status_code == 429
    assert r["Content-Type"].startswith("application/json")
    assert r["Retry-After"] == "900"
    assert r.json() == {"message": signin_refused_message(), "fields": {}}
    assert "token" not in r.json()


def test_the_page_says_it_in_the_zones_language(zone):
    client = _client(A)
    for _ in range(5):
        _page(client, "officer", "wrong")
    r = _page(client, "officer", "pw")
    assert r.status_code == 429
    assert r["Retry-After"] == "900"
    page = r.content.decode()
    assert signin_refused_message() in page
    assert 'value="officer"' in page  # the form, ready for the next try
    assert "Account locked" not in page
    with override("en"):
        r = _page(_client(A), "officer", "pw")
        assert str(MSG_TOO_MANY).format(minutes=15) in r.content.decode()


def test_the_right_password_after_the_cool_off_works(zone, settings):
    client = _client(A)
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        for _ in range(5):
            _page(client, "officer", "wrong")
        clock.shift(timedelta(seconds=settings.MASHANG_SIGNIN_LOCK_SECONDS - 60))
        assert _page(client, "officer", "pw").status_code == 429  # still locked, and restarted
        clock.shift(timedelta(seconds=settings.MASHANG_SIGNIN_LOCK_SECONDS - 1))
        assert _page(client, "officer", "pw").status_code == 429
        clock.shift(timedelta(seconds=settings.MASHANG_SIGNIN_LOCK_SECONDS + 1))
        assert _page(client, "officer", "pw").status_code == 302
        assert _signed_in(client)
    assert not AccessAttempt.objects.filter(username="officer").exists()


def test_the_limits_and_the_wait_come_from_the_settings(zone, settings):
    settings.MASHANG_SIGNIN_MAX_FAILURES = 2
    settings.MASHANG_SIGNIN_ADDRESS_MAX_FAILURES = 0  # no address limit
    settings.MASHANG_SIGNIN_LOCK_SECONDS = 120
    client = _client(A)
    assert _token(client, "officer", "wrong").status_code == 401
    r = _token(client, "officer", "wrong")
    assert (r.status_code, r["Retry-After"]) == (429, "120")
    assert r.json()["message"] == str(MSG_TOO_MANY).format(minutes=2)
    for n in range(30):  # any number of usernames from one address: each its own pair
        assert _token(client, f"guess{n}", "wrong").status_code == 401
    assert _token(client, "supervisor", "pw").status_code == 200


USERS = ("officer", "supervisor", "nobody")
ADDRESSES = (A, B)


@pytest.mark.django_db
@hypothesis_settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    attempts=st.lists(
        st.tuples(st.sampled_from(USERS), st.sampled_from(ADDRESSES), st.booleans()), max_size=24
    )
)
def test_every_attempt_is_answered_as_the_two_limits_say(zone, settings, attempts):
    """Against a model of the rule: a username from an address is refused once it has failed
    PAIR times there, an address once it has failed ADDRESS times for any usernames; a refused
    attempt counts as a failure; a sign-in forgets that username's failures from that address."""
    pair_limit, address_limit = 3, 5
    settings.MASHANG_SIGNIN_MAX_FAILURES = pair_limit
    settings.MASHANG_SIGNIN_ADDRESS_MAX_FAILURES = address_limit
    AccessAttempt.objects.all().delete()
    failures: dict[tuple[str, str], int] = {}

    def locked(address: str, user: str) -> bool:
        at_address = sum(n for (_, a), n in failures.items() if a == address)
        return failures.get((user, address), 0) >= pair_limit or at_address >= address_limit

    for user, address, right in attempts:
        status = _token(_client(address), user, "pw" if right else "wrong").status_code
        if right and user != "nobody" and not locked(address, user):
            expected = 200
            failures.pop((user, address), None)
        else:
            failures[(user, address)] = failures.get((user, address), 0) + 1
            expected = 429 if locked(address, user) else 401
        assert status == expected, (user, address, right, failures)
