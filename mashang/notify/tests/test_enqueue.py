"""Writing to the outbox: in the change's transaction, one row per person × channel and per
robot, never twice for the same logical message."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from mashang.notify.models import Channel, DeliveryStatus, Notification
from mashang.notify.services import OutboxMessage, notification_enqueue, notifications_enqueue
from tests.kit.factories import UserFactory
from tests.kit.notify import T0


def _enqueue(**kwargs):
    defaults = dict(kind="test.hello", subject="你好", body="正文", link="/demands/1/", dedupe_key="test:1", at=T0)
    return notification_enqueue(**{**defaults, **kwargs})


def test_one_inbox_row_per_person_and_one_row_per_robot(zone, robots):
    rows = _enqueue(recipients=[zone.land_staff, zone.housing_staff, zone.land_staff], robots=robots.all())
    assert sorted((r.channel, r.recipient_id or r.robot_id) for r in rows) == sorted(
        [
            (Channel.INBOX, zone.land_staff.pk),
            (Channel.INBOX, zone.housing_staff.pk),
            (Channel.WECOM, robots.wecom.pk),
            (Channel.DINGTALK, robots.dingtalk.pk),
            (Channel.FEISHU, robots.feishu.pk),
        ]
    )
    inbox = [r for r in rows if r.channel == Channel.INBOX]
    # The inbox row is the message: delivered when the change commits.
    assert all(r.status == DeliveryStatus.SENT and r.sent_at == T0 for r in inbox)
    chat = [r for r in rows if r.channel != Channel.INBOX]
    assert all(r.status == DeliveryStatus.PENDING and r.next_attempt_at == T0 for r in chat)
    assert all(r.attempts == 0 for r in rows)


def test_email_only_when_switched_on_and_the_person_has_an_address(zone, settings):
    with_mail = UserFactory(username="mailer", email="mailer@example.gov.cn")
    settings.MASHANG_NOTIFY_EMAIL = False
    assert {r.channel for r in _enqueue(recipients=[with_mail], dedupe_key="a")} == {Channel.INBOX}
    settings.MASHANG_NOTIFY_EMAIL = True
    rows = _enqueue(recipients=[with_mail, zone.officer], dedupe_key="b")
    assert sorted((r.channel, r.recipient_id) for r in rows) == sorted(
        [(Channel.INBOX, with_mail.pk), (Channel.EMAIL, with_mail.pk), (Channel.INBOX, zone.officer.pk)]
    )


def test_inactive_people_and_robots_get_nothing(zone, robots):
    zone.land_staff.is_active = False
    zone.land_staff.save()
    robots.wecom.is_active = False
    robots.wecom.save()
    rows = _enqueue(recipients=[zone.land_staff, zone.housing_staff], robots=[robots.wecom, robots.feishu])
    assert {(r.channel, r.recipient_id or r.robot_id) for r in rows} == {
        (Channel.INBOX, zone.housing_staff.pk),
        (Channel.FEISHU, robots.feishu.pk),
    }


def test_the_same_message_twice_is_one_row_each(zone, robots):
    first = _enqueue(recipients=[zone.land_staff], robots=[robots.dingtalk])
    again = _enqueue(recipients=[zone.land_staff, zone.housing_staff], robots=[robots.dingtalk])
    assert len(first) == 2
    # Only the new recipient's row is written the second time.
    assert [(r.channel, r.recipient_id) for r in again] == [(Channel.INBOX, zone.housing_staff.pk)]
    assert Notification.objects.filter(dedupe_key__startswith="test:1|").count() == 3
    assert _enqueue(recipients=[zone.land_staff, zone.housing_staff], robots=[robots.dingtalk]) == []


def test_user_text_is_kept_as_text(zone):
    (row,) = _enqueue(recipients=[zone.land_staff], subject="标题\n<b>粗</b>", body="<script>alert(1)</script>")
    assert row.subject == "标题 <b>粗</b>"
    assert row.body == "<script>alert(1)</script>"


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_it_refuses(zone):
    with pytest.raises(RuntimeError, match="inside the transaction"):
        _enqueue(recipients=[zone.land_staff])
    assert not Notification.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_change_leaves_no_message(zone, robots, no_inline):
    class Boom(Exception):
        pass

    with pytest.raises(Boom), transaction.atomic():
        _enqueue(recipients=[zone.land_staff], robots=robots.all())
        raise Boom
    assert not Notification.objects.exists()


def test_delivery_is_asked_for_after_the_commit_only_when_something_is_pending(
    zone, robots, django_capture_on_commit_callbacks, no_inline
):
    with django_capture_on_commit_callbacks() as callbacks:
        _enqueue(recipients=[zone.land_staff], dedupe_key="inbox-only")
    assert callbacks == []
    with django_capture_on_commit_callbacks() as callbacks:
        _enqueue(recipients=[zone.land_staff], robots=[robots.wecom], dedupe_key="with-robot")
    assert len(callbacks) == 1


def test_a_batch_of_messages_is_written_at_once_and_each_row_once(zone, robots):
    _enqueue(recipients=[zone.land_staff], dedupe_key="notice:0")  # written before, by itself
    people, chat = [zone.land_staff, zone.housing_staff], list(robots.all())
    messages = [
        OutboxMessage(kind="supervision.red", subject=f"红牌：第 {i} 件", body="正文", dedupe_key=f"notice:{i}",
                      recipients=people, robots=chat, at=T0)
        for i in range(40)
    ]
    with CaptureQueriesContext(connection) as queries:
        rows = notifications_enqueue(messages)
    statements = [q["sql"].split()[0] for q in queries.captured_queries]
    # The people, the robots, the keys already there, the rows written: one look-up each, not
    # one per message; the insert in as few statements as the database's parameter limit
    # allows (SQLite's is low).
    assert statements.count("SELECT") == 4
    assert 1 <= statements.count("INSERT") <= 5 and len(statements) <= 9
    # 40 messages × (2 people + 3 robots), less the one row of notice:0 written before.
    assert len(rows) == 40 * 5 - 1
    assert [r.pk for r in rows] == sorted(r.pk for r in rows)
    assert Notification.objects.filter(dedupe_key__startswith="notice:").count() == 200
    assert {r.subject for r in rows if r.dedupe_key.startswith("notice:7|")} == {"红牌：第 7 件"}
    assert notifications_enqueue(messages) == []
