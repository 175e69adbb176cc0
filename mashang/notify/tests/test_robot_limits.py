"""Chat robots under load (issue #18): a sweep's 1,000 notices reach a unit's work group as
digests, never faster than the platform allows, every notice named once and none dead; two
workers share one limit; a "too fast" answer pauses the robot; a wrong key still dies; a red
card is not held back by the digest window.

The stand-in platforms keep the real limits on a clock the test moves (``SimClock``), the same
moments the delivery is told (``at``), so minutes pass in a second.
"""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
from django.db import connection, transaction

from mashang.notify.digests import digest_entry
from mashang.notify.models import DeliveryStatus, Notification, RobotPace
from mashang.notify.pacing import next_send_at, robot_limits
from mashang.notify.services import OutboxMessage, notification_deliver_due, notifications_enqueue
from mashang.org.models import Unit
from tests.kit.notify import T0, SimClock, make_robots
from tests.kit.threads import together

pytestmark = pytest.mark.usefixtures("no_inline")

LEVELS = [("红牌", 3), ("黄牌", 2), ("即将超期", 1)]
MINUTE = {"dingtalk": 20, "wecom": 20, "feishu": 100}


def _notice(i: int, *, robot, level: int | None = None, at=T0) -> OutboxMessage:
    group, urgency = LEVELS[level if level is not None else (0 if i % 50 == 0 else 1 if i % 3 == 0 else 2)]
    return OutboxMessage(
        kind="supervision.test",
        subject=f"{group}：诉求 D2026-{i:05d}",
        body="企业：甲企业有限公司",
        link=f"/demands/{i}/",
        robots=[robot],
        dedupe_key=f"sweep-notice:{i}",
        payload=digest_entry(
            group=group,
            urgency=urgency,
            line=f"D2026-{i:05d} 关于厂房用地规划许可办理进度的第{i}号诉求，企业反映材料已提交多日仍未答复",
            list_link="/supervision/notices/?unit=ZR&acknowledged=no",
            urgent=urgency == 3,
        ),
        at=at,
    )


def _sweep(robot, count: int, *, at=T0, level: int | None = None) -> None:
    with transaction.atomic():
        notifications_enqueue([_notice(i, robot=robot, level=level, at=at) for i in range(count)])


def _deliver_until_done(clock: SimClock, *, step: float = 1.0, workers: int = 1, horizon: float = 3600) -> None:
    """Passes every ``step`` simulated seconds until nothing waits (``workers`` at once)."""
    end = clock.now + timedelta(seconds=horizon)
    while Notification.objects.exclude(status__in=[DeliveryStatus.SENT, DeliveryStatus.DEAD]).exists():
        assert clock.now < end, "still waiting after the horizon"
        at = clock.now
        if workers == 1:
            notification_deliver_due(at=at, limit=1000)
        else:
            results = together([lambda at=at: notification_deliver_due(at=at, limit=1000)] * workers)
            assert not [r for r in results if isinstance(r, BaseException)], results
        clock.advance(step)


def _named(platforms) -> list[str]:
    return [m for r in platforms.received for m in re.findall(r"D2026-\d{5}", r.text)]


@pytest.fixture
def clock(platforms):
    clock = SimClock(T0)
    platforms.clock = clock
    return clock


@pytest.mark.parametrize("platform", ["dingtalk", "wecom", "feishu"])
def test_a_thousand_notices_reach_the_work_group_as_paced_digests(zone, platforms, clock, platform, capsys, settings):
    settings.MASHANG_BASE_URL = "https://mashang.example.gov.cn"
    robot = getattr(make_robots(platforms, unit=zone.land), platform)
    _sweep(robot, 1000)
    started = time.monotonic()
    _deliver_until_done(clock)
    elapsed = time.monotonic() - started

    assert platforms.problems == [] and platforms.rate_refused == 0
    assert not Notification.objects.exclude(status=DeliveryStatus.SENT).exists()
    named = _named(platforms)
    assert sorted(named) == sorted(f"D2026-{i:05d}" for i in range(1000))  # each once, none twice
    (key,) = platforms.sent_at
    assert platforms.most_in_window(key, 60) <= MINUTE[platform]
    if platform == "feishu":
        assert platforms.most_in_window(key, 1) <= 5
    # The heading counts the groups, the most urgent first, and the list page is linked.
    first = platforms.received[0].text
    # "自然资源分局：20 件红牌、117 件黄牌" (the heading as the zone's language says it)
    assert re.search(rf"^\W*{zone.land.name}[:：]\s?20 件红牌、\d+ 件黄牌", first), first[:80]
    assert "https://mashang.example.gov.cn/supervision/notices/?unit=ZR&acknowledged=no" in first
    last = max(max(times) for times in platforms.sent_at.values())
    with capsys.disabled():
        print(
            f"\n[#18] {platform}: 1000 notices in {len(platforms.received)} messages; last delivered "
            f"{last - T0.timestamp():.0f} s (simulated) after the sweep; {elapsed:.1f} s real"
        )


