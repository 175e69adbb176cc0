"""Writing to the outbox, fanning messages out, delivering what is due, and an administrator's requeue.

A move writes one logical message (its text and its :class:`~mashang.notify.recipients.Audience`)
in its own transaction. Fanning it out turns the audience into rows, one per person and
channel (the inbox row, an e-mail row) and one per chat robot (:class:`Notification`). Where
that happens is ``MASHANG_NOTIFY_FAN_OUT`` (docs/decisions/0016):

- ``inline`` (the embedded default, no worker pool): at once, in the move's transaction;
- ``worker`` (with a broker): the move writes a single :class:`Message` row and asks for a
  pass; the worker fans out every waiting message in one transaction, looking each audience
  up once per pass, and delivers. A move then costs one insert, however many people it tells.

Delivery is at least once. A message is taken (claimed) by one worker at a time under a
lease; it is marked sent only after the receiving side accepted it. A worker that dies
between the platform's "ok" and the mark leaves the message to be taken again when the
lease runs out, and it is then sent a second time. The platforms' group robots take no
idempotency key, so each message carries a short reference derived from its deduplication
key (the same in every copy) and an e-mail a Message-ID derived from it; a duplicate can be
recognised, though not suppressed, on the receiving side. Nothing is ever lost: the message
is written in the transaction of the change and stays until it is sent or an administrator
sees it dead.
"""

from __future__ import annotations

import logging
import math
import random
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from mashang.audit.services import event_record
from mashang.core.errors import PermissionDenied
from mashang.notify import channels
from mashang.notify.digests import is_held
from mashang.notify.inbox import (  # noqa: F401 - the inbox's writes, where callers look for them
    inbox_mark_all_read,
    inbox_mark_read,
    inbox_mark_topic_read,
)
from mashang.notify.models import (
    DUE_STATUSES,
    Channel,
    ChatRobot,
    DeliveryStatus,
    Message,
    Notification,
)
from mashang.notify.recipients import Audience, audiences_resolve
from mashang.org.models import User

logger = logging.getLogger(__name__)

MSG_ADMINS_ONLY = _("Only an administrator may requeue messages.")

# Rows claimed at once: a claimed row is held under a lease, so a batch must be sent well
# within it even when every platform times out.
CLAIM_BATCH = 10
# Messages one fan-out transaction takes.
FAN_OUT_BATCH = 500

_rng = random.Random()


@dataclass
class OutboxMessage:
    """One logical message: see :func:`notification_enqueue` for what each field means."""

    kind: str
    subject: str
    body: str
    dedupe_key: str
    link: str = ""
    audience: Audience | None = None
    recipients: Iterable[User] = ()
    robots: Iterable[ChatRobot] = ()
    payload: dict[str, Any] | None = None
    at: datetime | None = None
    topic: str = ""

    def audience_all(self) -> Audience:
        """The audience, with the people and robots named one by one added to it."""
        audience = self.audience or Audience()
        if not self.recipients and not self.robots:
            return audience
        return audience | Audience.of(people=self.recipients, robots=self.robots)


def fan_out_by_worker() -> bool:
    """Whether moves leave their messages to the worker (``MASHANG_NOTIFY_FAN_OUT``)."""
    return settings.MASHANG_NOTIFY_FAN_OUT == "worker"


def notification_enqueue(
    *,
    kind: str,
    subject: str,
    body: str,
    link: str = "",
    audience: Audience | None = None,
    recipients: Iterable[User] = (),
    robots: Iterable[ChatRobot] = (),
    dedupe_key: str,
    payload: dict[str, Any] | None = None,
    at: datetime | None = None,
    topic: str = "",
) -> list[Notification]:
    """Write one message to the outbox, for ``audience`` and the ``recipients`` and ``robots``
    named one by one: per person an inbox row (and an e-mail row when they have an address,
    e-mail is on and they did not turn it off), per active chat robot that receives messages
    one row, now or when the worker fans it out.

    Call it inside the transaction of the change the message tells of. ``dedupe_key`` names
    the logical message: a message whose key exists already is not written again. ``topic``
    says what it is about ("demand:123", up to 60 characters): a person's inbox groups their
    messages by it, and marks them read together. Returns the rows written now (none when the
    worker fans the message out).
    """
    return notifications_enqueue(
        [
            OutboxMessage(
                kind=kind,
                subject=subject,
                body=body,
                link=link,
                audience=audience,
                recipients=recipients,
                robots=robots,
                dedupe_key=dedupe_key,
                payload=payload,
                at=at,
                topic=topic,
            )
        ]
    )


