"""Scorecard snapshots: a period's figures read instead of recomputed while they still hold.

Computing a month's counts and working-hour quantiles reads every demand filed in it; at
ten million demands that takes seconds. The figures change only when a demand of the period
changes (a transition, which bumps its version) or when a deadline of one of its running
demands passes (the "due" counts depend on the time). So they are kept, per day of filing:

- each day's counts per unit, with the day's fingerprint — how many demands were filed that
  day, the sum of their versions, their greatest id, and the units' codes — and
  ``valid_until``, the earliest deadline still ahead of one of the day's running demands;
- the period's working-hour quantiles (a median is not a sum of days), with the fingerprint
  of all its days.

A day's counts are read back only when its fingerprint is the same now and ``now`` is not
past ``valid_until``: they are then what a computation would give now, to the last figure.
The other days are computed again — after one demand changed, that is one day, not the
month. The fingerprints are read (from a narrow index) before and after a computation, and
a result is kept only when the two agree, so a change that lands during the computation is
never hidden behind it.

Changes that bypass the transitions (``mashang working_hours`` rewriting the stored working
times) call :func:`scorecard_snapshots_clear`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from django.db import DatabaseError, connection, transaction

from mashang.demands.models import Demand
from mashang.org.models import Unit
from mashang.supervision.scorecards import formulas as sc
from mashang.supervision.scorecards.models import ScorecardSnapshot
from mashang.supervision.scorecards.period import bounds

DAY = timedelta(days=1)
#: At most this many separate runs of days are computed one by one; more, and the span
#: from the first to the last is computed in one pass.
MAX_SPANS = 4
#: Days whose fingerprints one statement reads.
FINGERPRINT_DAYS_PER_STATEMENT = 400

#: Counts per unit id: {unit_id: {figure: n}}.
UnitCounts = dict[int, dict[str, int]]
#: What computing the counts of a span of days gives: the counts per day, and per day the
#: earliest deadline after ``now`` whose passing would change them (None: none).
DayCounts = tuple[dict[date, UnitCounts], dict[date, datetime | None]]

PART_COUNTS, PART_LEAD, PART_HOURS = "counts", "lead", "hours"
#: The counts a full day has that the lead-unit counts do not.
ASSIGNMENT_COUNTS = ("lead", "co", "returned", "lead_urgent", "lead_critical", "co_urgent", "co_critical")
#: The shape of the figures kept: a snapshot of another shape (kept before a figure was added)
#: has another fingerprint, so it is computed again rather than read with a figure missing.
FIGURES_FORMAT = "2"


def _units_digest() -> str:
    codes = FIGURES_FORMAT + "|" + ";".join(
        f"{pk}:{code}" for pk, code in Unit.objects.order_by("pk").values_list("pk", "code")
    )
    return hashlib.sha1(codes.encode()).hexdigest()[:16]


def days_of(period: sc.Period) -> list[sc.Period]:
    """The period's days, each as a period of its own."""
    return [sc.Period(period.start + i * DAY, period.start + (i + 1) * DAY) for i in range(period.days)]


def day_fingerprints(period: sc.Period) -> dict[date, str]:
    """Per day of the period on which demands were filed (merged ones included): their
    number, the sum of their versions and their greatest id, with the units' codes.

    One statement of one range aggregate per day, each read from the narrow index of filing
    time, id and version — no time-zone arithmetic per row.
    """
    days = days_of(period)
    table = connection.ops.quote_name(Demand._meta.db_table)
    part = f"SELECT %s, COUNT(*), SUM(version), MAX(id) FROM {table} WHERE submitted_at >= %s AND submitted_at < %s"
    units = _units_digest()
    result: dict[date, str] = {}
    with connection.cursor() as cursor:
        # SQLite allows at most 500 terms in one compound SELECT.
        for first in range(0, len(days), FINGERPRINT_DAYS_PER_STATEMENT):
            chunk = days[first : first + FINGERPRINT_DAYS_PER_STATEMENT]
            params: list[Any] = []
            for i, day in enumerate(chunk, start=first):
                # As the database stores the instants (SQLite: UTC text), not as Python has them.
                params.extend([i, *(connection.ops.adapt_datetimefield_value(b) for b in bounds(day))])
            cursor.execute(" UNION ALL ".join([part] * len(chunk)), params)
            for i, n, versions, last in cursor.fetchall():
                if n:
                    result[days[i].start] = f"{n}:{versions}:{last}:{units}"
    return result


def fingerprint(period: sc.Period) -> str:
    """The whole period's state, as one string (the working-hour quantiles are kept by it)."""
    return _whole(day_fingerprints(period))


def _spans(days: list[date]) -> list[sc.Period]:
    """Runs of consecutive days, as periods; one span from first to last when there are many."""
    spans: list[list[date]] = []
    for day in sorted(days):
        if spans and day == spans[-1][1]:
            spans[-1][1] = day + DAY
        else:
            spans.append([day, day + DAY])
    if len(spans) > MAX_SPANS:
        spans = [[spans[0][0], spans[-1][1]]]
    return [sc.Period(a, b) for a, b in spans]


