"""Bundle templates: the default, validation with clear messages, versions kept by runs."""

from __future__ import annotations

from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from mashang.core.errors import PermissionDenied, ValidationFailed
from mashang.landstart import dag
from mashang.landstart.default_bundle import DEFAULT_STEPS
from mashang.landstart.models import BundleTemplate, RunStep
from mashang.landstart.services import landstart_open, template_create, template_install_default
from mashang.landstart.services.templates import MSG_MAY_NOT_WRITE, MSG_UNKNOWN_AWARD_UNIT
from mashang.landstart.specs import StepSpec
from tests.kit.landstart import OPENED


def _body(**overrides) -> dict:
    steps = [
        {"code": "a", "name": "成交确认书", "unit": "jyzx", "expected_minutes": 1},
        {"code": "b", "name": "出让合同", "unit": "zrzy", "prerequisites": ["a"], "expected_minutes": 2},
        {"code": "c", "name": "施工许可证", "unit": "zjj", "prerequisites": ["b"], "expected_minutes": 5},
    ]
    return {"code": "fast", "name": "快速事项包", "award_unit": "jyzx", "steps": steps, **overrides}


def test_the_default_template_reads_with_its_plan(bundle, api):
    response = api("unit-zrzy").get("/api/v1/landstart-templates/default")
    assert response.status_code == 200
    body = response.json()
    assert (body["code"], body["version"], body["award_unit"], body["expected_minutes"]) == ("default", 1, "jyzx", 40)
    assert [s["code"] for s in body["steps"]] == [s.code for s in DEFAULT_STEPS]
    assert body["critical_path"] == list(dag.plan(DEFAULT_STEPS).critical_path)
    permit = body["steps"][-1]
    assert permit["unit"] == "zjj" and permit["prerequisites"] == ["works_permit", "title"]
    assert (permit["earliest_start"], permit["earliest_finish"], permit["column"]) == (10, 40, 5)
    assert api("unit-zrzy").get("/api/v1/landstart-templates/nope").status_code == 404
    listed = api("ent-a").get("/api/v1/landstart-templates").json()
    assert [t["code"] for t in listed] == ["default"]


def test_installing_the_default_twice_changes_nothing(bundle):
    template, created = template_install_default()
    assert not created and template.pk == bundle.template.pk
    assert BundleTemplate.objects.count() == 1


def test_the_command_installs_the_default_bundle(zone, bundle):
    BundleTemplate.objects.all().delete()
    out = StringIO()
    call_command("landstart_default", stdout=out)
    assert "default" in out.getvalue() and "40" in out.getvalue()
    out = StringIO()
    call_command("landstart_default", stdout=out)
    assert "未做任何改动" in out.getvalue()
    assert BundleTemplate.objects.count() == 1


def test_the_command_says_which_units_are_missing(zone):
    with pytest.raises(CommandError) as error:
        call_command("landstart_default", stdout=StringIO())
    assert "jyzx" in str(error.value) and "cz" in str(error.value)


def test_a_template_is_created_through_the_api_with_its_plan(bundle, api):
    response = api("officer").post("/api/v1/landstart-templates", _body())
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["code"], body["version"], body["expected_minutes"]) == ("fast", 1, 8)
    assert body["critical_path"] == ["a", "b", "c"]


def test_a_cyclic_template_is_refused_with_the_cycle_named(bundle, api):
    body = _body()
    body["steps"][0]["prerequisites"] = ["b"]
    response = api("officer").post("/api/v1/landstart-templates", body)
    assert response.status_code == 422
    message = str(dag.MSG_CYCLE).format(cycle="a → b → a")
    assert response.json() == {"message": message, "fields": {"steps": [message]}}
    assert not BundleTemplate.objects.filter(code="fast").exists()