def _require_transaction() -> None:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError(
            "notification_enqueue must run inside the transaction of the change it tells of"
        )


def notifications_enqueue(
    messages: Iterable[OutboxMessage], *, look_up_first: bool | None = None
) -> list[Notification]:
    """:func:`notification_enqueue` for many messages at once (a sweep's notices), in one insert.
    Returns the rows written now (none when the worker fans them out).

    ``look_up_first=False`` says the messages are one move's, whose keys are new: they are
    inserted in one statement without looking their keys up first (see :func:`_rows_write`);
    by default only a single message is."""
    _require_transaction()
    messages = [_prepared(m) for m in messages]
    messages = [m for m in messages if not m.audience.is_empty()]
    if not messages:
        return []
    if fan_out_by_worker():
        # One row per message. A key that is there already was told: ON CONFLICT DO NOTHING
        # keeps the first, in the same statement (no look-up first, no savepoint).
        Message.objects.bulk_create(
            [_message_row(m) for m in messages], ignore_conflicts=True, batch_size=1000
        )
        transaction.on_commit(schedule_delivery, robust=True)
        return []
    resolved = audiences_resolve(m.audience for m in messages)
    rows: list[Notification] = []
    for message in messages:
        rows.extend(_rows_of(message, resolved[message.audience]))
    if not rows:
        return []
    return _rows_write(rows, look_up_first=len(messages) > 1 if look_up_first is None else look_up_first)


def _prepared(message: OutboxMessage) -> OutboxMessage:
    """The message as it is stored: its key checked, the subject on one line and cut to its
    column, the link cut, its time set, and the people and robots named one by one folded
    into its audience."""
    key = message.dedupe_key
    if not key or len(key) > 200:
        raise ValueError("dedupe_key must be 1 to 200 characters")
    if len(message.topic) > 60:
        raise ValueError("topic must be at most 60 characters")
    return replace(
        message,
        subject=message.subject.replace("\n", " ").strip()[:200],
        link=message.link[:300],
        payload=message.payload or {},
        at=message.at or timezone.now(),
        audience=message.audience_all(),
        recipients=(),
        robots=(),
    )


def _message_row(message: OutboxMessage) -> Message:
    """The row of a prepared message for the worker to fan out."""
    return Message(
        kind=message.kind,
        subject=message.subject,
        body=message.body,
        link=message.link,
        payload=message.payload,
        audience=message.audience.as_json(),
        topic=message.topic,
        dedupe_key=message.dedupe_key,
        created_at=message.at,
    )


def _rows_write(rows: list[Notification], *, look_up_first: bool) -> list[Notification]:
    """Write the rows whose key is not there yet and return them; the others are left as
    they are (the same message told again).

    One message (``look_up_first=False``): its keys name the move, so they are nearly never
    there yet; insert in one statement, in a savepoint, and look the keys up only when one
    was there already. Many messages (a sweep's notices, a worker's pass): look up the keys
    once, insert the rest with ON CONFLICT DO NOTHING.
    """
    rows = list({r.dedupe_key: r for r in rows}.values())
    if not look_up_first:
        try:
            with transaction.atomic():
                Notification.objects.bulk_create(rows)
        except IntegrityError:
            for row in rows:
                row.pk = None
                row._state.adding = True
        else:
            if any(r.pk is None for r in rows):  # a database that cannot return the new ids
                rows = list(Notification.objects.filter(dedupe_key__in=[r.dedupe_key for r in rows]))
            return _written(sorted(rows, key=lambda r: r.pk))
    keys = [r.dedupe_key for r in rows]
    existing: set[str] = set()
    for i in range(0, len(keys), 5000):
        existing.update(
            Notification.objects.filter(dedupe_key__in=keys[i : i + 5000]).values_list("dedupe_key", flat=True)
        )
    fresh = [r for r in rows if r.dedupe_key not in existing]
    if not fresh:
        return []
    # A concurrent transaction may write the same key between the look-up and the insert:
    # the unique key and ON CONFLICT DO NOTHING keep one row.
    Notification.objects.bulk_create(fresh, ignore_conflicts=True, batch_size=1000)
    written: list[Notification] = []
    fresh_keys = [r.dedupe_key for r in fresh]
    for i in range(0, len(fresh_keys), 5000):
        written.extend(Notification.objects.filter(dedupe_key__in=fresh_keys[i : i + 5000]))
    return _written(sorted(written, key=lambda r: r.pk))


