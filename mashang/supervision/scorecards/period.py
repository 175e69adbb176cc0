"""The demands of a scorecard period and their working hours.

The period is a range of local dates ``[from, to)``; a demand belongs to the period in which
it was filed and is not a merged duplicate. The working hours from dispatch to first contact
and to reply are the ones the transitions stored on each demand; their quantiles are computed
in SQL on PostgreSQL and in Python on SQLite.
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime, time

from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from mashang.demands.models import Demand, Status
from mashang.supervision.scorecards import formulas as sc


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
    """Working hours from dispatch to first contact and to reply, per lead unit: the times the
    transitions stored (:mod:`mashang.demands.working_hours`), in hours."""
    rows = (
        filed_in(period)
        .filter(lead_unit__isnull=False)
        .filter(Q(first_contact_working_time__isnull=False) | Q(reply_working_time__isnull=False))
        .values_list("lead_unit_id", "first_contact_working_time", "reply_working_time")
        .order_by()
    )
    result: dict[int, dict[str, list[float]]] = {}
    for unit_id, contact, reply in rows.iterator(chunk_size=20_000):
        samples = result.get(unit_id)
        if samples is None:
            samples = result[unit_id] = {"response": [], "reply": []}
        if contact is not None:
            samples["response"].append(contact.total_seconds() / 3600)
        if reply is not None:
            samples["reply"].append(reply.total_seconds() / 3600)
    return result


def _hour_quantiles_sql(period: sc.Period) -> dict[int, dict[str, float | None]]:
    """PostgreSQL: the quantiles and means of :func:`_hour_samples` computed in the database, so
    that no row leaves it; ``percentile_cont`` interpolates as ``formulas.percentile`` does."""
    start, end = bounds(period)
    sql = """
        SELECT lead_unit_id,
               percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY date_part('epoch', first_contact_working_time))
                   FILTER (WHERE first_contact_working_time IS NOT NULL),
               percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY date_part('epoch', reply_working_time))
                   FILTER (WHERE reply_working_time IS NOT NULL),
               AVG(date_part('epoch', first_contact_working_time)),
               AVG(date_part('epoch', reply_working_time))
        FROM demands_demand
        WHERE submitted_at >= %(start)s AND submitted_at < %(end)s AND status <> %(merged)s
          AND lead_unit_id IS NOT NULL
          AND (first_contact_working_time IS NOT NULL OR reply_working_time IS NOT NULL)
        GROUP BY lead_unit_id
    """
    result: dict[int, dict[str, float | None]] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, {"start": start, "end": end, "merged": Status.MERGED.value})
        for unit_id, response, reply, response_mean, reply_mean in cursor.fetchall():
            response = response or [None, None]
            reply = reply or [None, None]
            hours = [None if v is None else v / 3600 for v in (*response, *reply, response_mean, reply_mean)]
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
