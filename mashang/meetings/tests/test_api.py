"""The meetings API from the caller's side: a meeting run end to end, the minutes read back from
the .docx and the PDF, retries, stale versions, bad input and who sees what."""

from __future__ import annotations

from io import BytesIO

import pytest
from docx import Document
from pypdf import PdfReader

from mashang.meetings.models import Meeting
from tests.kit.walk import submit

pytestmark = pytest.mark.django_db

MEETING = {
    "title": "12 月企业诉求研判会",
    "starts_at": "2026-12-03T10:00:00+08:00",
    "place": "管委会 301 会议室",
    "chair": "leader",
    "secretary": "supervisor",
    "participants": ["officer"],
    "units": ["zrzy", "zjj"],
}
DECISION = "用地类诉求改由住建局牵头，自然资源分局限期梳理红线复核流程"


def act(client, meeting: dict, action: str, **body):
    return client.post(f"/api/v1/meetings/{meeting['id']}/actions/{action}", {"version": meeting["version"], **body})


def ok(response, status=200) -> dict:
    assert response.status_code == status, response.content
    return response.json()


def run_meeting(api) -> tuple[dict, object]:
    secretary, leader = api("supervisor"), api("leader")
    meeting = ok(secretary.post("/api/v1/meetings", MEETING), 201)
    meeting = ok(act(secretary, meeting, "add-item", title="调整用地类诉求的默认主办单位", evidence="11 月退单 5 次"))
    item = meeting["items"][-1]
    assert (item["source"], item["status"]) == ("manual", "accepted")
    meeting = ok(act(secretary, meeting, "freeze"))
    meeting = ok(
        act(
            secretary, meeting, "decide", item=item["id"], decision=DECISION,
            action_items=[{"title": "梳理用地红线复核流程", "lead_unit": "zrzy", "co_units": ["zjj"],
                           "working_days": 10, "closing_rule": "流程印发并经督查室确认"}],
            rule_changes=[{"category": "land", "field": "default_lead_unit", "value": "zjj"}],
        )
    )
    meeting = ok(act(secretary, meeting, "hold"))
    meeting = ok(act(leader, meeting, "approve"))
    return meeting, leader


def test_a_meeting_run_through_the_api_opens_its_action_items_and_changes_the_rule(zone, api):
    meeting, leader = run_meeting(api)
    assert meeting["status"] == "minutes_approved" and meeting["approved_by"]["username"] == "leader"
    planned = meeting["items"][-1]["action_items"][0]
    tracked = planned["tracked_as"]
    assert tracked["number"].startswith("DB-") and tracked["status"] == "dispatched"
    assert meeting["items"][-1]["rule_changes"][0]["previous"] == "zrzy"
    tracker = ok(leader.get("/api/v1/action-items"))
    assert [r["tracked_as"]["number"] for r in tracker["results"]] == [tracked["number"]]
    assert tracker["results"][0]["meeting"]["number"] == meeting["number"]
    history = ok(leader.get("/api/v1/categories/land/rule-history"))
    assert [(h["field"], h["before"], h["after"], h["meeting"]) for h in history] == [
        ("default_lead_unit", "zrzy", "zjj", meeting["number"])
    ]
    # The unit that leads the item sees it in its tracker; the other unit's staff only as co-unit.
    assert ok(api("unit-zrzy").get("/api/v1/action-items"))["count"] == 1
    assert ok(api("unit-zjj").get("/api/v1/action-items", unit="zrzy"))["count"] == 1


