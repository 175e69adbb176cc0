"""Delivering the outbox: each platform's format and signature, retries with backoff, dead
letters and their requeue, and every message exactly once after a webhook comes back."""

from __future__ import annotations

import random
import threading
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection, transaction

from mashang.core.errors import PermissionDenied
from mashang.notify import services
from mashang.notify.channels import dingtalk, feishu
from mashang.notify.channels.base import markdown_text, message_ref
from mashang.notify.models import Channel, DeliveryStatus, Notification
from mashang.notify.services import (
    notification_deliver_due,
    notification_enqueue,
    notification_requeue,
    retry_delay,
)
from mashang.org.models import User
from tests.kit.factories import UserFactory
from tests.kit.notify import DINGTALK_SECRET, FEISHU_SECRET, T0, SimClock, make_robots

pytestmark = pytest.mark.usefixtures("no_inline")


def _enqueue(robots, key: str, *, subject: str = "诉求已派至本单位", body: str = "请尽快联系企业。", **kw):
    with transaction.atomic():
        return notification_enqueue(
            kind="test.message", subject=subject, body=body, link="/demands/7/", robots=robots,
            dedupe_key=key, at=T0, **kw,
        )


def _due_at() -> list:
    return sorted(
        Notification.objects.filter(status__in=["pending", "retrying"]).values_list("next_attempt_at", flat=True)
    )


# --- the backoff schedule -----------------------------------------------------------------------


def test_backoff_doubles_from_30_seconds_to_at_most_an_hour_with_jitter():
    rng = random.Random(2026)
    nominal = [30, 60, 120, 240, 480, 960, 1920, 3600, 3600, 3600]
    for attempts, seconds in enumerate(nominal, start=1):
        delay = retry_delay(attempts, rng=rng, base=30, cap=3600).total_seconds()
        assert seconds * 0.9 <= delay <= min(seconds * 1.1, 3600), (attempts, delay)
    # The same seed gives the same schedule; jitter spreads messages failing together.
    again = [retry_delay(n, rng=random.Random(5)) for n in (1, 2, 3)]
    assert again == [retry_delay(n, rng=random.Random(5)) for n in (1, 2, 3)]
    spread = {retry_delay(1, rng=rng).total_seconds() for _ in range(20)}
    assert len(spread) > 10


def test_a_failed_attempt_waits_its_backoff(zone, robots, platforms):
    platforms.set("500")
    (row,) = _enqueue([robots.wecom], "backoff")
    rng = random.Random(1)
    expected = [retry_delay(n, rng=random.Random(1)) for n in (1,)]
    result = notification_deliver_due(at=T0, rng=rng)
    assert (result.claimed, result.sent, result.retrying, result.dead) == (1, 0, 1, 0)
    row.refresh_from_db()
    assert row.status == DeliveryStatus.RETRYING and row.attempts == 1
    assert row.last_error == "HTTP 500"
    assert row.next_attempt_at == T0 + expected[0]
    # Not due before its time.
    assert notification_deliver_due(at=row.next_attempt_at - timedelta(seconds=1)).claimed == 0
    assert notification_deliver_due(at=row.next_attempt_at, rng=rng).retrying == 1
    row.refresh_from_db()
    assert row.attempts == 2
    assert timedelta(seconds=54) <= row.next_attempt_at - (T0 + expected[0]) <= timedelta(seconds=66)


# --- the platforms' formats and signatures ------------------------------------------------------


