"""/healthz answers without the database; /readyz says what is not ready, check by check, and
turns ready again when the cause goes away."""

from __future__ import annotations

from datetime import date, timedelta

import psycopg
import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.utils import timezone

from mashang.notify.models import Channel, DeliveryStatus, Notification
from mashang.operations import health
from mashang.workcal.models import CalendarDay
from mashang.workcal.selectors import calendar_known_until

#: A Redis database of this test process's own (config/settings/test.py).
REDIS_URL = django_settings.MASHANG_TEST_REDIS_URL
#: Nothing listens on port 1.
NOWHERE = "redis://127.0.0.1:1/0"


def calendar_known(years: int = 2) -> None:
    """This year's and the next year's notices imported (a day of each will do)."""
    this_year = timezone.localdate().year
    for year in range(this_year, this_year + years):
        CalendarDay.objects.update_or_create(
            date=date(year, 1, 1), defaults={"is_working_day": False, "notice_year": year}
        )


def notification(user, *, status: str, waited: timedelta, key: str) -> Notification:
    now = timezone.now()
    return Notification.objects.create(
        kind="test",
        channel=Channel.INBOX,
        recipient=user,
        subject="待发送",
        dedupe_key=key,
        status=status,
        created_at=now - waited,
        next_attempt_at=None if status == DeliveryStatus.DEAD else now - waited,
    )


def readyz(client):
    response = client.get("/readyz")
    assert response["Content-Type"] == "application/json"
    assert "no-store" in response["Cache-Control"]
    return response.status_code, response.json()


def test_healthz_answers_without_touching_the_database(client):
    # No database here: a query would fail the test.
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-store" in response["Cache-Control"]


def test_readyz_lists_every_check_and_is_ready_when_all_pass(client, db):
    calendar_known()
    status, body = readyz(client)
    assert status == 200, body
    assert body["ready"] is True
    assert list(body["checks"]) == ["database", "migrations", "broker", "calendar", "outbox"]
    assert all(c["ok"] is True and c["detail"] for c in body["checks"].values())
    assert body["checks"]["calendar"]["known_until"] == f"{timezone.localdate().year + 1}-12-31"


def test_a_calendar_not_known_60_days_ahead_is_not_ready(client, db, settings):
    this_year = timezone.localdate().year
    CalendarDay.objects.filter(date__year__gte=this_year).delete()
    # This year only: ready while the year has more than 60 days left, not after.
    calendar_known(years=1)
    settings.MASHANG_READY_CALENDAR_DAYS = (date(this_year, 12, 31) - timezone.localdate()).days + 1
    status, body = readyz(client)
    assert status == 503
    assert body["checks"]["calendar"]["ok"] is False
    assert "holidays not known until" in body["checks"]["calendar"]["detail"]
    assert body["checks"]["calendar"]["known_until"] == f"{this_year}-12-31"
    assert body["checks"]["database"]["ok"] is True

    calendar_known(years=2)  # the next year's notice entered
    assert readyz(client)[0] == 200


def test_calendar_known_until_follows_the_years_without_a_gap(db):
    this_year = timezone.localdate().year
    calendar_known(years=1)
    CalendarDay.objects.create(
        date=date(this_year + 2, 5, 1), is_working_day=False, notice_year=this_year + 2
    )
    # The year after next is entered, the next is not (unless the package knows it): a gap.
    known = calendar_known_until()
    assert known is not None and known >= date(this_year, 12, 31)
    if known == date(this_year, 12, 31):
        calendar_known(years=2)
        assert calendar_known_until() == date(this_year + 2, 12, 31)


def test_a_due_message_waiting_too_long_is_not_ready_dead_ones_are_only_counted(
    client, zone, settings
):
    calendar_known()
    settings.MASHANG_READY_OUTBOX_MAX_AGE_SECONDS = 900
    for i in range(3):
        notification(
            zone.officer, status=DeliveryStatus.DEAD, waited=timedelta(days=2), key=f"dead:{i}"
        )
    notification(
        zone.officer, status=DeliveryStatus.PENDING, waited=timedelta(seconds=30), key="fresh"
    )
    status, body = readyz(client)
    assert status == 200, body
    assert body["checks"]["outbox"]["dead"] == 3
    assert 25 <= body["checks"]["outbox"]["oldest_due_seconds"] <= 120

    stuck = notification(
        zone.officer, status=DeliveryStatus.RETRYING, waited=timedelta(hours=1), key="stuck"
    )
    status, body = readyz(client)
    assert status == 503
    assert body["checks"]["outbox"]["ok"] is False
    assert "is a worker running" in body["checks"]["outbox"]["detail"]

    stuck.status = DeliveryStatus.SENT
    stuck.save(update_fields=["status"])
    assert readyz(client)[0] == 200


def test_the_broker_is_checked_when_one_is_set(client, db, settings):
    calendar_known()
    settings.MASHANG_BROKER_URL = REDIS_URL
    status, body = readyz(client)
    assert status == 200, body
    assert body["checks"]["broker"] == {"ok": True, "detail": "answers"}

    settings.MASHANG_BROKER_URL = NOWHERE
    status, body = readyz(client)
    assert status == 503
    assert body["checks"]["broker"]["ok"] is False
    assert "Connection" in body["checks"]["broker"]["detail"]


def test_an_unapplied_migration_is_not_ready(client, db, settings, tmp_path, monkeypatch):
    calendar_known()
    # A migration on disk the database has not seen: an app's new migrations module.
    package = tmp_path / "pending_migrations"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "0001_pending.py").write_text(
        "from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n"
        "    initial = True\n    dependencies = []\n    operations = []\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(health, "_all_applied", False)  # as in a process started before it
    settings.MIGRATION_MODULES = {"operations": "pending_migrations"}
    status, body = readyz(client)
    assert status == 503
    assert body["checks"]["migrations"]["ok"] is False
    assert "operations.0001_pending" in body["checks"]["migrations"]["detail"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_readyz_turns_not_ready_when_the_database_stops_and_ready_again_when_it_returns(client):
    """The test database alone refuses connections (the server and other databases go on)."""
    calendar_known()
    assert readyz(client)[0] == 200
    params = connection.get_connection_params()
    name = connection.settings_dict["NAME"]
    admin_params = {k: v for k, v in params.items() if k in ("host", "port", "user", "password")}
    with psycopg.connect(dbname="postgres", autocommit=True, **admin_params) as admin:
        admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false')
        try:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()",
                [name],
            )
            # The open connection is cut, and no new one is let in.
            for _ in range(2):
                status, body = readyz(client)
                assert status == 503, body
                assert body["ready"] is False
                assert body["checks"]["database"]["ok"] is False
                assert body["checks"]["migrations"] == {
                    "ok": False,
                    "detail": "not checked: the database is not reachable",
                }
            assert client.get("/healthz").status_code == 200  # the process still answers
        finally:
            admin.execute(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true')
    status, body = readyz(client)
    assert status == 200, body
    assert body["checks"]["database"]["ok"] is True


def test_a_signed_in_person_whose_password_expired_still_gets_the_probes(client, zone):
    """The probes are not pages: no sign-in rule sends them elsewhere."""
    calendar_known()
    zone.officer.password_changed_at = timezone.now() - timedelta(days=400)
    zone.officer.save(update_fields=["password_changed_at"])
    client.force_login(zone.officer)
    assert client.get("/demands/team/").status_code == 302  # to the password change
    assert readyz(client)[0] == 200
    assert client.get("/healthz").status_code == 200
    assert client.get("/metrics").status_code == 200
