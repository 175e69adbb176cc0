"""The demands' long data changes, run by ``mashang backfill`` after the migrations that left
them pending on a large table (registered in :class:`mashang.demands.apps.DemandsConfig`).

- ``demands.working_times`` (migration 0006): the working time to first contact and to reply
  each dispatched demand stores, on the calendar as it is now.
- ``demands.visible_units`` (migration 0014, PostgreSQL): the units that may read each demand,
  ``visible_unit_ids``, from its assignments and intake unit.
"""

from __future__ import annotations

from django.db import connection

from mashang.core.backfill import Backfill
from mashang.demands.working_hours import working_times_batch


def _dispatched_count() -> int:
    from mashang.demands.models import Demand

    return Demand.objects.filter(dispatched_at__isnull=False).count()


def _demand_count() -> int:
    from mashang.demands.models import Demand

    return Demand.objects.count() if connection.vendor == "postgresql" else 0


def visible_units_batch(*, after: int, size: int) -> tuple[int, int]:
    """One batch of ``demands.visible_units``: the next ``size`` demands after id ``after``
    get their units computed again (the function migration 0014 installs). The rows are
    locked first and written by a second statement, whose snapshot sees every assignment
    committed until then; an assignment still being made waits for the lock and then adds its
    unit through its trigger. Nothing to do on SQLite (no column)."""
    if connection.vendor != "postgresql":
        return after, 0
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id FROM demands_demand WHERE id > %s ORDER BY id LIMIT %s FOR UPDATE",
            [after, size],
        )
        ids = [row[0] for row in cursor.fetchall()]
        if not ids:
            return after, 0
        cursor.execute(
            "UPDATE demands_demand SET visible_unit_ids = units.ids"
            " FROM (SELECT id, demands_visible_unit_ids(id, intake_unit_id) AS ids"
            "         FROM demands_demand WHERE id = ANY(%s)) units"
            " WHERE demands_demand.id = units.id AND demands_demand.visible_unit_ids <> units.ids",
            [ids],
        )
    return ids[-1], len(ids)


BACKFILLS = [
    Backfill(
        name="demands.working_times",
        description="Working time to first contact and to reply stored on each dispatched demand "
        "(migration 0006; the scorecards' hours read it).",
        batch=working_times_batch,
        estimate=_dispatched_count,
    ),
    Backfill(
        name="demands.visible_units",
        description="The units that may read each demand, for a unit's search "
        "(migration 0014, PostgreSQL).",
        batch=visible_units_batch,
        estimate=_demand_count,
    ),
]
