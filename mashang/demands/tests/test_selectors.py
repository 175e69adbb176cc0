"""A unit's queue: the demands currently in it, nearest deadline first, and a count that agrees."""

from __future__ import annotations

from mashang.demands.models import Demand
from mashang.demands.selectors import DemandFilters, demand_count, demand_list
from mashang.demands.transitions import Action
from tests.kit.clocks import at
from tests.kit.factories import UnitFactory, UserFactory
from tests.kit.walk import act, walk_to

QUEUE = DemandFilters(unit="zrzy", open=True)


def test_the_queue_holds_current_open_demands_in_deadline_order_and_the_count_agrees(zone):
    in_progress = walk_to(zone, "in_progress")
    dispatched = walk_to(zone, "dispatched")
    returned = walk_to(zone, "returned")  # no longer in the unit's queue
    closed = walk_to(zone, "closed")  # the unit still sees it, but it is not open
    for actor in (zone.land_staff, zone.officer, zone.supervisor):
        rows = list(demand_list(actor=actor, filters=QUEUE))
        assert {d.pk for d in rows} == {in_progress.pk, dispatched.pk}, actor
        assert [d.next_due_at for d in rows] == sorted(d.next_due_at for d in rows)
        assert demand_count(actor=actor, filters=QUEUE) == 2
        everything = DemandFilters(unit="zrzy")
        seen = {d.pk for d in demand_list(actor=actor, filters=everything)}
        assert seen == {in_progress.pk, dispatched.pk, returned.pk, closed.pk}
        assert demand_count(actor=actor, filters=everything) == 4
    # A unit never dispatched to sees nothing of this queue, and counts nothing either.
    tax_staff = UserFactory(role="unit_staff", unit=UnitFactory(code="sw", name="税务分局"))
    assert list(demand_list(actor=tax_staff, filters=QUEUE)) == []
    assert demand_count(actor=tax_staff, filters=QUEUE) == 0
    # An enterprise counts only its own demands even when it asks for a unit's queue.
    assert demand_count(actor=zone.other_contact, filters=QUEUE) == 0


def test_the_queue_follows_a_redispatch(zone):
    demand = walk_to(zone, "returned")
    act(zone, Action.DISPATCH, "officer", demand, when=at(2026, 3, 10, 9, 0), lead_unit="zjj", co_units=["zrzy"])
    rows = list(demand_list(actor=zone.land_staff, filters=QUEUE))
    assert [d.pk for d in rows] == [demand.pk]  # back in the queue, now as co-unit
    assert demand_count(actor=zone.land_staff, filters=QUEUE) == 1
    assert Demand.objects.get(pk=demand.pk).lead_unit == zone.housing
