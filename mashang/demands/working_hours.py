"""The working time a lead unit took to first contact and to reply, stored on the demand.

Measured on the zone's calendar from the dispatch (the start of the current round) by the
transition that records the contact or the reply, and cleared when a new round starts. The
scorecards read these numbers (medians, 90th percentiles) instead of measuring millions of
timestamp pairs each time.

When the calendar changes for past dates (a holiday entered late, a local decision), the
stored times are recomputed with ``mashang working_hours --since DATE``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from django.db import connection, transaction
from django.utils import timezone
from django.utils.duration import duration_microseconds

from mashang.workcal.calendar import WorkCalendar
from mashang.workcal.selectors import calendar_get

FIELDS = ("first_contact_working_time", "reply_working_time")


def _between(cal: WorkCalendar, start: datetime | None, end: datetime | None) -> timedelta | None:
    if start is None or end is None:
        return None
    return cal.working_time_between(start, end)


def working_times(
    cal: WorkCalendar, *, dispatched_at: datetime | None, first_responded_at: datetime | None, replied_at: datetime | None
) -> dict[str, timedelta | None]:
    """The two stored working times for these instants (None where one end is missing)."""
    return {
        "first_contact_working_time": _between(cal, dispatched_at, first_responded_at),
        "reply_working_time": _between(cal, dispatched_at, replied_at),
    }


def working_times_of(cal: WorkCalendar, demand) -> dict[str, timedelta | None]:
    return working_times(
        cal,
        dispatched_at=demand.dispatched_at,
        first_responded_at=demand.first_responded_at,
        replied_at=demand.replied_at,
    )


def working_times_recompute(
    *, since: date | None = None, batch: int = 20_000, progress: Callable[[int], None] | None = None
) -> int:
    """Recompute the stored working times of the demands filed on or after ``since`` (all when
    None) on the calendar as it is now; returns how many demands were looked at.

    Reads the instants in id order, a batch at a time, and writes each batch in one statement
    in its own transaction, so it can run on a live database and be interrupted.
    """
    from mashang.demands.models import Demand

    qs = Demand.objects.filter(dispatched_at__isnull=False).order_by("pk")
    if not qs.exists():
        return 0
    cal = calendar_get()
    if since is not None:
        start = datetime.combine(since, time(), tzinfo=timezone.get_default_timezone())
        qs = qs.filter(submitted_at__gte=start)
    rows = qs.values_list("pk", "dispatched_at", "first_responded_at", "replied_at", *FIELDS)
    last, seen = 0, 0
    while True:
        chunk = list(rows.filter(pk__gt=last)[:batch])
        if not chunk:
            return seen
        with transaction.atomic():
            _store(cal, chunk)
        last = chunk[-1][0]
        seen += len(chunk)
        if progress:
            progress(seen)


def working_times_batch(*, after: int, size: int) -> tuple[int, int]:
    """One batch of the backfill ``demands.working_times``: the stored times of the next
    ``size`` dispatched demands after id ``after``, on the calendar as it is now; returns the
    last id and how many were looked at. Runs in the caller's transaction and locks the rows it
    reads, so a transition on one of them waits and then stores its own value."""
    from mashang.demands.models import Demand

    chunk = list(
        Demand.objects.filter(dispatched_at__isnull=False, pk__gt=after)
        .order_by("pk")
        .select_for_update()
        .values_list("pk", "dispatched_at", "first_responded_at", "replied_at", *FIELDS)[:size]
    )
    if not chunk:
        return after, 0
    _store(calendar_get(), chunk)
    return chunk[-1][0], len(chunk)


def _store(cal: WorkCalendar, chunk: list[tuple]) -> None:
    changed = []
    for pk, dispatched, responded, replied, *stored in chunk:
        new = working_times(cal, dispatched_at=dispatched, first_responded_at=responded, replied_at=replied)
        values = [new[name] for name in FIELDS]
        if values != stored:
            changed.append((pk, *values))
    if changed:
        _write(changed)


def _write(rows: list[tuple[int, timedelta | None, timedelta | None]]) -> None:
    table = "demands_demand"
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            ids, contact, reply = zip(*rows, strict=True)
            cursor.execute(
                f"UPDATE {table} AS d SET first_contact_working_time = v.c, reply_working_time = v.r "
                "FROM unnest(%s::bigint[], %s::interval[], %s::interval[]) AS v(id, c, r) WHERE d.id = v.id",
                [list(ids), list(contact), list(reply)],
            )
        else:
            def duration(value: timedelta | None) -> int | None:
                return None if value is None else duration_microseconds(value)

            cursor.executemany(
                f"UPDATE {table} SET first_contact_working_time = %s, reply_working_time = %s WHERE id = %s",
                [(duration(c), duration(r), pk) for pk, c, r in rows],
            )