def _written(rows: list[Notification]) -> list[Notification]:
    if any(r.status == DeliveryStatus.PENDING for r in rows):
        transaction.on_commit(schedule_delivery, robust=True)
    return rows


def messages_fan_out(*, limit: int = FAN_OUT_BATCH, at: datetime | None = None) -> int:
    """Fan out up to ``limit`` messages waiting in the outbox, oldest first, in one transaction:
    their rows written, each audience looked up once. Returns how many were fanned out.

    PostgreSQL skips messages another worker is fanning out (SKIP LOCKED); SQLite has one
    writer at a time. A message is fanned out once: it is marked in the transaction that
    writes its rows.
    """
    at = at or timezone.now()
    with transaction.atomic():
        waiting = Message.objects.filter(fanned_out_at__isnull=True).order_by("id")
        if connection.features.has_select_for_update_skip_locked:
            waiting = waiting.select_for_update(skip_locked=True)
        batch = list(waiting[:limit])
        if not batch:
            return 0
        messages = [
            OutboxMessage(
                kind=m.kind,
                subject=m.subject,
                body=m.body,
                link=m.link,
                audience=Audience.from_json(m.audience),
                dedupe_key=m.dedupe_key,
                payload=m.payload,
                at=m.created_at,
                topic=m.topic,
            )
            for m in batch
        ]
        resolved = audiences_resolve(m.audience for m in messages)
        rows: list[Notification] = []
        for message in messages:
            rows.extend(_rows_of(message, resolved[message.audience]))
        if rows:
            # ON CONFLICT DO NOTHING keeps a row written before; nothing is read back (the
            # pass that fans out delivers next).
            Notification.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
        Message.objects.filter(pk__in=[m.pk for m in batch]).update(fanned_out_at=at)
    return len(batch)


def messages_fan_out_waiting(*, at: datetime | None = None) -> int:
    """Fan out every waiting message, a batch at a time; what a delivery pass does first.

    A plain look comes first, outside any transaction, so a pass with nothing waiting (always,
    where moves write their rows themselves) takes no write lock. A failure is logged and
    left for the next pass: the delivery of what is due goes on."""
    if not Message.objects.filter(fanned_out_at__isnull=True).exists():
        return 0
    total = 0
    try:
        while True:
            done = messages_fan_out(at=at)
            total += done
            if done < FAN_OUT_BATCH:
                return total
    except Exception:  # noqa: BLE001 - the messages wait in the outbox; delivery must go on
        logger.exception("fanning out the waiting messages failed; the next pass tries again")
        return total


def _rows_of(message: OutboxMessage, to: tuple[list[User], list[ChatRobot]]) -> list[Notification]:
    """The outbox rows of one prepared message for the people and robots ``to``, before any
    is written."""
    people, robots = to
    dedupe_key, at = message.dedupe_key, message.at
    common = {
        "kind": message.kind,
        "subject": message.subject,
        "body": message.body,
        "link": message.link,
        "payload": message.payload,
        "topic": message.topic,
        "created_at": at,
    }
    rows: list[Notification] = []
    for user in people:
        rows.append(
            Notification(
                **common,
                channel=Channel.INBOX,
                recipient=user,
                dedupe_key=f"{dedupe_key}|inbox|u{user.pk}",
                # The inbox row is the message: it is there the moment it is fanned out.
                status=DeliveryStatus.SENT,
                sent_at=at,
            )
        )
        # A person who turned e-mail off (NotificationPreference) is told in the inbox only;
        # ``audiences_resolve`` read their choice with them.
        if settings.MASHANG_NOTIFY_EMAIL and user.email and getattr(user, "wants_email", True):
            rows.append(
                Notification(
                    **common,
                    channel=Channel.EMAIL,
                    recipient=user,
                    dedupe_key=f"{dedupe_key}|email|u{user.pk}",
                    next_attempt_at=at,
                )
            )
    # A message that may be digested waits for others bound to the same robot (digests.py).
    robot_due = at + timedelta(seconds=settings.MASHANG_NOTIFY_DIGEST_SECONDS) if is_held(message.payload) else at
    for robot in robots:
        rows.append(
            Notification(
                **common,
                channel=robot.platform,
                robot=robot,
                dedupe_key=f"{dedupe_key}|{robot.platform}|r{robot.pk}",
                next_attempt_at=robot_due,
            )
        )
    return rows


