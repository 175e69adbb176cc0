"""An enterprise files a demand through the API, the officer dispatches it, the unit answers,
the enterprise rates it; the timeline shows every step with who and when, and deadlines skip
holidays and nights."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import time_machine

CST = ZoneInfo("Asia/Shanghai")


def at(*args) -> datetime:
    return datetime(*args, tzinfo=CST)


def parse(value: str) -> datetime:
    return datetime.fromisoformat(value).astimezone(CST)


def test_demand_from_filing_to_rating_across_national_day(zone, api):
    enterprise, officer, unit = api("ent-a"), api("officer"), api("unit-zrzy")

    with time_machine.travel(at(2026, 9, 30, 16, 30), tick=False):
        r = enterprise.post(
            "/api/v1/demands",
            {"title": "厂房用地红线需要复核", "description": "新厂房的用地红线与规划图不一致，请协助复核。", "category": "land"},
        )
        assert r.status_code == 201, r.content
        demand = r.json()
        assert demand["number"].startswith("SQ-2026-")
        assert demand["status"] == "submitted"
        # One working hour from 16:30 on a working day ends at the 17:30 close.
        assert parse(demand["deadlines"]["triage"]) == at(2026, 9, 30, 17, 30)

    with time_machine.travel(at(2026, 9, 30, 16, 45), tick=False):
        demand = officer.act(demand, "triage", category="land", urgency="urgent").json()
        assert demand["status"] == "triaged"

    with time_machine.travel(at(2026, 9, 30, 17, 0), tick=False):
        r = officer.act(demand, "dispatch", lead_unit="zrzy", co_units=["zjj"])
        assert r.status_code == 200, r.content
        demand = r.json()
        d = demand["deadlines"]
        # Half an hour is left on 30 Sep; 1–7 Oct is the National Day holiday.
        assert parse(d["first_response"]) == at(2026, 10, 8, 9, 0)
        # 3 working days: 0.5 h + 8 Oct + 9 Oct + Saturday 10 Oct (a make-up working day) until 17:00.
        assert parse(d["interim_reply"]) == at(2026, 10, 10, 17, 0)
        # 5 working days: Sunday 11 Oct rests; 12 Oct, then 13 Oct until 17:00.
        assert parse(d["resolution"]) == at(2026, 10, 13, 17, 0)
        assert parse(d["next"]) == at(2026, 10, 8, 9, 0)

    with time_machine.travel(at(2026, 10, 8, 8, 50), tick=False):
        demand = unit.act(demand, "respond", note="已电话联系企业", method="phone", contact_with="李经理").json()
        assert demand["status"] == "in_progress"
        assert parse(demand["deadlines"]["next"]) == at(2026, 10, 10, 17, 0)
    with time_machine.travel(at(2026, 10, 9, 10, 0), tick=False):
        demand = unit.act(demand, "assess", assessment="红线以 2025 年批复为准，可现场复核。").json()
        assert parse(demand["deadlines"]["next"]) == at(2026, 10, 13, 17, 0)
    with time_machine.travel(at(2026, 10, 12, 15, 0), tick=False):
        demand = unit.act(demand, "reply", reply="已现场复核，红线无误，规划图已更正。").json()
        assert demand["status"] == "replied"
        assert demand["allowed_actions"] == []
    with time_machine.travel(at(2026, 10, 12, 16, 0), tick=False):
        r = enterprise.act(demand, "confirm", resolved=True, rating="satisfied", comment="处理及时")
        assert r.status_code == 200, r.content
        demand = r.json()
        assert demand["status"] == "closed"
        assert demand["deadlines"]["next"] is None

    timeline = [(e["action"], e["actor"], e["actor_role"], parse(e["at"])) for e in demand["events"]]
    contact, officer_name, staff = str(zone.contact), str(zone.officer), str(zone.land_staff)
    assert timeline == [
        ("submit", contact, "enterprise", at(2026, 9, 30, 16, 30)),
        ("triage", officer_name, "officer", at(2026, 9, 30, 16, 45)),
        ("dispatch", officer_name, "officer", at(2026, 9, 30, 17, 0)),
        ("respond", staff, "unit_staff", at(2026, 10, 8, 8, 50)),
        ("assess", staff, "unit_staff", at(2026, 10, 9, 10, 0)),
        ("reply", staff, "unit_staff", at(2026, 10, 12, 15, 0)),
        ("confirm", contact, "enterprise", at(2026, 10, 12, 16, 0)),
    ]
    assert [(e["from_status"], e["to_status"]) for e in demand["events"]][-1] == ("replied", "closed")
    assert demand["events"][2]["payload"] == {"lead_unit": "zrzy", "co_units": ["zjj"]}


def test_a_demand_filed_at_night_is_due_from_the_next_opening(zone, api):
    enterprise = api("ent-a")
    with time_machine.travel(at(2026, 11, 27, 20, 0), tick=False):  # a Friday evening
        demand = enterprise.post(
            "/api/v1/demands", {"title": "夜间提交", "description": "周五晚上提交的诉求"}
        ).json()
    assert parse(demand["deadlines"]["triage"]) == at(2026, 11, 30, 9, 30)  # Monday 08:30 + 1 h


def test_dispatch_without_a_lead_unit_follows_the_category_routing(zone, api):
    enterprise, officer = api("ent-a"), api("officer")
    demand = enterprise.post("/api/v1/demands", {"title": "用地指标", "description": "咨询用地指标"}).json()
    demand = officer.act(demand, "triage", category="land").json()
    r = officer.act(demand, "dispatch", co_units=["zjj"])
    assert r.status_code == 200, r.content
    units = {(u["unit"]["code"], u["role"]) for u in r.json()["units"]}
    assert units == {("zrzy", "lead"), ("zjj", "co")}  # land → natural resources by the category's rule


def test_an_unknown_api_path_answers_in_json(zone, api):
    r = api("officer").post("/api/v1/demands/1/actions/fly", {"version": 1})
    assert r.status_code == 404
    assert "/api/v1/demands/1/actions/fly" in r.json()["message"]


def test_times_are_given_in_the_zones_time_zone(zone, api):
    with time_machine.travel(at(2026, 11, 25, 10, 0), tick=False):
        demand = api("ent-a").post("/api/v1/demands", {"title": "时区", "description": "时区"}).json()
    assert demand["submitted_at"].endswith("+08:00")
    assert demand["submitted_at"].startswith("2026-11-25T10:00:00")
    assert demand["events"][0]["at"].startswith("2026-11-25T10:00:00")
