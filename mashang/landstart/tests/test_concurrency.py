"""Units complete parallel steps at the same moment, on PostgreSQL: both completions land, the
step that needs both becomes active exactly once, and the run's version counts every event.

Each thread works on its own database connection, closed when the thread ends."""

from __future__ import annotations

from datetime import timedelta

import pytest

from mashang.audit.models import Event
from mashang.landstart.models import Run, RunStep
from mashang.landstart.services import landstart_step_complete
from tests.kit.landstart import AWARD, OPENED, run_of
from tests.kit.threads import together

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _states(run: Run) -> dict[str, str]:
    return dict(RunStep.objects.filter(run=run).values_list("code", "state"))


def test_two_units_completing_parallel_steps_at_once_both_land(bundle):
    for i in range(4):
        project = bundle.project if i == 0 else bundle.make_project()
        run = run_of(bundle, project=project, opened=OPENED, awarded=AWARD,
                     minutes={"confirmation": 0.25, "land_contract": 0.75})
        at = AWARD + timedelta(minutes=1)
        results = together([
            lambda run=run, at=at: landstart_step_complete(
                actor=bundle.people["cz"], run_id=run.pk, step_code="land_payment", at=at),
            lambda run=run, at=at: landstart_step_complete(
                actor=bundle.zone.land_staff, run_id=run.pk, step_code="land_use_permit", at=at),
        ])
        assert all(isinstance(r, RunStep) for r in results), results
        states = _states(run)
        assert states["land_payment"] == states["land_use_permit"] == "done"
        assert states["deed_tax"] == states["works_permit"] == "active"
        events = Event.objects.filter(subject_type="landstart", subject_id=run.pk).count()
        assert events == 6 == Run.objects.get(pk=run.pk).version


def test_the_last_two_prerequisites_done_at_once_activate_the_permit_once(bundle):
    for i in range(4):
        project = bundle.project if i == 0 else bundle.make_project()
        run = run_of(bundle, project=project, opened=OPENED, awarded=AWARD, minutes={
            "confirmation": 0.25, "land_contract": 0.75, "land_payment": 1, "land_use_permit": 1, "deed_tax": 1.5,
        })
        at = AWARD + timedelta(minutes=3)
        results = together([
            lambda run=run, at=at: landstart_step_complete(
                actor=bundle.zone.land_staff, run_id=run.pk, step_code="title", at=at),
            lambda run=run, at=at: landstart_step_complete(
                actor=bundle.zone.land_staff, run_id=run.pk, step_code="works_permit", at=at),
        ])
        assert all(isinstance(r, RunStep) for r in results), results
        permit = RunStep.objects.get(run=run, code="construction_permit")
        assert (permit.state, permit.started_at, permit.version) == ("active", at, 2)
        activations = [
            e.payload["activated"]
            for e in Event.objects.filter(subject_type="landstart", subject_id=run.pk, action="complete")
        ]
        assert sum(a.count("construction_permit") for a in activations) == 1
        assert Run.objects.get(pk=run.pk).version == 9