def test_each_platform_gets_its_own_format_correctly_signed(zone, robots, platforms, settings):
    settings.MASHANG_BASE_URL = "https://mashang.example.gov.cn"
    rows = _enqueue(robots.all(), "formats", body="企业：甲企业有限公司\n首次联系期限：2026-10-12 10:00")
    result = notification_deliver_due(at=T0)
    assert result.sent == 3 and platforms.problems == []
    got = {r.platform: r for r in platforms.received}
    assert set(got) == {"wecom", "dingtalk", "feishu"}
    wecom = got["wecom"].body
    assert wecom["msgtype"] == "markdown"
    assert "(https://mashang.example.gov.cn/demands/7/)" in wecom["markdown"]["content"]
    ding = got["dingtalk"].body
    assert ding["markdown"]["title"] == "诉求已派至本单位"
    assert "首次联系期限：2026-10-12 10:00" in ding["markdown"]["text"]
    fs = got["feishu"].body
    lines = fs["content"]["post"]["zh_cn"]["content"]
    assert [{"tag": "a", "text": lines[-2][0]["text"], "href": "https://mashang.example.gov.cn/demands/7/"}] in lines
    for row in rows:
        assert platforms.count_containing(message_ref(row)) == 1


def test_signatures_match_the_platforms_published_recipes():
    # DingTalk: HMAC-SHA256 keyed with the secret over "timestamp\nsecret", base64, URL-encoded.
    url = dingtalk.signed_url("https://oapi.dingtalk.com/robot/send?access_token=t", DINGTALK_SECRET, 1700000000000)
    assert url.startswith("https://oapi.dingtalk.com/robot/send?access_token=t&timestamp=1700000000000&sign=")
    assert "%" in url.rsplit("sign=", 1)[1] or "+" not in url  # URL-encoded base64
    assert dingtalk.signed_url("https://x/robot/send", "", 1) == "https://x/robot/send"
    # Feishu: HMAC-SHA256 keyed with "timestamp\nsecret" over an empty message, base64.
    assert feishu.sign(FEISHU_SECRET, 1700000000) == feishu.sign(FEISHU_SECRET, 1700000000)
    assert feishu.sign(FEISHU_SECRET, 1700000000) != feishu.sign(FEISHU_SECRET, 1700000001)


def test_a_wrong_secret_is_refused_by_the_platform_and_retried(zone, robots, platforms):
    robots.dingtalk.secret = "SECnot-the-right-one"
    robots.dingtalk.save()
    robots.feishu.secret = "wrong"
    robots.feishu.save()
    _enqueue([robots.dingtalk, robots.feishu], "badsign")
    result = notification_deliver_due(at=T0)
    assert result.retrying == 2 and result.sent == 0
    errors = sorted(Notification.objects.values_list("last_error", flat=True))
    assert errors[0].startswith("code 19021") and errors[1].startswith("errcode 310000")


def test_user_text_cannot_become_markup_in_a_chat_group(zone, robots, platforms, settings):
    settings.MASHANG_BASE_URL = "https://mashang.example.gov.cn"
    nasty = '[点我领奖](http://spam.example) <font color="warning">假通知</font> **粗** # 标题'
    _enqueue(robots.all(), "nasty", subject=nasty, body=nasty + "\n- 列表\n1. 编号")
    notification_deliver_due(at=T0)
    assert platforms.problems == []
    got = {r.platform: r for r in platforms.received}
    # DingTalk's title is plain text in the conversation list; the markdown is the text.
    for text in (got["wecom"].body["markdown"]["content"], got["dingtalk"].body["markdown"]["text"]):
        assert "](http://spam.example)" not in text and "<font" not in text.replace('<font color="comment">', "")
        assert "**粗**" not in text
        assert "［点我领奖］（http://spam.example）" in text
    # Feishu takes text elements, never interpreted: the text arrives as typed.
    assert nasty in got["feishu"].text
    assert markdown_text("- a\n2. b\nok") == "\u200b- a\n\u200b2. b\nok"


# --- failures -----------------------------------------------------------------------------------


