"""The demo zone: loaded through the services, the same for the same seed, safe to load twice.

One small demo (120 demands, 20 enterprises) is loaded once for the module inside a
transaction that is rolled back at the end; each test runs in a savepoint inside it, so a
test that reloads the demo leaves the others' data as it was. What happens before a load
(a database that is not empty, ``demo_users`` with no demo) is in test_demo_not_loaded.py.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.test import Client, override_settings

from mashang.audit.models import Event
from mashang.demands.models import Demand, Status
from mashang.demo.project_texts import BLOCKERS
from mashang.demo.tests.small_demo import load
from mashang.notify.models import ROBOT_CHANNELS, Notification
from mashang.org.credit_code import credit_code_error
from mashang.org.models import Enterprise, Unit, User
from mashang.supervision.models import SupervisionNotice
from mashang.workcal.selectors import calendar_get, calendar_invalidate

HORIZON = datetime(2026, 6, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
STAFF_ROLES = {"officer", "unit_staff", "unit_head", "supervisor", "leader"}

pytestmark = pytest.mark.usefixtures("cached_calendar")


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker) -> str:
    """The small demo, loaded once for this module and rolled back after it: what the load printed."""
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


def snapshot() -> list[tuple]:
    return list(
        Demand.objects.order_by("number").values_list(
            "number",
            "title",
            "status",
            "version",
            "round",
            "submitted_at",
            "enterprise__credit_code",
            "lead_unit__code",
            "rating",
            "next_due_at",
        )
    )


@pytest.mark.django_db
def test_every_status_appears_and_every_credit_code_is_valid(demo):
    assert "120/120" in demo
    statuses = Counter(
        Demand.objects.filter(project=None, kind="demand").values_list("status", flat=True)
    )
    assert set(statuses) == set(Status.values)
    assert sum(statuses.values()) == 120  # besides the blockers raised on projects
    assert statuses[Status.CLOSED] > 60
    codes = list(Enterprise.objects.values_list("credit_code", flat=True))
    assert len(codes) == 20
    assert all(credit_code_error(code) is None and code.startswith("9144") for code in codes)
    assert set(User.objects.filter(role="enterprise").values_list("username", flat=True)) == {
        f"ent{n:03d}" for n in range(1, 21)
    }
    # Every enterprise filed something; every unit has a head.
    assert Demand.objects.filter(kind="demand").values("enterprise").distinct().count() == 20
    assert not Unit.objects.filter(head=None).exists()


@pytest.mark.django_db
def test_every_event_is_a_move_of_the_services_by_the_right_person_in_working_time(demo):
    cal = calendar_get()
    events = Counter(
        Event.objects.filter(subject_type="demand").values_list("subject_id", flat=True)
    )
    for demand_id, version in Demand.objects.values_list("pk", "version"):
        # submit is version 1, each transition adds one event and one version
        assert events[demand_id] == version, demand_id

    timeline = (
        Event.objects.filter(subject_type="demand")
        .select_related("actor")
        .order_by("subject_id", "id")
    )
    previous: dict[int, datetime] = {}
    action_items = set(Demand.objects.filter(kind="action_item").values_list("pk", flat=True))
    for event in timeline:
        assert event.at < HORIZON
        if event.subject_id in previous:
            assert event.at > previous[event.subject_id]
        else:  # filed by an enterprise or an officer; an action item opened by the minutes
            assert event.action == ("open" if event.subject_id in action_items else "submit")
        previous[event.subject_id] = event.at
        if event.actor is None:  # a notice the replayed sweep raised
            assert event.action == "notice", event
            continue
        if event.actor.role in STAFF_ROLES:
            local = event.at.astimezone(cal.tz)
            assert cal.is_working_day(local.date()), event
            assert any(start <= local.time() <= end for start, end in cal.office_hours), event
    actions = Counter(e.action for e in timeline)
    for action in ("reopen", "return", "escalate", "merge", "withdraw", "wait", "resume", "extend"):
        assert actions[action] > 0, action
    ratings = Counter(e.payload["rating"] for e in timeline if e.action == "confirm")
    assert ratings["satisfied"] > sum(ratings.values()) * 0.6
    assert 0 < ratings["unsatisfied"] and 0 < ratings["basic"] < ratings["satisfied"]
    assert Demand.objects.filter(round=2).exists()


@pytest.mark.django_db
def test_the_sweep_was_replayed_as_the_year_was_played(demo):
    notices = SupervisionNotice.objects.filter(raised_by=None)
    assert set(notices.values_list("level", flat=True)) == {"reminder", "yellow", "red"}
    for level, raised_at, due_at in notices.values_list("level", "raised_at", "due_at"):
        assert HORIZON - timedelta(days=366) < raised_at < HORIZON
        if level != "reminder":  # a card comes once the deadline is reached, within the replay's step
            assert due_at <= raised_at
    # Their messages are in the addressees' inboxes, delivered when raised; no robot is posted to.
    inbox = Notification.objects.filter(kind__startswith="supervision.", channel="inbox")
    assert inbox.exists()
    assert not inbox.exclude(status="sent").exists()
    assert not Notification.objects.filter(channel__in=ROBOT_CHANNELS).exists()
    # The replay caught up: a sweep at the demo's "now" has nothing left to raise.
    out = StringIO()
    call_command("sweep", "--dry-run", at=HORIZON.isoformat(), stdout=out)
    assert "提醒 0 条、黄牌 0 张、红牌 0 张" in out.getvalue()


@pytest.mark.django_db
def test_the_same_seed_gives_the_same_data(demo):
    first = snapshot()
    first_events = list(
        Event.objects.filter(subject_type="demand")
        .order_by("id")
        .values_list("action", "actor__username", "at", "from_state", "to_state", "reason")
    )

    output = load(force=True)

    assert f"已清除原有演示数据（{120 + len(BLOCKERS)} 条诉求）" in output
    assert snapshot() == first
    assert (
        list(
            Event.objects.filter(subject_type="demand")
            .order_by("id")
            .values_list("action", "actor__username", "at", "from_state", "to_state", "reason")
        )
        == first_events
    )
    assert Demand.objects.filter(project=None, kind="demand").count() == 120
    assert Enterprise.objects.count() == 20

    load(force=True, seed=8)
    assert snapshot() != first


@pytest.mark.django_db
def test_loading_again_changes_nothing(demo):
    before = (snapshot(), Event.objects.count(), User.objects.count(), Enterprise.objects.count())

    again = load()
    # make demo runs without --until: on another day, it is still the same demo
    out = StringIO()
    call_command("load_demo", seed=7, demands=120, enterprises=20, stdout=out)

    assert "已经载入" in again and "已经载入" in out.getvalue()
    assert (
        snapshot(),
        Event.objects.count(),
        User.objects.count(),
        Enterprise.objects.count(),
    ) == before
    with pytest.raises(CommandError, match="另一套演示数据"):
        load(seed=8)


@pytest.mark.django_db
def test_an_enterprise_contact_logs_in_and_sees_only_its_own_demands(demo):
    contact = User.objects.select_related("enterprise").get(username="ent001")
    own = Demand.objects.filter(enterprise=contact.enterprise).count()
    assert 0 < own < Demand.objects.count()

    client = Client()
    response = client.post(
        "/api/v1/auth/token",
        {"username": "ent001", "password": "mashang-demo"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    token = response.json()["token"]
    response = client.get(
        "/api/v1/demands", {"page_size": 100}, headers={"Authorization": f"Bearer {token}"}
    )

    assert response.status_code == 200, response.content
    page = response.json()
    assert page["count"] == own
    assert {d["enterprise"]["code"] for d in page["results"]} == {contact.enterprise.credit_code}


@pytest.mark.django_db
def test_demo_users_lists_the_people_briefly(demo):
    out = StringIO()
    call_command("demo_users", stdout=out)
    text = out.getvalue()

    assert "mashang-demo" in text
    assert "ent001…ent020" in text
    assert "officer2" in text and "supervisor" in text and "leader" in text
    assert "unit-zrzy" in text and "head-dcb" in text
    assert len(text.splitlines()) < 20
