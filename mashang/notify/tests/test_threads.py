"""The inbox grouped by topic (a demand's messages are one thread), the unread count in the
navigation, reading a thread at once, and each person's choice of channels."""

from __future__ import annotations

import importlib
import re

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from mashang.audit.models import Event
from mashang.notify.models import Channel, ChatRobot, DeliveryStatus, Notification, Platform
from mashang.notify.recipients import Audience
from mashang.notify.selectors import inbox_threads, inbox_unread_count
from mashang.notify.services import inbox_mark_topic_read, messages_fan_out, notification_enqueue
from mashang.org.models import User
from tests.kit.factories import UserFactory
from tests.kit.notify import T0

pytestmark = pytest.mark.usefixtures("no_inline")


def _rows(user, topic: str, count: int, *, start: int = 0, read: bool = False) -> None:
    """``count`` inbox rows for ``user`` about ``topic`` (written directly: many, fast)."""
    Notification.objects.bulk_create(
        [
            Notification(
                kind="demand.replied",
                channel=Channel.INBOX,
                recipient=user,
                subject=f"{topic or 'alone'} #{i}",
                body="",
                link="/demands/1/",
                topic=topic,
                dedupe_key=f"{user.pk}:{topic}:{i}",
                status=DeliveryStatus.SENT,
                created_at=T0,
                read_at=T0 if read else None,
            )
            for i in range(start, start + count)
        ]
    )


def _threads(html: str) -> list[tuple[str, str]]:
    """(topic, unread) of each thread row on the inbox page, top first."""
    return re.findall(r'class="card inbox-item inbox-thread[^"]*" data-topic="([^"]*)" data-unread="(\d+)"', html)


def test_the_inbox_shows_one_row_per_topic_newest_first_with_its_unread_count(zone, client):
    _rows(zone.contact, "demand:1", 3)
    _rows(zone.contact, "", 2)  # two messages without a topic: a row each
    _rows(zone.contact, "demand:2", 2, read=True)
    _rows(zone.contact, "demand:1", 1, start=3)  # demand 1 has the newest message
    _rows(zone.other_contact, "demand:3", 5)
    client.force_login(zone.contact)
    html = client.get("/inbox/").content.decode()
    assert _threads(html) == [("demand:1", "4"), ("demand:2", "0"), ("", "1"), ("", "1")]
    assert "demand:1 #3" in html and "demand:1 #0" not in html  # the thread shows its latest message
    assert 'id="inbox-unread"' in html

    only_unread = client.get("/inbox/?unread=1").content.decode()
    assert [t for t, _ in _threads(only_unread)] == ["demand:1", "", ""]

    thread = client.get("/inbox/?topic=demand:1").content.decode()
    assert all(f"demand:1 #{i}" in thread for i in range(4)) and "demand:2" not in thread


def test_opening_a_thread_from_the_inbox_reads_all_its_messages(zone, client):
    _rows(zone.contact, "demand:1", 3)
    _rows(zone.contact, "demand:2", 2)
    latest = Notification.objects.filter(topic="demand:1").order_by("-id").first()
    client.force_login(zone.contact)
    response = client.post(f"/inbox/{latest.pk}/read/", {"open": "1"})
    assert response.status_code == 302 and response["Location"] == "/demands/1/"
    assert inbox_unread_count(actor=zone.contact) == 2
    assert not Notification.objects.filter(topic="demand:1", read_at__isnull=True).exists()


def test_marking_a_topic_read_touches_only_that_persons_rows_of_that_topic(zone):
    _rows(zone.contact, "demand:1", 3)
    _rows(zone.contact, "demand:2", 1)
    _rows(zone.other_contact, "demand:1", 2)
    assert inbox_mark_topic_read(actor=zone.contact, topic="demand:1") == 3
    assert inbox_unread_count(actor=zone.contact) == 1
    assert inbox_unread_count(actor=zone.other_contact) == 2
    assert inbox_mark_topic_read(actor=zone.contact, topic="") == 0


def _page_queries(client) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/inbox/").status_code == 200
    return len(queries), [q["sql"] for q in queries.captured_queries]


def test_the_grouped_inbox_takes_the_same_queries_with_700_unread(zone, client):
    _rows(zone.contact, "demand:1", 2)
    _rows(zone.contact, "demand:2", 1)
    client.force_login(zone.contact)
    few, _sql = _page_queries(client)

    _rows(zone.contact, "demand:1", 700, start=2)
    _rows(zone.contact, "", 30)
    for d in range(3, 40):
        _rows(zone.contact, f"demand:{d}", 3)
    many, sql = _page_queries(client)
    assert many == few
    reads = [s for s in sql if "notify_notification" in s]
    # Grouped in the database: one grouped query for the page, one count of threads, one for
    # the page's latest messages, the unread counts (page header and navigation); no per-row query.
    assert sum("GROUP BY" in s for s in reads) >= 1
    assert len(reads) <= 5
    html = client.get("/inbox/").content.decode()
    threads = _threads(html)
    assert len(threads) == 20 and threads[0] == ("demand:39", "3")
    assert client.get("/inbox/?page=2").status_code == 200
    page_count = inbox_threads(actor=zone.contact).count()
    assert page_count == 2 + 30 + 37