# The key that says a delivery pass was asked for and has not started yet: every commit until
# it starts is covered by it, so a burst of moves asks the broker once, not once per move.
PASS_REQUESTED_KEY = "mashang:notify:pass-requested"

_redis_clients: dict[str, Any] = {}


def _redis():
    """A Redis client on the broker (one per process and address), or None for another broker."""
    url = settings.MASHANG_BROKER_URL
    if not url.startswith(("redis://", "rediss://", "unix://")):
        return None
    if url not in _redis_clients:
        import redis

        _redis_clients[url] = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
    return _redis_clients[url]


def delivery_pass_started() -> None:
    """Called by a pass as it starts: a commit from now on asks for a new one."""
    client = _redis()
    if client is not None:
        try:
            client.delete(PASS_REQUESTED_KEY)
        except Exception:  # noqa: BLE001 - without Redis every commit just asks again
            logger.warning("could not clear the pass request in Redis", exc_info=True)


def _pass_already_requested() -> bool:
    client = _redis()
    if client is None:
        return False
    try:
        # Kept 10 s past the gathering wait: after that a lost request is asked for again
        # (beat's pass covers the gap).
        seconds = math.ceil(settings.MASHANG_NOTIFY_GATHER_MS / 1000) + 10
        return not client.set(PASS_REQUESTED_KEY, "1", nx=True, ex=seconds)
    except Exception:  # noqa: BLE001 - ask the broker anyway
        return False


def schedule_delivery() -> None:
    """After a commit: ask for a delivery pass now (Celery), or right here (tests), or leave
    it to the embedded worker's next pass. A broker that is down loses nothing: the rows
    wait in the outbox for the periodic pass."""
    if settings.MASHANG_BROKER_URL:
        if _pass_already_requested():
            return
        try:
            from mashang.notify.tasks import deliver_pending

            # A short wait gathers the messages of a burst of moves into one pass.
            deliver_pending.apply_async(retry=False, countdown=settings.MASHANG_NOTIFY_GATHER_MS / 1000)
        except Exception:  # noqa: BLE001 - the outbox row is safe; beat picks it up
            logger.warning("could not reach the broker; the periodic pass will deliver", exc_info=True)
            delivery_pass_started()  # nothing was asked for: the next commit asks again
    elif settings.MASHANG_NOTIFY_DELIVER_INLINE:
        messages_fan_out_waiting()
        notification_deliver_due()


# --- delivery ---------------------------------------------------------------------------------


@dataclass
class DeliveryResult:
    claimed: int = 0
    sent: int = 0
    retrying: int = 0
    dead: int = 0
    #: Requests made to the chat platforms (a digest carries many rows in one).
    robot_messages: int = 0

    def __add__(self, other: DeliveryResult) -> DeliveryResult:
        return DeliveryResult(
            self.claimed + other.claimed,
            self.sent + other.sent,
            self.retrying + other.retrying,
            self.dead + other.dead,
            self.robot_messages + other.robot_messages,
        )


def retry_delay(attempts: int, *, rng: random.Random | None = None, base: float | None = None,
                cap: float | None = None) -> timedelta:
    """How long to wait after the ``attempts``-th failed attempt: base × 2^(attempts−1), capped,
    ±10 % jitter so that messages failing together do not retry together."""
    base = settings.MASHANG_NOTIFY_RETRY_BASE_SECONDS if base is None else base
    cap = settings.MASHANG_NOTIFY_RETRY_MAX_SECONDS if cap is None else cap
    delay = min(cap, base * 2 ** max(attempts - 1, 0))
    jittered = delay * (1 + (rng or _rng).uniform(-0.1, 0.1))
    return timedelta(seconds=min(cap, jittered))


def _claim(*, at: datetime, limit: int, people_only: bool = False) -> list[Notification]:
    """Take up to ``limit`` due rows for this worker: mark them sending under a fresh lease.
    ``people_only``: the e-mails alone (a pass's chat-robot rows go through ``robot_delivery``).

    PostgreSQL skips rows another worker is taking (SKIP LOCKED); SQLite has one writer at a
    time (transactions begin IMMEDIATE), so two claims never overlap there either.
    """
    lease = uuid.uuid4().hex
    with transaction.atomic():
        due = Notification.objects.filter(status__in=DUE_STATUSES, next_attempt_at__lte=at)
        if people_only:
            due = due.filter(robot__isnull=True)
        due = due.order_by("next_attempt_at", "id")
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        ids = list(due.values_list("id", flat=True)[:limit])
        if not ids:
            return []
        Notification.objects.filter(pk__in=ids).update(
            status=DeliveryStatus.SENDING,
            lease=lease,
            attempts=F("attempts") + 1,
            next_attempt_at=at + timedelta(seconds=settings.MASHANG_NOTIFY_LEASE_SECONDS),
        )
    return list(
        Notification.objects.filter(pk__in=ids, lease=lease).select_related("recipient", "robot").order_by("id")
    )


