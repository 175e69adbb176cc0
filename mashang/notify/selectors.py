"""Reading the inbox: a person sees their own messages and nobody else's."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from mashang.core.errors import NotFound
from mashang.notify.models import Channel, Notification
from mashang.org.models import User

MSG_NO_SUCH_MESSAGE = _("No such message.")


def inbox_list(*, actor: User, unread_only: bool = False) -> QuerySet[Notification]:
    """``actor``'s inbox, newest first."""
    if not actor.is_active:
        return Notification.objects.none()
    qs = Notification.objects.filter(recipient=actor, channel=Channel.INBOX)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs.order_by("-id")


def inbox_unread_count(*, actor: User) -> int:
    return inbox_list(actor=actor, unread_only=True).count()


def inbox_get(*, actor: User, notification_id: int) -> Notification:
    """One of ``actor``'s inbox messages; anyone else's is not found (not forbidden)."""
    item = inbox_list(actor=actor).filter(pk=notification_id).first()
    if item is None:
        raise NotFound(MSG_NO_SUCH_MESSAGE)
    return item