def test_a_platform_error_code_and_a_timeout_are_failures(zone, robots, platforms, settings):
    platforms.set("errcode")
    (row,) = _enqueue([robots.wecom], "errcode")
    assert notification_deliver_due(at=T0).retrying == 1
    row.refresh_from_db()
    assert row.last_error.startswith("errcode -1")

    settings.MASHANG_NOTIFY_HTTP_TIMEOUT = 1
    platforms.set("slow")
    platforms.slow_seconds = 1.6
    assert notification_deliver_due(at=row.next_attempt_at).retrying == 1
    row.refresh_from_db()
    assert row.attempts == 2 and "timed out" in row.last_error


def test_a_removed_robot_or_address_is_dead_at_once(zone, robots, platforms, settings):
    settings.MASHANG_NOTIFY_EMAIL = True
    person = UserFactory(username="mail", email="m@example.gov.cn")
    _enqueue([robots.wecom], "gone", recipients=[person])
    robots.wecom.is_active = False
    robots.wecom.save()
    person.email = ""
    person.save()
    result = notification_deliver_due(at=T0)
    assert (result.claimed, result.dead) == (2, 2)
    assert platforms.hits == 0


def test_email_carries_the_link_and_a_stable_message_id(zone, settings):
    settings.MASHANG_NOTIFY_EMAIL = True
    settings.MASHANG_BASE_URL = "https://mashang.example.gov.cn"
    person = UserFactory(username="mail", email="m@example.gov.cn")
    rows = _enqueue([], "mail", recipients=[person], body="<b>不是 HTML</b>")
    email_row = next(r for r in rows if r.channel == Channel.EMAIL)
    assert notification_deliver_due(at=T0).sent == 1
    (message,) = mail.outbox
    assert message.to == ["m@example.gov.cn"] and message.subject == "诉求已派至本单位"
    assert "https://mashang.example.gov.cn/demands/7/" in message.body
    assert "<b>不是 HTML</b>" in message.body and message.content_subtype == "plain"
    assert message.extra_headers["Message-ID"].startswith("<notify-")
    assert message_ref(email_row) in message.body


# --- down for a while, then back: every message exactly once -----------------------------------


def test_a_webhook_down_for_a_while_gets_every_message_exactly_once(zone, robots, platforms):
    rows = []
    # Five each: Feishu takes at most five a second from a robot, and each pass sends them all.
    for i in range(5):
        rows += _enqueue(robots.all(), f"outage:{i}", subject=f"第 {i} 条消息")
    assert len(rows) == 15
    rng = random.Random(42)
    at = T0
    # Down: first answering 500, then not even accepting connections.
    for mode, passes in (("500", 3), ("refused", 3)):
        platforms.set(mode)
        for _ in range(passes):
            result = notification_deliver_due(at=at, rng=rng)
            assert result.sent == 0 and result.dead == 0 and result.retrying == result.claimed
            at = max(_due_at())  # the next pass when every message is due again
    assert Notification.objects.filter(status=DeliveryStatus.RETRYING, attempts=6).count() == 15
    assert platforms.received == []
    # Back up: a few passes deliver everything, once.
    platforms.set("up")
    while _due_at():
        notification_deliver_due(at=max(at, _due_at()[0]), rng=rng)
        at = max(at, _due_at()[0]) if _due_at() else at
    assert Notification.objects.filter(status=DeliveryStatus.SENT).count() == 15
    assert platforms.problems == []
    assert platforms.per_platform() == {"wecom": 5, "dingtalk": 5, "feishu": 5}
    for row in rows:
        assert platforms.count_containing(message_ref(row)) == 1, row.dedupe_key
    # More passes send nothing again.
    assert notification_deliver_due(at=at + timedelta(days=1)).claimed == 0
    assert len(platforms.received) == 15


# --- dead letters and their requeue --------------------------------------------------------------


