"""The password policy: what a new password must be, and the forced change of an old one."""

from __future__ import annotations

import string
from datetime import timedelta

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone, translation
from hypothesis import given
from hypothesis import strategies as st

from mashang.org.models import User
from mashang.org.passwords import (
    MSG_EXPIRED,
    MSG_EXPIRED_API,
    MSG_TOO_FEW_CLASSES,
    MSG_TOO_SHORT,
    CharacterClassesValidator,
    character_classes,
)
from tests.kit.factories import UserFactory

NEW = "Kx7#pLm2qR"


def _messages(password: str, user=None) -> list[str]:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        return list(exc.messages)
    return []


# --- the classes ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "classes"),
    [
        ("abcdefgh", {"lower"}),
        ("ABCDEFGH", {"upper"}),
        ("12345678", {"digit"}),
        ("!@#$%^&*", {"symbol"}),
        ("abcdEFGH", {"lower", "upper"}),
        ("abcd1234", {"lower", "digit"}),
        ("Abcd1234", {"lower", "upper", "digit"}),
        ("abcd-123", {"lower", "symbol", "digit"}),
        ("Ab1 口令", {"upper", "lower", "digit", "symbol"}),
    ],
)
def test_the_kinds_of_character(password, classes):
    assert character_classes(password) == classes


_class_pools = {
    "lower": st.sampled_from(string.ascii_lowercase),
    "upper": st.sampled_from(string.ascii_uppercase),
    "digit": st.sampled_from(string.digits),
    "symbol": st.sampled_from("!@#$%^&*()-_=+[]{};:,.<>/?~ 中文"),
}


@given(st.sets(st.sampled_from(sorted(_class_pools)), min_size=1), st.data())
def test_three_kinds_pass_and_fewer_are_refused_with_the_message(kinds, data):
    chars = [data.draw(_class_pools[k]) for k in sorted(kinds)]
    chars += data.draw(st.lists(st.sampled_from(chars), min_size=8, max_size=20))
    password = "".join(chars)
    validator = CharacterClassesValidator(min_classes=3)
    if len(kinds) >= 3:
        validator.validate(password)
    else:
        with pytest.raises(ValidationError) as refused:
            validator.validate(password)
        assert refused.value.messages == [str(MSG_TOO_FEW_CLASSES).format(count=3)]


@pytest.mark.django_db
def test_the_configured_policy_refuses_short_common_similar_and_plain_passwords():
    user = UserFactory.build(username="zhangwei2026", display_name="张伟")
    assert _messages(NEW, user) == []
    with translation.override("en"):
        assert str(MSG_TOO_SHORT).format(count=8) in _messages("Ab1#", user)
        assert any("too common" in m for m in _messages("Password1", user))
        assert any("too similar" in m for m in _messages("Zhangwei2026!", user))
        assert str(MSG_TOO_FEW_CLASSES).format(count=3) in _messages("longbutplain", user)


@pytest.mark.django_db
def test_the_policy_speaks_the_zones_language():
    assert translation.get_language() == "zh-hans"
    messages = _messages("abc", None)
    assert messages[0] == str(MSG_TOO_SHORT).format(count=8)
    assert messages[-1] == str(MSG_TOO_FEW_CLASSES).format(count=3)
    with translation.override("en"):
        english = _messages("abc", None)
    assert english[1] == "This password is too common."
    assert messages[1] != english[1]  # Django's own Chinese for its common-password rule


# --- the expiry ----------------------------------------------------------------------------


def _sign_in(client: Client, username: str, password: str = "pw"):
    return client.post("/login/", {"username": username, "password": password})


def _lands_on(client: Client, path: str = "/") -> str:
    response = client.get(path, follow=True)
    assert response.status_code == 200
    return response.request["PATH_INFO"]


def _expire(user: User, days: int = 91) -> None:
    User.objects.filter(pk=user.pk).update(password_changed_at=timezone.now() - timedelta(days=days))


