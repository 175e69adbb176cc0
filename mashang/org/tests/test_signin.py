from django.test import Client

from mashang.org.signin import signin_refused_message


def _token(client: Client, username: str, password: str):
    return client.post(
        "/api/v1/auth/token", {"username": username, "password": password}, content_type="application/json"
    )


def test_a_wrong_password_gets_401_with_a_message(zone):
    r = _token(Client(), "officer", "wrong")
    assert r.status_code == 401
    assert r.json()["message"]


def test_the_fifth_wrong_password_locks_and_even_the_right_one_waits(zone, settings):
    client = Client()
    for _ in range(settings.MASHANG_SIGNIN_MAX_FAILURES - 1):
        assert _token(client, "officer", "wrong").status_code == 401
    # The failure that reaches the limit is told so at once.
    assert _token(client, "officer", "wrong").status_code == 429
    r = _token(client, "officer", "pw")
    assert r.status_code == 429
    assert r.json() == {"message": signin_refused_message(), "fields": {}}
    # Another user at the same address is not affected.
    assert _token(client, "supervisor", "pw").status_code == 200


def test_a_successful_sign_in_clears_earlier_failures(zone, settings):
    client = Client()
    for _ in range(settings.MASHANG_SIGNIN_MAX_FAILURES - 1):
        assert _token(client, "officer", "wrong").status_code == 401
    assert _token(client, "officer", "pw").status_code == 200
    for _ in range(settings.MASHANG_SIGNIN_MAX_FAILURES - 1):
        assert _token(client, "officer", "wrong").status_code == 401
    assert _token(client, "officer", "pw").status_code == 200
