import pytest
from django.core.cache import cache
from django.test import Client

from mashang.org.signin import MSG_TOO_MANY


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def _token(client: Client, username: str, password: str):
    return client.post(
        "/api/v1/auth/token", {"username": username, "password": password}, content_type="application/json"
    )


def test_a_wrong_password_gets_401_with_a_message(zone):
    r = _token(Client(), "officer", "wrong")
    assert r.status_code == 401
    assert r.json()["message"]


def test_after_five_wrong_passwords_even_the_right_one_waits(zone, settings):
    client = Client()
    for _ in range(settings.MASHANG_SIGNIN_MAX_FAILURES):
        assert _token(client, "officer", "wrong").status_code == 401
    r = _token(client, "officer", "pw")
    assert r.status_code == 429
    assert r.json()["message"] == str(MSG_TOO_MANY).format(minutes=15)
    # Another user is not affected.
    assert _token(client, "supervisor", "pw").status_code == 200


def test_a_successful_sign_in_clears_earlier_failures(zone, settings):
    client = Client()
    for _ in range(settings.MASHANG_SIGNIN_MAX_FAILURES - 1):
        _token(client, "officer", "wrong")
    assert _token(client, "officer", "pw").status_code == 200
    for _ in range(settings.MASHANG_SIGNIN_MAX_FAILURES - 1):
        _token(client, "officer", "wrong")
    assert _token(client, "officer", "pw").status_code == 200
