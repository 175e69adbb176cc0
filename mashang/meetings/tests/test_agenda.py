"""The agenda of the December demand review, proposed from a hand-made November.

The meeting is called for Thu 2026-12-03 10:00 and reviews November. The zone's ``land``
category routes to zrzy; a second category, ``tax``, to zjj. The rules are run with
``volume_min=4`` (the small zone's scale) and otherwise the defaults: overdue by more than 5
days, 3 demands of one enterprise on one category, volume up by half against the three months
before, assessment down by 10 points.

    OVER   filed Mon 11-02 09:00 (enterprise A, land), dispatched to zrzy, never contacted:
           first contact was due 11-02 ~10:00, a month ago           → overdue
    LATE   filed Tue 12-01 09:00, dispatched, not contacted: 2 days   → nothing (under 5 days)
    AGAIN  filed, replied, "not resolved", reopened on Wed 12-02     → reopened
    BOUNCE returned by zrzy, dispatched again, returned again, 12-02  → returned more than once
    HARD   escalated to difficult-case handling on 12-02             → difficult
    CASE   escalated on 12-01 and assigned by the leader on 12-02    → difficult (an open case)
    R1–R3  enterprise A, land, filed 11-03/11-04/11-05, all closed   → repeat (A, land: 4 with OVER)
    B1–B2  enterprise B, land, filed in November, closed             → nothing (2 < 3)
    T1–T4  tax, two each from A and B, November, closed              → tax rose: 4 against 0, 1, 1
    land history: 5 closed land demands in each of Aug, Sep, Oct     → land did not rise (6 < 1.5 × 5)
    ITEM   an action item opened 11-20, due 11-27, never signed for  → action item overdue
    DONE   an action item opened 11-20, due 12-18, signed for and
           reported on by its unit                                    → nothing (not due yet)
    and a withdrawn demand, a closed one in the period               → nothing
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django.utils import translation

from mashang.demands import services as S
from mashang.demands.models import Demand, Status
from mashang.demands.services.action_items import action_item_open
from mashang.meetings.agenda import Thresholds, agenda_propose
from mashang.meetings.models import Source
from mashang.supervision.scorecards.formulas import Period
from mashang.supervision.scorecards.selectors import scorecard_compute
from tests.kit.clocks import at
from tests.kit.factories import CategoryFactory
from tests.kit.walk import submit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _in_english():
    """The evidence is written in the language of the request; these tests read it in English."""
    with translation.override("en"):
        yield

NOVEMBER = (date(2026, 11, 1), date(2026, 12, 1))
MEETING = at(2026, 12, 3, 10, 0)
SMALL_ZONE = Thresholds(volume_min=4)
MINUTE = timedelta(minutes=1)


def _step(service, actor, demand: Demand, when: datetime, **kw) -> Demand:
    return service(actor=actor, demand_id=demand.pk, version=demand.version, at=when, **kw)


#: What a tax demand says (a land demand says ``submit``'s default): repeats are found by the
#: text too (``agenda.similar_repeats``), so two topics read as two topics.
TAX_TEXT = {"title": "增值税留抵退税申请进度", "description": "我司提交的增值税留抵退税申请至今未到账，请协助查询。"}


def dispatched(zone, when: datetime, *, category="land", lead="zrzy", contact=None) -> Demand:
    text = TAX_TEXT if category == "tax" else {}
    d = submit(zone, when=when, actor=contact or zone.contact, **text)
    d = _step(S.demand_triage, zone.officer, d, when + MINUTE, category=category)
    return _step(S.demand_dispatch, zone.officer, d, when + 2 * MINUTE, lead_unit=lead)


def replied(zone, when, **kw) -> Demand:
    d = dispatched(zone, when, **kw)
    staff = zone.land_staff if kw.get("lead", "zrzy") == "zrzy" else zone.housing_staff
    d = _step(S.demand_respond, staff, d, when + 3 * MINUTE, note="已联系", method="phone", contact_with="李经理")
    return _step(S.demand_reply, staff, d, when + 4 * MINUTE, reply="已办理")


def closed(zone, when, **kw) -> Demand:
    d = replied(zone, when, **kw)
    contact = kw.get("contact") or zone.contact
    return _step(S.demand_confirm, contact, d, when + 5 * MINUTE, resolved=True, rating="satisfied")


def hand_made_november(zone) -> dict[str, Demand]:
    CategoryFactory(code="tax", name="税务", default_lead_unit=zone.housing)
    built: dict[str, Demand] = {}
    built["OVER"] = dispatched(zone, at(2026, 11, 2, 9, 0))
    built["LATE"] = dispatched(zone, at(2026, 12, 1, 9, 0))
    d = replied(zone, at(2026, 12, 2, 9, 0))
    d = _step(
        S.demand_confirm,
        zone.contact,
        d,
        at(2026, 12, 2, 9, 10),
        resolved=False,
        rating="unsatisfied",
    )
    built["AGAIN"] = _step(
        S.demand_reopen, zone.contact, d, at(2026, 12, 2, 9, 20), reason="问题仍未解决"
    )
    d = dispatched(zone, at(2026, 12, 2, 9, 0))
    d = _step(
        S.demand_return, zone.land_staff, d, at(2026, 12, 2, 9, 10), reason="不属于本单位职责"
    )
    d = _step(S.demand_dispatch, zone.officer, d, at(2026, 12, 2, 9, 20), lead_unit="zrzy")
    built["BOUNCE"] = _step(
        S.demand_return, zone.land_staff, d, at(2026, 12, 2, 9, 30), reason="仍不属于本单位"
    )
    d = dispatched(zone, at(2026, 12, 2, 9, 0))
    built["HARD"] = _step(
        S.demand_escalate, zone.officer, d, at(2026, 12, 2, 9, 10), reason="涉及多个部门"
    )
    d = dispatched(zone, at(2026, 12, 1, 9, 0))
    d = _step(S.demand_escalate, zone.officer, d, at(2026, 12, 1, 9, 10), reason="需领导协调")
    built["CASE"] = _step(
        S.demand_assign_case,
        zone.leader,
        d,
        at(2026, 12, 2, 9, 0),
        coordinator="supervisor",
        lead_unit="zrzy",
        co_units=["zjj"],
        working_days=10,
    )
    for n, day in enumerate((3, 4, 5), start=1):
        built[f"R{n}"] = closed(zone, at(2026, 11, day, 9, 0))
    for n, day in enumerate((6, 9), start=1):
        built[f"B{n}"] = closed(zone, at(2026, 11, day, 9, 0), contact=zone.other_contact)
    for n, (day, contact) in enumerate(
        (
            (10, zone.contact),
            (11, zone.contact),
            (12, zone.other_contact),
            (13, zone.other_contact),
        ),
        start=1,
    ):
        built[f"T{n}"] = closed(
            zone, at(2026, 11, day, 9, 0), category="tax", lead="zjj", contact=contact
        )
    # The three months before: land 5 a month (no rise), tax 0, 1, 1.
    for month in (8, 9, 10):
        for day in (3, 4, 5, 6, 7):
            closed(zone, at(2026, month, day + 7, 9, 0), contact=zone.other_contact)
    for month in (9, 10):
        closed(
            zone, at(2026, month, 15, 9, 0), category="tax", lead="zjj", contact=zone.other_contact
        )
    built["ITEM"] = action_item_open(
        actor=zone.supervisor,
        title="完善用地红线复核流程",
        description="",
        lead_unit=zone.land,
        due_at=at(2026, 11, 27, 17, 30),
        at=at(2026, 11, 20, 10, 0),
    )
    d = action_item_open(
        actor=zone.supervisor,
        title="编制企业服务手册",
        description="",
        lead_unit=zone.housing,
        due_at=at(2026, 12, 18, 17, 30),
        at=at(2026, 11, 20, 10, 0),
    )
    d = _step(S.demand_respond, zone.housing_staff, d, at(2026, 11, 20, 10, 30), note="已签收", method="phone", contact_with="李经理")
    built["DONE"] = _step(
        S.demand_assess, zone.housing_staff, d, at(2026, 11, 23, 10, 0), assessment="已完成初稿"
    )
    withdrawn = submit(zone, when=at(2026, 11, 16, 9, 0))
    _step(S.demand_withdraw, zone.contact, withdrawn, at(2026, 11, 16, 9, 5), reason="已自行解决")
    return built


def test_the_agenda_holds_exactly_the_items_the_rules_call_for(zone):
    built = hand_made_november(zone)
    proposals = agenda_propose(
        kind="demand_review", start=NOVEMBER[0], end=NOVEMBER[1], at=MEETING, thresholds=SMALL_ZONE
    )
    listed = [(p.source, p.key) for p in proposals]
    tax = built["T1"].category_id
    assert listed == [
        (Source.DIFFICULT, f"demand:{built['CASE'].pk}"),  # escalated first
        (Source.DIFFICULT, f"demand:{built['HARD'].pk}"),
        (Source.OVERDUE, f"demand:{built['OVER'].pk}"),
        (Source.REOPENED, f"demand:{built['AGAIN'].pk}"),
        (Source.DISPUTED_RETURN, f"demand:{built['BOUNCE'].pk}"),
        (Source.ACTION_ITEM_OVERDUE, f"demand:{built['ITEM'].pk}"),
        (Source.REPEAT, f"repeat:{zone.enterprise.pk}:{zone.category.pk}"),
        (Source.VOLUME_RISE, f"category:{tax}"),
    ]
    by_key = {p.key: p for p in proposals}
    over = by_key[f"demand:{built['OVER'].pk}"]
    assert over.figures["days_overdue"] == 30
    assert "Due 2026-11-02 10:02, overdue by 30 days." in over.evidence
    assert over.unit_id == zone.land.pk
    bounce = by_key[f"demand:{built['BOUNCE'].pk}"]
    assert bounce.figures["returns"] == 2
    assert [line for line in bounce.evidence if "returned by" in line] == [
        "2026-12-02 09:10 returned by 自然资源分局: 不属于本单位职责",
        "2026-12-02 09:30 returned by 自然资源分局: 仍不属于本单位",
    ]
    hard = by_key[f"demand:{built['HARD'].pk}"]
    assert "Escalated 2026-12-02 09:10: 涉及多个部门" in hard.evidence
    assert "Waiting for a leader to assign it." in hard.evidence
    case = by_key[f"demand:{built['CASE'].pk}"]
    assert any(line.startswith("Coordinator ") for line in case.evidence)
    repeat = by_key[f"repeat:{zone.enterprise.pk}:{zone.category.pk}"]
    assert repeat.figures == {"count": 4}
    numbers = [built[k].number for k in ("OVER", "R1", "R2", "R3")]
    assert repeat.evidence == [f"4 demands filed in the period: {'、'.join(numbers)}"]
    rise = by_key[f"category:{tax}"]
    assert rise.figures == {"count": 4, "before": [0, 1, 1], "mean": 0.67}


def test_a_unit_whose_assessment_fell_is_listed_with_its_scores(zone):
    """zjj answered October's one demand on time and to satisfaction; in November it let one
    lapse entirely: its composite falls by far more than 10 points, zrzy's does not move."""
    closed(zone, at(2026, 10, 12, 9, 0), lead="zjj")
    closed(zone, at(2026, 10, 12, 9, 0), lead="zrzy")
    closed(zone, at(2026, 11, 12, 9, 0), lead="zrzy")
    late = dispatched(zone, at(2026, 11, 10, 9, 0), lead="zjj")
    proposals = agenda_propose(kind="demand_review", start=NOVEMBER[0], end=NOVEMBER[1], at=MEETING)
    falls = [p for p in proposals if p.source == Source.ASSESSMENT_FALL]
    card = {u.code: u for u in scorecard_compute(period=Period(*NOVEMBER), now=MEETING).units}
    zjj = card["zjj"]
    assert zjj.previous_composite - zjj.composite >= 10
    assert [(p.key, p.unit_id) for p in falls] == [("unit:zjj", zone.housing.pk)]
    assert falls[0].figures == {"composite": zjj.composite, "previous": zjj.previous_composite}
    # The lapsed demand itself is on the agenda too, as overdue.
    assert f"demand:{late.pk}" in {p.key for p in proposals}


def test_a_demand_several_rules_call_for_is_one_item_with_all_its_evidence(zone):
    d = dispatched(zone, at(2026, 11, 2, 9, 0))
    d = _step(S.demand_return, zone.land_staff, d, at(2026, 11, 2, 9, 10), reason="非本单位")
    d = _step(S.demand_dispatch, zone.officer, d, at(2026, 11, 2, 9, 20), lead_unit="zrzy")
    d = _step(S.demand_return, zone.land_staff, d, at(2026, 11, 2, 9, 30), reason="仍非本单位")
    assert d.status == Status.RETURNED
    proposals = agenda_propose(kind="demand_review", start=NOVEMBER[0], end=NOVEMBER[1], at=MEETING)
    mine = [p for p in proposals if p.key == f"demand:{d.pk}"]
    assert len(mine) == 1
    assert mine[0].source == Source.OVERDUE  # the triage deadline after the return, a month ago
    assert mine[0].figures["also"] == [Source.DISPUTED_RETURN]
    assert "Returned 2 times." in mine[0].evidence
