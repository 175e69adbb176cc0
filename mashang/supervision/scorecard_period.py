"""The demands of a scorecard period and their working hours.

The period is a range of local dates ``[from, to)``; a demand belongs to the period in which
it was filed and is not a merged duplicate. Working hours from dispatch to first contact and
to reply are measured on the zone's calendar: in SQL on PostgreSQL (with quantiles), in
Python on SQLite.
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime, time, timedelta

from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from mashang.demands.models import Demand, Status
from mashang.supervision import scorecards as sc
from mashang.workcal.selectors import calendar_get


def bounds(period: sc.Period) -> tuple[datetime, datetime]:
    tz = timezone.get_default_timezone()
    return (
        datetime.combine(period.start, time(), tzinfo=tz),
        datetime.combine(period.end, time(), tzinfo=tz),
    )


def filed_in(period: sc.Period) -> QuerySet[Demand]:
    """The demands of the period: filed in it, not merged."""
    start, end = bounds(period)
    return Demand.objects.filter(submitted_at__gte=start, submitted_at__lt=end).exclude(status=Status.MERGED)


def _hour_samples(period: sc.Period) -> dict[int, dict[str, list[float]]]:
    """Working hours from dispatch to first contact and to reply, per lead unit.

    Only the timestamp triples come from the database; the working time is the calendar's
    (O(1) per pair). Each instant is placed once on the calendar's working-time line.
    """
    cal = calendar_get()
    between = cal.working_time_between
    rows = (
        filed_in(period)
        .filter(lead_unit__isnull=False, dispatched_at__isnull=False)
        .filter(Q(first_responded_at__isnull=False) | Q(replied_at__isnull=False))
        .values_list("lead_unit_id", "dispatched_at", "first_responded_at", "replied_at")
        .order_by()
    )
    result: dict[int, dict[str, list[float]]] = {}
    for unit_id, dispatched, responded, replied in rows.iterator(chunk_size=20_000):
        samples = result.get(unit_id)
        if samples is None:
            samples = result[unit_id] = {"response": [], "reply": []}
        if responded is not None:
            samples["response"].append(between(dispatched, responded).total_seconds() / 3600)
        if replied is not None:
            samples["reply"].append(between(dispatched, replied).total_seconds() / 3600)
    return result


def _hour_quantiles_sql(period: sc.Period, now: datetime) -> dict[int, dict[str, float | None]]:
    """PostgreSQL: the same working hours and quantiles as :func:`_hour_samples` + ``percentile``,
    computed in the database so that no row leaves it.

    The calendar is handed over as a table of local days — each day's working time before it
    (from the calendar, in seconds) and whether it works — for the days the instants can fall
    on. An instant's place on the working-time line is its day's "before" plus, on a working
    day, the office time elapsed by its local clock time: the calendar's own rule. The
    difference of two places is ``working_time_between``; ``percentile_cont`` interpolates as
    ``scorecards.percentile`` does.
    """
    cal = calendar_get()
    tz = timezone.get_default_timezone()
    first = period.start - timedelta(days=7)
    last = max(timezone.localdate(now), period.end) + timedelta(days=2)
    origin = datetime.combine(first, time(), tzinfo=tz)
    midnights = [datetime.combine(first + timedelta(days=i), time(), tzinfo=tz) for i in range((last - first).days + 1)]
    offsets = {m.utcoffset() for m in midnights}
    before = [cal.working_time_between(origin, m).total_seconds() for m in midnights]
    works = [cal.is_working_day(m.date()) for m in midnights]
    clock_terms = " + ".join(
        f"GREATEST(0, LEAST({{clock}}, {end.hour * 3600 + end.minute * 60 + end.second}) - "
        f"{start.hour * 3600 + start.minute * 60 + start.second})"
        for start, end in cal.office_hours
    )
    if len(offsets) == 1:
        # One UTC offset over these days (China): local time is epoch + offset, no time-zone
        # conversion per row; a local day is the integer (epoch + offset) // 86400.
        offset = next(iter(offsets)).total_seconds()
        key0 = int((origin.timestamp() + offset) // 86400)

        def local(column: str) -> str:
            return f"(date_part('epoch', {column}) + {offset})"

        def day(column: str) -> str:
            return f"FLOOR({local(column)} / 86400)::int"

        def clock(column: str) -> str:
            return f"({local(column)} - FLOOR({local(column)} / 86400) * 86400)"
    else:
        key0 = 0

        def day(column: str) -> str:
            return f"(({column} AT TIME ZONE %(tz)s)::date - %(first)s::date)"

        def clock(column: str) -> str:
            return f"date_part('epoch', ({column} AT TIME ZONE %(tz)s)::time)"

    def place(column: str, alias: str) -> str:
        return (
            f"({alias}.before + CASE WHEN {alias}.works THEN "
            f"{clock_terms.format(clock=clock(column))} ELSE 0 END)"
        )

    keys = list(range(key0, key0 + len(midnights)))
    start, end = bounds(period)
    sql = f"""
        WITH cal(k, before, works) AS (
            SELECT * FROM unnest(%(keys)s::int[], %(before)s::float8[], %(works)s::bool[])
        ), x AS (
            SELECT dm.lead_unit_id AS unit,
                   {place("dm.dispatched_at", "c0")} AS wd,
                   CASE WHEN dm.first_responded_at IS NULL THEN NULL
                        ELSE {place("dm.first_responded_at", "c1")} END AS wr,
                   CASE WHEN dm.replied_at IS NULL THEN NULL
                        ELSE {place("dm.replied_at", "c2")} END AS wp
            FROM demands_demand dm
            JOIN cal c0 ON c0.k = {day("dm.dispatched_at")}
            LEFT JOIN cal c1 ON c1.k = {day("dm.first_responded_at")}
            LEFT JOIN cal c2 ON c2.k = {day("dm.replied_at")}
            WHERE dm.submitted_at >= %(start)s AND dm.submitted_at < %(end)s
              AND dm.status <> %(merged)s AND dm.lead_unit_id IS NOT NULL
              AND dm.dispatched_at IS NOT NULL
              AND (dm.first_responded_at IS NOT NULL OR dm.replied_at IS NOT NULL)
        )
        SELECT unit,
               percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY wr - wd) FILTER (WHERE wr IS NOT NULL),
               percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY wp - wd) FILTER (WHERE wp IS NOT NULL)
        FROM x GROUP BY unit
    """
    params = {
        "keys": keys, "before": before, "works": works, "tz": str(tz), "first": first,
        "start": start, "end": end, "merged": Status.MERGED.value,
    }
    result: dict[int, dict[str, float | None]] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for unit_id, response, reply in cursor.fetchall():
            response = response or [None, None]
            reply = reply or [None, None]
            hours = [None if v is None else v / 3600 for v in (*response, *reply)]
            result[unit_id] = dict(zip([name for name, *_ in sc.HOURS], hours, strict=True))
    return result


@contextmanager
def _analytic():
    """For the period aggregates on PostgreSQL: no JIT (it compiles these one-off queries for
    longer than they run) and room to sort a month's working hours in memory."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
            cursor.execute("SET LOCAL work_mem = '64MB'")
        yield
