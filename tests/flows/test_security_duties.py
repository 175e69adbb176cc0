"""Separation of administrative duties (三员分立): the audit administrator alone reads and
exports the security log; the security administrator alone manages the accounts' security
records; the system administrator does neither; the two new roles see none of the zone's data;
nobody erases the log."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.test import Client
from openpyxl import load_workbook

from mashang.audit.models import SecurityEvent
from mashang.audit.security import security_event
from mashang.demands.models import Demand
from mashang.demands.permissions import visibility_filter as demand_visibility
from mashang.landstart.models import Run
from mashang.landstart.permissions import visibility_filter as run_visibility
from mashang.org.models import User
from mashang.projects.permissions import visibility_filter as project_visibility
from tests.kit.factories import UserFactory
from tests.kit.walk import walk_to

R = User.Role
K = SecurityEvent.Kind


@pytest.fixture
def admins(zone):
    """The three administrators, each staff (they may open the admin), the system
    administrator also a superuser."""
    return {
        "system": UserFactory(username="sys", role=R.ADMIN, is_staff=True, is_superuser=True),
        "security": UserFactory(username="sec", role=R.SECURITY_ADMIN, is_staff=True),
        "audit": UserFactory(username="aud", role=R.AUDIT_ADMIN, is_staff=True),
    }


def _inactive(user):
    """The same person deactivated: who sees nothing at all."""
    clone = User(pk=user.pk, role=user.role, is_active=False)
    return clone


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("who", ["system", "security"])
def test_only_the_audit_administrator_reads_the_security_log(admins, who):
    other = _client(admins[who])
    assert other.get("/audit/security/").status_code == 403
    assert other.get("/audit/security/export/").status_code == 403
    admin_index = other.get("/admin/").content.decode()
    assert "/admin/audit/securityevent/" not in admin_index
    assert other.get("/admin/audit/securityevent/").status_code == 403


@pytest.mark.parametrize("who", ["officer", "supervisor", "leader", "contact", "land_staff"])
def test_nobody_in_the_zone_reads_the_security_log(zone, who):
    assert _client(getattr(zone, who)).get("/audit/security/").status_code == 403


def test_the_audit_administrator_filters_the_log(admins):
    security_event(None, K.SIGN_IN_FAILED, username="mallory", ok=False)
    security_event(None, K.SIGN_IN, username="alice")
    auditor = _client(admins["audit"])

    page = auditor.get("/audit/security/", {"kind": K.SIGN_IN_FAILED})
    assert page.status_code == 200
    body = page.content.decode()
    assert "mallory" in body and "alice" not in body

    page = auditor.get("/audit/security/", {"person": "ali", "ok": "1"})
    body = page.content.decode()
    assert "alice" in body and "mallory" not in body

    assert auditor.get("/audit/security/", {"date_from": "1900-01-01"}).status_code == 422


def test_the_audit_administrator_exports_the_log_and_the_export_is_logged(admins):
    security_event(None, K.SIGN_IN_FAILED, username="mallory", ok=False, detail="=HYPERLINK(1)")
    auditor = _client(admins["audit"])
    response = auditor.get("/audit/security/export/", {"kind": K.SIGN_IN_FAILED})
    assert response.status_code == 200
    cells = [c for row in load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True) for c in row]
    assert "mallory" in cells
    assert "alice" not in cells
    logged = SecurityEvent.objects.filter(kind=K.EXPORT, user_id=admins["audit"].pk)
    assert logged.count() == 1 and "/audit/security/export/" in logged.get().object_id


def test_the_audit_administrator_reads_the_log_in_the_admin_and_changes_nothing(admins):
    event = security_event(None, K.SIGN_IN, username="alice")
    auditor = _client(admins["audit"])
    assert auditor.get("/admin/audit/securityevent/").status_code == 200
    assert auditor.get(f"/admin/audit/securityevent/{event.pk}/change/").status_code == 200
    assert auditor.get(f"/admin/audit/securityevent/{event.pk}/delete/").status_code == 403
    assert auditor.post(f"/admin/audit/securityevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    assert auditor.get("/admin/audit/securityevent/add/").status_code == 403
    assert SecurityEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.parametrize("who", ["system", "audit"])
def test_only_the_security_administrator_manages_lock_outs_and_second_factors(admins, who):
    other = _client(admins[who])
    for path in ("/admin/axes/accessattempt/", "/admin/otp_totp/totpdevice/", "/admin/api/apitoken/"):
        assert other.get(path).status_code == 403, path
    security = _client(admins["security"])
    for path in ("/admin/axes/accessattempt/", "/admin/otp_totp/totpdevice/", "/admin/api/apitoken/"):
        assert security.get(path).status_code == 200, path


def test_the_security_administrator_clears_a_lock_out(admins, zone, settings):
    from axes.models import AccessAttempt

    client = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(settings.MASHANG_SIGNIN_MAX_FAILURES):
        client.post("/login/", {"username": "officer", "password": "wrong"})
    attempt = AccessAttempt.objects.get(username="officer")
    security = _client(admins["security"])
    response = security.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(pk=attempt.pk).exists()
    assert client.post("/login/", {"username": "officer", "password": "pw"}).status_code == 302
    assert SecurityEvent.objects.filter(kind=K.ADMIN_CHANGE, user_id=admins["security"].pk).exists()


@pytest.mark.parametrize("who", ["security", "audit"])
def test_the_security_and_audit_administrators_see_none_of_the_zone_s_data(admins, zone, who):
    walk_to(zone, "dispatched")
    person = admins[who]
    assert not Demand.objects.filter(demand_visibility(person)).exists()
    assert project_visibility(person) == project_visibility(_inactive(person))
    assert not Run.objects.filter(run_visibility(person)).exists()
    client = _client(person)
    body = client.get("/demands/all/").content.decode()
    assert "厂房用地红线需要复核" not in body
    # Nor in the admin: no model of the zone is theirs.
    index = client.get("/admin/").content.decode()
    for path in ("/admin/demands/", "/admin/org/unit/", "/admin/org/user/", "/admin/projects/"):
        assert path not in index


def test_the_system_administrator_cannot_erase_the_log(admins):
    event = security_event(None, K.SIGN_IN, username="alice")
    system = _client(admins["system"])
    assert system.post(f"/admin/audit/securityevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    assert SecurityEvent.objects.filter(pk=event.pk).exists()


def test_each_administrator_s_navigation_offers_only_their_work(admins):
    from mashang.web.navigation import nav_for

    urls = {who: [i["url"] for i in nav_for(user)] for who, user in admins.items()}
    assert urls["audit"][0] == "/audit/security/"
    assert "/audit/security/" not in urls["system"] + urls["security"]
    assert not any(u.startswith("/demands/") for u in urls["audit"] + urls["security"])
