"""Every pipeline move, allowed and forbidden, for every type of project, through the service."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from mashang.audit.models import Event
from mashang.core.errors import PermissionDenied, TransitionNotAllowed, ValidationFailed
from mashang.projects.models import Milestone, ProjectType, Stage
from mashang.projects.services import project_transition
from mashang.projects.services.lifecycle import MSG_REASON_REQUIRED
from mashang.projects.transitions import LAND_STAGES, MSG_NOT_FOR_TYPE, MSG_NOT_FROM_STAGE, Action
from tests.kit.clocks import CST as TZ

AT = datetime(2026, 4, 1, 10, 0, tzinfo=TZ)
PIPELINE = ["lead", "negotiating", "signed", "land_review", "listed", "awarded", "started", "producing"]
LAND = ["land_review", "listed", "awarded"]

# Written out by hand, independently of transitions.MOVES: (action, from) -> to, for new land supply.
NEW_LAND = {
    ("negotiate", "lead"): "negotiating",
    ("sign", "negotiating"): "signed",
    ("review-land", "signed"): "land_review",
    ("list-land", "land_review"): "listed",
    ("award", "listed"): "awarded",
    ("start", "awarded"): "started",
    ("produce", "started"): "producing",
    **{("pause", s): "paused" for s in PIPELINE},
    ("resume", "paused"): "signed",  # the test pauses its projects at "signed"
    **{("drop", s): "dropped" for s in PIPELINE[:-1] + ["paused"]},
}
# Lease and expansion projects need no new land: signed -> started, no land stages.
NO_LAND = {
    **{k: t for k, t in NEW_LAND.items() if k[0] not in {"review-land", "list-land", "award", "start"}
       and k[1] not in LAND},
    ("start", "signed"): "started",
}
EXPECTED = {"new_land": NEW_LAND, "lease": NO_LAND, "expansion": NO_LAND}

CASES = [
    (ptype, stage, action)
    for ptype in EXPECTED
    for stage in Stage.values
    for action in Action.values
    if not (ptype != "new_land" and stage in LAND)
]


def test_the_hand_written_table_covers_every_action():
    assert {a for a, _s in NEW_LAND} == set(Action.values)


@pytest.mark.parametrize(("ptype", "stage", "action"), CASES)
def test_every_move(zone, make_project, ptype, stage, action):
    project = make_project(
        project_type=ptype, stage=stage, stage_before_pause="signed" if stage == "paused" else "",
        stage_reason="原因" if stage in ("paused", "dropped") else "",
    )
    expected = EXPECTED[ptype].get((action, stage))
    if expected is None:
        with pytest.raises(TransitionNotAllowed):
            project_transition(actor=zone.officer, project_id=project.pk, version=1, action=action,
                               reason="理由", at=AT)
        project.refresh_from_db()
        assert (project.stage, project.version) == (stage, 1)
        return
    moved = project_transition(actor=zone.officer, project_id=project.pk, version=1, action=action,
                               reason="理由", at=AT)
    assert moved.stage == expected
    assert moved.version == 2
    event = Event.objects.filter(subject_type="project", subject_id=project.pk).last()
    assert (event.action, event.from_state, event.to_state) == (action, stage, expected)


def test_a_forbidden_move_says_from_where_it_is_allowed(zone, make_project):
    project = make_project(stage="lead")
    with pytest.raises(TransitionNotAllowed) as e:
        project_transition(actor=zone.officer, project_id=project.pk, version=1, action="sign", at=AT)
    assert e.value.status_code == 409
    assert e.value.message == str(MSG_NOT_FROM_STAGE).format(
        stage=Stage.LEAD.label, action=Action.SIGN.label, allowed=Stage.NEGOTIATING.label
    )


def test_a_lease_project_has_no_land_moves(zone, make_project):
    project = make_project(project_type="lease", stage="signed")
    with pytest.raises(TransitionNotAllowed) as e:
        project_transition(actor=zone.officer, project_id=project.pk, version=1, action="review-land", at=AT)
    assert e.value.message == str(MSG_NOT_FOR_TYPE).format(type=ProjectType.LEASE.label, action=Action.REVIEW_LAND.label)


def test_reaching_a_stage_records_its_actual_date(zone, make_project):
    project = make_project(stage="negotiating")
    project_transition(actor=zone.officer, project_id=project.pk, version=1, action="sign", at=AT)
    assert Milestone.objects.get(project=project, stage="signed").reached_on == date(2026, 4, 1)


def test_pause_needs_a_reason_and_remembers_the_stage(zone, make_project):
    project = make_project(stage="listed")
    with pytest.raises(ValidationFailed) as e:
        project_transition(actor=zone.officer, project_id=project.pk, version=1, action="pause", reason=" ")
    assert e.value.fields == {"reason": [str(MSG_REASON_REQUIRED)]}
    paused = project_transition(actor=zone.officer, project_id=project.pk, version=1, action="pause",
                                reason="企业融资推迟", at=AT)
    assert (paused.stage, paused.stage_before_pause, paused.stage_reason) == ("paused", "listed", "企业融资推迟")
    resumed = project_transition(actor=zone.officer, project_id=project.pk, version=2, action="resume", at=AT)
    assert (resumed.stage, resumed.stage_before_pause, resumed.stage_reason) == ("listed", "", "")


def test_drop_needs_a_reason(zone, make_project):
    project = make_project(stage="negotiating")
    with pytest.raises(ValidationFailed):
        project_transition(actor=zone.officer, project_id=project.pk, version=1, action="drop")
    dropped = project_transition(actor=zone.officer, project_id=project.pk, version=1, action="drop",
                                 reason="企业另行选址", at=AT)
    assert (dropped.stage, dropped.stage_reason) == ("dropped", "企业另行选址")


@pytest.mark.parametrize("who", ["supervisor", "leader"])
def test_readers_may_not_move_a_project(zone, make_project, who):
    project = make_project(stage="lead")
    with pytest.raises(PermissionDenied):
        project_transition(actor=getattr(zone, who), project_id=project.pk, version=1, action="negotiate")


def test_the_named_service_officer_and_an_admin_may_move_it(zone, make_project):
    from tests.kit.factories import UserFactory

    admin = UserFactory(role="admin")
    project = make_project(stage="lead")
    moved = project_transition(actor=admin, project_id=project.pk, version=1, action="negotiate", at=AT)
    assert moved.stage == "negotiating"


def test_land_stages_are_only_for_new_land():
    assert LAND_STAGES == {"land_review", "listed", "awarded"}
