"""Pipeline figures for a hand-made set of projects, worked out by hand."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
import time_machine

from mashang.projects.services import funds_record
from mashang.projects.stats import RATE_DEFINITIONS, pipeline_stats
from tests.kit.clocks import CST as TZ

TODAY = date(2026, 6, 30)
NOW = datetime(2026, 6, 30, 10, 0, tzinfo=TZ)


def ms(stage, planned=None, reached=None):
    return {"stage": stage, "planned_on": planned, "reached_on": reached}


@pytest.fixture
def pipeline(zone, make_project):
    def make(**fields):
        return make_project(at=NOW, **fields)

    p = {}
    # P1: signed, key, land review planned 1 May and not reached: behind by 60 days, plan not kept.
    p[1] = make(name="P1", stage="signed", planned_investment="100.00", is_key=True,
                        behind_plan_reason="供地审议材料未齐",
                        milestones=[ms("signed", date(2026, 3, 1), date(2026, 2, 20)),
                                    ms("land_review", date(2026, 5, 1))])
    # P2: awarded, city key, signed five days late: plan not kept; landed; funds 50.25.
    p[2] = make(name="P2", stage="awarded", planned_investment="200.50", is_city_key=True,
                        milestones=[ms("signed", date(2026, 1, 10), date(2026, 1, 15)),
                                    ms("awarded", date(2026, 6, 1), date(2026, 6, 1))])
    # P3: lease, started: landed (lease) and started; no milestone: keeps its plan; funds 300.
    p[3] = make(name="P3", project_type="lease", industry="logistics", stage="started",
                        planned_investment="300.00")
    # P4: expansion, signed, start planned in July: keeps its plan; not landed.
    p[4] = make(name="P4", project_type="expansion", stage="signed", planned_investment="400.00",
                        milestones=[ms("started", date(2026, 7, 15))])
    # P5: producing; "listed" passed without a recorded date: keeps its plan; funds 100.
    p[5] = make(name="P5", stage="producing", planned_investment="500.00",
                        milestones=[ms("listed", date(2026, 2, 1))])
    # P6: paused at "listed", key, award planned 31 May: signed, behind by 30 days.
    p[6] = make(name="P6", stage="paused", stage_before_pause="listed", stage_reason="资金未到位",
                        planned_investment="600.00", is_key=True, behind_plan_reason="征地拆迁未完成",
                        milestones=[ms("awarded", date(2026, 5, 31))])
    # P7: dropped, key, with a late milestone: only in by_stage.
    p[7] = make(name="P7", stage="dropped", stage_reason="企业另行选址", planned_investment="700.00",
                        is_key=True, milestones=[ms("signed", date(2026, 2, 1))])
    # P8: lead, key, negotiation planned 1 June: behind by 29 days; not signed.
    p[8] = make(name="P8", stage="lead", planned_investment="800.00", is_key=True,
                        milestones=[ms("negotiating", date(2026, 6, 1))])
    # P9: negotiating expansion in electronics.
    p[9] = make(name="P9", project_type="expansion", industry="electronics", stage="negotiating",
                        planned_investment="900.00")
    for n, amount in ((2, "50.25"), (3, "300.00"), (5, "100.00"), (7, "999.00")):
        funds_record(actor=zone.officer, project_id=p[n].pk, amount=amount, received_on=TODAY, at=NOW)
    return p


def test_counts_and_investment_by_stage(zone, pipeline):
    figures = pipeline_stats(actor=zone.leader, today=TODAY)
    assert {k: (v["count"], v["investment"]) for k, v in figures["by_stage"].items()} == {
        "lead": (1, Decimal("800.00")),
        "negotiating": (1, Decimal("900.00")),
        "signed": (2, Decimal("500.00")),
        "land_review": (0, Decimal("0.00")),
        "listed": (0, Decimal("0.00")),
        "awarded": (1, Decimal("200.50")),
        "started": (1, Decimal("300.00")),
        "producing": (1, Decimal("500.00")),
        "paused": (1, Decimal("600.00")),
        "dropped": (1, Decimal("700.00")),
    }


def test_by_type_industry_and_totals_leave_out_dropped_projects(zone, pipeline):
    figures = pipeline_stats(actor=zone.leader, today=TODAY)
    assert {k: (v["count"], v["investment"]) for k, v in figures["by_type"].items()} == {
        "new_land": (5, Decimal("2200.50")),
        "lease": (1, Decimal("300.00")),
        "expansion": (2, Decimal("1300.00")),
    }
    industries = {k: (v["count"], v["investment"]) for k, v in figures["by_industry"].items() if v["count"]}
    assert industries == {
        "new_energy": (6, Decimal("2600.50")),
        "logistics": (1, Decimal("300.00")),
        "electronics": (1, Decimal("900.00")),
    }
    assert figures["totals"] == {
        "count": 8,
        "investment": Decimal("3800.50"),
        "signed_count": 6,
        "signed_investment": Decimal("2100.50"),
        "funds_in_place": Decimal("450.25"),
    }


def test_the_four_rates(zone, pipeline):
    rates = pipeline_stats(actor=zone.leader, today=TODAY)["rates"]
    got = {k: (r.numerator, r.denominator, r.percent) for k, r in rates.items()}
    assert got == {
        # Signed: P1-P6. Kept the plan: P3, P4, P5.
        "contract_fulfilment": (3, 6, Decimal("50.00")),
        # Landed: P2 (awarded), P3 (lease, started), P5 (producing).
        "landing": (3, 6, Decimal("50.00")),
        # Started: P3, P5.
        "start": (2, 6, Decimal("33.33")),
        # 50.25 + 300 + 100 over 100 + 200.50 + 300 + 400 + 500 + 600 (P7's funds are not counted).
        "funds_in_place": (Decimal("450.25"), Decimal("2100.50"), Decimal("21.44")),
    }


def test_key_projects_behind_plan(zone, pipeline):
    behind = pipeline_stats(actor=zone.leader, today=TODAY)["behind_plan"]
    assert [(b["project"].name, b["milestone"], b["planned_on"], b["days_late"], b["project"].behind_plan_reason)
            for b in behind] == [
        ("P1", "land_review", date(2026, 5, 1), 60, "供地审议材料未齐"),
        ("P6", "awarded", date(2026, 5, 31), 30, "征地拆迁未完成"),
        ("P8", "negotiating", date(2026, 6, 1), 29, ""),
    ]


def test_the_behind_plan_filter_of_the_list_agrees(zone, pipeline):
    from mashang.projects.selectors import ProjectFilters, project_list

    names = set(project_list(actor=zone.officer, filters=ProjectFilters(behind_plan=True), today=TODAY)
                .values_list("name", flat=True))
    assert names == {"P1", "P6", "P8"}
    on_plan = set(project_list(actor=zone.officer, filters=ProjectFilters(behind_plan=False), today=TODAY)
                  .values_list("name", flat=True))
    assert on_plan == {"P2", "P3", "P4", "P5", "P7", "P9"}


def test_an_enterprise_gets_the_figures_of_its_own_projects_only(zone, pipeline, make_project):
    make_project(name="乙的项目", investor_credit_code=zone.other_enterprise.credit_code, planned_investment="1.00")
    figures = pipeline_stats(actor=zone.other_contact, today=TODAY)
    assert figures["totals"]["count"] == 1
    assert figures["by_stage"]["lead"] == {"count": 1, "investment": Decimal("1.00")}


def test_the_api_shape(zone, pipeline, api):
    client = api("leader")
    with time_machine.travel(NOW, tick=False):
        response = client.get("/api/v1/stats/pipeline")
    assert response.status_code == 200, response.content
    body = response.json()
    assert list(body["by_stage"]) == [
        "lead", "negotiating", "signed", "land_review", "listed", "awarded", "started", "producing", "paused",
        "dropped",
    ]
    assert body["by_stage"]["signed"] == {"count": 2, "investment": "500.00"}
    assert body["by_stage"]["land_review"] == {"count": 0, "investment": "0.00"}
    assert body["by_type"]["new_land"] == {"count": 5, "investment": "2200.50"}
    assert body["totals"]["investment"] == "3800.50"
    assert set(body["rates"]) == {"contract_fulfilment", "landing", "start", "funds_in_place"}
    funds = body["rates"]["funds_in_place"]
    assert (funds["numerator"], funds["denominator"], funds["percent"]) == ("450.25", "2100.50", "21.44")
    assert body["rates"]["start"]["percent"] == "33.33"
    assert body["rates"]["landing"]["definition"] == str(RATE_DEFINITIONS["landing"])
    assert [b["number"] for b in body["behind_plan"]] == [pipeline[n].number for n in (1, 6, 8)]
    assert body["behind_plan"][0]["days_late"] == 60
    assert body["behind_plan"][0]["behind_plan_reason"] == "供地审议材料未齐"
