"""Possible duplicates are hints to the service team: same enterprise, same category, close in time."""

from __future__ import annotations

from mashang.demands.queues import demand_possible_duplicates
from tests.kit.clocks import at
from tests.kit.walk import submit


def test_two_unclassified_demands_of_one_enterprise_are_not_called_duplicates(zone):
    a = submit(zone, when=at(2026, 3, 2, 9, 0), title="道路积水")
    b = submit(zone, when=at(2026, 3, 3, 9, 0), title="人才公寓申请")
    assert demand_possible_duplicates(actor=zone.officer, demands=[a, b]) == {a.pk: [], b.pk: []}


def test_demands_of_one_enterprise_and_category_within_the_window_are_flagged(zone):
    a = submit(zone, when=at(2026, 3, 2, 9, 0), category_code="land")
    b = submit(zone, when=at(2026, 3, 20, 9, 0), category_code="land")
    far = submit(zone, when=at(2026, 6, 1, 9, 0), category_code="land")
    other = submit(zone, actor=zone.other_contact, when=at(2026, 3, 2, 10, 0), category_code="land")
    found = demand_possible_duplicates(actor=zone.officer, demands=[a, b, far, other])
    assert [d.pk for d in found[a.pk]] == [b.pk]
    assert [d.pk for d in found[b.pk]] == [a.pk]
    assert found[far.pk] == [] and found[other.pk] == []
