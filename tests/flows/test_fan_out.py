"""With a worker pool (MASHANG_NOTIFY_FAN_OUT=worker) a move writes one outbox message, its
audience said as a rule; the worker's pass turns it into the same rows the move would have
written itself: an inbox row per person, a row per chat robot."""

from __future__ import annotations

import pytest
import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from mashang.demands.models import Status
from mashang.demands.transitions import Action
from mashang.notify.models import Channel, ChatRobot, Message, Notification, Platform
from mashang.notify.services import messages_fan_out
from mashang.notify.tasks import deliver_due_now
from mashang.org.models import User
from tests.kit.clocks import at
from tests.kit.factories import UserFactory
from tests.kit.walk import act, submit, walk_to

pytestmark = pytest.mark.usefixtures("no_inline")


@pytest.fixture
def by_worker(settings):
    settings.MASHANG_NOTIFY_FAN_OUT = "worker"
    return settings


def _told(kind: str) -> tuple[set[str], set[str]]:
    rows = Notification.objects.filter(kind=kind).select_related("recipient", "robot")
    return (
        {r.recipient.username for r in rows if r.channel == Channel.INBOX},
        {r.robot.name for r in rows if r.robot_id},
    )


def _robot(name: str, unit, url: str = "http://127.0.0.1:9/x") -> ChatRobot:
    return ChatRobot.objects.create(name=name, platform=Platform.WECOM, webhook_url=url, unit=unit)


def _dispatch_with_a_head_and_a_robot(zone):
    head = UserFactory(username="head-zrzy", role=User.Role.UNIT_HEAD, unit=zone.land)
    zone.land.head = head
    zone.land.save()
    _robot("自然资源工作群", zone.land)
    demand = walk_to(zone, Status.TRIAGED)
    return act(zone, Action.DISPATCH, "officer", demand)


def test_the_worker_writes_what_the_move_would_have_written(zone, settings, by_worker):
    # Both dispatches at one instant: their deadlines (in the messages' bodies) are then equal.
    clock = time_machine.travel(at(2026, 3, 2, 10, 0), tick=False)
    clock.start()
    try:
        _the_worker_writes_what_the_move_would_have_written(zone, settings)
    finally:
        clock.stop()


def _the_worker_writes_what_the_move_would_have_written(zone, settings):
    demand = _dispatch_with_a_head_and_a_robot(zone)
    # The move wrote one message and no row per person yet.
    message = Message.objects.get(kind="demand.dispatched")
    assert message.fanned_out_at is None and message.dedupe_key == f"demand:{demand.pk}:v{demand.version}:demand.dispatched"
    assert not Notification.objects.filter(kind="demand.dispatched").exists()

    assert messages_fan_out() >= 1
    worker_rows = sorted(
        Notification.objects.filter(kind="demand.dispatched").values_list("dedupe_key", "subject", "body", "link")
    )
    assert _told("demand.dispatched") == ({"unit-zrzy", "unit-zjj", "head-zrzy"}, {"自然资源工作群"})
    message.refresh_from_db()
    assert message.fanned_out_at is not None

    # The same move with the rows written in the move (the embedded default) gives the same rows.
    Notification.objects.all().delete()
    settings.MASHANG_NOTIFY_FAN_OUT = "inline"
    demand = act(zone, Action.RETURN, "land_staff", demand, reason="不属于本单位职责")
    demand = act(zone, Action.DISPATCH, "officer", demand)
    inline_rows = sorted(
        Notification.objects.filter(kind="demand.dispatched").values_list("dedupe_key", "subject", "body", "link")
    )
    strip = lambda rows: [(k.split("|", 1)[1], s, b, link) for k, s, b, link in rows]  # noqa: E731
    assert strip(inline_rows) == strip(worker_rows)


def test_a_message_is_fanned_out_once(zone, by_worker):
    _dispatch_with_a_head_and_a_robot(zone)
    messages_fan_out()
    written = Notification.objects.count()
    assert messages_fan_out() == 0
    told = Message.objects.update(fanned_out_at=None)  # as if a pass died after writing its rows
    assert messages_fan_out() == told
    assert Notification.objects.count() == written


def test_the_audience_is_who_is_there_when_the_worker_fans_it_out(zone, by_worker):
    demand = walk_to(zone, Status.TRIAGED)
    act(zone, Action.DISPATCH, "officer", demand)
    # Between the move and the pass: one staff member leaves, a new one joins the lead unit.
    User.objects.filter(username="unit-zjj").update(is_active=False)
    UserFactory(username="unit-zrzy-2", role=User.Role.UNIT_STAFF, unit=zone.land)
    messages_fan_out()
    people, _robots = _told("demand.dispatched")
    assert people == {"unit-zrzy", "unit-zrzy-2"}


def test_the_person_who_acted_is_not_told_by_the_worker_either(zone, by_worker):
    demand = walk_to(zone, Status.IN_PROGRESS)
    colleague = UserFactory(username="unit-zrzy-2", role=User.Role.UNIT_STAFF, unit=zone.land)
    act(zone, Action.EXTEND, "land_staff", demand, days=3, reason="需要补充勘测")
    UserFactory(username="sup-2", role=User.Role.SUPERVISOR)
    messages_fan_out()
    people, _robots = _told("demand.extension_requested")
    assert people == {"supervisor", "sup-2"} and colleague.username not in people
    assert zone.land_staff.username not in people


def test_a_rolled_back_move_leaves_no_message(zone, by_worker):
    demand = walk_to(zone, Status.TRIAGED)

    class Boom(Exception):
        pass

    with pytest.raises(Boom), transaction.atomic():
        act(zone, Action.DISPATCH, "officer", demand)
        assert Message.objects.filter(kind="demand.dispatched").count() == 1
        raise Boom
    assert not Message.objects.filter(kind="demand.dispatched").exists()


def test_a_pass_looks_each_audience_up_once(zone, by_worker):
    for _ in range(30):
        submit(zone)
    with CaptureQueriesContext(connection) as queries:
        assert messages_fan_out() == 30
    selects = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT")]
    # the waiting messages, the people, the robots, the keys already there, the rows written
    assert len(selects) <= 5, selects
    assert Notification.objects.filter(kind="demand.submitted", channel=Channel.INBOX).count() == 30


def test_a_delivery_pass_fans_out_first_and_delivers_to_the_work_group(zone, platforms, by_worker):
    _robot("自然资源工作群", zone.land, url=platforms.url("wecom"))
    demand = walk_to(zone, Status.TRIAGED)
    act(zone, Action.DISPATCH, "officer", demand)
    assert deliver_due_now() == 1
    assert platforms.hits == 1 and platforms.problems == []
    assert Message.objects.filter(fanned_out_at__isnull=True).count() == 0


def test_an_administrator_sees_the_messages_waiting_for_the_worker(zone, by_worker, admin_client):
    demand = walk_to(zone, Status.TRIAGED)
    act(zone, Action.DISPATCH, "officer", demand)
    waiting = Message.objects.get(kind="demand.dispatched")
    page = admin_client.get("/admin/notify/message/", {"fanned_out_at__isempty": "1"})
    assert page.status_code == 200 and f"/admin/notify/message/{waiting.pk}/change/" in page.content.decode()
