"""The land-start run moves the project forward at the award and at the construction start."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from django.db import transaction

from mashang.audit.models import Event
from mashang.projects.models import Milestone, Stage
from mashang.projects.services import project_land_event
from tests.kit.clocks import CST as TZ

AWARD_AT = datetime(2026, 6, 1, 9, 30, tzinfo=TZ)


def _events(project):
    return list(Event.objects.filter(subject_type="project", subject_id=project.pk).values_list("action", flat=True))


def test_award_moves_a_listed_project_to_awarded_with_its_milestone_and_event(zone, make_project):
    project = make_project(stage="listed")
    with transaction.atomic():
        moved = project_land_event(actor=zone.land_staff, project_id=project.pk, stage=Stage.AWARDED, at=AWARD_AT)
    assert moved is not None
    project.refresh_from_db()
    assert project.stage == Stage.AWARDED
    assert project.version == 2
    assert Milestone.objects.get(project=project, stage=Stage.AWARDED).reached_on == date(2026, 6, 1)
    assert _events(project) == ["create", "land_award"]


def test_start_moves_an_awarded_project_to_started(zone, make_project):
    project = make_project(stage="awarded")
    project_land_event(actor=zone.housing_staff, project_id=project.pk, stage=Stage.STARTED, at=AWARD_AT)
    project.refresh_from_db()
    assert project.stage == Stage.STARTED
    assert Milestone.objects.get(project=project, stage=Stage.STARTED).reached_on == date(2026, 6, 1)
    assert _events(project)[-1] == "land_start_complete"


def test_a_late_night_time_records_the_local_date(zone, make_project):
    project = make_project(stage="listed")
    # 00:30 on 2 June in the zone is 16:30 UTC on 1 June: the milestone takes the zone's date.
    at = datetime(2026, 6, 2, 0, 30, tzinfo=TZ)
    project_land_event(actor=None, project_id=project.pk, stage=Stage.AWARDED, at=at)
    assert Milestone.objects.get(project=project, stage=Stage.AWARDED).reached_on == date(2026, 6, 2)


@pytest.mark.parametrize("earlier", ["signed", "land_review", "listed"])
def test_the_run_moves_the_project_over_several_stages(zone, make_project, earlier):
    project = make_project(stage=earlier)
    project_land_event(actor=zone.land_staff, project_id=project.pk, stage=Stage.STARTED, at=AWARD_AT)
    project.refresh_from_db()
    assert project.stage == Stage.STARTED


@pytest.mark.parametrize(
    ("stage", "event"),
    [("awarded", Stage.AWARDED), ("started", Stage.AWARDED), ("producing", Stage.STARTED),
     ("started", Stage.STARTED)],
)
def test_no_change_when_already_at_or_past_the_stage(zone, make_project, stage, event):
    project = make_project(stage=stage)
    assert project_land_event(actor=zone.land_staff, project_id=project.pk, stage=event, at=AWARD_AT) is None
    project.refresh_from_db()
    assert (project.stage, project.version) == (stage, 1)
    assert _events(project) == ["create"]


@pytest.mark.parametrize("stage", ["paused", "dropped"])
def test_no_change_to_a_paused_or_dropped_project(zone, make_project, stage):
    project = make_project(stage=stage, stage_before_pause="listed", stage_reason="资金未到位")
    assert project_land_event(actor=zone.land_staff, project_id=project.pk, stage=Stage.AWARDED, at=AWARD_AT) is None
    project.refresh_from_db()
    assert (project.stage, project.version) == (stage, 1)


def test_a_failure_in_the_callers_transaction_undoes_the_move(zone, make_project):
    project = make_project(stage="listed")
    with pytest.raises(RuntimeError), transaction.atomic():
        project_land_event(actor=zone.land_staff, project_id=project.pk, stage=Stage.AWARDED, at=AWARD_AT)
        raise RuntimeError("the land-start run failed after the award")
    project.refresh_from_db()
    assert (project.stage, project.version) == ("listed", 1)
    assert _events(project) == ["create"]


@pytest.mark.parametrize("ptype", ["lease", "expansion"])
def test_a_project_without_new_land_has_no_award_but_can_start(zone, make_project, ptype):
    project = make_project(project_type=ptype, stage="signed")
    assert project_land_event(actor=zone.land_staff, project_id=project.pk, stage=Stage.AWARDED, at=AWARD_AT) is None
    project_land_event(actor=zone.land_staff, project_id=project.pk, stage=Stage.STARTED, at=AWARD_AT)
    project.refresh_from_db()
    assert project.stage == Stage.STARTED
