"""The four-axis assessment of the hand-made November (``scenario``) plus one urgent demand
escalated to difficult-case handling — every figure worked out by hand below.

C1 Thu 11-12 14:00, urgent → zjj (co zrzy); contact 14:05 (on time); escalated by the service
team 14:30 and still a difficult case on 12-10, its reply deadline long past.

Counts (the scenario's, with C1):
  zrzy: lead 5, co 2 (B1, C1; C1 urgent), led 4; response 2/4, on time 2/4, resolution 3/3,
        satisfaction 3/3, reopen 1/3, return 1/5, difficult 0/4; reply hours 14, 36, 7.
  zjj:  lead 5 (C1 urgent), co 1, led 5; response 5/5, on time 4/5 (C1 unreplied), resolution
        3/3, satisfaction (1 + 1)/3, reopen 0/4, return 0/5, difficult 1/5; reply hours 7, 34, 14, 6.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from mashang.demands import services as S
from mashang.supervision.models import AssessmentScheme, ScorecardPublication
from mashang.supervision.scorecards import selectors as sel
from mashang.supervision.scorecards.assessment import (
    BLACK,
    RED,
    Direction,
    Indicator,
    Normalisation,
    Scheme,
    honour_lists,
    normalise,
)
from mashang.supervision.scorecards.services import (
    scheme_copy,
    scheme_put_in_use,
    scorecard_publish,
)
from mashang.supervision.tests.scorecards.scenario import NOVEMBER, NOW, build
from tests.kit.clocks import at
from tests.kit.walk import submit

pytestmark = pytest.mark.django_db


def _with_difficult_case(zone):
    built = build(zone)
    c1 = submit(zone, when=at(2026, 11, 12, 13, 50))
    step = lambda service, actor, d, when, **kw: service(  # noqa: E731
        actor=actor, demand_id=d.pk, version=d.version, at=when, **kw
    )
    c1 = step(S.demand_triage, zone.officer, c1, at(2026, 11, 12, 13, 55), category="land", urgency="urgent")
    c1 = step(S.demand_dispatch, zone.officer, c1, at(2026, 11, 12, 14, 0), lead_unit="zjj", co_units=["zrzy"])
    c1 = step(S.demand_respond, zone.housing_staff, c1, at(2026, 11, 12, 14, 5), method="phone", contact_with="李经理")
    c1 = step(S.demand_escalate, zone.officer, c1, at(2026, 11, 12, 14, 30), reason="涉及多个部门，需统筹")
    assert c1.escalated_at == at(2026, 11, 12, 14, 30)
    built.demands["C1"] = c1
    return built


def test_the_default_four_axes_worked_by_hand(zone):
    _with_difficult_case(zone)
    card = sel.scorecard_compute(period=NOVEMBER, now=NOW)
    assert card.scheme.name == "四维测评" and card.scheme.version == 1  # the scheme the zone ships in use
    zrzy, zjj = card.unit("zrzy"), card.unit("zjj")
    assert (zrzy.counts["co"], zrzy.counts["co_urgent"], zjj.counts["lead_urgent"]) == (2, 1, 1)
    assert (zjj.counts["escalated"], zjj.counts["led"], zjj.counts["resolution_due"]) == (1, 5, 5)
    assert zrzy.hours["reply_hours_mean"] == pytest.approx(19.0)  # (14 + 36 + 7) / 3
    assert zjj.hours["reply_hours_mean"] == pytest.approx(15.25)  # (7 + 34 + 14 + 6) / 4

    # Quantity, demands handled (normal 1, urgent 1.5; a co-unit's part 0.5), share of the best:
    #   zrzy 5 + 0.5·(2 + 0.5·1) = 6.25 → 100; zjj 5 + 0.5·1 + 0.5·1 = 6.0 → 96.
    assert zrzy.scores["handled"] == pytest.approx(100.0)
    assert zjj.scores["handled"] == pytest.approx(96.0)
    # Efficiency: response 10, on time 15, reply hours 5 (lower is better, between the worst
    # 19.0 and the best 15.25: zrzy 0, zjj 100).
    #   zrzy (10·50 + 15·50 + 5·0) / 30 = 41.67; zjj (10·100 + 15·80 + 5·100) / 30 = 90.
    assert zrzy.scores["reply_hours"] == 0.0 and zjj.scores["reply_hours"] == 100.0
    assert zrzy.axes["efficiency"] == pytest.approx(1250 / 30)
    assert zjj.axes["efficiency"] == pytest.approx(90.0)
    # Quality: resolution 15, reopen 5, return 3, difficult 2 (the last three 100 − the rate):
    #   zrzy (15·100 + 5·66.67 + 3·80 + 2·100) / 25 = 90.93; zjj (1500 + 500 + 300 + 2·80) / 25 = 98.4.
    assert zrzy.axes["quality"] == pytest.approx((1500 + 5 * 200 / 3 + 240 + 200) / 25)
    assert zjj.scores["difficult"] == pytest.approx(80.0)
    assert zjj.axes["quality"] == pytest.approx(98.4)
    # Satisfaction 25: zrzy 100, zjj 66.67.
    assert zrzy.axes["satisfaction"] == 100.0
    assert zjj.axes["satisfaction"] == pytest.approx(200 / 3)
    assert zrzy.axes["quantity"] == 100.0 and zjj.axes["quantity"] == pytest.approx(96.0)
    # Composite, the axes weighted 20 / 30 / 25 / 25:
    #   zrzy (20·100 + 30·41.67 + 25·90.93 + 25·100) / 100 = 80.23
    #   zjj (20·96 + 30·90 + 25·98.4 + 25·66.67) / 100 = 87.47
    assert zrzy.composite == 80.23
    assert zjj.composite == 87.47
    assert [(u.code, u.rank, u.standing) for u in card.units] == [("zjj", 1, RED), ("zrzy", 2, BLACK)]
    # The three rates rank them the other way round: what the four axes change.
    three = sel.scorecard_compute(
        period=NOVEMBER,
        now=NOW,
        scheme=Scheme(
            name="三率", version=1,
            indicators=(Indicator("response", 10), Indicator("resolution", 45), Indicator("satisfaction", 45)),
        ),
    )
    assert [(u.code, u.composite) for u in three.units] == [("zrzy", 95.0), ("zjj", 85.0)]


QUANTITY_FIRST = Scheme(
    name="数量优先",
    version=1,
    urgent_weight=3.0,
    co_unit_weight=1.0,
    list_size=1,
    indicators=(
        Indicator("handled", 50, Direction.HIGHER, Normalisation.RANGE),
        Indicator("satisfaction", 50),
    ),
)


def test_a_configured_scheme_and_a_published_period_that_keeps_its_version(zone, use_scheme, admin_client):
    _with_difficult_case(zone)
    configured = use_scheme(QUANTITY_FIRST)
    card = sel.scorecard_compute(period=NOVEMBER, now=NOW)
    zrzy, zjj = card.unit("zrzy"), card.unit("zjj")
    # Handled, urgent 3, co-unit 1: zrzy 5 + (2 + 2·1) = 9, zjj 5 + 2·1 + 1 = 8; between the
    # worst and the best: zrzy 100, zjj 0. Composite (50·handled + 50·satisfaction) / 100.
    assert (zrzy.scores["handled"], zjj.scores["handled"]) == (100.0, 0.0)
    assert (zrzy.composite, zjj.composite) == (100.0, 33.33)
    assert zrzy.axes == {"quantity": 100.0, "efficiency": None, "quality": None, "satisfaction": 100.0}
    assert (zrzy.standing, zjj.standing) == (RED, BLACK)

    publication = scorecard_publish(
        actor=zone.supervisor, period_from=NOVEMBER.start, period_to=NOVEMBER.end, at=NOW
    )
    assert publication.scheme_id == configured.pk
    assert publication.scheme_used["name"] == "数量优先" and publication.scheme_used["urgent_weight"] == 3.0
    row = publication.rows.get(unit_code="zjj")
    assert row.composite == 33.33 and row.figures["axes"]["quantity"] == 0.0 and row.figures["standing"] == BLACK

    # The zone goes back to the four axes it ships; the published November keeps its scheme,
    # and a recomputation with that scheme finds nothing changed.
    scheme_put_in_use(actor=zone.supervisor, scheme_id=AssessmentScheme.objects.get(name="四维测评").pk, at=NOW)
    shown = sel.scorecard_get(actor=zone.supervisor, period=NOVEMBER, now=NOW)
    assert shown.published and shown.scheme.name == "数量优先" and shown.differences == []
    assert [(u.code, u.composite) for u in shown.units] == [("zrzy", 100.0), ("zjj", 33.33)]
    assert sel.scorecard_compute(period=NOVEMBER, now=NOW).unit("zjj").composite == 87.47

    # In the admin the published scheme is read-only; its copy is the next version, to change.
    client = admin_client
    page = client.get(reverse("admin:supervision_assessmentscheme_change", args=[configured.pk]))
    assert page.status_code == 200 and b'name="_save"' not in page.content
    copy = scheme_copy(actor=zone.supervisor, scheme_id=configured.pk, at=NOW)
    assert (copy.name, copy.version, copy.in_use, copy.indicators.count()) == ("数量优先", 2, False, 2)
    page = client.get(reverse("admin:supervision_assessmentscheme_change", args=[copy.pk]))
    assert b'name="_save"' in page.content
    assert ScorecardPublication.objects.get().scheme_id == configured.pk


def test_the_api_and_the_page_carry_the_axes_and_the_lists(zone, api):
    _with_difficult_case(zone)
    client = api("supervisor")
    body = client.get("/api/v1/scorecards", **{"from": "2026-11-01", "to": "2026-12-01"}).json()
    zjj = body[0]
    assert zjj["unit"] == "zjj" and zjj["standing"] == "red"
    assert zjj["axes"] == {"quantity": 96.0, "efficiency": 90.0, "quality": 98.4, "satisfaction": 66.67}
    assert zjj["scores"]["difficult"] == 80.0 and zjj["difficult_rate"] == 20.0
    scheme = client.get("/api/v1/scorecards/scheme", **{"from": "2026-11-01", "to": "2026-12-01"}).json()
    assert scheme["name"] == "四维测评" and scheme["published"] is False
    assert scheme["axis_weights"] == {"quantity": 20.0, "efficiency": 30.0, "quality": 25.0, "satisfaction": 25.0}
    assert [i["measure"] for i in scheme["indicators"]][:2] == ["handled", "response"]


def test_normalisations():
    peers = [2.0, 4.0, 10.0]
    assert normalise(4.0, peers, direction="higher", normalisation="best") == 40.0
    assert normalise(4.0, peers, direction="lower", normalisation="best") == 50.0  # 100·2/4
    assert normalise(0.0, [0.0, 3.0], direction="lower", normalisation="best") == 100.0
    assert normalise(4.0, peers, direction="higher", normalisation="range") == 25.0
    assert normalise(4.0, peers, direction="lower", normalisation="range") == 75.0
    assert normalise(5.0, [5.0, 5.0], direction="lower", normalisation="range") == 100.0
    assert normalise(30.0, peers, direction="lower", normalisation="rate") == 70.0
    assert normalise(None, peers, direction="higher", normalisation="rate") is None


def test_red_and_black_lists():
    ranks = {"a": 1, "b": 2, "c": 2, "d": 4, "e": 5, "f": 6, "g": None}
    # Two places each: b and c share the second place, both red; e and f the last two.
    assert honour_lists(ranks, 2) == {"a": RED, "b": RED, "c": RED, "e": BLACK, "f": BLACK}
    # Never more than half the ranked units on a list.
    assert honour_lists({"a": 1, "b": 2, "c": 3}, 3) == {"a": RED, "c": BLACK}
    assert honour_lists({"a": 1}, 3) == {}
