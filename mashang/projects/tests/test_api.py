"""The project endpoints under /api/v1, driven as a client would."""

from __future__ import annotations

import json
from io import BytesIO

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from mashang.projects.ledger.importer import MSG_NOT_XLSX
from mashang.projects.models import Project
from mashang.projects.services import validate as v
from mashang.projects.services.create import MSG_MAY_NOT_CREATE
from tests.kit.projects import T0

NEW = {
    "name": "高端装备制造基地",
    "investor_name": "某装备集团",
    "project_type": "new_land",
    "industry": "equipment",
    "planned_investment": "1500000000.50",
    "land_area_mu": "120",
    "service_officer": "officer",
    "is_key": True,
}


def _patch(client, path, data):
    return client.client.patch(path, json.dumps(data), content_type="application/json", headers=client.headers)


def _upload(client, content: bytes, name: str):
    return client.client.post(
        "/api/v1/projects/import", {"file": SimpleUploadedFile(name, content)}, headers=client.headers
    )


def test_create_read_and_list(zone, api):
    officer = api("officer")
    with time_machine.travel(T0, tick=False):
        response = officer.post("/api/v1/projects", NEW)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["number"] == "XM-2026-0001"
    assert (body["planned_investment"], body["land_area_mu"], body["land_area_m2"]) == (
        "1500000000.50", "120.00", "80000.00")
    assert body["stage"] == "lead" and body["version"] == 1
    assert body["service_officer"]["code"] == "officer"
    assert body["allowed_actions"] == ["negotiate", "pause", "drop"]
    assert [e["action"] for e in body["events"]] == ["create"]
    assert [m["stage"] for m in body["milestones"]][:3] == ["lead", "negotiating", "signed"]

    listed = officer.get("/api/v1/projects", key="true", q="装备").json()
    assert listed["count"] == 1 and listed["results"][0]["id"] == body["id"]
    assert officer.get("/api/v1/projects", type="lease").json()["count"] == 0
    assert api("leader").get(f"/api/v1/projects/{body['id']}").json()["allowed_actions"] == []


def test_idempotency_key_creates_once(zone, api):
    officer = api("officer")
    first = officer.post("/api/v1/projects", NEW, headers={"Idempotency-Key": "k-1"})
    again = officer.post("/api/v1/projects", NEW, headers={"Idempotency-Key": "k-1"})
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    assert Project.objects.count() == 1


def test_422_names_each_field(zone, api):
    response = api("officer").post("/api/v1/projects", {**NEW, "name": "", "planned_investment": "1.005",
                                                         "land_area_m2": "x"})
    assert response.status_code == 422
    assert response.json()["fields"] == {
        "name": [str(v.MSG_NAME_REQUIRED)],
        "planned_investment": [str(v.MSG_INVESTMENT_PLACES)],
        "land_area_m2": [str(v.MSG_AREA_NOT_NUMBER).format(unit=v.UNIT_M2)],
    }


def test_unit_staff_and_enterprises_cannot_create(zone, api):
    for who in ("unit-zrzy", "ent-a"):
        response = api(who).post("/api/v1/projects", NEW)
        assert response.status_code == 403
        assert response.json()["message"] == str(MSG_MAY_NOT_CREATE)


def test_enterprise_b_cannot_see_enterprise_a_project(zone, api, make_project):
    project = make_project()
    assert api("ent-a").get(f"/api/v1/projects/{project.pk}").status_code == 200
    response = api("ent-b").get(f"/api/v1/projects/{project.pk}")
    assert response.status_code == 404
    assert api("ent-b").get("/api/v1/projects").json()["count"] == 0
    assert api("unit-zrzy").get(f"/api/v1/projects/{project.pk}").status_code == 404
    assert api("ent-b").post(f"/api/v1/projects/{project.pk}/actions/negotiate", {"version": 1}).status_code == 404


def test_patch_with_version_and_409_when_stale(zone, api, make_project):
    project = make_project()
    officer = api("officer")
    response = _patch(officer, f"/api/v1/projects/{project.pk}", {"version": 1, "land_area_m2": "2000"})
    assert response.status_code == 200, response.content
    assert (response.json()["land_area_mu"], response.json()["version"]) == ("3.00", 2)
    stale = _patch(officer, f"/api/v1/projects/{project.pk}", {"version": 1, "name": "x"})
    assert stale.status_code == 409
    assert api("ent-a").client.patch(
        f"/api/v1/projects/{project.pk}", json.dumps({"version": 2, "name": "x"}),
        content_type="application/json", headers=api("ent-a").headers,
    ).status_code == 403


def test_actions_milestones_funds_and_blockers(zone, api, make_project):
    project = make_project(stage="negotiating")
    officer = api("officer")
    url = f"/api/v1/projects/{project.pk}"
    signed = officer.post(f"{url}/actions/sign", {"version": 1})
    assert signed.status_code == 200 and signed.json()["stage"] == "signed"
    assert officer.post(f"{url}/actions/produce", {"version": 2}).status_code == 409
    assert officer.post(f"{url}/actions/pause", {"version": 2}).status_code == 422
    assert officer.post(f"{url}/actions/fly", {"version": 2}).status_code == 422
    planned = officer.post(f"{url}/milestones", {"version": 2, "milestones": [
        {"stage": "land_review", "planned_on": "2030-01-01"}]})
    assert planned.status_code == 200
    assert {m["stage"]: m["planned_on"] for m in planned.json()["milestones"]}["land_review"] == "2030-01-01"
    funds = officer.post(f"{url}/funds", {"amount": "2000000.25", "received_on": "2026-01-05"})
    assert funds.status_code == 201
    assert funds.json()["funds_total"] == "2000000.25"
    blocker = officer.post(f"{url}/blockers", {"title": "环评批复", "description": "环评批复进度", "category": "land"})
    assert blocker.status_code == 201, blocker.content
    detail = officer.get(url).json()
    assert [b["number"] for b in detail["blockers"]] == [blocker.json()["number"]]
    assert detail["blockers"][0]["status"] == "submitted"
    assert detail["version"] == 5 == len(detail["events"])


def test_export_and_import(zone, api, make_project):
    make_project(name="导出项目", stage="signed")
    officer = api("officer")
    response = officer.get("/api/v1/projects/export")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(BytesIO(response.content))
    assert wb.worksheets[0].cell(5, 2).value == "导出项目"
    Project.objects.all().delete()
    imported = _upload(officer, response.content, "ledger.xlsx")
    assert imported.status_code == 201, imported.content
    assert imported.json()["created"] == 1
    refused = _upload(officer, b"a,b\n", "ledger.csv")
    assert refused.status_code == 422
    assert refused.json()["fields"] == {"file": [str(MSG_NOT_XLSX)]}
    assert _upload(api("leader"), response.content, "ledger.xlsx").status_code == 403
