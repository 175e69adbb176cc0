"""The project pages, as each role sees them."""

from __future__ import annotations

import json
import re
from io import BytesIO

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import Workbook

from mashang.projects.models import Project
from mashang.projects.services import validate as v
from mashang.projects.services.common import MSG_STALE
from mashang.projects.services.lifecycle import MSG_REASON_REQUIRED
from mashang.projects.stats import RATE_DEFINITIONS


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _no_inline_code(html: str) -> None:
    assert 'style="' not in html
    for tag in re.findall(r"<script[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag, tag


def test_the_pipeline_page_for_a_leader(zone, make_project):
    make_project(name="<script>alert(1)</script>", stage="signed", is_key=True)
    response = signed_in(zone.leader).get("/projects/")
    assert response.status_code == 200
    html = response.content.decode()
    _no_inline_code(html)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    for definition in RATE_DEFINITIONS.values():
        assert str(definition) in html.replace("&quot;", '"').replace("&#x27;", "'")
    data = json.loads(re.search(r'<script id="pipeline-data" type="application/json">(.*?)</script>', html,
                                re.S).group(1))
    assert data["stages"]["counts"][2] == 1  # signed
    assert "projects/pipeline.js" in html


def test_an_enterprise_sees_its_own_projects_and_no_zone_figures(zone, make_project):
    mine = make_project(name="甲的项目")
    theirs = make_project(name="乙的项目", investor_credit_code=zone.other_enterprise.credit_code)
    client = signed_in(zone.contact)
    html = client.get("/projects/").content.decode()
    assert "甲的项目" in html and "乙的项目" not in html
    assert "pipeline-data" not in html
    assert client.get(f"/projects/{mine.pk}/").status_code == 200
    assert client.get(f"/projects/{theirs.pk}/").status_code == 404
    assert client.get("/projects/new/").status_code == 403


def test_unit_staff_cannot_create_or_import(zone):
    client = signed_in(zone.land_staff)
    assert client.get("/projects/new/").status_code == 403
    assert client.post("/projects/new/", {"name": "x"}).status_code == 403
    assert client.get("/projects/import/").status_code == 403


def test_the_menu_offers_the_projects(zone):
    assert 'href="/projects/"' in signed_in(zone.officer).get("/projects/").content.decode()
    assert 'href="/projects/"' in signed_in(zone.contact).get("/projects/").content.decode()


def test_new_project_form_shows_a_message_per_field(zone):
    client = signed_in(zone.officer)
    response = client.post("/projects/new/", {"name": "", "investor_name": "某集团", "project_type": "new_land",
                                              "industry": "other", "planned_investment": "abc"})
    assert response.status_code == 422
    html = response.content.decode()
    assert str(v.MSG_NAME_REQUIRED).replace("'", "&#x27;") in html
    assert str(v.MSG_INVESTMENT_NOT_NUMBER) in html
    good = client.post("/projects/new/", {"name": "新项目", "investor_name": "某集团", "project_type": "new_land",
                                          "industry": "other", "planned_investment": "1,000.5", "land_area_mu": "3",
                                          "service_officer": "officer", "is_key": "on"})
    project = Project.objects.get()
    assert good.status_code == 302 and good["Location"] == f"/projects/{project.pk}/"
    assert (project.planned_investment, str(project.land_area_m2), project.is_key) == (1000.5, "2000.00", True)


def test_detail_actions_and_a_stale_form(zone, make_project):
    project = make_project(stage="negotiating")
    client = signed_in(zone.officer)
    page = client.get(f"/projects/{project.pk}/").content.decode()
    _no_inline_code(page)
    assert f'action="/projects/{project.pk}/act/sign/"' in page
    assert f'action="/projects/{project.pk}/act/produce/"' not in page
    assert client.post(f"/projects/{project.pk}/act/sign/", {"version": 1}).status_code == 302
    project.refresh_from_db()
    assert project.stage == "signed"
    stale = client.post(f"/projects/{project.pk}/act/edit/", {"version": 1, "name": "改名", "project_type": "new_land",
                                                            "industry": "new_energy", "planned_investment": "1"})
    assert stale.status_code == 409
    assert str(MSG_STALE).format(given=1, current=2) in stale.content.decode()
    paused = client.post(f"/projects/{project.pk}/act/pause/", {"version": 2, "reason": ""})
    assert paused.status_code == 422
    assert str(MSG_REASON_REQUIRED) in paused.content.decode()


def test_a_reader_gets_no_forms(zone, make_project):
    project = make_project()
    page = signed_in(zone.supervisor).get(f"/projects/{project.pk}/").content.decode()
    assert "/act/" not in page
    assert signed_in(zone.supervisor).post(f"/projects/{project.pk}/act/negotiate/", {"version": 1}).status_code == 403


def test_funds_and_blockers_from_the_page(zone, make_project):
    project = make_project()
    client = signed_in(zone.officer)
    assert client.post(f"/projects/{project.pk}/act/funds/", {"version": 1, "amount": "100.10",
                                                             "received_on": "2026-01-02"}).status_code == 302
    assert client.post(f"/projects/{project.pk}/act/blocker/", {"title": "用电报装", "description": "报装慢",
                                                               "category_code": "land"}).status_code == 302
    html = client.get(f"/projects/{project.pk}/").content.decode()
    assert "100.10" in html and "用电报装" in html


def _ledger(rows):
    wb = Workbook()
    ws = wb.active
    ws.append(["项目名称", "投资方", "项目类型", "产业", "计划投资额（元）"])
    for row in rows:
        ws.append(row)
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def test_the_import_page_lists_bad_rows_and_imports_nothing(zone):
    client = signed_in(zone.officer)
    bad = _ledger([["一", "甲", "lease", "other", 1], ["二", "乙", "lease", "other", "十元"]])
    response = client.post("/projects/import/", {"file": SimpleUploadedFile("l.xlsx", bad)})
    assert response.status_code == 422
    assert str(v.MSG_INVESTMENT_NOT_NUMBER) in response.content.decode()
    assert not Project.objects.exists()
    good = _ledger([["一", "甲", "lease", "other", 1]])
    response = client.post("/projects/import/", {"file": SimpleUploadedFile("l.xlsx", good)})
    assert response.status_code == 200
    assert Project.objects.get().name in response.content.decode()


def test_the_export_link(zone, make_project):
    make_project()
    response = signed_in(zone.leader).get("/projects/export/?stage=lead")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="projects-')