def test_setting_a_password_starts_its_validity(zone):
    before = timezone.now()
    zone.officer.set_password(NEW)
    zone.officer.save()
    zone.officer.refresh_from_db()
    assert zone.officer.password_changed_at >= before


def test_a_fresh_password_lets_the_person_in(zone, settings):
    settings.MASHANG_PASSWORD_MAX_DAYS = 90
    client = Client()
    _sign_in(client, "officer")
    assert not _lands_on(client).startswith("/account/")


def test_an_expired_password_sends_every_page_to_the_change_until_it_is_changed(zone, settings):
    settings.MASHANG_PASSWORD_MAX_DAYS = 90
    _expire(zone.officer)
    client = Client()
    assert _sign_in(client, "officer").status_code == 302
    for path in ("/demands/my/", "/projects/", "/"):
        response = client.get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/account/password/")
    page = client.get("/account/password/", {"next": "/demands/"})
    assert page.status_code == 200
    assert str(MSG_EXPIRED).format(days=90) in page.content.decode()

    refused = client.post(
        "/account/password/",
        {"old_password": "pw", "new_password1": "plainpassword", "new_password2": "plainpassword", "next": "/demands/"},
    )
    assert refused.status_code == 400
    assert client.get("/projects/").status_code == 302

    changed = client.post(
        "/account/password/",
        {"old_password": "pw", "new_password1": NEW, "new_password2": NEW, "next": "/demands/"},
    )
    assert changed.status_code == 302 and changed["Location"] == "/demands/"
    assert client.get("/projects/").status_code == 200  # still signed in, and let through
    zone.officer.refresh_from_db()
    assert zone.officer.check_password(NEW)


def test_the_expiry_can_be_turned_off(zone, settings):
    settings.MASHANG_PASSWORD_MAX_DAYS = 0
    _expire(zone.officer, days=5000)
    client = Client()
    _sign_in(client, "officer")
    assert not _lands_on(client).startswith("/account/")


def test_an_enterprise_contacts_password_does_not_expire_by_default(zone, settings):
    settings.MASHANG_PASSWORD_MAX_DAYS = 90
    _expire(zone.contact, days=400)
    client = Client()
    _sign_in(client, "ent-a")
    assert _lands_on(client) == "/demands/my/"


def test_a_person_without_a_change_date_counts_from_joining(zone, settings):
    settings.MASHANG_PASSWORD_MAX_DAYS = 90
    User.objects.filter(pk=zone.officer.pk).update(
        password_changed_at=None, date_joined=timezone.now() - timedelta(days=100)
    )
    client = Client()
    _sign_in(client, "officer")
    assert _lands_on(client) == "/account/password/"


def test_the_api_refuses_an_expired_password_with_403_until_it_is_changed(zone, settings):
    settings.MASHANG_PASSWORD_MAX_DAYS = 90
    client = Client()
    token = client.post(
        "/api/v1/auth/token", {"username": "officer", "password": "pw"}, content_type="application/json"
    ).json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/demands", headers=headers).status_code == 200

    _expire(zone.officer)
    response = client.get("/api/v1/demands", headers=headers)
    assert response.status_code == 403
    assert response.json()["message"] == str(MSG_EXPIRED_API)
    again = client.post(
        "/api/v1/auth/token", {"username": "officer", "password": "pw"}, content_type="application/json"
    )
    assert again.status_code == 403 and again.json()["message"] == str(MSG_EXPIRED_API)

    page = Client()
    _sign_in(page, "officer")
    page.post("/account/password/", {"old_password": "pw", "new_password1": NEW, "new_password2": NEW})
    fresh = client.post(
        "/api/v1/auth/token", {"username": "officer", "password": NEW}, content_type="application/json"
    )
    assert fresh.status_code == 200
    assert client.get(
        "/api/v1/demands", headers={"Authorization": f"Bearer {fresh.json()['token']}"}
    ).status_code == 200
