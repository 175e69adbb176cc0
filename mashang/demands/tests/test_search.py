"""Finding demands: by each field, within what the actor may see, with filters that combine."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from mashang.demands.models import Demand, Status
from mashang.demands.selectors.search import (
    COUNT_CAP,
    SearchFilters,
    demand_search,
    search_page,
)
from mashang.org.models import User
from tests.kit.factories import EnterpriseFactory, UserFactory
from tests.kit.walk import submit, walk_to

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Asia/Shanghai")


def numbers(actor, q="", **filters) -> set[str]:
    return {d.number for d in demand_search(actor=actor, q=q, filters=SearchFilters(**filters))}


def titled(demand: Demand, title: str) -> Demand:
    Demand.objects.filter(pk=demand.pk).update(title=title)
    demand.title = title
    return demand


@pytest.fixture
def wanshun(zone):
    """An enterprise named 佛山万顺达精密制造有限公司 with a contact and one demand."""
    ent = EnterpriseFactory(name="佛山万顺达精密制造有限公司", credit_code="91440606MA4UQ8LX2K")
    contact = UserFactory(username="ent-ws", role=User.Role.ENTERPRISE, enterprise=ent)
    return submit(
        zone,
        actor=contact,
        title="车间停电影响生产",
        description="昨夜开始车间电压不稳，今晨完全停电，请协调供电部门抢修。",
        contact_name="黄建华",
        contact_phone="13800138000",
    )


def test_a_piece_of_the_enterprise_name_finds_its_demands(zone, wanshun):
    other = submit(zone, title="厂房用地红线需要复核")
    for q in ("万顺", "万顺达", "顺达精密", "佛山万顺达精密制造有限公司"):
        assert numbers(zone.officer, q) == {wanshun.number}, q
    assert other.number in numbers(zone.officer, "甲企业")


@pytest.mark.parametrize(
    "q",
    [
        "停电",  # two characters of the title and the description
        "车间停电",
        "电压不稳",  # the description only
        "供电部门抢修",
        "黄建华",  # the contact's name
        "建华",
        "13800138000",  # the contact's phone, whole or a piece
        "0013800",
        "91440606MA4U",  # the credit code's beginning
        "91440606ma4uq8lx2k",  # in lower case
    ],
)
def test_each_field_finds_the_demand(zone, wanshun, q):
    submit(zone, title="厂房用地红线需要复核", description="新厂房的用地红线与规划图不一致。")
    assert numbers(zone.officer, q) == {wanshun.number}


def test_the_number_by_prefix_and_the_12345_order_number(zone, wanshun):
    other = submit(zone)
    Demand.objects.filter(pk=other.pk).update(external_number="GD12345-20261203-0042")
    assert numbers(zone.officer, wanshun.number) == {wanshun.number}
    assert numbers(zone.officer, wanshun.number.lower()) == {wanshun.number}
    assert numbers(zone.officer, wanshun.number[:-1]) >= {wanshun.number}
    assert numbers(zone.officer, "GD12345-20261203-0042") == {other.number}


def test_nothing_found_and_odd_input(zone, wanshun):
    assert numbers(zone.officer, "没有这个词") == set()
    # LIKE's wildcards are searched as themselves.
    assert numbers(zone.officer, "%") == set()
    assert numbers(zone.officer, "_停") == set()
    assert numbers(zone.officer, "  停电  ") == {wanshun.number}
    # One character searches numbers and enterprise names only, not the text.
    assert numbers(zone.officer, "停") == set()
    assert wanshun.number in numbers(zone.officer, "万")


def test_an_enterprise_never_finds_another_enterprises_demand(zone, wanshun):
    mine = submit(zone, title="车间停电需要抢修")
    assert numbers(zone.contact, "停电") == {mine.number}
    assert numbers(zone.contact, "万顺") == set()
    assert numbers(zone.contact, wanshun.number) == set()
    assert numbers(zone.other_contact, "停电") == set()


def test_a_unit_finds_only_what_was_dispatched_to_it(zone):
    dispatched = titled(walk_to(zone, Status.IN_PROGRESS), "停电抢修")  # lead zrzy, co zjj
    waiting = submit(zone, title="停电申报")
    assert numbers(zone.land_staff, "停电") == {dispatched.number}
    assert numbers(zone.housing_staff, "停电") == {dispatched.number}
    assert waiting.number in numbers(zone.officer, "停电")


def test_filters_combine(zone, wanshun):
    dispatched = titled(walk_to(zone, Status.IN_PROGRESS), "停电抢修")  # lead zrzy, co zjj
    officer = zone.officer
    assert numbers(officer, "停电", unit="zrzy") == {dispatched.number}
    assert numbers(officer, "停电", unit="zjj") == {dispatched.number}  # as a co-unit
    assert numbers(officer, "停电", unit="zjj", lead_only=True) == set()
    assert numbers(officer, "停电", unit="zrzy", lead_only=True) == {dispatched.number}
    assert numbers(officer, "停电", status=Status.SUBMITTED) == {wanshun.number}
    assert numbers(officer, "停电", category="land") == {dispatched.number}
    assert numbers(officer, "停电", channel="web", status=Status.IN_PROGRESS) == {dispatched.number}
    assert numbers(officer, "停电", channel="phone") == set()


def test_the_date_range_is_inclusive_in_local_days(zone):
    early = submit(zone, when=datetime(2026, 3, 2, 0, 10, tzinfo=TZ), title="停电一")
    late = submit(zone, when=datetime(2026, 3, 4, 23, 50, tzinfo=TZ), title="停电二")
    officer = zone.officer
    day = date(2026, 3, 2)
    assert numbers(officer, submitted_from=day, submitted_to=day) == {early.number}
    assert numbers(officer, submitted_from=date(2026, 3, 3)) >= {late.number}
    assert early.number not in numbers(officer, submitted_from=date(2026, 3, 3))
    assert numbers(officer, submitted_from=day, submitted_to=date(2026, 3, 4)) == {
        early.number,
        late.number,
    }
    # Years at the ends of the calendar do not break the query.
    both = numbers(officer, submitted_from=date(1, 1, 1), submitted_to=date(9999, 12, 31))
    assert both >= {early.number, late.number}
    assert numbers(officer, submitted_from=date(9999, 12, 31)) == set()
    assert numbers(officer, submitted_to=date(1, 1, 1)) == set()


def test_newest_first_and_the_count_stops_at_the_cap(zone, settings):
    first = submit(zone, when=datetime(2026, 3, 2, 9, tzinfo=TZ), title="停电一")
    second = submit(zone, when=datetime(2026, 3, 3, 9, tzinfo=TZ), title="停电二")
    qs = demand_search(actor=zone.officer, q="停电")
    assert [d.number for d in qs] == [second.number, first.number]
    page = search_page(qs, page=1, page_size=1)
    assert (page.count, page.count_capped, page.has_next) == (2, False, True)
    assert [d.number for d in page.rows] == [second.number]
    page = search_page(qs, page=9, page_size=1)  # past the end: the last page
    assert (page.number, [d.number for d in page.rows]) == (2, [first.number])


def test_a_huge_list_is_counted_no_further_than_the_cap(zone, monkeypatch):
    from mashang.demands.selectors import search

    for i in range(3):
        submit(zone, title=f"停电{i}")
    monkeypatch.setattr(search, "COUNT_CAP", 2)
    page = search_page(demand_search(actor=zone.officer, q="停电"), page=1, page_size=1)
    assert (page.count, page.count_capped, page.has_next) == (2, True, True)
    assert COUNT_CAP == 1000



def test_the_searched_text_is_the_one_the_stored_pairs_are_cut_from():
    """Migration 0013 computes ``search_vector`` from the same columns, in the same order and
    with the same separator, as the search confirms a piece in; a column added to one and not
    the other would find pairs the text does not hold, or miss text the pairs do not hold."""
    import importlib
    import re

    from mashang.demands.selectors.search import _Text

    migration = importlib.import_module("mashang.demands.migrations.0013_search")
    text = _Text()
    assert [e.name for e in text.source_expressions] == re.findall(r"\b([a-z_]+)\b", migration.TEXT)
    assert text.arg_joiner == " || ' ' || " and migration.TEXT.count(text.arg_joiner) == 3
