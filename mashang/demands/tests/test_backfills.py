"""The demands' migrations leave their long data changes to ``mashang backfill`` on a large
table, and the backfills then store exactly what the migrations would have."""

from __future__ import annotations

import contextlib
import importlib
from datetime import timedelta
from io import StringIO
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.db import connection

from mashang.core.models import BackfillProgress
from mashang.demands.models import Assignment, Demand
from mashang.demands.transitions import Action
from tests.kit.clocks import at
from tests.kit.walk import act, submit

pytestmark = pytest.mark.django_db

working_times_migration = importlib.import_module("mashang.demands.migrations.0006_working_times")


def _handled(zone, n: int) -> list[Demand]:
    demands = []
    for i in range(n):
        demand = submit(zone, when=at(2026, 9, 29, 9, i))
        demand = act(zone, Action.TRIAGE, "officer", demand, when=at(2026, 9, 29, 9, 30))
        demand = act(zone, Action.DISPATCH, "officer", demand, when=at(2026, 9, 29, 10, 0))
        demands.append(
            act(zone, Action.RESPOND, "land_staff", demand, when=at(2026, 9, 29, 14, 30 + i))
        )
    return demands


def _stored() -> list[timedelta | None]:
    return list(Demand.objects.order_by("pk").values_list("first_contact_working_time", flat=True))


def _run_migration_step() -> str:
    out = StringIO()
    # The step reads only the editor's connection (the progress table exists already); a real
    # schema editor cannot be opened inside a test's transaction on SQLite.
    with contextlib.redirect_stdout(out):
        working_times_migration.backfill(None, SimpleNamespace(connection=connection))
    return out.getvalue()


def test_on_a_small_table_the_migration_computes_the_working_times_inline(zone, settings):
    _handled(zone, 3)
    expected = _stored()
    Demand.objects.update(first_contact_working_time=None)
    settings.MASHANG_MIGRATION_INLINE_MAX = 3
    assert _run_migration_step() == ""
    assert _stored() == expected
    assert not BackfillProgress.objects.exists()


def test_on_a_large_table_the_migration_leaves_them_to_the_backfill(zone, settings):
    _handled(zone, 4)
    expected = _stored()
    assert expected[0] == timedelta(hours=2, minutes=30)  # 10:00–12:00, 14:00–14:30
    Demand.objects.update(first_contact_working_time=None)
    settings.MASHANG_MIGRATION_INLINE_MAX = 3
    notice = _run_migration_step()
    assert "mashang backfill demands.working_times" in notice
    assert _stored() == [None] * 4  # nothing done inline
    assert BackfillProgress.objects.get(name="demands.working_times").state == "pending"

    out = StringIO()
    call_command("backfill", "--all", "--batch-size", "3", stdout=out)
    assert "demands.working_times: 4 / 4 (100%)" in out.getvalue()
    assert _stored() == expected
    progress = BackfillProgress.objects.get(name="demands.working_times")
    assert progress.state == "done" and progress.rows_done == 4


@pytest.mark.postgres
def test_the_visible_units_backfill_restores_what_the_triggers_keep(zone):
    demands = _handled(zone, 3)
    extra = submit(zone, when=at(2026, 9, 30, 9, 0))
    Assignment.objects.create(
        demand=extra,
        unit=zone.housing,
        role=Assignment.Role.LEAD,
        assigned_at=at(2026, 9, 30, 9, 5),
    )

    def units() -> dict[int, list[int]]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT id, visible_unit_ids FROM demands_demand ORDER BY id")
            return dict(cursor.fetchall())

    expected = units()
    assert expected[demands[0].pk] and zone.housing.pk in expected[extra.pk]
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE demands_demand SET visible_unit_ids = '{}'"
        )  # as after migration 0014, left pending
    call_command(
        "backfill", "demands.visible_units", "--restart", "--batch-size", "2", stdout=StringIO()
    )
    assert units() == expected
    assert BackfillProgress.objects.get(name="demands.visible_units").rows_done == 4
