"""Creating a project: every field checked with its own message, exact decimals, mu and m², numbers."""

from __future__ import annotations

import threading
from datetime import datetime
from decimal import Decimal

import pytest
from django.db import connection

from mashang.audit.models import Event
from mashang.core.errors import PermissionDenied, ValidationFailed
from mashang.org.credit_code import MSG_CHECK_DIGIT, MSG_LENGTH
from mashang.projects.models import Industry, Project, ProjectType
from mashang.projects.services import project_create, project_number_next
from mashang.projects.services import validate as v
from mashang.projects.services.create import MSG_MAY_NOT_CREATE
from tests.kit.clocks import CST as TZ
from tests.kit.factories import UserFactory, valid_credit_code
from tests.kit.projects import T0


def _fields(error: ValidationFailed) -> dict[str, str]:
    return {k: m[0] for k, m in error.fields.items()}


def test_a_project_gets_a_number_per_year_an_event_and_version_1(zone, make_project):
    first = make_project()
    second = make_project(name="第二个项目")
    next_year = make_project(name="明年的项目", at=datetime(2027, 1, 2, 9, 0, tzinfo=TZ))
    assert [first.number, second.number, next_year.number] == ["XM-2026-0001", "XM-2026-0002", "XM-2027-0001"]
    assert first.version == 1
    assert first.investor == zone.enterprise and first.investor_name == zone.enterprise.name
    event = Event.objects.get(subject_type="project", subject_id=first.pk)
    assert (event.action, event.to_state, event.actor) == ("create", "lead", zone.officer)


def test_a_prospective_investor_is_named(zone, make_project):
    project = make_project(investor_credit_code="", investor_name="某某新能源集团（拟注册）")
    assert project.investor is None
    assert project.investor_name == "某某新能源集团（拟注册）"


def test_every_bad_field_gets_its_own_message(zone):
    with pytest.raises(ValidationFailed) as e:
        project_create(
            actor=zone.officer, name="", investor_credit_code="", investor_name="", project_type="castle",
            industry="mining", planned_investment="abc", land_area_mu="-1", land_area_m2="1.234",
            service_officer=zone.land_staff.username, is_key="perhaps", at=T0,
        )
    assert e.value.status_code == 422
    assert _fields(e.value) == {
        "name": str(v.MSG_NAME_REQUIRED),
        "investor_name": str(v.MSG_INVESTOR_REQUIRED),
        "project_type": str(v.MSG_TYPE).format(choices="、".join(str(t.label) for t in ProjectType)),
        "industry": str(v.MSG_INDUSTRY).format(choices="、".join(str(i.label) for i in Industry)),
        "planned_investment": str(v.MSG_INVESTMENT_NOT_NUMBER),
        "land_area_mu": str(v.MSG_AREA_NEGATIVE).format(unit=v.UNIT_MU),
        "land_area_m2": str(v.MSG_AREA_PLACES).format(unit=v.UNIT_M2),
        "service_officer": str(v.MSG_OFFICER_NOT_OFFICER),
        "is_key": str(v.MSG_NOT_A_FLAG),
    }
    assert not Project.objects.exists()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (None, v.MSG_INVESTMENT_REQUIRED),
        ("", v.MSG_INVESTMENT_REQUIRED),
        ("1.2.3", v.MSG_INVESTMENT_NOT_NUMBER),
        ("NaN", v.MSG_INVESTMENT_NOT_NUMBER),
        (True, v.MSG_INVESTMENT_NOT_NUMBER),
        ("-0.01", v.MSG_INVESTMENT_NEGATIVE),
        ("100.001", v.MSG_INVESTMENT_PLACES),
        ("10000000000000", v.MSG_INVESTMENT_TOO_LARGE),
    ],
)
def test_planned_investment_rules(zone, make_project, value, message):
    with pytest.raises(ValidationFailed) as e:
        make_project(planned_investment=value)
    assert _fields(e.value) == {"planned_investment": str(message)}


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("0", Decimal("0.00")),
        ("1,250,000.5", Decimal("1250000.50")),
        (Decimal("9999999999999.99"), Decimal("9999999999999.99")),
        (0.1, Decimal("0.10")),
        (12345.67, Decimal("12345.67")),
        (3, Decimal("3.00")),
        ("5.00000", Decimal("5.00")),
    ],
)
def test_planned_investment_is_kept_exactly(zone, make_project, given, stored):
    project = make_project(planned_investment=given)
    project.refresh_from_db()
    assert project.planned_investment == stored
    assert str(project.planned_investment) == str(stored)


