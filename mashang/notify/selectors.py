"""Reading the inbox: a person sees their own messages and nobody else's."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Case, CharField, Count, F, Max, Q, QuerySet, Value, When
from django.db.models.functions import Cast, Concat
from django.utils.translation import gettext_lazy as _

from mashang.core.errors import NotFound
from mashang.notify.models import Channel, ChatRobot, Notification, NotificationPreference
from mashang.org.models import User

MSG_NO_SUCH_MESSAGE = _("No such message.")


def inbox_list(*, actor: User, unread_only: bool = False, topic: str | None = None) -> QuerySet[Notification]:
    """``actor``'s inbox, newest first; only the messages about ``topic`` when it is given."""
    if not actor.is_active:
        return Notification.objects.none()
    qs = Notification.objects.filter(recipient=actor, channel=Channel.INBOX)
    if topic:
        qs = qs.filter(topic=topic)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return qs.order_by("-id")


def inbox_unread_count(*, actor: User) -> int:
    """How many of ``actor``'s inbox messages are unread: one count on the inbox index; none
    for an anonymous visitor."""
    if not getattr(actor, "is_authenticated", False):
        return 0
    return inbox_list(actor=actor, unread_only=True).count()


def inbox_get(*, actor: User, notification_id: int) -> Notification:
    """One of ``actor``'s inbox messages; anyone else's is not found (not forbidden)."""
    item = inbox_list(actor=actor).filter(pk=notification_id).first()
    if item is None:
        raise NotFound(MSG_NO_SUCH_MESSAGE)
    return item


@dataclass
class Thread:
    """The messages of one topic in a person's inbox (or one message without a topic)."""

    latest: Notification
    count: int
    unread: int

    @property
    def topic(self) -> str:
        return self.latest.topic


class ThreadPage:
    """The threads of one page: the grouped rows, with their latest messages loaded in one query
    when the page's ``object_list`` is sliced by the paginator."""

    def __init__(self, groups: QuerySet) -> None:
        self.groups = groups

    def count(self) -> int:
        return self.groups.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        rows = list(self.groups[index]) if isinstance(index, slice) else [self.groups[index]]
        latest = Notification.objects.in_bulk([r["latest"] for r in rows])
        threads = [Thread(latest=latest[r["latest"]], count=r["total"], unread=r["unread"]) for r in rows]
        return threads if isinstance(index, slice) else threads[0]


def inbox_threads(*, actor: User, unread_only: bool = False) -> ThreadPage:
    """``actor``'s inbox grouped by topic, the thread with the newest message first: for each,
    its latest message, how many messages it has and how many are unread. A message without a
    topic is a thread of its own. ``unread_only``: the threads with unread messages, counting
    those only.

    One grouped query per page (and one for the page's latest messages, one to count), however
    many messages there are: 700 unread about one demand are one row.
    """
    qs = inbox_list(actor=actor, unread_only=unread_only).order_by()
    groups = (
        qs.annotate(
            thread=Case(
                When(topic="", then=Concat(Value("#"), Cast("id", output_field=CharField()))),
                default=F("topic"),
                output_field=CharField(),
            )
        )
        .values("thread")
        .annotate(latest=Max("id"), total=Count("id"), unread=Count("id", filter=Q(read_at__isnull=True)))
        .order_by("-latest")
    )
    return ThreadPage(groups)


def preference_of(*, actor: User) -> NotificationPreference:
    """``actor``'s choices, or the defaults (e-mail on) when they made none yet (not saved)."""
    found = NotificationPreference.objects.filter(user=actor).first()
    return found or NotificationPreference(user=actor, email=True)


def robots_of_head(*, actor: User) -> list[ChatRobot]:
    """The chat robots of the unit ``actor`` heads (by role or named as its head): the work
    groups whose messages they may turn on or off. None for anyone else."""
    if not actor.is_active:
        return []
    units = Q(unit__head=actor)
    if actor.role == User.Role.UNIT_HEAD and actor.unit_id:
        units |= Q(unit_id=actor.unit_id)
    return list(ChatRobot.objects.filter(units, is_active=True).select_related("unit").order_by("name", "id"))