def test_dead_after_the_last_attempt_then_requeued_from_the_admin(zone, robots, platforms, settings, client):
    settings.MASHANG_NOTIFY_MAX_ATTEMPTS = 3
    platforms.set("500")
    (row,) = _enqueue([robots.feishu], "dead")
    at = T0
    outcomes = []
    for _ in range(3):
        result = notification_deliver_due(at=at)
        outcomes.append((result.retrying, result.dead))
        row.refresh_from_db()
        at = row.next_attempt_at or at
    assert outcomes == [(1, 0), (1, 0), (0, 1)]
    assert (row.status, row.attempts, row.next_attempt_at) == (DeliveryStatus.DEAD, 3, None)
    assert notification_deliver_due(at=at + timedelta(days=1)).claimed == 0

    # An officer may not requeue; an administrator sees it in the filtered list and may.
    with pytest.raises(PermissionDenied):
        notification_requeue(actor=zone.officer, notification_ids=[row.pk])
    admin = UserFactory(username="root", role=User.Role.ADMIN, is_staff=True, is_superuser=True)
    client.force_login(admin)
    page = client.get("/admin/notify/notification/", {"status__exact": "dead"})
    assert page.status_code == 200 and f"/admin/notify/notification/{row.pk}/change/" in page.content.decode()
    response = client.post(
        "/admin/notify/notification/", {"action": "requeue", "_selected_action": [row.pk]}, follow=True
    )
    assert response.status_code == 200
    row.refresh_from_db()
    assert (row.status, row.attempts) == (DeliveryStatus.PENDING, 0)
    from mashang.audit.models import Event

    assert Event.objects.filter(subject_type="notification", subject_id=row.pk, action="requeue").count() == 1

    platforms.set("up")
    assert notification_deliver_due(at=row.next_attempt_at).sent == 1
    assert platforms.count_containing(message_ref(row)) == 1


# --- a worker that dies ----------------------------------------------------------------------------


def test_a_message_taken_by_a_worker_that_died_is_sent_after_its_lease(zone, robots, platforms, settings):
    (row,) = _enqueue([robots.wecom], "lease")
    services._claim(at=T0, limit=10)  # taken, then the worker died before sending
    assert notification_deliver_due(at=T0 + timedelta(minutes=4)).claimed == 0
    lease_end = T0 + timedelta(seconds=settings.MASHANG_NOTIFY_LEASE_SECONDS)
    assert notification_deliver_due(at=lease_end).sent == 1
    row.refresh_from_db()
    assert row.status == DeliveryStatus.SENT and row.attempts == 2
    assert platforms.count_containing(message_ref(row)) == 1


def test_at_least_once_a_crash_between_send_and_mark_resends_the_same_reference(
    zone, robots, platforms, settings, monkeypatch
):
    (row,) = _enqueue([robots.dingtalk], "crash")
    real_finish = services._finish

    def crash(*args, **kwargs):
        raise SystemExit("worker killed")

    monkeypatch.setattr(services, "_finish", crash)
    with pytest.raises(SystemExit):
        notification_deliver_due(at=T0)
    monkeypatch.setattr(services, "_finish", real_finish)
    lease_end = T0 + timedelta(seconds=settings.MASHANG_NOTIFY_LEASE_SECONDS)
    assert notification_deliver_due(at=lease_end).sent == 1
    # Sent twice (the platform took the first copy), both with the same reference.
    assert platforms.count_containing(message_ref(row)) == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_workers_never_send_a_message_twice(zone, platforms, no_inline):
    platforms.clock = clock = SimClock(T0)  # the platforms' limits count on the passes' time
    robots = make_robots(platforms)
    rows = []
    for i in range(20):
        rows += _enqueue(robots.all(), f"race:{i}")
    errors = []

    def worker():
        try:
            notification_deliver_due(at=T0, limit=100)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    # Feishu takes five a second from one robot: the rest go in the seconds after.
    assert Notification.objects.filter(status=DeliveryStatus.SENT).count() == 45
    for _ in range(9):
        notification_deliver_due(at=clock.advance(2))
    assert Notification.objects.filter(status=DeliveryStatus.SENT).count() == 60
    assert platforms.rate_refused == 0
    for row in rows:
        assert platforms.count_containing(message_ref(row)) == 1
