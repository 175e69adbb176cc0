"""The supervision sweep, replayed at the demo's simulated times as the year is played.

In real use the worker sweeps every minute, so a reminder, a yellow or a red card is raised
within a minute of the moment its deadline reached the level; the replay raises it within
:data:`EVERY_MINUTES`. Sweeping every minute of a
simulated year would take far too long, so the replay sweeps at the minutes that matter: each
time a demand is moved, the moments its new deadline reaches a level (before its next move)
are noted, and the sweep runs — the real one, :func:`supervision_sweep` with ``at=`` that
minute — when the play reaches them. A sweep at every midnight catches what no move noted
(an action item opened by the minutes, a blocker raised on a project). The sweep writes the
notices, their events and their messages itself: the inbox rows are delivered at the moment
the notice was raised, as the embedded worker leaves them.

A raised notice adds an event to its demand and so bumps its version: :meth:`SweepReplay.run_until`
returns the demands it touched, for the players to pick up their new versions.
"""

from __future__ import annotations

import heapq
from datetime import datetime, timedelta

from django.conf import settings

from mashang.demands.deadlines import RUNNING_STATUSES, deadline_kind
from mashang.demands.models import Demand
from mashang.notify.models import Notification
from mashang.supervision.models import SupervisionNotice
from mashang.supervision.rules import HOUR_KINDS
from mashang.supervision.services.sweep import candidates_query, supervision_sweep, sweep_windows
from mashang.workcal.calendar import WorkCalendar

#: The replayed sweeps run this many seconds into their minute (as a worker would, not on it).
SECOND = 7
#: The replay sweeps on the next mark of this many minutes (a worker: every minute): several
#: deadlines reaching a level close together share one sweep, which keeps the load quick.
EVERY_MINUTES = 10


def _minute_after(at: datetime) -> datetime:
    """The first replayed sweep on or after ``at``: the next mark, plus :data:`SECOND`."""
    floor = at.replace(minute=at.minute - at.minute % EVERY_MINUTES, second=0, microsecond=0)
    swept = floor + timedelta(seconds=SECOND)
    return swept if swept >= at else swept + timedelta(minutes=EVERY_MINUTES)


class SweepReplay:
    """The sweeps a worker would have run, at the simulated times that raise something."""

    def __init__(self, *, cal: WorkCalendar, start: datetime, end: datetime, nightly: bool = True):
        self.cal = cal
        self.end = end  # the demo's "now": no sweep at or after it
        self._due: list[datetime] = []
        self._planned: set[datetime] = set()
        self.clock = start  # the last sweep
        self.played = start  # the moment being played: no sweep is planned before it
        self.sweeps = 0
        self.raised = 0
        day = start.astimezone(cal.tz).replace(hour=0, minute=0, second=0, microsecond=0)
        # The midnight sweeps: what no move noted is raised by the next one.
        while nightly and day < end:
            day += timedelta(days=1)
            self._plan(min(day + timedelta(seconds=SECOND), end - timedelta(seconds=1)))

    def _plan(self, at: datetime) -> None:
        if self.clock < at < self.end and at not in self._planned:
            self._planned.add(at)
            heapq.heappush(self._due, at)

    def crossings(self, due: datetime, kind: str) -> tuple[datetime, ...]:
        """When a deadline ``due`` of ``kind`` reaches the reminder, yellow and red levels (see
        :mod:`mashang.supervision.rules`)."""
        before = (
            settings.MASHANG_REMINDER_BEFORE_MINUTES
            if kind in HOUR_KINDS
            else settings.MASHANG_REMINDER_BEFORE_DAYS_MINUTES
        )
        return (
            self.cal.add_working_time(due, -timedelta(minutes=before)),
            due,
            self.cal.add_working_time(due, timedelta(minutes=settings.MASHANG_RED_GRACE_MINUTES)),
        )

    def watch(self, demand: Demand, *, until: datetime | None = None) -> None:
        """Plan the sweeps at which ``demand``'s deadline reaches a level before ``until`` (its
        next move; the end of the replay by default)."""
        if demand.status not in RUNNING_STATUSES or demand.next_due_at is None:
            return
        until = min(until or self.end, self.end)
        for at in self.crossings(demand.next_due_at, deadline_kind(demand)):
            swept = _minute_after(max(at, self.clock, self.played))
            if swept < until:
                self._plan(swept)

    def run_until(self, at: datetime) -> set[int]:
        """Run the planned sweeps before ``at``; the ids of the demands they raised notices on."""
        touched: set[int] = set()
        while self._due and self._due[0] < at:
            swept = heapq.heappop(self._due)
            self._planned.discard(swept)
            self.clock = swept
            touched |= self._sweep(swept)
        self.played = max(self.played, at)
        return touched

    def _sweep(self, at: datetime) -> set[int]:
        result = supervision_sweep(at=at)
        self.sweeps += 1
        self.raised += result.total
        if not result.notice_ids:
            return set()
        return set(
            SupervisionNotice.objects.filter(pk__in=result.notice_ids).values_list(
                "demand_id", flat=True
            )
        )

    def catch_up(self, at: datetime) -> set[int]:
        """Run every planned sweep before ``at``, then the sweeps at which the demands' deadlines
        reached a level between the last sweep and ``at``, then one at ``at``."""
        touched = self.run_until(self.end)
        self.end = at
        w = sweep_windows(self.cal, at)
        for demand in Demand.objects.filter(pk__in=list(candidates_query(w))):
            self.watch(demand, until=at)
        touched |= self.run_until(at)
        if at > self.clock:
            self.clock = at
            touched |= self._sweep(at)
        return touched


def demo_notices_wipe(demand_ids: list[int]) -> None:
    """Delete the notices on ``demand_ids`` and their messages (before the demands go)."""
    for start in range(0, len(demand_ids), 500):
        chunk = demand_ids[start : start + 500]
        SupervisionNotice.objects.filter(demand_id__in=chunk).delete()
        Notification.objects.filter(
            kind__startswith="supervision.", payload__demand__in=chunk
        ).delete()