@pytest.mark.parametrize(
    ("mu", "m2", "want_mu", "want_m2"),
    [
        ("1", None, "1.00", "666.67"),
        ("3", None, "3.00", "2000.00"),
        ("100.5", None, "100.50", "67000.00"),
        ("0.01", None, "0.01", "6.67"),
        (None, "2000", "3.00", "2000.00"),
        (None, "666.67", "1.00", "666.67"),
        (None, "1000", "1.50", "1000.00"),
        (None, "1", "0.00", "1.00"),
        ("10", "7000", "10.00", "7000.00"),  # both given: kept as given
        (None, None, None, None),
    ],
)
def test_land_area_in_mu_and_square_metres(zone, make_project, mu, m2, want_mu, want_m2):
    project = make_project(land_area_mu=mu, land_area_m2=m2)
    project.refresh_from_db()
    assert project.land_area_mu == (Decimal(want_mu) if want_mu else None)
    assert project.land_area_m2 == (Decimal(want_m2) if want_m2 else None)


def test_mu_conversion_rounds_half_up_exactly():
    # 0.0075 mu = 5 m² exactly; 1.005 mu = 670 m²; 2.5 m² = 0.00375 mu -> 0.00.
    assert v.mu_to_m2(Decimal("0.0075")) == Decimal("5.00")
    assert v.m2_to_mu(Decimal("6.67")) == Decimal("0.01")
    assert v.m2_to_mu(Decimal("3.33")) == Decimal("0.00")
    assert v.m2_to_mu(Decimal("3.34")) == Decimal("0.01")
    assert v.mu_to_m2(Decimal("2.00")) == Decimal("1333.33")


def test_the_investor_credit_code_must_be_valid_and_registered(zone, make_project):
    with pytest.raises(ValidationFailed) as e:
        make_project(investor_credit_code=zone.enterprise.credit_code[:17])
    assert _fields(e.value) == {"investor_credit_code": str(MSG_LENGTH)}
    with pytest.raises(ValidationFailed) as e:
        make_project(investor_credit_code=valid_credit_code())
    assert _fields(e.value) == {"investor_credit_code": str(v.MSG_INVESTOR_UNKNOWN)}


def test_bad_check_character(zone, make_project):
    code = zone.enterprise.credit_code
    wrong = code[:-1] + ("0" if code[-1] != "0" else "1")
    with pytest.raises(ValidationFailed) as e:
        make_project(investor_credit_code=wrong)
    assert _fields(e.value) == {"investor_credit_code": str(MSG_CHECK_DIGIT)}


def test_the_service_officer_must_exist_and_be_an_officer(zone, make_project):
    with pytest.raises(ValidationFailed) as e:
        make_project(service_officer="nobody")
    assert _fields(e.value) == {"service_officer": str(v.MSG_OFFICER_UNKNOWN).format(login="nobody")}
    with pytest.raises(ValidationFailed) as e:
        make_project(service_officer=zone.leader)
    assert _fields(e.value) == {"service_officer": str(v.MSG_OFFICER_NOT_OFFICER)}
    project = make_project(service_officer=f"{zone.officer.display_name} ({zone.officer.username})")
    assert project.service_officer == zone.officer


@pytest.mark.parametrize("who", ["contact", "land_staff", "supervisor", "leader"])
def test_only_the_service_team_and_admins_create(zone, who):
    with pytest.raises(PermissionDenied) as e:
        project_create(actor=getattr(zone, who), name="x", investor_name="y", project_type="lease",
                       industry="other", planned_investment="1")
    assert e.value.message == str(MSG_MAY_NOT_CREATE)


def test_an_admin_creates(zone):
    admin = UserFactory(role="admin")
    project = project_create(actor=admin, name="x", investor_name="y", project_type="lease", industry="other",
                             planned_investment="1", at=T0)
    assert project.number.startswith("XM-2026-")


def test_numbers_skip_one_a_ledger_brought_in(zone, make_project):
    make_project(number="XM-2026-0001")
    assert make_project().number == "XM-2026-0002"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_numbers_are_unique_under_concurrency(zone):
    numbers: list[str] = []

    def take():
        try:
            for _ in range(10):
                numbers.append(project_number_next(year=2031))
        finally:
            connection.close()

    threads = [threading.Thread(target=take) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(numbers) == 50 and len(set(numbers)) == 50
