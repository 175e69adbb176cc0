"""The search reads a unit's demands from ``visible_unit_ids`` on PostgreSQL (migration 0014,
kept by triggers): whatever happens to a demand's assignments and intake unit, a unit's staff
find exactly what ``visibility_filter`` lets them see. And a page is the same page whether the
search counted every match or walked the newest demands."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import DataError, connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mashang.core.planner import planner_settings
from mashang.demands.models import Assignment, Demand
from mashang.demands.permissions import visibility_filter
from mashang.demands.selectors import search
from mashang.demands.selectors.search import demand_search, search_page, search_visibility
from mashang.org.models import User
from tests.kit.factories import UnitFactory, UserFactory
from tests.kit.walk import submit

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Asia/Shanghai")
on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="visible_unit_ids is PostgreSQL's (migration 0014)"
)


def _seen(actor: User, q) -> set[int]:
    return set(Demand.objects.filter(q).values_list("pk", flat=True))


# One step on the demands' assignments and intake units: (what, demand, unit, other unit).
_STEP = st.tuples(
    st.sampled_from(["assign", "co-assign", "move", "retarget", "unassign", "intake", "no intake"]),
    st.integers(0, 2),
    st.integers(0, 3),
    st.integers(0, 3),
)


@on_postgresql
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(_STEP, max_size=12))
def test_a_units_staff_search_what_visibility_lets_them_see(zone, steps):
    units = [zone.land, zone.housing, *UnitFactory.create_batch(2)]
    staff = [UserFactory(role=User.Role.UNIT_STAFF, unit=u) for u in units]
    at = datetime(2026, 3, 2, 9, tzinfo=TZ)
    with transaction.atomic():
        demands = [submit(zone, title=f"停电{i}") for i in range(3)]
        for what, d, u, other in steps:
            demand, unit, other_unit = demands[d], units[u], units[other]
            mine = Assignment.objects.filter(demand=demand, unit=unit)
            if what in ("assign", "co-assign") and not mine.exists():
                role = Assignment.Role.LEAD if what == "assign" else Assignment.Role.CO
                Assignment.objects.create(demand=demand, unit=unit, role=role, assigned_at=at)
            elif what == "move" and mine.exists():  # the assignment moves to another demand
                target = demands[(d + 1) % 3]
                if not Assignment.objects.filter(demand=target, unit=unit).exists():
                    mine.update(demand=target)
            elif what == "retarget" and mine.exists():  # … or to another unit
                if not Assignment.objects.filter(demand=demand, unit=other_unit).exists():
                    mine.update(unit=other_unit)
            elif what == "unassign":
                mine.delete()
            elif what == "intake":
                Demand.objects.filter(pk=demand.pk).update(intake_unit=unit)
            elif what == "no intake":
                Demand.objects.filter(pk=demand.pk).update(intake_unit=None)
        for person in staff:
            assert _seen(person, search_visibility(person)) == _seen(person, visibility_filter(person))
        transaction.set_rollback(True)


def test_the_search_reads_a_units_demands_as_visibility_does(zone):
    """Without PostgreSQL the search uses visibility_filter itself; on it, the column."""
    from tests.kit.walk import walk_to

    seen = walk_to(zone, "dispatched")
    Demand.objects.filter(pk=seen.pk).update(title="停电")
    unseen = submit(zone, title="停电")
    numbers = {d.number for d in demand_search(actor=zone.land_staff, q="停电")}
    assert seen.number in numbers and unseen.number not in numbers
    assert {d.number for d in demand_search(actor=zone.housing_staff, q="停电")} == (
        {seen.number} if Assignment.objects.filter(demand=seen, unit=zone.housing).exists() else set()
    )


@pytest.mark.parametrize("cap", [1000, 3])  # every match counted / the newest demands walked
def test_a_page_is_the_same_whichever_way_it_is_found(zone, monkeypatch, cap):
    start = datetime(2026, 3, 2, 9, tzinfo=TZ)
    made = [submit(zone, when=start + timedelta(hours=i), title=f"停电{i}") for i in range(7)]
    twin = submit(zone, when=start + timedelta(hours=3), title="停电同时")  # same time: id breaks the tie
    submit(zone, when=start, title="供水")
    monkeypatch.setattr(search, "COUNT_CAP", cap)
    newest_first = [d.number for d in sorted([*made, twin], key=lambda d: (d.submitted_at, d.pk), reverse=True)]
    qs = demand_search(actor=zone.officer, q="停电")
    pages = [search_page(qs, page=n, page_size=3) for n in (1, 2, 3)]
    assert [d.number for p in pages for d in p.rows] == newest_first
    if cap == 3:
        assert all((p.count, p.count_capped) == (3, True) for p in pages)
    else:
        assert all((p.count, p.count_capped) == (8, False) for p in pages)
        assert [p.has_next for p in pages] == [True, True, False]


@on_postgresql
def test_planner_settings_hold_inside_the_block_only(db):
    def current(name):
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting(%s)", [name])
            return cursor.fetchone()[0]

    before = current("enable_bitmapscan"), current("work_mem")
    with transaction.atomic():  # a caller's longer transaction keeps its own settings
        with planner_settings(enable_bitmapscan="off", work_mem="32MB"):
            assert (current("enable_bitmapscan"), current("work_mem")) == ("off", "32MB")
        assert (current("enable_bitmapscan"), current("work_mem")) == before
        with pytest.raises(DataError), planner_settings(enable_bitmapscan="off"):
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1 / 0")
        assert current("enable_bitmapscan") == before[0]
