"""The scorecard of the hand-made November (see ``scenario``): every figure by hand."""

from __future__ import annotations

import pytest

from mashang.supervision.scorecards import selectors as sel
from mashang.supervision.scorecards.assessment import Indicator, Scheme
from mashang.supervision.tests.scorecards.scenario import NOVEMBER, NOW, OCTOBER, build

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("three_rates")]


@pytest.fixture
def card(zone):
    build(zone)
    return sel.scorecard_compute(period=NOVEMBER, now=NOW)


def test_zrzy_counts_worked_by_hand(card):
    u = card.unit("zrzy")
    assert u.counts == {
        "lead": 5,  # A1 A2 A3 A4 (returned, still its lead assignment) A5
        "co": 1,  # B1
        "led": 4,  # A1 A2 A3 A5 (A4 went to zjj)
        "first_contact_due": 4,  # A1 A2 A3 contacted; A5 past its deadline uncontacted
        "first_contact_on_time": 2,  # A1 A3 (A2 at 11:00, due 10:00; A5 never)
        "resolution_due": 4,  # A1 A2 A3 replied; A5 past its deadline without a reply
        "resolution_on_time": 2,  # A1 A3 (A2 replied 10:00, due 09:00)
        "confirmed": 3,  # A1 A2 A3 (its second round)
        "resolved": 3,
        "rated": 3,
        "satisfied": 2,  # A1 A3
        "basic": 1,  # A2
        "unsatisfied": 0,
        "replied": 3,  # A1 A2 A3
        "reopened": 1,  # A3
        "returned": 1,  # A4, re-dispatched to zjj
        "lead_urgent": 0,  # every demand of the month is of normal urgency
        "lead_critical": 0,
        "co_urgent": 0,
        "co_critical": 0,
        "escalated": 0,
    }
    assert u.notices == {"reminder": 0, "yellow": 1, "red": 1}


def test_zjj_counts_worked_by_hand(card):
    u = card.unit("zjj")
    assert u.counts == {
        "lead": 4,  # A4 B1 B2 B3 (B4 merged: not counted)
        "co": 1,  # A1
        "led": 4,
        "first_contact_due": 4,
        "first_contact_on_time": 4,  # B2 at exactly 10:00 = its deadline counts as on time
        "resolution_due": 4,
        "resolution_on_time": 4,  # B1 at 11:00, due 12:00
        "confirmed": 3,  # A4 B1 B2 (B3 awaits confirmation)
        "resolved": 3,  # B2 resolved though unsatisfied
        "rated": 3,
        "satisfied": 1,  # A4
        "basic": 1,  # B1
        "unsatisfied": 1,  # B2
        "replied": 4,
        "reopened": 0,
        "returned": 0,
        "lead_urgent": 0,
        "lead_critical": 0,
        "co_urgent": 0,
        "co_critical": 0,
        "escalated": 0,
    }
    assert u.notices == {"reminder": 0, "yellow": 0, "red": 0}


def test_rates_composite_and_rank(card):
    zrzy, zjj = card.unit("zrzy"), card.unit("zjj")
    # zrzy: response 2/4, on time 2/4, resolution 3/3, satisfaction (2 + 1·1)/3, reopen 1/3,
    # approved returns 1/5.
    assert zrzy.rates["response"] == 50.0
    assert zrzy.rates["on_time"] == 50.0
    assert zrzy.rates["resolution"] == 100.0
    assert zrzy.rates["satisfaction"] == 100.0
    assert zrzy.rates["reopen"] == pytest.approx(100 / 3)
    assert zrzy.rates["return"] == 20.0
    # composite = (10·50 + 45·100 + 45·100) / 100 = 95.00
    assert zrzy.composite == 95.0
    # zjj: response 4/4, on time 4/4, resolution 3/3, satisfaction (1 + 1)/3 = 66.67 %,
    # reopen 0/4, returns 0/4; composite = (10·100 + 45·100 + 45·66.667) / 100 = 85.00
    assert zjj.rates["response"] == 100.0
    assert zjj.rates["on_time"] == 100.0
    assert zjj.rates["resolution"] == 100.0
    assert zjj.rates["satisfaction"] == pytest.approx(200 / 3)
    assert zjj.rates["reopen"] == 0.0
    assert zjj.rates["return"] == 0.0
    assert zjj.composite == 85.0
    # Ranks: zrzy 1, zjj 2. In October zjj scored 100 (P1 perfect) and zrzy 0 (P2 late,
    # unresolved, unsatisfied): zrzy gains a place, zjj loses one.
    assert [u.code for u in card.units] == ["zrzy", "zjj"]
    assert (zrzy.rank, zrzy.previous_rank, zrzy.rank_change) == (1, 2, 1)
    assert (zjj.rank, zjj.previous_rank, zjj.rank_change) == (2, 1, -1)
    assert zrzy.composite_change == 95.0 and zjj.composite_change == -15.0


