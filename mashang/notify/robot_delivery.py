"""Delivering the chat robots' rows: paced per robot, digested when many wait.

A pass takes the robots that have a message due, one at a time. For each it locks the robot's
pace row (``mashang.notify.pacing``), counts how many messages the platform allows now, plans
them (a message without a digest entry alone, in its own format; the digestible ones together,
as few digests as fit: ``mashang.notify.digests``), claims the rows of what it will send, writes
the sends down and commits; then it sends. Rows beyond what the robot may send now are not
touched: they wait their turn, and waiting is never an attempt.

A platform answering "too fast" pauses the robot for its penalty; the rows of that message and
of the rest of the plan go back to wait until the pause ends, their attempt not counted. Any
other failure counts an attempt for every row of the message: it is retried with backoff and is
dead after ``MASHANG_NOTIFY_MAX_ATTEMPTS`` (a wrong URL, a revoked key, a refused signature).
"""

from __future__ import annotations

import logging
import random
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Min, Q
from django.utils import translation

from mashang.notify import channels, digests, pacing
from mashang.notify.models import DUE_STATUSES, ChatRobot, DeliveryStatus, Notification

logger = logging.getLogger(__name__)


@dataclass
class Planned:
    rows: list[Notification]
    digest: bool = False


@dataclass
class Outcome:
    claimed: int = 0
    sent: int = 0
    retrying: int = 0
    dead: int = 0
    messages: int = 0
    waiting: list[int] = field(default_factory=list)


def robots_due(*, at: datetime, limit: int) -> list[int]:
    """The robots with a message due at ``at``, the longest waiting first."""
    return list(
        Notification.objects.filter(robot__isnull=False, status__in=DUE_STATUSES, next_attempt_at__lte=at)
        .values("robot_id")
        .annotate(first=Min("next_attempt_at"))
        .order_by("first", "robot_id")
        .values_list("robot_id", flat=True)[:limit]
    )


def _plan(robot: ChatRobot, rows: list[Notification], *, at: datetime, most: int) -> list[Planned]:
    singles = [r for r in rows if digests.entry_of(r.payload) is None and r.next_attempt_at <= at]
    digestible = [r for r in rows if digests.entry_of(r.payload) is not None]
    plan = [Planned([r]) for r in singles]
    # Digestible rows go when one of them is due (its window is over, or it is urgent); then
    # everything waiting for the robot goes with it.
    if any(r.next_attempt_at <= at for r in digestible):
        ordered = digests.most_urgent_first(digestible)
        if len(ordered) == 1:
            plan.append(Planned(ordered))
        else:
            chunks = digests.digests_plan(robot, ordered, most=most)
            urgent_first = [Planned(c, digest=len(c) > 1) for c in chunks]
            # A digest holding an urgent message goes before the messages sent alone.
            if any(not digests.is_held(r.payload) for r in urgent_first[0].rows):
                plan = urgent_first[:1] + plan + urgent_first[1:]
            else:
                plan += urgent_first
    return plan[:most]


def _claim_for_robot(robot_id: int, *, at: datetime) -> tuple[ChatRobot | None, list[Planned]]:
    """Under the robot's pace lock: what it sends now, its rows claimed and its sends written down."""
    with transaction.atomic():
        pace = pacing.pace_lock(robot_id)
        robot = ChatRobot.objects.select_related("unit").filter(pk=robot_id).first()
        if robot is None:
            return None, []
        if pace.paused_until and pace.paused_until > at:
            return robot, []
        rows = list(
            Notification.objects.filter(robot_id=robot_id, status__in=DUE_STATUSES)
            .filter(Q(next_attempt_at__lte=at) | Q(status=DeliveryStatus.PENDING))
            .order_by("next_attempt_at", "id")
        )
        if not robot.is_active:
            return robot, [Planned([r]) for r in rows if r.next_attempt_at <= at]
        free = pacing.free_sends(pace.recent, pacing.robot_limits(robot), at)
        if free <= 0 or not rows:
            return robot, []
        plan = _plan(robot, rows, at=at, most=free)
        if not plan:
            return robot, []
        lease = uuid.uuid4().hex
        ids = [r.pk for p in plan for r in p.rows]
        Notification.objects.filter(pk__in=ids).update(
            status=DeliveryStatus.SENDING,
            lease=lease,
            attempts=F("attempts") + 1,
            next_attempt_at=at + timedelta(seconds=settings.MASHANG_NOTIFY_LEASE_SECONDS),
        )
        pacing.pace_reserve(pace, at=at, count=len(plan))
        for p in plan:
            for r in p.rows:
                r.lease, r.attempts, r.robot = lease, r.attempts + 1, robot
    return robot, plan


def _send(robot: ChatRobot, planned: Planned) -> None:
    if not planned.digest:
        channels.send(planned.rows[0])
        return
    module = channels.ROBOTS[robot.platform]
    module.post(robot, module.build_digest(digests.digest_of(robot, planned.rows), secret=robot.secret))


def _put_back(rows: list[Notification], *, until: datetime, reason: str) -> None:
    """Rows that did not go because the robot must wait: back in line, the attempt not counted."""
    for row in rows:
        Notification.objects.filter(pk=row.pk, lease=row.lease, status=DeliveryStatus.SENDING).update(
            status=DeliveryStatus.PENDING if row.attempts <= 1 else DeliveryStatus.RETRYING,
            attempts=F("attempts") - 1,
            next_attempt_at=until,
            lease="",
            last_error=reason[:2000],
        )


def robot_deliver(robot_id: int, *, at: datetime, rng, finish) -> Outcome:
    """One robot's turn in a pass; ``finish`` marks a row sent, retrying or dead."""
    outcome = Outcome()
    robot, plan = _claim_for_robot(robot_id, at=at)
    if robot is None or not plan:
        return outcome
    for i, planned in enumerate(plan):
        outcome.claimed += len(planned.rows)
        error, permanent = None, False
        try:
            with translation.override(settings.LANGUAGE_CODE):
                _send(robot, planned)
        except channels.RateLimited as exc:
            until = pacing.pace_pause(robot.pk, at=at, seconds=exc.pause_seconds, reason=str(exc))
            logger.warning("chat robot %s is rate-limited until %s: %s", robot.pk, until, exc)
            rest = [r for p in plan[i:] for r in p.rows]
            outcome.claimed += sum(len(p.rows) for p in plan[i + 1 :])
            _put_back(rest, until=until, reason=f"waiting: {exc}")
            outcome.waiting.extend(r.pk for r in rest)
            return outcome
        except channels.DeliveryFailed as exc:
            error, permanent = str(exc) or exc.__class__.__name__, exc.permanent
        except Exception as exc:  # noqa: BLE001 - a bug in one channel must not stop the others
            logger.exception("chat robot %s: unexpected error while sending", robot.pk)
            error = f"{exc.__class__.__name__}: {exc}"
        outcome.messages += 1
        # The rows of one message retry together: one jitter for all of them.
        seed = (rng or random).random() if len(planned.rows) > 1 else None
        for row in planned.rows:
            row_rng = rng if seed is None else random.Random(seed)
            result = finish(row, at=at, error=error, permanent=permanent, rng=row_rng)
            if result == DeliveryStatus.SENT:
                outcome.sent += 1
            elif result == DeliveryStatus.DEAD:
                outcome.dead += 1
            else:
                outcome.retrying += 1
    return outcome
