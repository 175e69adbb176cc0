"""The second factor: administrators must, staff may; wrong codes are refused and counted."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from mashang.org.models import User
from mashang.org.second_factor import (
    MSG_API_ENROL_FIRST,
    MSG_API_OTP_REQUIRED,
    MSG_WRONG_CODE,
)
from tests.kit.factories import UserFactory

ENROL = "/account/second-factor/"
VERIFY = "/account/second-factor/verify/"


@pytest.fixture(autouse=True)
def _required(settings):
    settings.MASHANG_ADMIN_OTP_REQUIRED = True


@pytest.fixture
def admin(zone):
    return UserFactory(username="it", role=User.Role.ADMIN, is_staff=True, is_superuser=True)


def _code(device: TOTPDevice) -> str:
    device.refresh_from_db()
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def _wrong(device: TOTPDevice) -> str:
    return f"{(int(_code(device)) + 500_000) % 1_000_000:06d}"


def _signed_in(username: str) -> Client:
    client = Client()
    assert client.post("/login/", {"username": username, "password": "pw"}).status_code == 302
    return client


def _wait_out_the_throttle(device) -> None:
    type(device).objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=timezone.now() - timedelta(hours=1)
    )


def _confirmed_device(user: User) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="mashang", confirmed=True)


@pytest.mark.parametrize("role", ["admin", "security_admin", "audit_admin"])
def test_an_administrator_without_a_second_factor_reaches_only_the_enrolment(zone, role):
    UserFactory(username="adm", role=role)
    client = _signed_in("adm")
    for path in ("/", "/projects/", "/demands/my/", "/admin/", "/account/password/", VERIFY):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith(ENROL), path
    assert client.get(ENROL).status_code == 200


def test_enrolment_with_a_code_from_the_app_opens_the_pages_and_the_admin(admin):
    client = _signed_in("it")
    page = client.get(ENROL, {"next": "/admin/"})
    html = page.content.decode()
    assert 'src="data:image/svg+xml' in html and 'id="otp-secret"' in html
    device = TOTPDevice.objects.get(user=admin, confirmed=False)

    wrong = client.post(ENROL, {"action": "confirm", "otp": _wrong(device), "next": "/admin/"})
    assert wrong.status_code == 422 and str(MSG_WRONG_CODE) in wrong.content.decode()
    device.refresh_from_db()
    assert device.throttling_failure_count == 1 and not device.confirmed
    assert client.get("/admin/")["Location"].startswith(ENROL)

    _wait_out_the_throttle(device)
    done = client.post(ENROL, {"action": "confirm", "otp": _code(device), "next": "/admin/"})
    assert done.status_code == 200
    device.refresh_from_db()
    assert device.confirmed and device.throttling_failure_count == 0
    assert len(done.context["codes"]) == 10
    assert client.get("/admin/").status_code == 200
    assert client.get("/projects/").status_code == 200


def test_an_administrator_with_a_second_factor_is_asked_for_its_code_first(admin):
    device = _confirmed_device(admin)
    client = _signed_in("it")
    for path in ("/", "/admin/", ENROL):
        assert client.get(path)["Location"].startswith(VERIFY), path
    assert client.post(VERIFY, {"otp": _wrong(device)}).status_code == 422
    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    _wait_out_the_throttle(device)
    ok = client.post(VERIFY, {"otp": _code(device), "next": "/admin/"})
    assert ok.status_code == 302 and ok["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_wrong_codes_are_counted_and_the_next_try_must_wait(admin):
    device = _confirmed_device(admin)
    client = _signed_in("it")
    assert client.post(VERIFY, {"otp": _wrong(device)}).status_code == 422
    # Straight after a wrong code even the right one waits (django-otp's throttling).
    throttled = client.post(VERIFY, {"otp": _code(device)})
    assert throttled.status_code == 429
    assert client.get("/admin/")["Location"].startswith(VERIFY)
    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    _wait_out_the_throttle(device)
    for expected in (2, 3):
        client.post(VERIFY, {"otp": _wrong(device)})
        device.refresh_from_db()
        assert device.throttling_failure_count == expected
        _wait_out_the_throttle(device)


def test_a_backup_code_works_once(admin):
    _confirmed_device(admin)
    client = _signed_in("it")
    client.get(VERIFY)
    assert client.get(ENROL).status_code == 302
    from mashang.org.second_factor import backup_codes_renew

    code = backup_codes_renew(user=admin)[0]
    assert client.post(VERIFY, {"otp": code}).status_code == 302
    assert client.get("/admin/").status_code == 200
    again = _signed_in("it")
    _wait_out_the_throttle(StaticDevice.objects.get(user=admin))
    assert again.post(VERIFY, {"otp": code}).status_code == 422


def test_staff_are_not_forced_but_may_enrol(zone):
    client = _signed_in("officer")
    assert client.get("/projects/").status_code == 200
    client.get(ENROL)
    device = TOTPDevice.objects.get(user=zone.officer)
    assert client.post(ENROL, {"action": "confirm", "otp": _code(device)}).status_code == 200
    assert TOTPDevice.objects.get(user=zone.officer).confirmed
    # From now on the officer too is asked for the code after the password.
    later = _signed_in("officer")
    assert later.get("/projects/").status_code == 200  # not required of staff …
    assert later.get(ENROL)["Location"].startswith(VERIFY)  # … but the device is not replaced


def test_the_requirement_can_be_turned_off(admin, settings):
    settings.MASHANG_ADMIN_OTP_REQUIRED = False
    client = _signed_in("it")
    assert client.get("/admin/").status_code == 200


def _token(client: Client, **fields):
    return client.post(
        "/api/v1/auth/token", {"username": "it", "password": "pw", **fields}, content_type="application/json"
    )


def test_the_api_gives_an_administrator_a_token_only_with_the_code(admin):
    client = Client()
    refused = _token(client)
    assert refused.status_code == 403 and refused.json()["message"] == str(MSG_API_ENROL_FIRST)
    device = _confirmed_device(admin)
    missing = _token(client)
    assert missing.status_code == 401
    assert missing.json()["message"] == str(MSG_API_OTP_REQUIRED)
    assert "otp" in missing.json()["fields"]
    wrong = _token(client, otp=_wrong(device))
    assert wrong.status_code == 401 and wrong.json()["fields"]["otp"] == [str(MSG_WRONG_CODE)]
    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    _wait_out_the_throttle(device)
    ok = _token(client, otp=_code(device))
    assert ok.status_code == 200 and ok.json()["token"]


def test_the_api_asks_no_code_of_staff(zone):
    response = Client().post(
        "/api/v1/auth/token", {"username": "officer", "password": "pw"}, content_type="application/json"
    )
    assert response.status_code == 200