def _usable(snapshot: ScorecardSnapshot, fingerprint: str | None, now: datetime) -> bool:
    return (
        fingerprint is not None
        and snapshot.fingerprint == fingerprint
        and snapshot.computed_at <= now
        and (snapshot.valid_until is None or now <= snapshot.valid_until)
    )


def _decode(figures: dict[str, Any]) -> dict[int, Any]:
    return {int(pk): value for pk, value in figures.items()}


def scorecard_figures(
    period: sc.Period,
    now: datetime,
    *,
    full: bool,
    compute_counts: Callable[[sc.Period], DayCounts],
    compute_hours: Callable[[], dict[int, dict[str, float | None]]],
) -> dict[int, dict[str, Any]]:
    """The period's figures per unit id as of ``now`` — ``{"counts": …, "hours": …}`` — from
    the days kept when they still hold, the other days from ``compute_counts(span)``, and the
    working-hour quantiles (when ``full``) from ``compute_hours()`` unless kept for the same
    state of the period. ``full=False``: the lead-unit counts only (a full day serves too)."""
    before = day_fingerprints(period)
    parts = [PART_COUNTS] if full else [PART_COUNTS, PART_LEAD]
    kept: dict[date, UnitCounts] = {}
    for snapshot in ScorecardSnapshot.objects.filter(
        period_from__gte=period.start, period_from__lt=period.end, part__in=parts
    ).order_by("part"):  # "counts" before "lead": a full day first
        day = snapshot.period_from
        if day in kept or snapshot.period_to != day + DAY:
            continue
        if _usable(snapshot, before.get(day), now):
            kept[day] = _decode(snapshot.figures)
            if not full:
                for counts in kept[day].values():
                    for name in ASSIGNMENT_COUNTS:
                        counts.pop(name, None)

    computed: dict[date, UnitCounts] = {}
    valid_until: dict[date, datetime | None] = {}
    for span in _spans([day for day in before if day not in kept]):
        counts, until = compute_counts(span)
        computed.update(counts)
        valid_until.update(until)
        # A day whose demands count nowhere (none dispatched yet, or merged) is kept too.
        day = span.start
        while day < span.end:
            if day in before:
                computed.setdefault(day, {})
            day += DAY

    hours: dict[int, dict[str, float | None]] = {}
    hours_snapshot = None
    whole = _whole(before)
    if full:
        hours_snapshot = ScorecardSnapshot.objects.filter(
            period_from=period.start, period_to=period.end, part=PART_HOURS
        ).first()
        if hours_snapshot is not None and hours_snapshot.fingerprint == whole:
            hours = _decode(hours_snapshot.figures)
        else:
            hours_snapshot = None
            hours = compute_hours()

    if computed or (full and hours_snapshot is None):
        after = day_fingerprints(period)
        part = PART_COUNTS if full else PART_LEAD
        _keep(
            [
                ScorecardSnapshot(
                    period_from=day,
                    period_to=day + DAY,
                    part=part,
                    fingerprint=before[day],
                    computed_at=now,
                    valid_until=valid_until.get(day),
                    figures={str(pk): c for pk, c in counts.items()},
                )
                for day, counts in computed.items()
                if day in before and after.get(day) == before[day]
            ]
            + (
                [
                    ScorecardSnapshot(
                        period_from=period.start,
                        period_to=period.end,
                        part=PART_HOURS,
                        fingerprint=whole,
                        computed_at=now,
                        figures={str(pk): h for pk, h in hours.items()},
                    )
                ]
                if full and hours_snapshot is None and _whole(after) == whole
                else []
            )
        )

    totals: dict[int, dict[str, Any]] = {}
    # A day kept and computed again (inside a span that joined runs of days) counts once.
    for day_counts in {**kept, **computed}.values():
        for pk, counts in day_counts.items():
            unit = totals.setdefault(pk, {"counts": {}, "hours": {}})["counts"]
            for name, n in counts.items():
                unit[name] = unit.get(name, 0) + n
    for pk, quantiles in hours.items():
        totals.setdefault(pk, {"counts": {}, "hours": {}})["hours"] = quantiles
    return totals


def _whole(days: dict[date, str]) -> str:
    text = "|".join(f"{d.isoformat()}={fp}" for d, fp in sorted(days.items()))
    return hashlib.sha1(text.encode()).hexdigest()


def _keep(snapshots: list[ScorecardSnapshot]) -> None:
    if not snapshots:
        return
    try:
        with transaction.atomic():
            ScorecardSnapshot.objects.bulk_create(
                snapshots,
                update_conflicts=True,
                unique_fields=["period_from", "period_to", "part"],
                update_fields=["fingerprint", "computed_at", "valid_until", "figures"],
            )
    except DatabaseError:
        # Another request keeping the same days at the same moment: either copy is exact, and
        # a snapshot not kept is only computed again next time.
        pass


def scorecard_snapshots_clear() -> int:
    """Forget every snapshot (after a change that did not go through the transitions)."""
    deleted, _ = ScorecardSnapshot.objects.all().delete()
    return deleted
