"""Scorecard snapshots: a period's figures read instead of recomputed while they still hold.

Computing a month's counts and working-hour quantiles reads every demand filed in it; at
ten million demands that takes seconds. The figures change only when a demand of the period
changes (a transition, which bumps its version) or when a deadline of one of its running
demands passes (the "due" counts depend on the time). So the figures are kept with

- the period's fingerprint: how many demands were filed in it, the sum of their versions,
  their greatest id, and the units' codes — read from the covering index, a fraction of the
  computation's cost;
- ``valid_until``: the earliest deadline still ahead of a running demand of the period.

and read back only when the fingerprint is the same now and ``now`` is not past
``valid_until`` — then they are what a computation would give now, to the last figure.
Anything else recomputes. The fingerprint is taken before and after a computation, and the
result is kept only when the two agree, so a change that lands during the computation is
never hidden behind it.

Changes that bypass the transitions (``mashang working_hours`` rewriting the stored working
times) call :func:`scorecard_snapshots_clear`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Sum

from mashang.demands.models import Demand
from mashang.org.models import Unit
from mashang.supervision import scorecards as sc
from mashang.supervision.scorecard_models import ScorecardSnapshot
from mashang.supervision.scorecard_period import bounds

#: What a computation returns: per unit id, its counts (and, for a full one, its working-hour
#: quantiles), and the earliest deadline still ahead among the period's running demands.
Raw = dict[int, dict[str, Any]]


def fingerprint(period: sc.Period) -> str:
    """The state of the period's demands (merged ones included) and of the units' codes."""
    start, end = bounds(period)
    row = Demand.objects.filter(submitted_at__gte=start, submitted_at__lt=end).aggregate(
        n=Count("pk"), versions=Sum("version"), last=Max("id")
    )
    units = hashlib.sha1(
        ";".join(f"{pk}:{code}" for pk, code in Unit.objects.order_by("pk").values_list("pk", "code")).encode()
    ).hexdigest()[:16]
    return f"{row['n']}:{row['versions'] or 0}:{row['last'] or 0}:{units}"


def _usable(snapshot: ScorecardSnapshot, *, current: str, now: datetime) -> bool:
    return (
        snapshot.fingerprint == current
        and snapshot.computed_at <= now
        and (snapshot.valid_until is None or now <= snapshot.valid_until)
    )


def _decode(figures: dict[str, Any]) -> Raw:
    return {int(pk): value for pk, value in figures.items()}


def scorecard_figures(
    period: sc.Period,
    now: datetime,
    *,
    full: bool,
    compute: Callable[[], tuple[Raw, datetime | None]],
) -> Raw:
    """The period's raw figures as of ``now``: from its snapshot when that still holds,
    otherwise from ``compute()`` (which returns them and their ``valid_until``), kept for next
    time. A full snapshot also serves a request for the lead-unit counts only."""
    current = fingerprint(period)
    wanted = [True] if full else [False, True]
    for snapshot in ScorecardSnapshot.objects.filter(
        period_from=period.start, period_to=period.end, full__in=wanted
    ).order_by("full"):
        if _usable(snapshot, current=current, now=now):
            return _decode(snapshot.figures)
    figures, valid_until = compute()
    if fingerprint(period) == current:
        _keep(period, full=full, fingerprint=current, now=now, valid_until=valid_until, figures=figures)
    return figures


def _keep(
    period: sc.Period, *, full: bool, fingerprint: str, now: datetime, valid_until: datetime | None, figures: Raw
) -> None:
    values = {
        "fingerprint": fingerprint,
        "computed_at": now,
        "valid_until": valid_until,
        "figures": {str(pk): value for pk, value in figures.items()},
    }
    try:
        with transaction.atomic():
            ScorecardSnapshot.objects.update_or_create(
                period_from=period.start, period_to=period.end, full=full, defaults=values
            )
    except IntegrityError:
        # Another request kept the same period at the same moment; either copy is exact.
        pass


def scorecard_snapshots_clear() -> int:
    """Forget every snapshot (after a change that did not go through the transitions)."""
    deleted, _ = ScorecardSnapshot.objects.all().delete()
    return deleted