def test_a_red_card_goes_at_once_and_a_reminder_waits_for_the_window(zone, platforms, clock, settings):
    robot = make_robots(platforms, unit=zone.land).wecom
    _sweep(robot, 1, level=2)  # a reminder: held for the window
    assert notification_deliver_due(at=T0).sent == 0 and platforms.received == []
    with transaction.atomic():
        notifications_enqueue([_notice(7, robot=robot, level=0)])  # a red card
    assert notification_deliver_due(at=T0).sent == 2  # the red card at once, the reminder with it
    (digest,) = platforms.received
    assert digest.text.index("D2026-00007") < digest.text.index("D2026-00000")
    assert "1 件红牌、1 件即将超期" in digest.text
    # Alone, a red card goes in its own format, at once.
    with transaction.atomic():
        notifications_enqueue([_notice(8, robot=robot, level=0)])
    clock.advance(5)
    assert notification_deliver_due(at=clock.now).sent == 1
    assert platforms.received[-1].text.startswith("**红牌：诉求 D2026-00008**")
    # A reminder alone goes when its window is over, in its own format.
    with transaction.atomic():
        notifications_enqueue([_notice(9, robot=robot, level=2, at=clock.now)])
    assert notification_deliver_due(at=clock.now + timedelta(seconds=59)).sent == 0
    assert notification_deliver_due(at=clock.now + timedelta(seconds=settings.MASHANG_NOTIFY_DIGEST_SECONDS)).sent == 1


def test_a_wrong_key_is_dead_after_its_attempts(zone, platforms, clock, settings):
    robot = make_robots(platforms, unit=zone.land).wecom
    robot.webhook_url = robot.webhook_url.replace("key=", "key=revoked-")
    robot.save()
    _sweep(robot, 30, level=1)
    _deliver_until_done(clock, step=30, horizon=6 * 3600)
    rows = Notification.objects.all()
    assert {r.status for r in rows} == {DeliveryStatus.DEAD}
    assert {r.attempts for r in rows} == {settings.MASHANG_NOTIFY_MAX_ATTEMPTS}
    assert rows[0].last_error.startswith("errcode 93000")
    assert platforms.rate_refused == 0 and platforms.received == []


def test_too_fast_pauses_the_robot_without_counting_an_attempt(zone, platforms, clock):
    robots = make_robots(platforms, unit=zone.land)
    # Someone else posted through the same robot: the platform's minute is full already.
    platforms.sent_at["dingtalk:dingtalk-token"] = [clock() - 1] * 20
    _sweep(robots.dingtalk, 3, level=0)
    result = notification_deliver_due(at=T0)
    assert result.sent == 0 and result.retrying == 0 and result.dead == 0
    pace = RobotPace.objects.get(robot=robots.dingtalk)
    assert pace.paused_until == T0 + timedelta(minutes=10)
    assert next_send_at(pace, robot_limits(robots.dingtalk), T0) == T0 + timedelta(minutes=10)
    assert {(r.status, r.attempts) for r in Notification.objects.all()} == {(DeliveryStatus.PENDING, 0)}
    # DingTalk keeps refusing for ten minutes: nothing is sent before, all of it after.
    clock.advance(599)
    assert notification_deliver_due(at=clock.now).claimed == 0
    clock.advance(1)
    assert notification_deliver_due(at=clock.now).sent == 3
    assert platforms.rate_refused == 1 and len(platforms.received) == 1


def test_a_robot_may_be_slower_than_its_platform(zone, platforms, clock):
    robot = make_robots(platforms, unit=zone.land).wecom
    robot.per_minute = 2
    robot.save()
    for i in range(5):  # five red cards, one a pass: each at once, but two a minute
        with transaction.atomic():
            notifications_enqueue([_notice(100 + i, robot=robot, level=0)])
        notification_deliver_due(at=clock.now)
    _deliver_until_done(clock)
    assert len(platforms.received) == 3 and platforms.rate_refused == 0
    (key,) = platforms.sent_at
    assert platforms.most_in_window(key, 60) <= 2


def test_the_outbox_page_shows_each_robot(zone, platforms, clock, admin_client):
    robot = make_robots(platforms, unit=zone.land).wecom
    _sweep(robot, 3, level=1)
    page = admin_client.get("/admin/notify/chatrobot/")
    assert page.status_code == 200
    html = page.content.decode()
    row = html[html.index(robot.name):]
    row = row[: row.index("</tr>")]
    # waiting 3, sent 0, dead 0; it may send now
    assert re.findall(r'field-(?:waiting|sent|dead)">(\d+)<', row) == ["3", "0", "0"], row


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (set DATABASE_URL=postgresql://…)")
def test_two_workers_keep_one_shared_limit(platforms, clock):
    unit = Unit.objects.create(name="自然资源分局", code="ZR")
    robots = make_robots(platforms, unit=unit)
    _sweep(robots.wecom, 1000)
    # And 30 dispatches, never digested: each alone, sharing the same limit.
    with transaction.atomic():
        notifications_enqueue(
            [
                OutboxMessage(
                    kind="demand.dispatched", subject=f"诉求 D2026-{1000 + i:05d} 已派至本单位",
                    body="", robots=[robots.wecom], dedupe_key=f"dispatch:{i}", at=T0,
                )
                for i in range(30)
            ]
        )
    _deliver_until_done(clock, workers=2)
    assert platforms.problems == [] and platforms.rate_refused == 0
    (key,) = platforms.sent_at
    assert platforms.most_in_window(key, 60) <= 20
    assert sorted(_named(platforms)) == sorted(f"D2026-{i:05d}" for i in range(1030))
    assert not Notification.objects.exclude(status=DeliveryStatus.SENT).exists()