def test_the_navigation_shows_the_unread_count_and_it_falls_as_threads_are_read(zone, client):
    _rows(zone.contact, "demand:1", 3)
    _rows(zone.contact, "demand:2", 2)
    client.force_login(zone.contact)

    def badge() -> str | None:
        found = re.search(r'id="nav-inbox-unread"[^>]*>(\d+)<', client.get("/inbox/settings/").content.decode())
        return found.group(1) if found else None

    assert badge() == "5"
    inbox_mark_topic_read(actor=zone.contact, topic="demand:1")
    assert badge() == "2"
    inbox_mark_topic_read(actor=zone.contact, topic="demand:2")
    assert badge() is None  # nothing unread: no badge


def test_no_count_for_a_visitor_who_is_not_signed_in(db, client):
    html = client.get("/login/").content.decode()
    assert "nav-inbox" not in html


# --- channels each person chooses -------------------------------------------------------------


def _tell(audience: Audience, key: str) -> None:
    with transaction.atomic():
        notification_enqueue(kind="demand.replied", subject="诉求已答复", body="", audience=audience, dedupe_key=key,
                             topic="demand:1")


@pytest.fixture
def email_on(settings):
    settings.MASHANG_NOTIFY_EMAIL = True
    return settings


@pytest.mark.parametrize("fan_out", ["inline", "worker"])
def test_a_person_who_turned_email_off_gets_the_inbox_only(zone, email_on, client, fan_out):
    email_on.MASHANG_NOTIFY_FAN_OUT = fan_out
    colleague = UserFactory(username="ent-a2", role=User.Role.ENTERPRISE, enterprise=zone.enterprise,
                            email="a2@example.com")
    zone.contact.email = "a@example.com"
    zone.contact.save()
    client.force_login(zone.contact)
    assert client.post("/inbox/settings/", {}).status_code == 302  # the e-mail box left unticked
    _tell(Audience.contacts(zone.enterprise.pk), "m1")
    messages_fan_out()
    rows = set(Notification.objects.values_list("recipient__username", "channel", "topic"))
    assert rows == {
        ("ent-a", Channel.INBOX, "demand:1"),
        ("ent-a2", Channel.INBOX, "demand:1"),
        ("ent-a2", Channel.EMAIL, "demand:1"),
    }
    assert colleague.pk  # untouched choice: e-mail stays on

    client.post("/inbox/settings/", {"email": "on"})
    _tell(Audience.contacts(zone.enterprise.pk), "m2")
    messages_fan_out()
    assert Notification.objects.filter(recipient=zone.contact, channel=Channel.EMAIL).count() == 1


def _robot(name: str, unit) -> ChatRobot:
    return ChatRobot.objects.create(name=name, platform=Platform.WECOM, webhook_url="http://127.0.0.1:9/x", unit=unit)


def test_a_unit_head_stops_the_units_work_group_and_it_gets_no_messages(zone, client):
    head = UserFactory(username="head-zrzy", role=User.Role.UNIT_HEAD, unit=zone.land)
    group = _robot("自然资源工作群", zone.land)
    other = _robot("住建工作群", zone.housing)
    client.force_login(head)
    page = client.get("/inbox/settings/").content.decode()
    assert "自然资源工作群" in page and "住建工作群" not in page

    assert client.post("/inbox/settings/", {"email": "on"}).status_code == 302  # the group unticked
    group.refresh_from_db()
    assert group.receives_messages is False
    assert Event.objects.filter(subject_type="chat_robot", subject_id=group.pk, action="stop-messages").exists()
    _tell(Audience.of_units([zone.land.pk, zone.housing.pk]), "m1")
    assert set(Notification.objects.filter(robot__isnull=False).values_list("robot__name", flat=True)) == {"住建工作群"}

    # Another unit's group is not theirs to choose.
    refused = client.post("/inbox/settings/", {"email": "on", "robots": [str(other.pk)]})
    assert refused.status_code == 422
    other.refresh_from_db()
    assert other.receives_messages is True

    client.post("/inbox/settings/", {"email": "on", "robots": [str(group.pk)]})
    _tell(Audience.of_units([zone.land.pk]), "m2")
    assert Notification.objects.filter(robot=group).count() == 1


def test_staff_and_enterprises_choose_no_work_group(zone, client):
    _robot("自然资源工作群", zone.land)
    for person in (zone.land_staff, zone.contact):
        client.force_login(person)
        page = client.get("/inbox/settings/").content.decode()
        assert "自然资源工作群" not in page and 'name="email"' in page


def test_messages_written_before_topics_get_their_demands_topic(zone):
    _rows(zone.contact, "", 3)
    Notification.objects.filter(subject="alone #0").update(payload={"demand": 7, "number": "SQ-1"})
    Notification.objects.filter(subject="alone #1").update(payload={"run": 2})
    migration = importlib.import_module("mashang.notify.migrations.0003_topic")
    migration.topics_from_payload(apps, None)
    assert dict(Notification.objects.values_list("subject", "topic")) == {
        "alone #0": "demand:7",
        "alone #1": "",
        "alone #2": "",
    }
