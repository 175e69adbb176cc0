"""The land-start pages: the runs list with a unit's “my steps”, the live board and its
fragment, the actions on it, the history, and the bundle templates with the BPMN import and
the editor. Each page for those who may see it, a 404 for those who may not."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils.html import escape

from mashang.landstart import dag
from mashang.landstart.models import BundleTemplate, Run, RunState, RunStep, StepState
from mashang.landstart.services.common import MSG_REASON_REQUIRED
from mashang.landstart.services.documents import MSG_NOT_YOUR_DOCUMENT
from mashang.landstart.services.runs import MSG_AWARD_IN_FUTURE
from mashang.landstart.services.steps import MSG_NOT_YOUR_STEP, MSG_PREREQUISITES_OPEN
from mashang.landstart.views.common import MSG_DONE, action_label
from mashang.org.models import User
from mashang.projects.models import Project
from mashang.web.navigation import nav_for
from tests.kit.factories import UnitFactory, UserFactory
from tests.kit.landstart import AWARD, OPENED, RECORD_41, run_of

R = User.Role
FIXTURES = Path(__file__).parent / "fixtures"
NOW = AWARD + timedelta(minutes=5)
HX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


def client_for(user: User) -> Client:
    c = Client()
    c.force_login(user)
    return c


def text(response) -> str:
    return response.content.decode()


@pytest.fixture
def running(bundle) -> Run:
    """A run five minutes after the award: confirmation and contract done, four steps active."""
    return run_of(
        bundle, opened=OPENED, awarded=AWARD, minutes={"confirmation": 1, "land_contract": 2}
    )


def step_state(run: Run, code: str) -> str:
    return RunStep.objects.get(run=run, code=code).state


def node(html: str, code: str) -> str:
    """The SVG node of a step on the board."""
    match = re.search(rf'<g class="node ([^"]*)" data-step="{code}" data-state="(\w+)"', html)
    assert match, f"no node {code}"
    return f"{match.group(2)} {match.group(1)}"


# --- who sees what ---------------------------------------------------------------------------


def test_land_start_is_in_the_navigation_of_every_role_but_the_enterprises(bundle):
    z = bundle.zone
    for user in (z.officer, z.land_staff, z.supervisor, z.leader, bundle.admin):
        assert "/landstart/" in [i["url"] for i in nav_for(user)], user.role
    assert "/landstart/" not in [i["url"] for i in nav_for(z.contact)]


def test_every_page_renders_for_the_roles_that_may_see_the_run(bundle, running):
    z = bundle.zone
    pages = [
        "/landstart/",
        f"/landstart/{running.pk}/",
        f"/landstart/{running.pk}/live/",
        "/landstart/history/",
        "/landstart/templates/",
        "/landstart/templates/default/",
    ]
    for user in (
        z.officer,
        z.land_staff,
        bundle.people["cz"],
        z.supervisor,
        z.leader,
        bundle.admin,
        z.contact,
    ):
        c = client_for(user)
        for url in pages:
            response = c.get(url)
            assert response.status_code == 200, (user.username, url)
    board = text(client_for(z.contact).get(f"/landstart/{running.pk}/"))
    assert bundle.project.name in board and 'data-step="land_payment"' in board
    assert "/act/" not in board  # the enterprise follows its run, it acts on nothing


def test_a_run_is_404_to_another_enterprise_and_to_a_unit_without_a_step(bundle, running):
    stranger_unit = UnitFactory(code="qt", name="其他单位")
    stranger = UserFactory(username="unit-qt", role=R.UNIT_STAFF, unit=stranger_unit)
    for user in (bundle.zone.other_contact, stranger):
        c = client_for(user)
        for url in (f"/landstart/{running.pk}/", f"/landstart/{running.pk}/live/"):
            assert c.get(url).status_code == 404, (user.username, url)
        assert c.post(f"/landstart/{running.pk}/steps/land_payment/complete/").status_code == 404
        listing = text(c.get("/landstart/"))
        assert f'data-run="{running.pk}"' not in listing
        assert bundle.project.name not in text(c.get("/landstart/history/"))
    assert step_state(running, "land_payment") == StepState.ACTIVE


def test_the_list_shows_state_award_elapsed_and_progress_and_filters_by_state(bundle, running):
    other = run_of(bundle, project=bundle.make_project(), opened=OPENED)
    c = client_for(bundle.zone.officer)
    html = text(c.get("/landstart/"))
    row = html[html.index(f'data-run="{running.pk}"') :]
    row = row[: row.index("</tr>")]
    assert "2026-06-10 09:30:00" in row and 'data-seconds="300"' in row and "data-ticking" in row
    assert "2 / 8" in row and 'value="2"' in row
    assert f'data-run="{other.pk}"' in html
    listed_only = text(c.get("/landstart/", {"state": "listed"}))
    assert f'data-run="{other.pk}"' in listed_only and f'data-run="{running.pk}"' not in listed_only


def test_user_text_is_escaped_on_every_page(bundle):
    Project.objects.filter(pk=bundle.project.pk).update(name="<script>alert(1)</script>项目")
    run = run_of(bundle, opened=OPENED, awarded=AWARD - timedelta(minutes=50), minutes=RECORD_41)
    c = client_for(bundle.zone.officer)
    for url in ("/landstart/", f"/landstart/{run.pk}/", "/landstart/history/"):
        html = text(c.get(url))
        assert "<script>alert(1)" not in html, url
        assert "&lt;script&gt;alert(1)&lt;/script&gt;项目" in html, url


# --- my steps ------------------------------------------------------------------------------


def test_a_unit_sees_its_steps_to_complete_and_completes_one_from_the_list(bundle, running):
    c = client_for(bundle.people["cz"])
    html = text(c.get("/landstart/"))
    panel = html[html.index('id="my-steps"') :]
    assert (
        'data-step="land_payment"' in panel
        and f"/landstart/{running.pk}/steps/land_payment/complete/" in panel
    )
    assert 'data-step="land_use_permit"' not in panel  # natural resources' step, not finance's
    version = RunStep.objects.get(run=running, code="land_payment").version
    response = c.post(
        f"/landstart/{running.pk}/steps/land_payment/complete/",
        {"land_payment-complete-version": version, "next": "/landstart/"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/landstart/"
    assert escape(str(MSG_DONE).format(action=action_label("complete"))) in text(response)
    assert step_state(running, "land_payment") == StepState.DONE
    assert step_state(running, "deed_tax") == StepState.ACTIVE


def test_a_refusal_from_the_list_shows_beside_the_step_in_my_steps(bundle, running):
    c = client_for(bundle.people["cz"])
    response = c.post(
        f"/landstart/{running.pk}/steps/land_payment/complete/",
        {"land_payment-complete-version": 99, "next": "/landstart/"},
    )
    html = text(response)
    assert response.status_code == 409
    item = html[html.index('<li class="my-step') :]
    item = item[: item.index("</li>")]
    assert 'data-step="land_payment"' in item and 'class="error" role="alert"' in item
    assert step_state(running, "land_payment") == StepState.ACTIVE


def test_a_unit_stages_a_pre_review_step_while_the_land_is_listed(bundle):
    run = run_of(bundle, opened=OPENED)
    c = client_for(bundle.zone.housing_staff)
    html = text(c.get("/landstart/"))
    assert f"/landstart/{run.pk}/steps/construction_permit/stage/" in html
    c.post(f"/landstart/{run.pk}/steps/construction_permit/stage/", {"next": "/landstart/"})
    assert RunStep.objects.get(run=run, code="construction_permit").staged is True
    assert "/steps/construction_permit/stage/" not in text(c.get("/landstart/"))


# --- the board ----------------------------------------------------------------------------


def test_the_board_draws_each_step_with_its_state_in_words_and_the_critical_path(bundle, running):
    html = text(client_for(bundle.zone.leader).get(f"/landstart/{running.pk}/"))
    assert node(html, "confirmation") == "done state-done critical"
    assert node(html, "land_payment") == "active state-active late critical"  # 3 of 2 minutes
    assert node(html, "works_permit") == "waiting state-waiting"
    assert html.count('class="edge critical"') == 5 and html.count('class="edge"') == 3
    # The state is in words beside its colour, on the graph and in the list.
    payment = html[html.index('data-step="land_payment" data-state') :]
    assert f"▶ {StepState.ACTIVE.label} · " in payment[: payment.index("</g>")]
    assert 'data-seconds="300" data-ticking' in html  # the elapsed clock, from the server's time
    assert f'hx-get="/landstart/{running.pk}/live/" hx-trigger="every 2s"' in html


def test_the_fragment_is_the_board_and_stops_polling_when_the_run_is_complete(bundle, running):
    c = client_for(bundle.zone.officer)
    response = c.get(f"/landstart/{running.pk}/live/")
    html = text(response)
    assert (
        html.startswith('<div id="board"')
        and "<html" not in html
        and response["Cache-Control"] == "no-store"
    )
    assert 'hx-trigger="every 2s"' in html
    done = run_of(
        bundle,
        project=bundle.make_project(),
        opened=OPENED,
        awarded=AWARD - timedelta(hours=2),
        minutes=RECORD_41,
    )
    html = text(c.get(f"/landstart/{done.pk}/live/"))
    assert "hx-trigger" not in html and 'data-state="completed"' in html
    # The record: 41 minutes, each unit's share.
    assert "41" in html[html.index('class="record-minutes"') :][:80]
    assert html.index("住房和城乡建设局") < html.index(
        "公共资源交易中心", html.index('class="figures shares"')
    )


def test_completing_a_step_on_the_board_re_renders_it(bundle, running):
    c = client_for(bundle.people["cz"])
    version = RunStep.objects.get(run=running, code="land_payment").version
    response = c.post(
        f"/landstart/{running.pk}/steps/land_payment/complete/",
        {"land_payment-complete-version": version},
        headers=HX,
    )
    html = text(response)
    assert response.status_code == 200 and html.startswith('<div id="board"')
    assert node(html, "land_payment").startswith("done") and node(html, "deed_tax").startswith(
        "active"
    )


def test_another_units_step_is_refused_beside_the_board_with_403(bundle, running):
    c = client_for(bundle.people["cz"])
    response = c.post(f"/landstart/{running.pk}/steps/land_use_permit/complete/", headers=HX)
    assert response.status_code == 403
    assert escape(
        str(MSG_NOT_YOUR_STEP).format(unit="自然资源分局", step="建设用地规划许可证")
    ) in text(response)
    assert step_state(running, "land_use_permit") == StepState.ACTIVE


def test_a_step_with_open_prerequisites_is_refused_with_409(bundle, running):
    c = client_for(bundle.people["sw"])
    response = c.post(f"/landstart/{running.pk}/steps/deed_tax/complete/", headers=HX)
    assert response.status_code == 409
    assert escape(str(MSG_PREREQUISITES_OPEN).format(step="契税", open="“土地出让金缴纳”")) in text(
        response
    )


def test_a_stale_step_version_asks_to_reload(bundle, running):
    c = client_for(bundle.people["cz"])
    response = c.post(
        f"/landstart/{running.pk}/steps/land_payment/complete/",
        {"land_payment-complete-version": 99},
        headers=HX,
    )
    assert response.status_code == 409 and f"/landstart/{running.pk}/" in text(response)
    assert step_state(running, "land_payment") == StepState.ACTIVE


def test_sending_back_needs_a_reason_shown_beside_the_form(bundle, running):
    c = client_for(bundle.people["cz"])  # finance's step waits on the contract
    url = f"/landstart/{running.pk}/steps/land_contract/return/"
    response = c.post(url, {"land_contract-return-reason": "  "}, headers=HX)
    html = text(response)
    assert response.status_code == 422 and escape(str(MSG_REASON_REQUIRED)) in html
    form = html[html.index('id="action-land_contract-return"') :]
    assert form.startswith(
        'id="action-land_contract-return" open'
    )  # the form stays open, its message beside it
    response = c.post(url, {"land_contract-return-reason": "合同附件缺页"}, headers=HX)
    assert response.status_code == 200
    assert step_state(running, "land_contract") == StepState.RETURNED
    assert "合同附件缺页" in text(response)


def test_the_award_unit_records_the_award_and_a_time_in_the_future_is_refused(bundle):
    run = run_of(bundle, opened=OPENED)
    c = client_for(bundle.people["jyzx"])
    html = text(c.get(f"/landstart/{run.pk}/"))
    assert (
        'name="run-award-awarded_at"' in html and 'value="2026-06-10T09:35:00"' in html
    )  # now, by default
    response = c.post(
        f"/landstart/{run.pk}/act/award/",
        {"run-award-awarded_at": "2026-06-10T10:00:00"},
        headers=HX,
    )
    assert response.status_code == 422 and escape(str(MSG_AWARD_IN_FUTURE)) in text(response)
    response = c.post(
        f"/landstart/{run.pk}/act/award/", {"run-award-awarded_at": "2026-06-10T09:30:00"}
    )
    assert response.status_code == 302
    run.refresh_from_db()
    assert run.state == RunState.RUNNING and run.awarded_at == AWARD
    # A unit that does not record awards is offered no such form.
    assert "run-award" not in text(client_for(bundle.zone.land_staff).get(f"/landstart/{run.pk}/"))


def test_the_officer_opens_and_cancels_a_run(bundle):
    c = client_for(bundle.zone.officer)
    html = text(c.get("/landstart/"))
    assert f'<option value="{bundle.project.pk}">' in html
    response = c.post("/landstart/open/", {"project": "", "template": "default"})
    html = text(response)
    assert response.status_code == 422 and 'id="action-open" open' in html
    assert 'class="field invalid"' in html[html.index('id="action-open"') :]
    response = c.post("/landstart/open/", {"project": bundle.project.pk, "template": "default"})
    run = Run.objects.get(project=bundle.project)
    assert response.status_code == 302 and response["Location"] == f"/landstart/{run.pk}/"
    response = c.post(f"/landstart/{run.pk}/act/cancel/", {"run-cancel-reason": ""}, headers=HX)
    assert response.status_code == 422 and escape(str(MSG_REASON_REQUIRED)) in text(response)
    c.post(f"/landstart/{run.pk}/act/cancel/", {"run-cancel-reason": "项目暂缓"})
    run.refresh_from_db()
    assert run.state == RunState.CANCELLED
    # A unit may not open runs.
    assert (
        client_for(bundle.zone.land_staff).post("/landstart/open/", {"project": 1}).status_code
        == 403
    )


# --- history ------------------------------------------------------------------------------


def test_the_history_compares_runs_in_award_order_and_highlights_the_best(bundle):
    first = run_of(
        bundle,
        opened=OPENED - timedelta(days=30),
        awarded=AWARD - timedelta(days=20),
        minutes={**RECORD_41, "construction_permit": 145},
    )
    second = run_of(
        bundle,
        project=bundle.make_project(),
        opened=OPENED,
        awarded=AWARD - timedelta(hours=3),
        minutes={**RECORD_41, "construction_permit": 40},
    )
    html = text(client_for(bundle.zone.leader).get("/landstart/history/"))
    data = json.loads(
        re.search(r'<script id="history-data" type="application/json">(.*?)</script>', html).group(
            1
        )
    )
    assert data["minutes"] == [145, 40] and data["best"] == 1
    rows = re.findall(r'<tr data-run="(\d+)"( class="current best")?>', html)
    assert rows == [(str(first.pk), ""), (str(second.pk), ' class="current best"')]
    header = html[html.index('id="history-table"') :]
    assert header.index("成交确认书") < header.index(
        "施工许可证"
    )  # the default bundle's steps as columns


# --- templates -----------------------------------------------------------------------------


def test_the_template_page_shows_the_plan_before_anything_runs(bundle):
    html = text(client_for(bundle.zone.supervisor).get("/landstart/templates/default/"))
    assert re.search(r'id="plan-total">\s*40', html)
    line = html[html.index('class="critical-line"') :]
    line = line[: line.index("</p>")]
    assert [m for m in re.findall(r'critical-step">([^<]+)', line)] == [
        "成交确认书",
        "出让合同",
        "土地出让金缴纳",
        "契税",
        "不动产权证书",
        "施工许可证",
    ]
    assert "/landstart/templates/default/edit/" not in html  # a supervisor reads, does not write
    officer = text(client_for(bundle.zone.officer).get("/landstart/templates/default/"))
    assert "/landstart/templates/default/edit/" in officer and 'name="file"' in officer


def _rows(steps: list[dict], **head) -> dict:
    data = {
        "rows": str(len(steps)),
        "code": "",
        "name": "测试包",
        "award_unit": "jyzx",
        "note": "",
        **head,
    }
    for i, s in enumerate(steps):
        for key in ("code", "name", "unit", "prerequisites", "expected_minutes", "document"):
            data[f"s{i}-{key}"] = str(s.get(key, ""))
        if s.get("pre_reviewable"):
            data[f"s{i}-pre_reviewable"] = "on"
    return data


def test_the_editor_points_each_fault_at_its_row_and_saves_a_new_version(bundle):
    c = client_for(bundle.zone.officer)
    assert 'name="s7-code" value="construction_permit"' in text(
        c.get("/landstart/templates/default/edit/")
    )
    bad = [
        {"code": "a", "name": "甲", "unit": "jyzx", "prerequisites": "c", "expected_minutes": 1},
        {
            "code": "b",
            "name": "乙",
            "unit": "zrzy",
            "prerequisites": "a, ghost",
            "expected_minutes": 2,
        },
        {"code": "c", "name": "丙", "unit": "zjj", "prerequisites": "b", "expected_minutes": 3},
    ]
    response = c.post("/landstart/templates/default/edit/", _rows(bad, do="save"))
    html = text(response)
    assert response.status_code == 422
    assert escape(str(dag.MSG_DANGLING).format(step="b", missing="ghost")) in html
    assert escape(str(dag.MSG_CYCLE).format(cycle="a → b → c → a")) in html
    row_b = html[html.index('data-row="1"') : html.index('data-row="2"')]
    assert "ghost" in row_b and 'class="invalid"' in row_b
    assert BundleTemplate.objects.filter(code="default").count() == 1

    good = [
        {"code": "a", "name": "甲", "unit": "jyzx", "expected_minutes": 1, "pre_reviewable": True},
        {"code": "b", "name": "乙", "unit": "zrzy", "prerequisites": "a", "expected_minutes": 2},
        {"code": "c", "name": "丙", "unit": "zjj", "prerequisites": "a", "expected_minutes": 5},
        {"code": "d", "name": "丁", "unit": "zjj", "prerequisites": "b，c", "expected_minutes": 3},
        {},
    ]
    preview = text(c.post("/landstart/templates/default/edit/", _rows(good, do="preview")))
    assert re.search(r'id="preview-total">\s*9', preview) and "甲 → 丙 → 丁" in preview
    response = c.post("/landstart/templates/default/edit/", _rows(good, do="save"))
    assert response.status_code == 302 and response["Location"] == "/landstart/templates/default/"
    latest = BundleTemplate.objects.filter(code="default").order_by("-version").first()
    assert latest.version == 2 and [s.code for s in latest.steps.order_by("position")] == [
        "a",
        "b",
        "c",
        "d",
    ]
    assert text(c.get("/landstart/templates/default/", {"version": 1})).count("v2") >= 1


def test_the_editor_is_for_the_service_team_and_administrators(bundle):
    for user in (bundle.zone.land_staff, bundle.zone.leader):
        assert client_for(user).get("/landstart/templates/new/").status_code == 403
    assert client_for(bundle.admin).get("/landstart/templates/new/").status_code == 200
    assert (
        client_for(bundle.zone.land_staff).post("/landstart/templates/import/").status_code == 403
    )


def test_a_bpmn_file_becomes_a_template_and_an_unknown_unit_is_refused_beside_the_form(bundle):
    c = client_for(bundle.zone.officer)
    data = (FIXTURES / "default_bundle.bpmn").read_bytes()
    response = c.post(
        "/landstart/templates/import/",
        {
            "file": SimpleUploadedFile("b.bpmn", data),
            "code": "drawn",
            "award_unit": "jyzx",
            "name": "",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/landstart/templates/drawn/"
    drawn = BundleTemplate.objects.get(code="drawn")
    assert drawn.steps.count() == 8
    bad = (FIXTURES / "default_bundle_unknown_unit.bpmn").read_bytes()
    response = c.post(
        "/landstart/templates/import/",
        {"file": SimpleUploadedFile("b.bpmn", bad), "code": "drawn2", "award_unit": "jyzx"},
    )
    html = text(response)
    assert response.status_code == 422 and not BundleTemplate.objects.filter(code="drawn2").exists()
    field = html[html.index('for="id_import_file"') :]
    field = field[: field.index("</div>")]
    assert escape(str(dag.MSG_UNKNOWN_UNIT).format(step="deed_tax", unit="dishui")) in field


# --- documents -----------------------------------------------------------------------------


def test_a_unit_attaches_a_document_on_the_board_and_only_those_who_see_the_run_download_it(
    bundle, running, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    c = client_for(bundle.zone.land_staff)
    response = c.post(
        f"/landstart/{running.pk}/steps/land_use_permit/attach/",
        {"land_use_permit-attach-files": [SimpleUploadedFile("规划条件.pdf", pdf)]},
        headers=HX,
    )
    html = text(response)
    assert response.status_code == 200 and "规划条件.pdf" in html
    link = re.search(rf'href="(/landstart/{running.pk}/documents/\d+/)" download>规划条件\.pdf', html).group(1)
    download = client_for(bundle.zone.leader).get(link)
    assert download.status_code == 200 and b"".join(download.streaming_content) == pdf
    assert download["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert client_for(bundle.zone.other_contact).get(link).status_code == 404
    # Finance may not add documents to natural resources' step: refused beside the form.
    response = client_for(bundle.people["cz"]).post(
        f"/landstart/{running.pk}/steps/land_use_permit/attach/",
        {"land_use_permit-attach-files": [SimpleUploadedFile("x.pdf", pdf)]},
        headers=HX,
    )
    assert response.status_code == 403
    assert escape(
        str(MSG_NOT_YOUR_DOCUMENT).format(unit="自然资源分局", step="建设用地规划许可证")
    ) in text(response)
