"""The inbox: each person reads their own messages and nobody else's, on the API and the page."""

from __future__ import annotations

import pytest
from django.db import transaction

from mashang.notify.models import Notification
from mashang.notify.services import notification_enqueue
from tests.kit.notify import T0


def _message(user, key: str, subject: str = "诉求已答复", link: str = "/demands/1/") -> Notification:
    with transaction.atomic():
        (row,) = notification_enqueue(
            kind="demand.replied", subject=subject, body="请确认并评价。", link=link, recipients=[user],
            dedupe_key=key, at=T0,
        )
    return row


@pytest.fixture
def messages(zone):
    return {
        "mine_old": _message(zone.contact, "m1"),
        "mine_new": _message(zone.contact, "m2", subject="<script>alert(1)</script>"),
        "theirs": _message(zone.other_contact, "t1"),
    }


def test_the_inbox_lists_only_ones_own_messages_newest_first_with_the_unread_count(zone, messages, api):
    client = api("ent-a")
    body = client.get("/api/v1/inbox").json()
    assert body["count"] == 2 and body["unread"] == 2
    assert [r["id"] for r in body["results"]] == [messages["mine_new"].pk, messages["mine_old"].pk]
    assert body["results"][0]["subject"] == "<script>alert(1)</script>"
    assert body["results"][1]["link"] == "/demands/1/" and body["results"][1]["read_at"] is None
    assert api("ent-b").get("/api/v1/inbox").json()["count"] == 1


def test_reading_a_message_marks_it_and_anothers_is_not_found(zone, messages, api):
    client = api("ent-a")
    response = client.post(f"/api/v1/inbox/{messages['mine_old'].pk}/read")
    assert response.status_code == 200 and response.json()["read_at"] is not None
    first_read = response.json()["read_at"]
    assert client.post(f"/api/v1/inbox/{messages['mine_old'].pk}/read").json()["read_at"] == first_read
    assert client.get("/api/v1/inbox").json()["unread"] == 1
    assert client.get("/api/v1/inbox", unread="true").json()["count"] == 1

    other = client.post(f"/api/v1/inbox/{messages['theirs'].pk}/read")
    assert other.status_code == 404 and other.json()["message"]
    assert Notification.objects.get(pk=messages["theirs"].pk).read_at is None
    assert client.post("/api/v1/inbox/999999/read").status_code == 404

    marked = client.post("/api/v1/inbox/read-all").json()
    assert marked == {"marked": 1, "unread": 0}
    assert Notification.objects.get(pk=messages["theirs"].pk).read_at is None


def test_the_inbox_needs_a_signed_in_person(db, api):
    assert api(None).get("/api/v1/inbox").status_code == 401


def test_the_inbox_page_escapes_user_text_and_opens_the_link(zone, messages, client):
    client.force_login(zone.contact)
    page = client.get("/inbox/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert(1)" not in html
    response = client.post(f"/inbox/{messages['mine_old'].pk}/read/", {"open": "1"})
    assert response.status_code == 302 and response["Location"] == "/demands/1/"
    assert Notification.objects.get(pk=messages["mine_old"].pk).read_at is not None
    assert client.post(f"/inbox/{messages['theirs'].pk}/read/").status_code == 404
    assert client.post("/inbox/read-all/").status_code == 302
    assert Notification.objects.filter(recipient=zone.contact, read_at__isnull=True).count() == 0


def test_the_inbox_page_needs_sign_in(db, client):
    response = client.get("/inbox/")
    assert response.status_code == 302 and "/login/" in response["Location"]
