"""Land-supply review (供地审议) in its three forms: the agenda lists the projects waiting at land
review with their blockers and the key projects behind plan; the minutes move each project
through its own transition when they are approved."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from mashang.audit.models import Event
from mashang.core.errors import Conflict, ValidationFailed
from mashang.meetings import services as M
from mashang.meetings.agenda import agenda_propose
from mashang.meetings.models import AgendaItem, Source
from mashang.projects.models import Project, Stage
from mashang.projects.services import milestone_plan, project_blocker_raise
from tests.kit.clocks import at

pytestmark = pytest.mark.django_db
NOW = at(2026, 12, 3, 10, 0)


def land_meeting(zone, kind="land_joint"):
    return M.meeting_plan(
        actor=zone.officer,
        kind=kind,
        title="12 月供地联席会办",
        starts_at="2026-12-08T15:00",
        chair="leader",
        secretary="officer",
        units=["zrzy"],
        at=NOW,
    )


def decided(zone, meeting, item, outcome, reason=""):
    meeting = M.agenda_item_accept(
        actor=zone.officer, meeting_id=meeting.pk, version=meeting.version, item=item.pk, at=NOW
    )
    meeting = M.meeting_freeze(
        actor=zone.officer, meeting_id=meeting.pk, version=meeting.version, at=NOW
    )
    meeting = M.item_decide(
        actor=zone.officer,
        meeting_id=meeting.pk,
        version=meeting.version,
        item=item.pk,
        decision="同意供地",
        project_moves=[{"outcome": outcome, "reason": reason}],
        at=NOW,
    )
    return M.meeting_hold(
        actor=zone.officer, meeting_id=meeting.pk, version=meeting.version, at=NOW
    )


def test_the_land_agenda_lists_waiting_projects_with_their_blockers_and_key_projects_behind_plan(
    zone, make_project
):
    waiting = make_project(name="动力电池项目", stage="land_review")
    project_blocker_raise(
        actor=zone.officer,
        project_id=waiting.pk,
        title="地块存在高压线迁改问题",
        description="需电力部门配合迁改。",
        category_code="land",
        at=NOW - timedelta(days=3),
    )
    behind = make_project(name="智能装备产业园", stage="signed", is_key=True)
    milestone_plan(
        actor=zone.officer,
        project_id=behind.pk,
        version=behind.version,
        plans={"land_review": date(2026, 10, 31)},
        at=NOW - timedelta(days=60),
    )
    make_project(name="一般项目", stage="signed")  # not key, not at review: not listed
    proposals = agenda_propose(
        kind="land_joint", start=date(2026, 11, 1), end=date(2026, 12, 1), at=NOW
    )
    assert [(p.source, p.project_id) for p in proposals] == [
        (Source.LAND_WAITING, waiting.pk),
        (Source.KEY_PROJECT_BEHIND, behind.pk),
    ]
    assert any("地块存在高压线迁改问题" in line for line in proposals[0].evidence)
    assert any("2026-10-31" in line for line in proposals[1].evidence)
    # The difficult-case form takes only the projects an earlier review escalated.
    difficult = agenda_propose(
        kind="land_difficult", start=date(2026, 11, 1), end=date(2026, 12, 1), at=NOW
    )
    assert [p.source for p in difficult] == [Source.KEY_PROJECT_BEHIND]


def test_approved_minutes_list_the_land_and_the_project_history_names_the_meeting(
    zone, make_project
):
    project = make_project(name="动力电池项目", stage="land_review")
    meeting = land_meeting(zone)
    item = AgendaItem.objects.get(meeting=meeting, project=project)
    meeting = decided(zone, meeting, item, "approve")
    assert Project.objects.get(pk=project.pk).stage == Stage.LAND_REVIEW  # not before approval
    meeting = M.meeting_approve(
        actor=zone.leader, meeting_id=meeting.pk, version=meeting.version, at=NOW
    )
    project.refresh_from_db()
    assert project.stage == Stage.LISTED
    event = Event.objects.filter(subject_type="project", subject_id=project.pk).latest("id")
    assert (event.action, event.from_state, event.to_state) == (
        "list-land",
        "land_review",
        "listed",
    )
    assert event.payload["meeting"] == meeting.number


def test_an_escalated_project_goes_to_the_difficult_case_review(zone, make_project):
    project = make_project(name="动力电池项目", stage="land_review")
    meeting = land_meeting(zone)
    meeting = decided(
        zone,
        meeting,
        AgendaItem.objects.get(meeting=meeting, project=project),
        "escalate",
        "规划调整未决",
    )
    M.meeting_approve(actor=zone.leader, meeting_id=meeting.pk, version=meeting.version, at=NOW)
    assert Project.objects.get(pk=project.pk).stage == Stage.LAND_REVIEW
    proposals = agenda_propose(
        kind="land_difficult", start=date(2026, 11, 1), end=date(2026, 12, 1), at=NOW
    )
    assert [p.project_id for p in proposals] == [project.pk]


def test_a_deferral_needs_a_reason_and_a_move_the_stage_refuses_stops_the_whole_approval(
    zone, make_project
):
    project = make_project(name="动力电池项目", stage="land_review")
    meeting = land_meeting(zone)
    item = AgendaItem.objects.get(meeting=meeting, project=project)
    with pytest.raises(ValidationFailed) as refused:
        decided(zone, meeting, item, "defer")
    assert "project_moves.0.reason" in refused.value.fields
    meeting.refresh_from_db()
    meeting = M.item_decide(
        actor=zone.officer,
        meeting_id=meeting.pk,
        version=meeting.version,
        item=item.pk,
        decision="同意供地",
        project_moves=[{"outcome": "approve"}],
        rule_changes=[{"category": "land", "field": "resolution_days", "value": "4"}],
        at=NOW,
    )
    meeting = M.meeting_hold(
        actor=zone.officer, meeting_id=meeting.pk, version=meeting.version, at=NOW
    )
    Project.objects.filter(pk=project.pk).update(stage=Stage.SIGNED)  # moved back meanwhile
    with pytest.raises(Conflict):
        M.meeting_approve(actor=zone.leader, meeting_id=meeting.pk, version=meeting.version, at=NOW)
    meeting.refresh_from_db()
    assert meeting.status == "held"
    assert zone.category.__class__.objects.get(pk=zone.category.pk).resolution_days != 4
    assert not Event.objects.filter(subject_type="category").exists()


def test_a_move_the_projects_stage_does_not_allow_is_refused_with_the_decision(zone, make_project):
    project = make_project(name="动力电池项目", stage="land_review")
    meeting = land_meeting(zone)
    item = AgendaItem.objects.get(meeting=meeting, project=project)
    meeting = M.agenda_item_accept(actor=zone.officer, meeting_id=meeting.pk, version=meeting.version, item=item.pk, at=NOW)
    meeting = M.meeting_freeze(actor=zone.officer, meeting_id=meeting.pk, version=meeting.version, at=NOW)
    Project.objects.filter(pk=project.pk).update(stage=Stage.SIGNED)
    with pytest.raises(ValidationFailed) as refused:
        M.item_decide(actor=zone.officer, meeting_id=meeting.pk, version=meeting.version, item=item.pk,
                      decision="同意供地", project_moves=[{"outcome": "approve"}], at=NOW)
    assert "project_moves.0.outcome" in refused.value.fields
