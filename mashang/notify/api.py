"""The signed-in person's inbox: ``GET /inbox`` and ``POST /inbox/{id}/read``."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema
from pydantic import Field

from mashang.notify.models import Notification
from mashang.notify.selectors import inbox_list, inbox_unread_count
from mashang.notify.services import inbox_mark_all_read, inbox_mark_read

router = Router(tags=["inbox"])


class InboxItem(Schema):
    id: int
    kind: str
    subject: str
    body: str
    link: str
    topic: str
    created_at: datetime
    read_at: datetime | None


class InboxPage(Schema):
    count: int
    unread: int
    page: int
    page_size: int
    results: list[InboxItem]


class InboxQuery(Schema):
    unread: bool = False
    page: int = Field(default=1, ge=1, le=100000)
    page_size: int = Field(default=20, ge=1, le=100)


class MarkedAll(Schema):
    marked: int
    unread: int


def _item(n: Notification) -> dict:
    return {
        "id": n.pk,
        "kind": n.kind,
        "subject": n.subject,
        "body": n.body,
        "link": n.link,
        "topic": n.topic,
        "created_at": timezone.localtime(n.created_at),
        "read_at": timezone.localtime(n.read_at) if n.read_at else None,
    }


@router.get("/inbox", response=InboxPage)
def inbox_index(request: HttpRequest, q: Query[InboxQuery]):
    """Your messages, newest first, with how many are unread. `unread=true` lists only those."""
    qs = inbox_list(actor=request.user, unread_only=q.unread)
    start = (q.page - 1) * q.page_size
    return {
        "count": qs.count(),
        "unread": inbox_unread_count(actor=request.user),
        "page": q.page,
        "page_size": q.page_size,
        "results": [_item(n) for n in qs[start : start + q.page_size]],
    }


@router.post("/inbox/read-all", response=MarkedAll)
def inbox_read_all(request: HttpRequest):
    """Mark every message of yours read."""
    marked = inbox_mark_all_read(actor=request.user)
    return {"marked": marked, "unread": inbox_unread_count(actor=request.user)}


@router.post("/inbox/{notification_id}/read", response=InboxItem)
def inbox_read(request: HttpRequest, notification_id: int):
    """Mark one message of yours read, with the other messages of its topic (the same demand);
    another person's message is not found (404)."""
    return _item(inbox_mark_read(actor=request.user, notification_id=notification_id))
