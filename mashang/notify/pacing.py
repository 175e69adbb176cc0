"""How fast each chat robot may send, kept once for every worker.

The platforms count a rolling window: DingTalk and WeCom 20 messages in any minute, Feishu 100
in any minute and 5 in any second (a robot may lower them: ``ChatRobot.per_minute``,
``per_second``). Each robot's :class:`~mashang.notify.models.RobotPace` row holds the times of
its recent messages; a worker locks the row (``SELECT … FOR UPDATE``; SQLite has one writer at a
time), counts what the windows still allow, writes the times of the messages it is about to
send, and commits before it sends. Two workers therefore share one budget, and neither ever sends
a message the platform would count over its limit. A window is held a little longer than the
platform's (``MASHANG_NOTIFY_ROBOT_MARGIN_SECONDS``) for the time a request takes on the way.

Why a rolling log rather than a token bucket: a bucket that allows a burst of 20 and refills 20
a minute lets 39 through in a rolling minute (the platform would throttle DingTalk for ten
minutes); one that never overshoots allows half the rate. The log is at most 100 numbers.

A robot the platform refused for coming too fast is paused (``paused_until``) for the platform's
penalty: DingTalk 10 minutes, WeCom a minute, Feishu what its answer says or a minute.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction

from mashang.notify import channels
from mashang.notify.models import ChatRobot, RobotPace


@dataclass(frozen=True)
class Limits:
    per_minute: int
    per_second: int | None

    def windows(self) -> list[tuple[float, int]]:
        """(seconds, at most) per window, each held ``MASHANG_NOTIFY_ROBOT_MARGIN_SECONDS`` longer."""
        margin = settings.MASHANG_NOTIFY_ROBOT_MARGIN_SECONDS
        windows = [(60 + margin, self.per_minute)]
        if self.per_second:
            windows.append((1 + margin, self.per_second))
        return windows


def robot_limits(robot: ChatRobot) -> Limits:
    """The robot's own limits, or its platform's."""
    module = channels.ROBOTS[robot.platform]
    return Limits(
        per_minute=robot.per_minute or module.PER_MINUTE,
        per_second=robot.per_second or module.PER_SECOND,
    )


def free_sends(recent: list[float], limits: Limits, at: datetime) -> int:
    """How many messages the robot may send at ``at``, given the times of its recent ones."""
    now = at.timestamp()
    free = None
    for seconds, most in limits.windows():
        used = sum(1 for t in recent if t > now - seconds)
        free = most - used if free is None else min(free, most - used)
    return max(free or 0, 0)


def next_send_at(pace: RobotPace | None, limits: Limits, at: datetime) -> datetime:
    """When the robot may send its next message: ``at`` when it may now."""
    if pace is None:
        return at
    if pace.paused_until and pace.paused_until > at:
        return pace.paused_until
    now = at.timestamp()
    ready = now
    for seconds, most in limits.windows():
        inside = sorted(t for t in pace.recent if t > now - seconds)
        if len(inside) >= most:
            # The oldest messages leaving the window make room for one more.
            ready = max(ready, inside[len(inside) - most] + seconds)
    return datetime.fromtimestamp(ready, tz=at.tzinfo)


def pace_lock(robot_id: int) -> RobotPace:
    """The robot's pace row, locked until the transaction ends (written the first time)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("pace_lock must run inside a transaction")
    RobotPace.objects.bulk_create([RobotPace(robot_id=robot_id)], ignore_conflicts=True)
    return RobotPace.objects.select_for_update().get(robot_id=robot_id)


def pace_reserve(pace: RobotPace, *, at: datetime, count: int) -> None:
    """Write down ``count`` messages sent at ``at`` (on the locked row); forget the old ones."""
    now = at.timestamp()
    keep = 60 + settings.MASHANG_NOTIFY_ROBOT_MARGIN_SECONDS
    pace.recent = sorted([t for t in pace.recent if t > now - keep] + [now] * count)
    pace.save(update_fields=["recent"])


def pace_pause(robot_id: int, *, at: datetime, seconds: float, reason: str) -> datetime:
    """Stop the robot sending until ``at + seconds`` (a later pause already set stays)."""
    until = at + timedelta(seconds=seconds)
    with transaction.atomic():
        pace = pace_lock(robot_id)
        if pace.paused_until is None or pace.paused_until < until:
            pace.paused_until = until
            pace.pause_reason = reason[:300]
            pace.save(update_fields=["paused_until", "pause_reason"])
        return pace.paused_until
