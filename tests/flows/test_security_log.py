"""The security audit log records each security-relevant action once, with who, the client's
address and the result; it is append-only and kept at least 180 days."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.http import FileResponse, HttpResponse
from django.test import Client, RequestFactory
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from mashang.audit.middleware import SecurityLogMiddleware
from mashang.audit.models import AppendOnlyError, SecurityEvent
from mashang.audit.security import client_address, security_event, security_log_purge
from mashang.core.errors import ValidationFailed
from mashang.org.models import User
from tests.kit.factories import UserFactory
from tests.kit.zone import ApiClient

K = SecurityEvent.Kind
ADDRESS = "203.0.113.7"


def _new(since: int, **filters):
    return list(SecurityEvent.objects.filter(pk__gt=since, **filters).order_by("id"))


def _mark() -> int:
    last = SecurityEvent.objects.order_by("-id").first()
    return last.pk if last else 0


def test_a_sign_in_its_failure_and_the_sign_out_are_each_recorded_once_with_the_address(zone):
    client = Client(REMOTE_ADDR=ADDRESS)
    mark = _mark()

    assert client.post("/login/", {"username": "officer", "password": "wrong"}).status_code == 401
    assert client.post("/login/", {"username": "officer", "password": "pw"}).status_code == 302
    assert client.post("/logout/").status_code == 302

    events = _new(mark)
    assert [(e.kind, e.ok) for e in events] == [
        (K.SIGN_IN_FAILED, False),
        (K.SIGN_IN, True),
        (K.SIGNED_OUT, True),
    ]
    assert {e.address for e in events} == {ADDRESS}
    assert [e.username for e in events] == ["officer"] * 3
    assert events[1].user_id == events[2].user_id == zone.officer.pk


def test_a_failed_sign_in_of_an_unknown_name_keeps_the_name_tried(zone):
    mark = _mark()
    Client(REMOTE_ADDR=ADDRESS).post("/login/", {"username": "nobody", "password": "x"})
    [event] = _new(mark)
    assert (event.kind, event.username, event.user_id, event.ok) == (K.SIGN_IN_FAILED, "nobody", None, False)


def test_a_lock_out_is_recorded(zone, settings):
    client = Client(REMOTE_ADDR=ADDRESS)
    mark = _mark()
    for _ in range(settings.MASHANG_SIGNIN_MAX_FAILURES):
        client.post("/login/", {"username": "officer", "password": "wrong"})
    locked = _new(mark, kind=K.LOCKED_OUT)
    assert len(locked) == 1
    assert (locked[0].username, locked[0].address, locked[0].ok) == ("officer", ADDRESS, False)


def test_the_address_is_the_socket_s_unless_proxies_are_trusted(settings):
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.9")
    settings.MASHANG_PROXY_COUNT = 0
    assert client_address(request) == "10.0.0.2"  # a forged header is ignored
    settings.MASHANG_PROXY_COUNT = 1
    assert client_address(request) == "198.51.100.9"  # what our one proxy saw, not the client's claim
    settings.MASHANG_PROXY_COUNT = 2
    assert client_address(request) == "1.2.3.4"
    settings.MASHANG_PROXY_COUNT = 3  # fewer entries than proxies: the socket's peer
    assert client_address(request) == "10.0.0.2"


@given(st.text(max_size=60))
def test_any_forwarded_header_gives_an_address_or_the_socket_s(header):
    from django.conf import settings as s

    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=header)
    old = getattr(s, "MASHANG_PROXY_COUNT", 0)
    s.MASHANG_PROXY_COUNT = 1
    try:
        found = client_address(request)
    finally:
        s.MASHANG_PROXY_COUNT = old
    import ipaddress

    ipaddress.ip_address(found)  # always a valid address, never the raw header


def test_a_token_issued_through_the_api_is_recorded(zone):
    mark = _mark()
    ApiClient("officer")
    issued = _new(mark, kind=K.TOKEN_ISSUED)
    assert len(issued) == 1
    assert (issued[0].user_id, issued[0].address) == (zone.officer.pk, "127.0.0.1")


def test_password_role_and_permission_changes_are_recorded_once_each(zone):
    person = zone.officer
    mark = _mark()

    person.set_password("a-new-Secret-9")
    person.save()
    assert [e.kind for e in _new(mark)] == [K.PASSWORD_CHANGED]

    mark = _mark()
    person.role = User.Role.SUPERVISOR
    person.save()
    [role] = _new(mark)
    assert role.kind == K.ROLE_CHANGED and "officer → supervisor" in role.detail

    mark = _mark()
    person.is_staff = True
    person.save(update_fields=["is_staff"])
    [flag] = _new(mark)
    assert flag.kind == K.PERMISSION_CHANGED and "is_staff" in flag.detail

    mark = _mark()
    person.groups.add(Group.objects.create(name="审核组"))
    [group] = _new(mark)
    assert group.kind == K.PERMISSION_CHANGED and "审核组" in group.detail

    mark = _mark()
    person.display_name = "新名字"
    person.save()
    person.save(update_fields=["last_login"])
    assert _new(mark) == []  # a change of nothing security-relevant is not logged


def test_every_admin_change_is_recorded_with_the_admin_and_address(zone):
    root = UserFactory(username="sysadmin", role=User.Role.ADMIN, is_staff=True, is_superuser=True)
    client = Client(REMOTE_ADDR=ADDRESS)
    client.force_login(root)
    mark = _mark()
    response = client.post("/admin/org/unit/add/", {"code": "sw", "name": "税务局", "kind": "department"})
    assert response.status_code == 302, response.content[:2000]
    [event] = _new(mark, kind=K.ADMIN_CHANGE)
    assert (event.user_id, event.address, event.object_type) == (root.pk, ADDRESS, "org.unit")
    assert event.detail.startswith("add 税务局")


def test_an_export_and_a_download_are_recorded_by_what_the_response_is(db):
    factory = RequestFactory()

    def export(request):
        response = HttpResponse(b"x")
        response["Content-Disposition"] = 'attachment; filename="list.xlsx"'
        return response

    def download(request):
        response = FileResponse(iter([b"x"]))
        response["Content-Disposition"] = 'attachment; filename="a.pdf"'
        return response

    def page(request):
        return HttpResponse(b"<p>page</p>")

    mark = _mark()
    for view, path in ((export, "/x/export/"), (download, "/x/files/1/"), (page, "/x/")):
        request = factory.get(path, REMOTE_ADDR=ADDRESS)
        SecurityLogMiddleware(view)(request)
    events = _new(mark)
    assert [(e.kind, e.object_id, e.address) for e in events] == [
        (K.EXPORT, "/x/export/", ADDRESS),
        (K.DOWNLOAD, "/x/files/1/", ADDRESS),
    ]


def test_the_demands_export_is_recorded_once(zone):
    client = Client(REMOTE_ADDR=ADDRESS)
    client.force_login(zone.supervisor)
    mark = _mark()
    assert client.get("/demands/all/export.xlsx").status_code == 200
    [event] = _new(mark)
    assert (event.kind, event.user_id, event.address) == (K.EXPORT, zone.supervisor.pk, ADDRESS)


# --- append-only -----------------------------------------------------------------------------


def test_a_recorded_event_cannot_be_changed_or_deleted_through_the_orm(db):
    event = security_event(None, K.SIGN_IN, username="x")
    event.detail = "tampered"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        SecurityEvent.objects.filter(pk=event.pk).update(ok=False)
    with pytest.raises(AppendOnlyError):
        SecurityEvent.objects.filter(pk=event.pk).delete()
    assert SecurityEvent.objects.get(pk=event.pk).detail == ""


@pytest.mark.postgres
@pytest.mark.parametrize(
    "sql", ["UPDATE audit_securityevent SET ok = false", "DELETE FROM audit_securityevent"]
)
def test_on_postgresql_raw_sql_cannot_change_or_delete_the_log(db, sql):
    security_event(None, K.SIGN_IN, username="x")
    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert SecurityEvent.objects.filter(username="x", ok=True).count() == 1


# --- retention -------------------------------------------------------------------------------


def test_retention_deletes_only_the_rows_older_than_the_limit(db):
    now = timezone.now()
    old = security_event(None, K.SIGN_IN, username="old", at=now - timedelta(days=181))
    edge = security_event(None, K.SIGN_IN, username="edge", at=now - timedelta(days=179, hours=23))
    young = security_event(None, K.SIGN_IN, username="young", at=now - timedelta(days=1))

    assert security_log_purge(now=now) == 1

    left = set(SecurityEvent.objects.values_list("pk", flat=True))
    assert old.pk not in left and {edge.pk, young.pk} <= left
    assert security_log_purge(now=now) == 0  # running it again deletes nothing more


def test_retention_honours_a_longer_setting(db, settings):
    now = timezone.now()
    security_event(None, K.SIGN_IN, username="200d", at=now - timedelta(days=200))
    settings.MASHANG_SECURITY_LOG_DAYS = 365
    assert security_log_purge(now=now) == 0
    settings.MASHANG_SECURITY_LOG_DAYS = 180
    assert security_log_purge(now=now) == 1


@pytest.mark.parametrize("days", [0, 90, 179])
def test_retention_refuses_a_limit_under_180_days(db, settings, days):
    security_event(None, K.SIGN_IN, username="old", at=timezone.now() - timedelta(days=400))
    with pytest.raises(ValidationFailed):
        security_log_purge(days=days)
    settings.MASHANG_SECURITY_LOG_DAYS = days
    with pytest.raises(CommandError):
        call_command("security_log_purge")
    assert SecurityEvent.objects.filter(username="old").exists()


def test_the_retention_command_deletes_old_rows(db, capsys):
    security_event(None, K.SIGN_IN, username="old", at=timezone.now() - timedelta(days=400))
    call_command("security_log_purge")
    assert not SecurityEvent.objects.filter(username="old").exists()


def test_celery_beat_runs_the_retention_job_daily():
    from config.celery import app

    entry = app.conf.beat_schedule["security-log-retention"]
    assert entry["task"] == "mashang.audit.security_log_purge" and entry["schedule"] == 86400.0
