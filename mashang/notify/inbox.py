"""The inbox's writes: a person marks their messages read, one thread (a topic) at a time or all.

A message with a topic ("demand:123") is read with the rest of its topic: opening it from the
inbox, or opening the demand it is about, marks every unread message of that topic in the
person's inbox read. A message without a topic is read alone.
"""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from mashang.notify.models import Channel, Notification
from mashang.notify.selectors import inbox_get
from mashang.org.models import User


def _unread_of(actor: User):
    return Notification.objects.filter(recipient=actor, channel=Channel.INBOX, read_at__isnull=True)


def inbox_mark_read(*, actor: User, notification_id: int, at: datetime | None = None) -> Notification:
    """Mark one of ``actor``'s inbox messages read, with the rest of its topic (again: each stays
    read at the first time)."""
    at = at or timezone.now()
    item = inbox_get(actor=actor, notification_id=notification_id)
    if item.topic:
        inbox_mark_topic_read(actor=actor, topic=item.topic, at=at)
    elif item.read_at is None:
        _unread_of(actor).filter(pk=item.pk).update(read_at=at)
    if item.read_at is None:
        item.read_at = at
    return item


def inbox_mark_topic_read(*, actor: User, topic: str, at: datetime | None = None) -> int:
    """Mark ``actor``'s unread inbox messages about ``topic`` read (one statement on the inbox's
    topic index); returns how many. Called when the person opens what the topic names."""
    if not topic or not getattr(actor, "is_authenticated", False):
        return 0
    return _unread_of(actor).filter(topic=topic).update(read_at=at or timezone.now())


def inbox_mark_all_read(*, actor: User, at: datetime | None = None) -> int:
    at = at or timezone.now()
    return _unread_of(actor).update(read_at=at)
