"""Supervision sweeps run every quarter of an hour over a stretch of time, the notices they
raise, and the invariant every demand keeps: its version counts its events."""

from __future__ import annotations

from datetime import datetime, timedelta

from mashang.audit.models import Event
from mashang.demands.models import Demand
from mashang.supervision.models import SupervisionNotice
from mashang.supervision.services import supervision_sweep

QUARTER = timedelta(minutes=15)


def sweep_every_quarter(start: datetime, end: datetime) -> list[tuple[datetime, dict[str, int]]]:
    """Sweep every 15 minutes from ``start`` to ``end`` (both included); when something was raised."""
    raised = []
    t = start
    while t <= end:
        result = supervision_sweep(at=t)
        if result.total:
            raised.append((t, {k: v for k, v in result.raised.items() if v}))
        t += QUARTER
    return raised


def notices_of(demand: Demand) -> list[SupervisionNotice]:
    return list(SupervisionNotice.objects.filter(demand=demand).order_by("raised_at", "id"))


def assert_version_counts_events(demand: Demand) -> None:
    demand.refresh_from_db()
    events = Event.objects.filter(subject_type="demand", subject_id=demand.pk).count()
    assert demand.version == events
