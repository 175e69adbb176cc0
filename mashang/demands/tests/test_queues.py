"""Possible duplicates are hints to the service team: the same enterprise saying much the same
thing again (``demands.similarity``), classified or not."""

from __future__ import annotations

from mashang.demands.queues import demand_possible_duplicates
from tests.kit.clocks import at
from tests.kit.walk import submit

ROAD = ("厂区门口道路积水严重影响货车进出", "每逢下雨，园区三路靠近我司北门的路段积水深达40厘米，货车无法进出，请协调排水改造。")
ROAD_AGAIN = ("园区三路北门路段积水", "下雨后园区三路我司北门附近路段积水四十厘米左右，货车进不来也出不去，请尽快协调改造排水。")
FLAT = ("人才公寓申请进度咨询", "我司5名技术骨干于3月申请入住人才公寓，至今未收到审核结果，请帮忙查询进度。")


def _filed(zone, text, when, **kw):
    return submit(zone, when=when, title=text[0], description=text[1], **kw)


def test_an_unclassified_repeat_is_flagged_and_a_different_issue_is_not(zone):
    a = _filed(zone, ROAD, at(2026, 3, 2, 9, 0))
    b = _filed(zone, ROAD_AGAIN, at(2026, 3, 9, 9, 0))
    c = _filed(zone, FLAT, at(2026, 3, 3, 9, 0))
    found = demand_possible_duplicates(actor=zone.officer, demands=[a, b, c])
    assert [s.demand.pk for s in found[a.pk]] == [b.pk]
    assert [s.demand.pk for s in found[b.pk]] == [a.pk]
    assert found[c.pk] == []
    assert 30 <= found[a.pk][0].percent <= 100


def test_demands_of_one_category_on_different_issues_are_not_flagged(zone):
    a = _filed(zone, ROAD, at(2026, 3, 2, 9, 0), category_code="land")
    b = _filed(zone, FLAT, at(2026, 3, 3, 9, 0), category_code="land")
    assert demand_possible_duplicates(actor=zone.officer, demands=[a, b]) == {a.pk: [], b.pk: []}


def test_another_enterprises_demand_is_no_duplicate_an_open_one_of_months_ago_is(zone):
    a = _filed(zone, ROAD, at(2026, 3, 2, 9, 0))
    other = _filed(zone, ROAD, at(2026, 3, 2, 10, 0), actor=zone.other_contact)
    far = _filed(zone, ROAD, at(2026, 6, 1, 9, 0))  # re-filed as it was
    found = demand_possible_duplicates(actor=zone.officer, demands=[a, other, far])
    # ``a`` is open: the demand filed three months later may still repeat it.
    assert [s.demand.pk for s in found[far.pk]] == [a.pk]
    assert found[other.pk] == [] and [s.demand.pk for s in found[a.pk]] == [far.pk]
