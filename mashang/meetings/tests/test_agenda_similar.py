"""The review agenda's repeat demands found by text similarity (``agenda.similar_repeats``): one
enterprise filing one issue three times in the period, in any category or none, is proposed with
the demands' numbers; a group the enterprise-and-category rule already lists is not listed twice."""

from __future__ import annotations

import pytest
from django.utils import translation

from mashang.meetings.agenda import Thresholds, agenda_propose
from mashang.meetings.models import Source
from tests.kit.clocks import at
from tests.kit.factories import CategoryFactory
from tests.kit.walk import submit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _in_english():
    """The evidence is written in the language of the request; these tests read it in English."""
    with translation.override("en"):
        yield


TEXTS = {
    "flooding": ("厂区门口道路积水严重影响货车进出",
                 "每逢下雨，园区三路靠近我司北门的路段积水深达40厘米，货车无法进出，请协调排水改造。"),
    "flooding_again": ("园区三路北门路段积水",
                       "下雨后园区三路我司北门附近路段积水四十厘米左右，货车进不来也出不去，请尽快协调改造排水。"),
    "talent_flats": ("人才公寓申请进度咨询",
                     "我司5名技术骨干于3月申请入住人才公寓，至今未收到审核结果，请帮忙查询进度。"),
    "potholes": ("园区三路路面破损严重",
                 "园区三路靠近我司的路段路面破损，出现多个坑洼，重载货车通行颠簸严重，请安排修补。"),
    "invoices": ("发票领用额度不足申请调增", "我司订单增长，本月发票额度已用完，申请调增开票额度。"),
}


def _file(zone, key, when, **kw):
    title, description = TEXTS[key]
    return submit(zone, title=title, description=description, when=when, **kw)


NOVEMBER = (at(2026, 11, 1).date(), at(2026, 12, 1).date())
SMALL_ZONE = Thresholds(volume_min=50)


def _repeats(zone) -> list:
    proposals = agenda_propose(
        kind="demand_review", start=NOVEMBER[0], end=NOVEMBER[1], at=at(2026, 12, 3, 10, 0),
        thresholds=SMALL_ZONE,
    )
    return [p for p in proposals if p.source == Source.REPEAT]


def test_the_agenda_proposes_one_enterprise_filing_one_issue_three_times_in_any_category(zone):
    CategoryFactory(code="utilities", name="水电气")
    filed = [
        _file(zone, "flooding", at(2026, 11, 3, 9, 0)),
        _file(zone, "flooding_again", at(2026, 11, 10, 9, 0), category_code="land"),
        _file(zone, "flooding", at(2026, 11, 17, 9, 0), category_code="utilities"),
    ]
    for key, day in (("talent_flats", 4), ("potholes", 5), ("invoices", 6)):
        _file(zone, key, at(2026, 11, day, 9, 0))  # three distinct issues
    _file(zone, "flooding", at(2026, 11, 18, 9, 0), actor=zone.other_contact)  # another enterprise
    [item] = _repeats(zone)
    assert item.key == f"repeat:{zone.enterprise.pk}:similar:{filed[0].pk}"
    assert item.figures["count"] == 3 and item.category_id is None
    assert item.evidence[0] == "3 demands saying much the same filed in the period: " + "、".join(
        d.number for d in filed
    )


def test_a_similar_group_the_category_rule_lists_is_not_listed_twice(zone):
    for day in (3, 4, 5):
        _file(zone, "flooding", at(2026, 11, day, 9, 0), category_code="land")
    assert [p.key for p in _repeats(zone)] == [f"repeat:{zone.enterprise.pk}:{zone.category.pk}"]

