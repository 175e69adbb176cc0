"""Personal data minimised (等保 2.0): the contact's mobile number is masked in the demands export
and on the demand's page for everyone except those who handle the demand (its enterprise, the
service team, its current units)."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.test import Client
from openpyxl import load_workbook

from tests.kit.walk import walk_to

FULL = "13800138000"
MASKED = "138****8000"


@pytest.fixture
def demand(zone):
    return walk_to(zone, "dispatched")  # lead: land (zrzy), co-unit: housing (zjj)


@pytest.fixture
def demand_with_phone(zone, demand):
    from mashang.demands.models import Demand

    Demand.objects.filter(pk=demand.pk).update(contact_phone=FULL)
    return demand


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _export_cells(user) -> list:
    response = _client(user).get("/demands/all/export.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.content)).active
    return [c for row in sheet.iter_rows(values_only=True) for c in row]


@pytest.mark.parametrize(
    "who,shown",
    [
        ("officer", FULL),
        ("land_staff", FULL),
        ("housing_staff", FULL),
        ("supervisor", MASKED),
        ("leader", MASKED),
    ],
)
def test_the_export_shows_the_phone_in_full_only_to_those_who_handle_the_demand(
    zone, demand_with_phone, who, shown
):
    cells = _export_cells(getattr(zone, who))
    assert shown in cells
    if shown == MASKED:
        assert FULL not in cells


@pytest.mark.parametrize(
    "who,full",
    [
        ("contact", True),
        ("officer", True),
        ("land_staff", True),
        ("housing_staff", True),
        ("supervisor", False),
        ("leader", False),
    ],
)
def test_the_demand_s_page_shows_the_full_number_to_those_who_handle_it(
    zone, demand_with_phone, who, full
):
    body = _client(getattr(zone, who)).get(f"/demands/{demand_with_phone.pk}/").content.decode()
    assert (FULL in body) is full
    assert (MASKED in body) is not full


def test_a_unit_the_demand_was_taken_from_no_longer_sees_the_number(zone, demand_with_phone):
    from mashang.demands.models import Assignment

    Assignment.objects.filter(demand=demand_with_phone, unit=zone.housing).update(is_current=False)
    assert MASKED in _export_cells(zone.housing_staff)
    assert FULL not in _export_cells(zone.housing_staff)


def _api_phone(user, demand) -> str:
    from mashang.api.tokens import api_token_issue

    token, _ = api_token_issue(user=user)
    response = Client().get(
        f"/api/v1/demands/{demand.pk}", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200, response.content
    return response.json()["contact_phone"]


@pytest.mark.parametrize(
    "who,shown",
    [
        ("contact", FULL),
        ("officer", FULL),
        ("land_staff", FULL),
        ("housing_staff", FULL),
        ("supervisor", MASKED),
        ("leader", MASKED),
    ],
)
def test_the_api_gives_the_full_number_only_to_those_who_handle_the_demand(
    zone, demand_with_phone, who, shown
):
    assert _api_phone(getattr(zone, who), demand_with_phone) == shown


@pytest.mark.parametrize("who,full", [("officer", True), ("supervisor", False)])
def test_the_printed_record_masks_the_number_as_the_page_does(zone, demand_with_phone, who, full):
    body = _client(getattr(zone, who)).get(f"/demands/{demand_with_phone.pk}/print/")
    assert body.status_code == 200
    text = body.content.decode()
    assert (FULL in text) is full
    assert (MASKED in text) is not full
