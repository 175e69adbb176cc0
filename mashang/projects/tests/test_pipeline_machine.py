"""Any sequence of actions keeps version == number of events and never reaches a stage not allowed."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mashang.audit.models import Event
from mashang.core.errors import ApplicationError
from mashang.projects.models import Project, Stage
from mashang.projects.services import (
    funds_record,
    milestone_plan,
    project_land_event,
    project_transition,
    project_update,
)
from mashang.projects.transitions import Action, stages_for
from tests.kit.clocks import CST as TZ

START = datetime(2026, 1, 5, 9, 0, tzinfo=TZ)

steps = st.one_of(
    st.tuples(st.just("move"), st.sampled_from(Action.values), st.booleans()),
    st.tuples(st.just("land"), st.sampled_from([Stage.AWARDED, Stage.STARTED]), st.booleans()),
    st.tuples(st.just("edit"), st.sampled_from(["lease", "expansion", "new_land"]), st.booleans()),
    st.tuples(st.just("plan"), st.sampled_from(Stage.values), st.booleans()),
    st.tuples(st.just("funds"), st.sampled_from(["1.00", "0", "-5", "12.345"]), st.booleans()),
)


class Rollback(Exception):
    pass


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ptype=st.sampled_from(["new_land", "lease", "expansion"]), sequence=st.lists(steps, max_size=25))
def test_any_sequence_keeps_the_invariants(zone, make_project, ptype, sequence):
    try:
        with transaction.atomic():
            _run(zone, make_project(project_type=ptype), sequence)
            raise Rollback
    except Rollback:
        pass


def _run(zone, project, sequence):
    at = START
    for kind, arg, flag in sequence:
        at += timedelta(days=1)
        before = Project.objects.get(pk=project.pk)
        version = before.version if flag else before.version - 1  # sometimes a stale version
        try:
            if kind == "move":
                project_transition(actor=zone.officer, project_id=project.pk, version=version, action=arg,
                                   reason="理由" if flag else "", at=at)
            elif kind == "land":
                project_land_event(actor=zone.land_staff, project_id=project.pk, stage=arg, at=at)
            elif kind == "edit":
                project_update(actor=zone.officer, project_id=project.pk, version=version, project_type=arg, at=at)
            elif kind == "plan":
                milestone_plan(actor=zone.officer, project_id=project.pk, version=version,
                               plans={arg: date(2026, 6, 1) if flag else None}, at=at)
            else:
                funds_record(actor=zone.officer, project_id=project.pk, version=version, amount=arg,
                             received_on=at.date(), at=at)
        except ApplicationError:
            after = Project.objects.get(pk=project.pk)
            assert (after.stage, after.version) == (before.stage, before.version)
        _check(project.pk)


def _check(project_id):
    p = Project.objects.get(pk=project_id)
    events = Event.objects.filter(subject_type="project", subject_id=p.pk).count()
    assert p.version == events
    allowed = set(stages_for(p.project_type)) | {Stage.PAUSED, Stage.DROPPED}
    assert p.stage in allowed
    if p.stage == Stage.PAUSED:
        assert p.stage_before_pause in stages_for(p.project_type)
    else:
        assert p.stage_before_pause == ""
