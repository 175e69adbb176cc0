"""POST /api/v1/landstart-templates/import: a bundle template from a BPMN 2.0 file."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from mashang.landstart import bpmn
from mashang.landstart.dag import MSG_CYCLE, MSG_UNKNOWN_UNIT
from mashang.landstart.default_bundle import DEFAULT_NAME
from mashang.landstart.models import BundleTemplate
from mashang.landstart.services.templates import MSG_MAY_NOT_WRITE

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures"
URL = "/api/v1/landstart-templates/import"


def upload(client, filename: str, content: bytes | None = None, **fields):
    data = content if content is not None else (FIXTURES / filename).read_bytes()
    form = {"code": "imported", "award_unit": "jyzx", **fields}
    return client.client.post(
        URL,
        {**form, "file": SimpleUploadedFile(filename, data, content_type="application/octet-stream")},
        headers=client.headers,
    )


def test_an_officer_imports_the_modeler_file_and_gets_the_default_bundle(api, bundle):
    response = upload(api("officer"), "default_bundle.bpmn")

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["code"], body["version"], body["name"], body["award_unit"]) == ("imported", 1, DEFAULT_NAME, "jyzx")
    default = api("officer").get("/api/v1/landstart-templates/default").json()

    def dag(template: dict) -> dict:
        return {
            s["code"]: (s["unit"], frozenset(s["prerequisites"]), s["expected_minutes"], s["pre_reviewable"])
            for s in template["steps"]
        }

    assert dag(body) == dag(default)
    assert body["expected_minutes"] == default["expected_minutes"]
    assert body["critical_path"] == default["critical_path"]


def test_an_import_with_an_existing_code_is_its_next_version_and_the_name_can_be_given(api, bundle):
    officer = api("officer")
    upload(officer, "default_bundle.bpmn")
    response = upload(officer, "default_bundle.bpmn", name="新版事项包", note="从 BPMN 导入")

    assert response.status_code == 201, response.content
    assert (response.json()["version"], response.json()["name"]) == (2, "新版事项包")


def test_an_administrator_may_import_and_others_get_403(api, bundle):
    assert upload(api("admin"), "default_bundle.bpmn").status_code == 201
    for username in ("unit-zrzy", "supervisor", "leader", "ent-a"):
        response = upload(api(username), "default_bundle.bpmn", code=f"by-{username}")
        assert response.status_code == 403, username
        assert response.json()["message"] == str(MSG_MAY_NOT_WRITE)
    # Even a bad file: who may not write templates is told so first.
    assert upload(api("unit-zrzy"), "x.bpmn", b"not xml").status_code == 403
    assert not BundleTemplate.objects.filter(code__startswith="by-").exists()


def test_signing_in_is_required(api, bundle):
    assert upload(api(None), "default_bundle.bpmn").status_code == 401


def test_a_file_with_an_unknown_unit_is_refused_with_422_naming_the_unit(api, bundle):
    response = upload(api("officer"), "default_bundle_unknown_unit.bpmn")

    assert response.status_code == 422
    expected = str(MSG_UNKNOWN_UNIT).format(step="deed_tax", unit="dishui")
    assert response.json() == {"message": expected, "fields": {"file": [expected]}}
    assert not BundleTemplate.objects.filter(code="imported").exists()


def test_a_cyclic_file_is_refused_with_422_naming_the_cycle(api, bundle):
    response = upload(api("officer"), "default_bundle_cyclic.bpmn")

    assert response.status_code == 422
    cycle = str(MSG_CYCLE).format(cycle="land_use_permit → works_permit → land_use_permit")
    assert response.json()["fields"] == {"file": [cycle]}


def test_a_file_that_is_not_bpmn_is_refused_with_422(api, bundle):
    response = upload(api("officer"), "notes.txt", "会议纪要".encode())

    assert response.status_code == 422
    assert response.json() == {"message": str(bpmn.MSG_NOT_XML), "fields": {"file": [str(bpmn.MSG_NOT_XML)]}}


def test_an_exclusive_gateway_is_refused_with_422_naming_it(api, bundle):
    text = (FIXTURES / "default_bundle.bpmn").read_text()
    gateway_id = text.split('<bpmn:parallelGateway id="', 1)[1].split('"', 1)[0]
    edited = text.replace(f'<bpmn:parallelGateway id="{gateway_id}"', f'<bpmn:exclusiveGateway id="{gateway_id}"')
    edited = edited.replace("</bpmn:parallelGateway>", "</bpmn:exclusiveGateway>", 1)
    response = upload(api("officer"), "xor.bpmn", edited.encode())

    assert response.status_code == 422
    message = str(bpmn.MSG_UNSUPPORTED).format(
        elements=str(bpmn.MSG_ELEMENT).format(kind=bpmn._REFUSED["exclusiveGateway"], label=gateway_id)
    )
    assert response.json()["fields"] == {"file": [message]}


def test_a_file_over_2_mb_is_refused_with_422(api, bundle):
    response = upload(api("officer"), "big.bpmn", b"<a/>" + b" " * bpmn.MAX_BYTES)

    assert response.status_code == 422
    assert response.json()["fields"] == {"file": [str(bpmn.MSG_TOO_LARGE)]}


def test_missing_fields_are_named(api, bundle):
    officer = api("officer")
    response = officer.client.post(URL, {"code": "x"}, headers=officer.headers)

    assert response.status_code == 422
    assert {"file", "award_unit"} <= set(response.json()["fields"])


def test_a_bad_template_code_and_award_unit_are_named_beside_the_file(api, bundle):
    response = upload(api("officer"), "default_bundle.bpmn", code="Not A Code", award_unit="nowhere")

    assert response.status_code == 422
    assert set(response.json()["fields"]) == {"code", "award_unit"}


def test_a_template_coded_import_is_still_read_at_its_address(api, bundle):
    officer = api("officer")
    assert upload(officer, "default_bundle.bpmn", code="import").status_code == 201

    response = officer.get("/api/v1/landstart-templates/import")

    assert response.status_code == 200
    assert (response.json()["code"], response.json()["version"]) == ("import", 1)
    assert officer.get("/api/v1/landstart-templates/import", version=2).status_code == 404