def _finish(row: Notification, *, at: datetime, error: str | None, permanent: bool, rng) -> str:
    mine = Notification.objects.filter(pk=row.pk, lease=row.lease, status=DeliveryStatus.SENDING)
    if error is None:
        mine.update(status=DeliveryStatus.SENT, sent_at=at, next_attempt_at=None, lease="", last_error="")
        return DeliveryStatus.SENT
    if permanent or row.attempts >= settings.MASHANG_NOTIFY_MAX_ATTEMPTS:
        mine.update(status=DeliveryStatus.DEAD, next_attempt_at=None, lease="", last_error=error[:2000])
        logger.warning("notification %s is dead after %s attempts: %s", row.pk, row.attempts, error)
        return DeliveryStatus.DEAD
    mine.update(
        status=DeliveryStatus.RETRYING,
        next_attempt_at=at + retry_delay(row.attempts, rng=rng),
        lease="",
        last_error=error[:2000],
    )
    return DeliveryStatus.RETRYING


def notification_deliver_due(
    *, at: datetime | None = None, limit: int = 100, rng: random.Random | None = None
) -> DeliveryResult:
    """Send up to ``limit`` messages that are due at ``at``; retry or bury the failures.

    The chat robots' rows go first, each robot paced and its waiting messages digested
    (``robot_delivery``; up to ``limit`` robots a pass); then the e-mails, up to ``limit``."""
    from mashang.notify.robot_delivery import robot_deliver, robots_due

    at = at or timezone.now()
    result = DeliveryResult()
    for robot_id in robots_due(at=at, limit=limit):
        outcome = robot_deliver(robot_id, at=at, rng=rng, finish=_finish)
        result += DeliveryResult(outcome.claimed, outcome.sent, outcome.retrying, outcome.dead, outcome.messages)
    robots = result
    result = DeliveryResult()
    while result.claimed < limit:
        batch = _claim(at=at, limit=min(CLAIM_BATCH, limit - result.claimed), people_only=True)
        if not batch:
            break
        result.claimed += len(batch)
        for row in batch:
            error, permanent = None, False
            try:
                # Messages speak the zone's language, whoever's request triggered the pass.
                with translation.override(settings.LANGUAGE_CODE):
                    channels.send(row)
            except channels.DeliveryFailed as exc:
                error, permanent = str(exc) or exc.__class__.__name__, exc.permanent
            except Exception as exc:  # noqa: BLE001 - a bug in one channel must not stop the others
                logger.exception("notification %s: unexpected error while sending", row.pk)
                error = f"{exc.__class__.__name__}: {exc}"
            outcome = _finish(row, at=at, error=error, permanent=permanent, rng=rng)
            if outcome == DeliveryStatus.SENT:
                result.sent += 1
            elif outcome == DeliveryStatus.DEAD:
                result.dead += 1
            else:
                result.retrying += 1
    return robots + result


def notification_requeue(*, actor: User, notification_ids: Iterable[int], at: datetime | None = None) -> int:
    """An administrator gives dead messages another full round of attempts."""
    if not (actor.is_active and (actor.is_staff or actor.role == User.Role.ADMIN)):
        raise PermissionDenied(MSG_ADMINS_ONLY)
    at = at or timezone.now()
    with transaction.atomic():
        rows = list(
            Notification.objects.select_for_update()
            .filter(pk__in=list(notification_ids), status=DeliveryStatus.DEAD)
            .order_by("id")
        )
        for row in rows:
            event_record(
                subject_type="notification",
                subject_id=row.pk,
                action="requeue",
                actor=actor,
                at=at,
                from_state=DeliveryStatus.DEAD,
                to_state=DeliveryStatus.PENDING,
                payload={"attempts": row.attempts, "last_error": row.last_error[:500]},
            )
        Notification.objects.filter(pk__in=[r.pk for r in rows]).update(
            status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=at, lease=""
        )
        if rows:
            transaction.on_commit(schedule_delivery, robust=True)
    return len(rows)