def test_working_hour_percentiles(card):
    zrzy, zjj = card.unit("zrzy"), card.unit("zjj")
    # zrzy to first contact: A1 0.5, A2 2.0, A3 0.5 (round 2) → [0.5, 0.5, 2.0]
    #   median 0.5; p90 at rank 0.9·2 = 1.8: 0.5 + 0.8·(2.0 − 0.5) = 1.7
    assert zrzy.hours["response_hours_median"] == pytest.approx(0.5)
    assert zrzy.hours["response_hours_p90"] == pytest.approx(1.7)
    # zrzy to reply: A1 14.0, A2 36.0, A3 7.0 → [7, 14, 36]: median 14; p90 14 + 0.8·22 = 31.6
    assert zrzy.hours["reply_hours_median"] == pytest.approx(14.0)
    assert zrzy.hours["reply_hours_p90"] == pytest.approx(31.6)
    # zjj to first contact: A4 0.5, B1 0.5, B2 1.0, B3 0.5 → [0.5, 0.5, 0.5, 1.0]:
    #   median (rank 1.5) 0.5; p90 (rank 2.7) 0.5 + 0.7·0.5 = 0.85
    assert zjj.hours["response_hours_median"] == pytest.approx(0.5)
    assert zjj.hours["response_hours_p90"] == pytest.approx(0.85)
    # zjj to reply: A4 7.0, B1 34.0, B2 14.0, B3 6.0 → [6, 7, 14, 34]:
    #   median 7 + 0.5·7 = 10.5; p90 14 + 0.7·20 = 28.0
    assert zjj.hours["reply_hours_median"] == pytest.approx(10.5)
    assert zjj.hours["reply_hours_p90"] == pytest.approx(28.0)


def test_october_alone(zone):
    build(zone)
    card = sel.scorecard_compute(period=OCTOBER, now=NOW)
    assert [(u.code, u.composite, u.rank) for u in card.units] == [("zjj", 100.0, 1), ("zrzy", 0.0, 2)]


def test_the_basic_weight_is_a_setting_and_the_weights_a_configured_scheme(zone, settings, use_scheme):
    build(zone)
    settings.MASHANG_SATISFACTION_BASIC_WEIGHT = "0.8"
    use_scheme(
        Scheme(
            name="三率（30/35/35）",
            version=1,
            indicators=(Indicator("response", 30), Indicator("on_time", 35), Indicator("satisfaction", 35)),
        )
    )
    card = sel.scorecard_compute(period=NOVEMBER, now=NOW)
    zrzy, zjj = card.unit("zrzy"), card.unit("zjj")
    # zrzy satisfaction (2 + 0.8)/3 = 93.333…; composite (30·50 + 35·50 + 35·93.333)/100 = 65.17
    assert zrzy.rates["satisfaction"] == pytest.approx(280 / 3)
    assert zrzy.composite == 65.17
    # zjj satisfaction (1 + 0.8)/3 = 60; composite (30·100 + 35·100 + 35·60)/100 = 86.00
    assert zjj.rates["satisfaction"] == pytest.approx(60.0)
    assert zjj.composite == 86.0
    assert [(u.code, u.rank) for u in card.units] == [("zjj", 1), ("zrzy", 2)]


def test_the_demands_behind_a_figure(zone):
    built = build(zone)
    d = built.demands
    numbers = lambda qs: sorted(x.number for x in qs)  # noqa: E731
    behind = lambda code, figure: numbers(  # noqa: E731
        sel.scorecard_demands(
            actor=zone.supervisor, unit=getattr(zone, code), period=NOVEMBER, figure=figure, now=NOW
        )
    )
    assert behind("land", "first_contact_late") == numbers([d["A2"], d["A5"]])
    assert behind("land", "reply_late") == numbers([d["A2"], d["A5"]])
    assert behind("land", "returned") == numbers([d["A4"]])
    assert behind("land", "reopened") == numbers([d["A3"]])
    assert behind("land", "lead") == numbers([d[k] for k in ("A1", "A2", "A3", "A4", "A5")])
    assert behind("housing", "unsatisfied") == numbers([d["B2"]])
    assert behind("housing", "co") == numbers([d["A1"]])
