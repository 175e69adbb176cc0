"""API tokens can be revoked: the one in use (sign out), one's own by id, everyone's by the
security administrator in the admin, all of a person's when their password changes or they are
deactivated; they expire after hours and a refresh replaces one without the password."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from mashang.api.errors import MSG_UNAUTHORIZED
from mashang.api.models import ApiToken
from mashang.api.tokens import LAST_USED_EVERY, MSG_TOKEN_NOT_FOUND, token_digest
from mashang.audit.models import SecurityEvent
from mashang.org.models import User
from tests.kit.factories import UserFactory

Because = ApiToken.RevokedBecause


def sign_in(username: str, password: str = "pw", **extra) -> tuple[str, dict]:
    r = Client().post(
        "/api/v1/auth/token",
        json.dumps({"username": username, "password": password, **extra}),
        content_type="application/json",
    )
    assert r.status_code == 200, r.content
    return r.json()["token"], r.json()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def get(token: str, path: str = "/api/v1/auth/tokens"):
    return Client().get(path, headers=bearer(token))


def delete(token: str, path: str = "/api/v1/auth/token"):
    return Client().delete(path, headers=bearer(token))


def refresh(token: str):
    return Client().post("/api/v1/auth/token/refresh", headers=bearer(token))


def assert_401(response, message=MSG_UNAUTHORIZED):
    assert response.status_code == 401, response.content
    assert response.json() == {"message": str(message), "fields": {}}


def works(token: str) -> bool:
    r = get(token, "/api/v1/demands")
    assert r.status_code in (200, 401), r.content
    return r.status_code == 200


def test_the_token_in_use_is_revoked_and_the_next_request_is_401(zone):
    token, _ = sign_in("ent-a")
    other, _ = sign_in("ent-a")
    assert works(token)
    r = delete(token)
    assert r.status_code == 204 and r.content == b""
    assert_401(get(token, "/api/v1/demands"))
    assert_401(delete(token))  # a second sign-out with it is no longer signed in
    assert works(other)  # only the token in use went
    record = ApiToken.objects.get(key_hash=token_digest(token))
    assert record.revoked_because == Because.SIGNED_OUT and record.revoked_by == zone.contact
    assert SecurityEvent.objects.filter(kind=SecurityEvent.Kind.TOKEN_REVOKED, user_id=zone.contact.pk).count() == 1


def test_the_list_shows_only_ones_own_tokens_and_never_a_secret(zone):
    mine, first = sign_in("ent-a", label="ledger sync")
    second_token, second = sign_in("ent-a")
    theirs, _ = sign_in("ent-b")
    r = get(mine)
    assert r.status_code == 200
    listed = r.json()
    assert [t["id"] for t in listed] == [second["id"], first["id"]]  # newest first
    by_id = {t["id"]: t for t in listed}
    assert by_id[first["id"]]["label"] == "ledger sync" and by_id[first["id"]]["in_use"] is True
    assert by_id[second["id"]]["in_use"] is False
    assert by_id[first["id"]]["prefix"] == mine[:8]
    text = r.content.decode()
    for secret in (mine, second_token, theirs):
        assert secret not in text
        assert token_digest(secret) not in text
    assert set(by_id[first["id"]]) == {
        "id", "prefix", "label", "created_at", "expires_at", "last_used_at", "in_use",
    }
    # The other enterprise's contact sees only theirs.
    assert [t["prefix"] for t in get(theirs).json()] == [theirs[:8]]


def test_revoking_ones_own_token_by_id_and_anothers_is_404(zone):
    mine, _ = sign_in("ent-a")
    spare, spare_out = sign_in("ent-a")
    theirs, theirs_out = sign_in("ent-b")

    r = delete(mine, f"/api/v1/auth/tokens/{theirs_out['id']}")
    assert r.status_code == 404
    assert r.json() == {"message": str(MSG_TOKEN_NOT_FOUND), "fields": {}}
    assert works(theirs)
    assert delete(mine, "/api/v1/auth/tokens/999999").status_code == 404

    assert delete(mine, f"/api/v1/auth/tokens/{spare_out['id']}").status_code == 204
    assert not works(spare) and works(mine)
    assert spare_out["id"] not in [t["id"] for t in get(mine).json()]
    assert ApiToken.objects.get(pk=spare_out["id"]).revoked_because == Because.BY_OWNER


def test_a_password_change_revokes_all_of_the_persons_tokens_on_every_path(zone):
    a1, _ = sign_in("ent-a")
    a2, _ = sign_in("ent-a")
    b, _ = sign_in("ent-b")
    contact = User.objects.get(username="ent-a")
    contact.set_password("Another-pw-2026")
    contact.save()
    assert not works(a1) and not works(a2)
    assert works(b)
    assert set(ApiToken.objects.filter(user=contact).values_list("revoked_because", flat=True)) == {
        Because.PASSWORD_CHANGED
    }
    # The new password gives a working token.
    fresh, _ = sign_in("ent-a", "Another-pw-2026")
    assert works(fresh)
    # Saving with update_fields (as the sign-in page's change does) counts too.
    contact.set_password("Third-pw-2026")
    contact.save(update_fields=["password"])
    assert not works(fresh)


def test_the_sign_in_pages_password_change_revokes_the_tokens(zone):
    token, _ = sign_in("officer")
    page = Client()
    page.force_login(User.objects.get(username="officer"))
    r = page.post(
        reverse("org:password_change"),
        {"old_password": "pw", "new_password1": "Zq7#officer-2026", "new_password2": "Zq7#officer-2026"},
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    assert not works(token)


def test_a_password_set_in_the_admin_revokes_the_tokens(zone):
    token, _ = sign_in("officer")
    officer = User.objects.get(username="officer")
    admin = Client()
    admin.force_login(UserFactory(username="root", is_staff=True, is_superuser=True, role=User.Role.ADMIN))
    r = admin.post(
        reverse("admin:auth_user_password_change", args=[officer.pk]),
        {"password1": "Zq7#officer-2026", "password2": "Zq7#officer-2026", "usable_password": "true"},
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    assert not works(token)


def test_changepassword_command_revokes_the_tokens(zone, monkeypatch):
    token, _ = sign_in("officer")
    monkeypatch.setattr("getpass.getpass", lambda *a, **k: "Officer-new-pw-9")
    call_command("changepassword", "officer", stdout=open("/dev/null", "w"))
    assert not works(token)


def test_other_saves_of_the_person_keep_the_tokens(zone):
    token, _ = sign_in("officer")
    officer = User.objects.get(username="officer")
    officer.display_name = "王科员"
    officer.save()
    officer.last_login = timezone.now()
    officer.save(update_fields=["last_login"])
    assert works(token)


def test_deactivation_revokes_all_of_the_persons_tokens(zone):
    token, _ = sign_in("officer")
    officer = User.objects.get(username="officer")
    officer.is_active = False
    officer.save()
    assert not works(token)
    assert ApiToken.objects.get(user=officer).revoked_because == Because.DEACTIVATED
    # Active again: the old token stays revoked.
    officer.is_active = True
    officer.save()
    assert not works(token)


def test_a_token_expires_after_the_configured_hours(zone, settings):
    settings.MASHANG_API_TOKEN_HOURS = 8
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        token, out = sign_in("ent-a")
    assert ApiToken.objects.get(pk=out["id"]).expires_at == start + timedelta(hours=8)
    with time_machine.travel(start + timedelta(hours=8) - timedelta(seconds=1), tick=False):
        assert works(token)
    with time_machine.travel(start + timedelta(hours=8), tick=False):
        assert_401(get(token, "/api/v1/demands"))
        assert_401(refresh(token))  # an expired token cannot be refreshed either


def test_a_refresh_gives_a_working_token_and_kills_the_old(zone, settings):
    settings.MASHANG_API_TOKEN_HOURS = 8
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        old, old_out = sign_in("ent-a", label="nightly import")
    with time_machine.travel(start + timedelta(hours=7), tick=False):
        r = refresh(old)
        assert r.status_code == 200, r.content
        new = r.json()["token"]
        assert new != old and works(new) and not works(old)
        assert_401(refresh(old))  # the old one cannot be refreshed twice
    record = ApiToken.objects.get(pk=r.json()["id"])
    assert record.label == "nightly import" and record.signed_in_at == start
    assert record.expires_at == start + timedelta(hours=15)
    assert ApiToken.objects.get(pk=old_out["id"]).revoked_because == Because.REFRESHED
    with time_machine.travel(start + timedelta(hours=14), tick=False):
        assert works(new)  # past the old token's 8 hours: the client kept working


def test_refreshes_stop_at_the_limit_after_the_password(zone, settings):
    settings.MASHANG_API_TOKEN_HOURS = 8
    settings.MASHANG_API_TOKEN_MAX_DAYS = 1
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        token, _ = sign_in("ent-a")
    for hours in (7, 14, 21):
        with time_machine.travel(start + timedelta(hours=hours), tick=False):
            r = refresh(token)
            assert r.status_code == 200, (hours, r.content)
            token = r.json()["token"]
    # The last one ends with the day after the password, not 8 hours after its refresh.
    assert ApiToken.objects.get(key_hash=token_digest(token)).expires_at == start + timedelta(days=1)
    with time_machine.travel(start + timedelta(days=1), tick=False):
        assert_401(refresh(token))
        assert not works(token)


def test_last_used_is_written_at_most_once_a_minute(zone, django_assert_num_queries):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        token, out = sign_in("ent-a")
        assert works(token)
        assert ApiToken.objects.get(pk=out["id"]).last_used_at == start
    with time_machine.travel(start + LAST_USED_EVERY - timedelta(seconds=1), tick=False):
        from mashang.api.tokens import api_token_authenticate

        with django_assert_num_queries(1):  # the look-up, no write
            assert api_token_authenticate(token=token) is not None
    with time_machine.travel(start + LAST_USED_EVERY, tick=False):
        assert works(token)
    assert ApiToken.objects.get(pk=out["id"]).last_used_at == start + LAST_USED_EVERY
    listed = get(token).json()
    assert listed[0]["last_used_at"] is not None


@pytest.fixture
def security_admin(db):
    return UserFactory(username="sec-admin", role=User.Role.SECURITY_ADMIN, is_staff=True)


def test_the_security_admin_lists_the_tokens_without_secrets_and_revokes(zone, security_admin):
    a, a_out = sign_in("ent-a")
    b, b_out = sign_in("officer")
    client = Client()
    client.force_login(security_admin)
    url = reverse("admin:api_apitoken_changelist")
    page = client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert a[:8] in text and b[:8] in text
    for secret in (a, b):
        assert secret not in text and token_digest(secret) not in text
    r = client.post(url, {"action": "revoke", "_selected_action": [a_out["id"]]})
    assert r.status_code == 302
    assert not works(a) and works(b)
    revoked = ApiToken.objects.get(pk=a_out["id"])
    assert (revoked.revoked_because, revoked.revoked_by) == (Because.BY_ADMIN, security_admin)
    detail = client.get(reverse("admin:api_apitoken_change", args=[a_out["id"]]))
    assert detail.status_code == 200 and a not in detail.content.decode()


def test_the_system_administrator_sees_no_tokens_in_the_admin(zone):
    system_admin = UserFactory(username="sys-admin", role=User.Role.ADMIN, is_staff=True, is_superuser=True)
    a, a_out = sign_in("ent-a")
    client = Client()
    client.force_login(system_admin)
    assert client.get(reverse("admin:api_apitoken_changelist")).status_code == 403
    r = client.post(
        reverse("admin:api_apitoken_changelist"), {"action": "revoke", "_selected_action": [a_out["id"]]}
    )
    assert r.status_code == 403 and works(a)


@pytest.mark.parametrize(
    "request_",
    [
        ("delete", "/api/v1/auth/token"),
        ("post", "/api/v1/auth/token/refresh"),
        ("get", "/api/v1/auth/tokens"),
        ("delete", "/api/v1/auth/tokens/1"),
    ],
)
@pytest.mark.parametrize("authorization", [None, "Bearer not-a-token", "Bearer " + "x" * 300])
def test_the_token_endpoints_without_a_live_token_are_401(zone, request_, authorization):
    method, path = request_
    headers = {"Authorization": authorization} if authorization else {}
    assert_401(getattr(Client(), method)(path, headers=headers))


def test_the_schema_documents_the_token_endpoints_and_their_errors(zone):
    schema = Client().get("/api/v1/openapi.json").json()
    paths = schema["paths"]
    assert set(paths["/api/v1/auth/token"]) >= {"post", "delete"}
    assert "204" in paths["/api/v1/auth/token"]["delete"]["responses"]
    assert "401" in paths["/api/v1/auth/token"]["delete"]["responses"]
    assert "401" in paths["/api/v1/auth/token/refresh"]["post"]["responses"]
    assert "200" in paths["/api/v1/auth/tokens"]["get"]["responses"]
    assert {"204", "401", "404"} <= set(paths["/api/v1/auth/tokens/{token_id}"]["delete"]["responses"])


class TestTokensStayTheirOwners(HypothesisTestCase):
    """Whoever revokes whichever token id, only the owner's own tokens ever go."""

    @hsettings(max_examples=25, deadline=None)
    @given(st.lists(st.tuples(st.integers(0, 2), st.integers(0, 5)), min_size=1, max_size=6))
    def test_only_ones_own_tokens_are_revoked(self, moves):
        people = [UserFactory(role=User.Role.OFFICER) for _ in range(3)]
        tokens = [(p, *sign_in(p.username)) for p in people for _ in range(2)]
        for who, which in moves:
            live = [t for p, t, _ in tokens if p == people[who] and works(t)]
            if not live:
                continue
            owner, _, out = tokens[which]
            before = {o["id"]: works(t) for _, t, o in tokens}
            r = delete(live[0], f"/api/v1/auth/tokens/{out['id']}")
            after = {o["id"]: works(t) for _, t, o in tokens}
            if owner == people[who]:
                assert r.status_code == 204 and not after[out["id"]]
            else:
                assert r.status_code == 404
            assert {k for k in before if before[k] != after[k]} <= {out["id"]}
