"""Writing to the outbox, delivering what is due, and an administrator's requeue.

Delivery is at least once. A message is taken (claimed) by one worker at a time under a
lease; it is marked sent only after the receiving side accepted it. A worker that dies
between the platform's "ok" and the mark leaves the message to be taken again when the
lease runs out, and it is then sent a second time. The platforms' group robots take no
idempotency key, so each message carries a short reference derived from its deduplication
key (the same in every copy) and an e-mail a Message-ID derived from it; a duplicate can be
recognised, though not suppressed, on the receiving side. Nothing is ever lost: the row is
written in the transaction of the change and stays until it is sent or an administrator
sees it dead.
"""

from __future__ import annotations

import logging
import random
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
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
from mashang.notify.models import DUE_STATUSES, Channel, ChatRobot, DeliveryStatus, Notification
from mashang.org.models import User

logger = logging.getLogger(__name__)

MSG_ADMINS_ONLY = _("Only an administrator may requeue messages.")

# Rows claimed at once: a claimed row is held under a lease, so a batch must be sent well
# within it even when every platform times out.
CLAIM_BATCH = 10

_rng = random.Random()


@dataclass
class OutboxMessage:
    """One logical message: see :func:`notification_enqueue` for what each field means."""

    kind: str
    subject: str
    body: str
    dedupe_key: str
    link: str = ""
    recipients: Iterable[User] = ()
    robots: Iterable[ChatRobot] = ()
    payload: dict[str, Any] | None = None
    at: datetime | None = None