def test_the_minutes_open_as_docx_and_pdf_and_carry_the_decisions(zone, api):
    meeting, leader = run_meeting(api)
    docx = leader.get(f"/api/v1/meetings/{meeting['id']}/minutes.docx")
    assert docx.status_code == 200 and docx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert f"minutes-{meeting['number']}.docx" in docx["Content-Disposition"]
    document = Document(BytesIO(docx.content))
    text = "\n".join(p.text for p in document.paragraphs)
    cells = "\n".join(c.text for t in document.tables for row in t.rows for c in row.cells)
    assert DECISION in text
    tracked = meeting["items"][-1]["action_items"][0]["tracked_as"]["number"]
    assert tracked in cells and "梳理用地红线复核流程" in cells and "流程印发并经督查室确认" in cells
    pdf = leader.get(f"/api/v1/meetings/{meeting['id']}/minutes.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    pages = "".join(page.extract_text() for page in PdfReader(BytesIO(pdf.content)).pages)
    flat = "".join(pages.split())
    assert "".join(DECISION.split()) in flat and tracked in flat


def test_a_retried_call_creates_one_meeting(zone, api):
    secretary = api("supervisor")
    first = secretary.post("/api/v1/meetings", MEETING, headers={"Idempotency-Key": "yp-12"})
    again = secretary.post("/api/v1/meetings", MEETING, headers={"Idempotency-Key": "yp-12"})
    assert first.status_code == 201 and again.json() == first.json()
    assert Meeting.objects.count() == 1


def test_bad_input_gets_a_message_per_field_and_writes_nothing(zone, api):
    secretary = api("supervisor")
    r = secretary.post("/api/v1/meetings", {**MEETING, "chair": "ent-a", "units": ["nope"]})
    assert r.status_code == 422, r.content
    assert set(r.json()["fields"]) == {"chair", "units"}
    r = secretary.post("/api/v1/meetings", {**MEETING, "starts_at": "soon"})
    assert r.status_code == 422 and "starts_at" in r.json()["fields"]
    assert not Meeting.objects.exists()
    meeting = ok(secretary.post("/api/v1/meetings", MEETING), 201)
    meeting = ok(act(secretary, meeting, "add-item", title="议题"))
    meeting = ok(act(secretary, meeting, "freeze"))
    r = act(secretary, meeting, "decide", item=meeting["items"][-1]["id"], decision="x",
            action_items=[{"title": "事项", "lead_unit": "zz", "working_days": 5, "closing_rule": "确认"}])
    assert r.status_code == 422 and set(r.json()["fields"]) == {"action_items.0.lead_unit"}
    assert ok(secretary.get(f"/api/v1/meetings/{meeting['id']}"))["version"] == meeting["version"]


def test_a_stale_version_gets_409_and_changes_nothing(zone, api):
    secretary = api("supervisor")
    meeting = ok(secretary.post("/api/v1/meetings", MEETING), 201)
    newer = ok(act(secretary, meeting, "add-item", title="议题"))
    r = act(secretary, meeting, "add-item", title="另一个议题")
    assert r.status_code == 409
    assert len(ok(secretary.get(f"/api/v1/meetings/{meeting['id']}"))["items"]) == len(newer["items"])


def test_an_enterprise_sees_no_meeting_and_a_unit_cannot_run_one(zone, api):
    meeting = ok(api("supervisor").post("/api/v1/meetings", MEETING), 201)
    contact = api("ent-a")
    assert contact.get(f"/api/v1/meetings/{meeting['id']}").status_code == 404
    assert contact.get("/api/v1/meetings").status_code == 404
    assert contact.get(f"/api/v1/meetings/{meeting['id']}/minutes.pdf").status_code == 404
    assert contact.get("/api/v1/action-items").status_code == 404
    assert contact.get("/api/v1/difficult-cases").status_code == 403
    staff = api("unit-zrzy")
    assert staff.get(f"/api/v1/meetings/{meeting['id']}").status_code == 200
    assert act(staff, meeting, "freeze").status_code == 403
    assert staff.post("/api/v1/meetings", MEETING).status_code == 403


def test_the_leader_sees_the_difficult_cases_waiting_and_open(zone, api):
    d = submit(zone)
    officer = api("officer")
    demand = ok(officer.get(f"/api/v1/demands/{d.pk}"))
    demand = ok(officer.act(demand, "triage", category="land"))
    demand = ok(officer.act(demand, "dispatch", lead_unit="zrzy"))
    demand = ok(officer.act(demand, "escalate", reason="涉及多个部门"))
    leader = api("leader")
    cases = ok(leader.get("/api/v1/difficult-cases"))
    assert [c["number"] for c in cases["waiting"]] == [demand["number"]] and cases["open"] == []
    demand = ok(leader.act(demand, "assign-case", coordinator="supervisor", lead_unit="zjj", working_days=10))
    cases = ok(leader.get("/api/v1/difficult-cases"))
    assert cases["waiting"] == [] and [c["coordinator"]["username"] for c in cases["open"]] == ["supervisor"]


def test_the_meetings_api_is_in_the_openapi_schema(zone, api):
    paths = ok(api(None).get("/api/v1/openapi.json"))["paths"]
    for path in (
        "/api/v1/meetings", "/api/v1/meetings/{meeting_id}", "/api/v1/meetings/{meeting_id}/actions/decide",
        "/api/v1/meetings/{meeting_id}/actions/approve", "/api/v1/meetings/{meeting_id}/minutes.{ext}",
        "/api/v1/action-items", "/api/v1/difficult-cases", "/api/v1/categories/{code}/rule-history",
    ):
        assert path in paths, path
