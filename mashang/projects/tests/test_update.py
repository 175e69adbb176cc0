"""Editing a project, planning milestones and recording funds: versions, events, messages."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from mashang.audit.models import Event
from mashang.core.errors import Conflict, PermissionDenied, ValidationFailed
from mashang.projects.models import FundsReceipt, Industry, Milestone, Stage
from mashang.projects.services import (
    funds_record,
    milestone_plan,
    project_transition,
    project_update,
)
from mashang.projects.services import lifecycle as lc
from mashang.projects.services import validate as v
from mashang.projects.services.common import MSG_STALE
from tests.kit.clocks import CST as TZ

AT = datetime(2026, 5, 6, 15, 0, tzinfo=TZ)


def _actions(project):
    return list(Event.objects.filter(subject_type="project", subject_id=project.pk).values_list("action", flat=True))


def test_an_edit_changes_only_what_is_given_and_lists_the_changes(zone, make_project):
    project = make_project(land_area_mu="30")
    updated = project_update(actor=zone.officer, project_id=project.pk, version=1, planned_investment="2.5e8",
                             land_area_mu="45", is_key=True, at=AT)
    assert updated.version == 2
    assert updated.planned_investment == Decimal("250000000.00")
    assert (updated.land_area_mu, updated.land_area_m2) == (Decimal("45.00"), Decimal("30000.00"))
    assert updated.name == project.name
    event = Event.objects.filter(subject_type="project", subject_id=project.pk).last()
    assert event.action == "update"
    assert event.payload["changed"]["planned_investment"] == ["100000000.00", "250000000.00"]
    assert event.payload["changed"]["is_key"] == [False, True]


def test_an_edit_that_changes_nothing_writes_no_event(zone, make_project):
    project = make_project()
    same = project_update(actor=zone.officer, project_id=project.pk, version=1, name=project.name)
    assert same.version == 1
    assert _actions(project) == ["create"]


def test_a_stale_version_is_refused_with_409(zone, make_project):
    project = make_project()
    project_update(actor=zone.officer, project_id=project.pk, version=1, name="新名称", at=AT)
    with pytest.raises(Conflict) as e:
        project_update(actor=zone.officer, project_id=project.pk, version=1, name="另一个名称", at=AT)
    assert e.value.status_code == 409
    assert e.value.message == str(MSG_STALE).format(given=1, current=2)
    with pytest.raises(Conflict):
        project_transition(actor=zone.officer, project_id=project.pk, version=1, action="negotiate", at=AT)
    project.refresh_from_db()
    assert (project.name, project.version, project.stage) == ("新名称", 2, "lead")


def test_edit_messages_per_field(zone, make_project):
    project = make_project()
    with pytest.raises(ValidationFailed) as e:
        project_update(actor=zone.officer, project_id=project.pk, version=1, name=" ", planned_investment="-3",
                       industry="", service_officer="ent-a")
    assert {k: m[0] for k, m in e.value.fields.items()} == {
        "name": str(v.MSG_NAME_REQUIRED),
        "planned_investment": str(v.MSG_INVESTMENT_NEGATIVE),
        "industry": str(v.MSG_INDUSTRY).format(choices="、".join(str(i.label) for i in Industry)),
        "service_officer": str(v.MSG_OFFICER_NOT_OFFICER),
    }
    project.refresh_from_db()
    assert project.version == 1


def test_a_project_at_a_land_stage_cannot_become_a_lease(zone, make_project):
    project = make_project(stage="listed")
    with pytest.raises(ValidationFailed) as e:
        project_update(actor=zone.officer, project_id=project.pk, version=1, project_type="lease")
    assert e.value.fields["project_type"] == [str(lc.MSG_TYPE_NEEDS_LAND).format(stage=Stage.LISTED.label)]


def test_the_investor_can_become_a_registered_enterprise(zone, make_project):
    project = make_project(investor_credit_code="", investor_name="拟设新公司")
    updated = project_update(actor=zone.officer, project_id=project.pk, version=1,
                             investor_credit_code=zone.other_enterprise.credit_code)
    assert updated.investor == zone.other_enterprise
    assert updated.investor_name == zone.other_enterprise.name


def test_planning_milestones(zone, make_project):
    project = make_project(stage="signed")
    planned = milestone_plan(actor=zone.officer, project_id=project.pk, version=1,
                             plans={"land_review": date(2026, 6, 1), "started": "2026-12-01"}, at=AT)
    assert planned.version == 2
    assert dict(Milestone.objects.filter(project=project).values_list("stage", "planned_on")) == {
        "land_review": date(2026, 6, 1), "started": date(2026, 12, 1),
    }
    event = Event.objects.filter(subject_type="project", subject_id=project.pk).last()
    assert event.payload["planned"] == {"land_review": [None, "2026-06-01"], "started": [None, "2026-12-01"]}
    with pytest.raises(ValidationFailed) as e:
        milestone_plan(actor=zone.officer, project_id=project.pk, plans={"started": "next week"})
    assert e.value.fields == {"milestones.started": [str(v.MSG_BAD_DATE)]}


def test_a_lease_project_plans_no_land_milestone(zone, make_project):
    project = make_project(project_type="lease")
    with pytest.raises(ValidationFailed) as e:
        milestone_plan(actor=zone.officer, project_id=project.pk, plans={"listed": date(2026, 6, 1)})
    assert "milestones.listed" in e.value.fields


def test_recording_funds(zone, make_project):
    project = make_project(stage="started")
    receipt = funds_record(actor=zone.officer, project_id=project.pk, amount="30000000.10",
                           received_on="2026-05-06", note="首期到资", at=AT)
    assert receipt.amount == Decimal("30000000.10")
    assert receipt.recorded_by == zone.officer
    project.refresh_from_db()
    assert project.version == 2
    assert _actions(project) == ["create", "funds"]


@pytest.mark.parametrize(
    ("amount", "received_on", "field", "message"),
    [
        ("0", "2026-05-01", "amount", v.MSG_AMOUNT_NOT_POSITIVE),
        ("-1", "2026-05-01", "amount", v.MSG_AMOUNT_NOT_POSITIVE),
        ("1.001", "2026-05-01", "amount", v.MSG_AMOUNT_PLACES),
        ("一百万", "2026-05-01", "amount", v.MSG_AMOUNT_NOT_NUMBER),
        ("", "2026-05-01", "amount", v.MSG_AMOUNT_REQUIRED),
        ("10", "2026-05-07", "received_on", lc.MSG_FUNDS_FUTURE),
        ("10", "", "received_on", lc.MSG_FUNDS_DATE_REQUIRED),
        ("10", "5/7", "received_on", v.MSG_BAD_DATE),
    ],
)
def test_funds_rules(zone, make_project, amount, received_on, field, message):
    project = make_project()
    with pytest.raises(ValidationFailed) as e:
        funds_record(actor=zone.officer, project_id=project.pk, amount=amount, received_on=received_on, at=AT)
    assert e.value.fields == {field: [str(message)]}
    assert not FundsReceipt.objects.exists()


@pytest.mark.parametrize("who", ["supervisor", "leader"])
def test_readers_may_not_edit_plan_or_record(zone, make_project, who):
    project = make_project()
    actor = getattr(zone, who)
    with pytest.raises(PermissionDenied):
        project_update(actor=actor, project_id=project.pk, version=1, name="x")
    with pytest.raises(PermissionDenied):
        milestone_plan(actor=actor, project_id=project.pk, plans={"signed": date(2026, 6, 1)})
    with pytest.raises(PermissionDenied):
        funds_record(actor=actor, project_id=project.pk, amount="1", received_on="2026-05-01", at=AT)