def notification_enqueue(
    *,
    kind: str,
    subject: str,
    body: str,
    link: str = "",
    recipients: Iterable[User] = (),
    robots: Iterable[ChatRobot] = (),
    dedupe_key: str,
    payload: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> list[Notification]:
    """Write one message to the outbox: per person an inbox row (and an e-mail row when they
    have an address and e-mail is on), per active chat robot one row.

    Call it inside the transaction of the change the message tells of. ``dedupe_key`` names
    the logical message: a row whose key exists already is not written again. Returns the
    rows written now.
    """
    message = OutboxMessage(
        kind=kind,
        subject=subject,
        body=body,
        link=link,
        recipients=recipients,
        robots=robots,
        dedupe_key=dedupe_key,
        payload=payload,
        at=at,
    )
    _require_transaction()
    rows = list({r.dedupe_key: r for r in _rows_of(message)}.values())
    if not rows:
        return []
    # One move's message: its key names the move (a demand and its version), so it is nearly
    # never there yet. Insert in one statement, in a savepoint; only when a key was there
    # already, look the keys up and write the others.
    try:
        with transaction.atomic():
            Notification.objects.bulk_create(rows)
    except IntegrityError:
        for row in rows:
            row.pk = None
            row._state.adding = True
        return _enqueue_skipping_existing(rows)
    if any(r.pk is None for r in rows):  # a database that cannot return the new ids
        rows = list(Notification.objects.filter(dedupe_key__in=[r.dedupe_key for r in rows]))
    if any(r.status == DeliveryStatus.PENDING for r in rows):
        transaction.on_commit(schedule_delivery, robust=True)
    return sorted(rows, key=lambda r: r.pk)


def _require_transaction() -> None:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError(
            "notification_enqueue must run inside the transaction of the change it tells of"
        )


def notifications_enqueue(messages: Iterable[OutboxMessage]) -> list[Notification]:
    """:func:`notification_enqueue` for many messages at once (a sweep's notices): the same
    rows, written with one look-up of the keys already there and one insert."""
    _require_transaction()
    rows: list[Notification] = []
    for message in messages:
        rows.extend(_rows_of(message))
    if not rows:
        return []
    return _enqueue_skipping_existing(rows)


def _enqueue_skipping_existing(rows: list[Notification]) -> list[Notification]:
    """The rows whose key is not there yet, written; the others left as they are."""
    keys = [r.dedupe_key for r in rows]
    existing: set[str] = set()
    for i in range(0, len(keys), 5000):
        existing.update(
            Notification.objects.filter(dedupe_key__in=keys[i : i + 5000]).values_list(
                "dedupe_key", flat=True
            )
        )
    fresh = list({r.dedupe_key: r for r in rows if r.dedupe_key not in existing}.values())
    if not fresh:
        return []
    # A concurrent transaction may write the same key between the look-up and the insert:
    # the unique key and ON CONFLICT DO NOTHING keep one row.
    Notification.objects.bulk_create(fresh, ignore_conflicts=True, batch_size=1000)
    written: list[Notification] = []
    fresh_keys = [r.dedupe_key for r in fresh]
    for i in range(0, len(fresh_keys), 5000):
        written.extend(Notification.objects.filter(dedupe_key__in=fresh_keys[i : i + 5000]))
    written.sort(key=lambda r: r.pk)
    if any(r.status == DeliveryStatus.PENDING for r in written):
        transaction.on_commit(schedule_delivery, robust=True)
    return written


def _rows_of(message: OutboxMessage) -> list[Notification]:
    """The outbox rows of one message, before any is written."""
    dedupe_key = message.dedupe_key
    if not dedupe_key or len(dedupe_key) > 200:
        raise ValueError("dedupe_key must be 1 to 200 characters")
    at = message.at or timezone.now()
    common = {
        "kind": message.kind,
        "subject": message.subject.replace("\n", " ").strip()[:200],
        "body": message.body,
        "link": message.link[:300],
        "payload": message.payload or {},
        "created_at": at,
    }
    rows: list[Notification] = []
    seen: set[int] = set()
    for user in message.recipients:
        if user is None or user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        rows.append(
            Notification(
                **common,
                channel=Channel.INBOX,
                recipient=user,
                dedupe_key=f"{dedupe_key}|inbox|u{user.pk}",
                # The inbox row is the message: it is there the moment the change commits.
                status=DeliveryStatus.SENT,
                sent_at=at,
            )
        )
        if settings.MASHANG_NOTIFY_EMAIL and user.email:
            rows.append(
                Notification(
                    **common,
                    channel=Channel.EMAIL,
                    recipient=user,
                    dedupe_key=f"{dedupe_key}|email|u{user.pk}",
                    next_attempt_at=at,
                )
            )
    seen_robots: set[int] = set()
    for robot in message.robots:
        if robot is None or robot.pk in seen_robots or not robot.is_active:
            continue
        seen_robots.add(robot.pk)
        rows.append(
            Notification(
                **common,
                channel=robot.platform,
                robot=robot,
                dedupe_key=f"{dedupe_key}|{robot.platform}|r{robot.pk}",
                next_attempt_at=at,
            )
        )
    return rows


def schedule_delivery() -> None:
    """After a commit: ask for a delivery pass now (Celery), or right here (tests), or leave
    it to the embedded worker's next pass. A broker that is down loses nothing: the rows
    wait in the outbox for the periodic pass."""
    if settings.MASHANG_BROKER_URL:
        try:
            from mashang.notify.tasks import deliver_pending

            deliver_pending.apply_async(retry=False)
        except Exception:  # noqa: BLE001 - the outbox row is safe; beat picks it up
            logger.warning("could not reach the broker; the periodic pass will deliver", exc_info=True)
    elif settings.MASHANG_NOTIFY_DELIVER_INLINE:
        notification_deliver_due()


# --- delivery ---------------------------------------------------------------------------------


@dataclass
class DeliveryResult:
    claimed: int = 0
    sent: int = 0
    retrying: int = 0
    dead: int = 0

    def __add__(self, other: DeliveryResult) -> DeliveryResult:
        return DeliveryResult(
            self.claimed + other.claimed, self.sent + other.sent, self.retrying + other.retrying, self.dead + other.dead
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


def _claim(*, at: datetime, limit: int) -> list[Notification]:
    """Take up to ``limit`` due rows for this worker: mark them sending under a fresh lease.

    PostgreSQL skips rows another worker is taking (SKIP LOCKED); SQLite has one writer at a
    time (transactions begin IMMEDIATE), so two claims never overlap there either.
    """
    lease = uuid.uuid4().hex
    with transaction.atomic():
        due = Notification.objects.filter(status__in=DUE_STATUSES, next_attempt_at__lte=at).order_by(
            "next_attempt_at", "id"
        )
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
    """Send up to ``limit`` messages that are due at ``at``; retry or bury the failures."""
    at = at or timezone.now()
    result = DeliveryResult()
    while result.claimed < limit:
        batch = _claim(at=at, limit=min(CLAIM_BATCH, limit - result.claimed))
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
    return result


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


# --- the inbox --------------------------------------------------------------------------------


def inbox_mark_read(*, actor: User, notification_id: int, at: datetime | None = None) -> Notification:
    """Mark one of ``actor``'s inbox messages read (again: it stays read at the first time)."""
    from mashang.notify.selectors import inbox_get

    at = at or timezone.now()
    item = inbox_get(actor=actor, notification_id=notification_id)
    if item.read_at is None:
        Notification.objects.filter(pk=item.pk, read_at__isnull=True).update(read_at=at)
        item.read_at = at
    return item


def inbox_mark_all_read(*, actor: User, at: datetime | None = None) -> int:
    at = at or timezone.now()
    return Notification.objects.filter(recipient=actor, channel=Channel.INBOX, read_at__isnull=True).update(
        read_at=at
    )
