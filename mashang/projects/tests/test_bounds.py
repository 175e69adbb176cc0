"""A project's amounts, areas and dates are bounded (mashang.core.bounds): 1e26 yuan or 1.12e64 mu
gets a 422 naming the field (a line of the ledger import), never a 500, and writes nothing; the
values at the bounds are taken."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from mashang.audit.models import Event
from mashang.core import bounds
from mashang.projects.ledger.importer import MSG_FUNDS_TOO_LARGE, MSG_LINE
from mashang.projects.models import FundsReceipt, Project
from mashang.projects.services import validate as v

DATE_MSG = str(bounds.MSG_DATE_RANGE) % {"min": "2000-01-01", "max": "2100-12-31"}
AREA_MU_LARGE = str(v.MSG_AREA_TOO_LARGE).format(unit=v.UNIT_MU)
AREA_M2_LARGE = str(v.MSG_AREA_TOO_LARGE).format(unit=v.UNIT_M2)

HUGE = ["1e26", 1e26, "100000000000000000000000000", 1.12e64, "1.12e64", "9" * 40 + ".5"]


def _new(zone, **fields) -> dict:
    return {
        "name": "新能源电池项目",
        "investor_credit_code": zone.enterprise.credit_code,
        "project_type": "new_land",
        "industry": "new_energy",
        "planned_investment": "100000000",
        **fields,
    }


@pytest.mark.parametrize("huge", HUGE)
def test_create_refuses_huge_amounts_and_areas_naming_each_field(zone, api, huge):
    body = _new(zone, planned_investment=huge, land_area_mu=huge)
    response = api("officer").post("/api/v1/projects", body)
    assert response.status_code == 422
    assert response.json()["fields"] == {
        "planned_investment": [str(v.MSG_INVESTMENT_TOO_LARGE)],
        "land_area_mu": [AREA_MU_LARGE],
    }
    response = api("officer").post("/api/v1/projects", _new(zone, land_area_m2=huge))
    assert response.json()["fields"] == {"land_area_m2": [AREA_M2_LARGE]}
    assert not Project.objects.exists() and not Event.objects.exists()


def test_create_takes_the_values_at_the_bounds_and_not_a_cent_more(zone, api):
    client = api("officer")
    over = client.post(
        "/api/v1/projects",
        _new(zone, planned_investment="10000000000000.00", land_area_mu="100000.01", land_area_m2="66666667.01"),
    )
    assert over.status_code == 422
    assert set(over.json()["fields"]) == {"planned_investment", "land_area_mu", "land_area_m2"}
    response = client.post("/api/v1/projects", _new(zone, planned_investment="9999999999999.99", land_area_mu="100000"))
    assert response.status_code == 201, response.content
    project = Project.objects.get()
    assert project.planned_investment == bounds.MONEY_MAX
    assert (project.land_area_mu, project.land_area_m2) == (Decimal("100000.00"), Decimal("66666666.67"))
    response = client.post("/api/v1/projects", _new(zone, name="另一个", land_area_m2="66666667"))
    assert response.status_code == 201, response.content
    assert response.json()["land_area_mu"] == "100000.00"


def test_edit_and_funds_refuse_huge_numbers_and_out_of_range_dates(zone, api, make_project):
    project = make_project()
    client = api("officer")
    path = f"/api/v1/projects/{project.pk}"
    response = client.client.patch(
        path, {"version": 1, "planned_investment": 1e26, "land_area_mu": 1.12e64},
        content_type="application/json", headers=client.headers,
    )
    assert response.status_code == 422
    assert set(response.json()["fields"]) == {"planned_investment", "land_area_mu"}
    response = client.post(f"{path}/funds", {"amount": "1e26", "received_on": "9999-12-31"})
    assert response.status_code == 422
    assert response.json()["fields"] == {"amount": [str(v.MSG_AMOUNT_TOO_LARGE)], "received_on": [DATE_MSG]}
    response = client.post(f"{path}/milestones", {"milestones": [{"stage": "signed", "planned_on": "9999-12-31"}]})
    assert response.status_code == 422
    assert response.json()["fields"] == {"milestones.0.planned_on": [DATE_MSG]}
    project.refresh_from_db()
    assert project.version == 1 and project.planned_investment == Decimal("100000000.00")
    assert not FundsReceipt.objects.exists()
    assert Event.objects.filter(subject_type="project", subject_id=project.pk).count() == 1


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    number=st.one_of(
        st.floats(allow_nan=True, allow_infinity=True).map(repr),
        st.integers(min_value=10**12, max_value=10**80).map(str),
        st.decimals(allow_nan=True, allow_infinity=True).map(str),
    )
)
def test_the_new_project_form_takes_any_number_without_a_500(zone, number):
    response = _signed_in(zone.officer).post(
        "/projects/new/",
        {"name": "新项目", "investor_name": "某集团", "project_type": "new_land", "industry": "other",
         "planned_investment": number, "land_area_mu": number},
    )
    if response.status_code == 302:  # a small, exact number: the project was made
        Project.objects.all().delete()
        return
    assert response.status_code == 422


def test_the_new_project_form_names_the_huge_fields(zone):
    response = _signed_in(zone.officer).post(
        "/projects/new/",
        {"name": "新项目", "investor_name": "某集团", "project_type": "new_land", "industry": "other",
         "planned_investment": "1e26", "land_area_mu": "1.12e64"},
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert str(v.MSG_INVESTMENT_TOO_LARGE) in html and AREA_MU_LARGE in html
    assert not Project.objects.exists()


def _ledger(rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(["项目名称", "投资方", "项目类型", "产业", "计划投资额（元）", "计划用地（亩）", "到资金额（元）"])
    for row in rows:
        ws.append(row)
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def test_the_ledger_import_lists_the_huge_rows_and_imports_nothing(zone, api):
    content = _ledger([
        ["好项目", "某集团", "new_land", "new_energy", 100, 10, None],
        ["巨额", "某集团", "new_land", "new_energy", 1e26, None, None],
        ["巨大面积", "某集团", "new_land", "new_energy", 100, 1.12e64, None],
        ["巨额到资", "某集团", "new_land", "new_energy", 100, None, "1e26"],
    ])
    response = api("officer").client.post(
        "/api/v1/projects/import", {"file": SimpleUploadedFile("l.xlsx", content)},
        headers=api("officer").headers,
    )
    assert response.status_code == 422
    assert response.json()["fields"]["file"] == [
        str(MSG_LINE).format(line=3, message=v.MSG_INVESTMENT_TOO_LARGE),
        str(MSG_LINE).format(line=4, message=AREA_MU_LARGE),
        str(MSG_LINE).format(line=5, message=MSG_FUNDS_TOO_LARGE),
    ]
    page = _signed_in(zone.officer).post("/projects/import/", {"file": SimpleUploadedFile("l.xlsx", content)})
    assert page.status_code == 422 and AREA_MU_LARGE in page.content.decode()
    assert not Project.objects.exists()


def test_listing_closing_in_year_9999_is_refused(zone, api, make_project):
    project = make_project(stage="land_review")
    response = api("officer").post(
        f"/api/v1/projects/{project.pk}/actions/list-land", {"version": 1, "listing_closes_on": "9999-12-31"}
    )
    assert response.status_code == 422
    assert response.json()["fields"] == {"listing_closes_on": [DATE_MSG]}
    project.refresh_from_db()
    assert project.stage == "land_review"


def test_a_date_far_outside_is_a_field_problem_of_the_service(zone):
    with pytest.raises(v.BadValue) as caught:
        v.a_date("0001-01-01")
    assert caught.value.message == DATE_MSG
    assert v.a_date(date(2100, 12, 31)) == date(2100, 12, 31)
