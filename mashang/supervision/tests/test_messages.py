"""A notice reaches its addressees through the outbox, once, and the unit's work group too."""

from __future__ import annotations

from mashang.demands.models import Status
from mashang.notify.models import ChatRobot, Notification
from mashang.supervision.models import Level
from mashang.supervision.services import supervision_sweep
from mashang.supervision.services.notices import notice_issue
from tests.kit.clocks import at
from tests.kit.walk import walk_to


def _notice_messages():
    return Notification.objects.filter(kind__startswith="supervision.").order_by("id")


def test_a_swept_notice_is_written_to_the_outbox_once_for_each_addressee_and_the_unit_robot(zone, people):
    robot = ChatRobot.objects.create(
        name="自然资源分局工作群", platform="wecom", webhook_url="http://127.0.0.1:9/hook", unit=zone.land
    )
    demand = walk_to(zone, Status.DISPATCHED, start=at(2026, 10, 12, 9, 0))
    supervision_sweep(at=at(2026, 10, 12, 10, 15))  # first contact missed: a yellow card
    supervision_sweep(at=at(2026, 10, 12, 10, 30))  # nothing new
    messages = list(_notice_messages())
    inbox = {m.recipient.username for m in messages if m.channel == "inbox"}
    assert inbox == {"unit-zrzy", "head-zrzy", "supervisor"}
    assert [m.robot_id for m in messages if m.robot_id] == [robot.pk]
    assert {m.kind for m in messages} == {f"supervision.{Level.YELLOW}"}
    assert all(demand.number in m.subject for m in messages)


def test_a_manual_notice_tells_its_addressees_with_the_instructions(zone, people):
    demand = walk_to(zone, Status.IN_PROGRESS, start=at(2026, 10, 12, 9, 0))
    notice_issue(actor=zone.supervisor, demand_id=demand.pk, level=Level.RED, comment="请今天下班前答复企业")
    messages = list(_notice_messages())
    assert messages and all("请今天下班前答复企业" in m.body for m in messages)
    assert "supervisor" not in {m.recipient.username for m in messages if m.recipient}


def test_the_work_group_gets_a_notice_in_a_digest_and_a_red_card_at_once(zone, people, settings):
    from datetime import timedelta

    settings.MASHANG_NOTIFY_DELIVER_INLINE = False  # look at the rows as written

    robot = ChatRobot.objects.create(
        name="自然资源分局工作群", platform="wecom", webhook_url="http://127.0.0.1:9/hook", unit=zone.land
    )
    demand = walk_to(zone, Status.DISPATCHED, start=at(2026, 10, 12, 9, 0))
    supervision_sweep(at=at(2026, 10, 12, 10, 15))  # a yellow card: waits the digest window
    (yellow,) = Notification.objects.filter(robot=robot, kind__startswith="supervision.")
    entry = yellow.payload["robot_digest"]
    assert entry["urgent"] is False and entry["line"] == f"{demand.number} {demand.title}"
    assert entry["list"] == f"/supervision/notices/?unit={zone.land.code}&acknowledged=no"
    assert yellow.next_attempt_at == yellow.created_at + timedelta(seconds=60)
    # The inbox row is there at once, as before.
    assert Notification.objects.filter(kind=yellow.kind, channel="inbox", status="sent").exists()
    notice_issue(actor=zone.supervisor, demand_id=demand.pk, level=Level.RED, comment="立即处理")
    red = Notification.objects.get(robot=robot, kind=f"supervision.{Level.RED}")
    assert red.payload["robot_digest"]["urgent"] is True
    assert red.next_attempt_at == red.created_at