def test_a_dangling_prerequisite_and_an_unknown_unit_are_refused(bundle, api):
    body = _body()
    body["steps"][1]["prerequisites"] = ["a", "payment"]
    body["steps"][2]["unit"] = "ghost"
    response = api("officer").post("/api/v1/landstart-templates", body)
    assert response.status_code == 422
    assert response.json()["fields"]["steps"] == [
        str(dag.MSG_DANGLING).format(step="b", missing="payment"),
        str(dag.MSG_UNKNOWN_UNIT).format(step="c", unit="ghost"),
    ]
    assert response.json()["message"] == str(dag.MSG_DANGLING).format(step="b", missing="payment")
    bad_award = api("officer").post("/api/v1/landstart-templates", _body(award_unit="ghost"))
    assert bad_award.status_code == 422
    assert bad_award.json()["fields"] == {"award_unit": [str(MSG_UNKNOWN_AWARD_UNIT).format(code="ghost")]}


def test_only_the_service_team_and_administrators_write_templates(bundle, api):
    for username in ["unit-zrzy", "ent-a", "supervisor"]:
        response = api(username).post("/api/v1/landstart-templates", _body())
        assert response.status_code == 403 and response.json()["message"] == str(MSG_MAY_NOT_WRITE)
    assert api("admin").post("/api/v1/landstart-templates", _body()).status_code == 201
    with pytest.raises(PermissionDenied):
        template_create(actor=bundle.zone.land_staff, code="x", name="x", award_unit_code="jyzx", steps=DEFAULT_STEPS)


def test_bad_input_is_a_422_never_a_500(bundle, api):
    officer = api("officer")
    assert officer.post("/api/v1/landstart-templates", _body(code="Bad Code!")).status_code == 422
    assert officer.post("/api/v1/landstart-templates", _body(steps=[])).json()["fields"] == {
        "steps": [str(dag.MSG_EMPTY_TEMPLATE)]
    }
    body = _body()
    body["steps"][0]["expected_minutes"] = -3
    assert officer.post("/api/v1/landstart-templates", body).status_code == 422
    assert officer.post("/api/v1/landstart-templates", _body(steps="x")).status_code == 422


def test_a_new_version_leaves_running_runs_on_theirs(bundle):
    officer = bundle.zone.officer
    first = landstart_open(actor=officer, project_id=bundle.project.pk, at=OPENED)
    faster = [
        StepSpec(s.code, s.name, s.unit, s.prerequisites, 20 if s.code == "construction_permit" else s.expected_minutes,
                 s.pre_reviewable, s.document)
        for s in DEFAULT_STEPS
    ]
    with time_machine.travel(OPENED, tick=False):
        v2 = template_create(actor=officer, code="default", name="拿地即动工标准事项包（第二版）",
                             award_unit_code="jyzx", steps=faster)
    assert v2.version == 2
    other = bundle.make_project()
    second = landstart_open(actor=officer, project_id=other.pk, at=OPENED)
    assert first.template.version == 1 and second.template.version == 2
    assert RunStep.objects.get(run=first, code="construction_permit").expected_minutes == 30
    assert RunStep.objects.get(run=second, code="construction_permit").expected_minutes == 20


def test_template_versions_read_by_number(bundle, api):
    officer = api("officer")
    officer.post("/api/v1/landstart-templates", _body())
    officer.post("/api/v1/landstart-templates", _body(name="快速事项包 v2"))
    latest = officer.get("/api/v1/landstart-templates/fast").json()
    assert (latest["version"], latest["versions"], latest["name"]) == (2, [2, 1], "快速事项包 v2")
    assert officer.get("/api/v1/landstart-templates/fast", version=1).json()["name"] == "快速事项包"
    assert officer.get("/api/v1/landstart-templates/fast", version=3).status_code == 404


def test_the_service_refuses_invalid_steps_with_every_message(bundle):
    with pytest.raises(ValidationFailed) as error:
        template_create(
            actor=None, code="bad", name="坏", award_unit_code="jyzx",
            steps=[StepSpec("a", "A", "jyzx", ("c",)), StepSpec("b", "B", "zrzy", ("a",)),
                   StepSpec("c", "C", "zjj", ("b",))],
        )
    assert error.value.fields == {"steps": [str(dag.MSG_CYCLE).format(cycle="a → b → c → a")]}
