"""The plan of a land-supply batch's day: GET /landstart-batches/{id}/plan."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema
from pydantic import Field

from mashang.core.errors import ValidationFailed
from mashang.landstart.selectors.plan import BatchPlanView, batch_plan
from mashang.landstart.services.capacity import MOST, MSG_STEPS_RANGE

router = Router(tags=["landstart"])


class PlannedStepOut(Schema):
    run: int | None = Field(description="The run's id; empty for a run the reader may not see.")
    step: str
    name: str
    unit: str
    state: str = Field(description="waiting / active / done / returned")
    kind: str = Field(description="done (actual times) / working (in hand) / planned")
    ready_at: datetime = Field(description="Prerequisites finished and the land awarded.")
    start: datetime
    finish: datetime
    waited_minutes: float = Field(
        description="Minutes ready but waiting for a free hand of its unit."
    )


class PlannedRunOut(Schema):
    id: int | None = Field(description="Empty for a run the reader may not see.")
    project: str = Field(description="Number and name of the project, or “another project”.")
    state: str
    awarded: bool = Field(description="False: award_at is the planned award.")
    award_at: datetime
    expected_finish: datetime
    minutes: float = Field(description="From the award to the expected finish.")
    done: bool
    finish_with_saved_capacities: datetime | None = Field(
        description="With a what-if: the finish by the saved capacities."
    )
    decided_by: list[str] = Field(description="The chain that decides the finish, last step first.")


class PlannedUnitOut(Schema):
    code: str
    name: str
    steps_at_once: int = Field(description="As planned: the what-if's, the saved one, or 1.")
    saved_steps_at_once: int
    people_on_duty: int | None
    open_steps: int
    waited_minutes: float
    deciding_minutes: float
    finish: datetime | None


class BatchPlanOut(Schema):
    batch: int
    number: str
    name: str
    computed_at: datetime
    headline: str = Field(description="The sentence the leader reads before the day.")
    bottleneck: str | None = Field(description="The unit whose steps wait longest for a free hand.")
    deciding_unit: str | None = Field(description="The unit whose steps decide the finishes most.")
    last_run: int | None
    expected_finish: datetime | None
    what_if: dict[str, int]
    runs: list[PlannedRunOut]
    units: list[PlannedUnitOut]
    steps: list[PlannedStepOut]


def _local(value: datetime | None) -> datetime | None:
    return timezone.localtime(value) if value is not None else None


def _what_if(text: str) -> dict[str, int]:
    """``cz=2,zrzy=3`` -> {"cz": 2, "zrzy": 3}."""
    asked: dict[str, int] = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        unit, _sep, value = part.partition("=")
        try:
            n = int(value)
        except ValueError:
            n = 0
        if not unit.strip() or not 1 <= n <= MOST:
            message = str(MSG_STEPS_RANGE).format(most=MOST)
            raise ValidationFailed(message, fields={"what_if": message})
        asked[unit.strip()] = n
    return asked


def plan_out(view: BatchPlanView) -> dict:
    names = {(b.run_id, b.step_code): b.step_name for u in view.units for b in u.bars}
    seen = {r.run_id for r in view.runs if r.visible}
    return {
        "batch": view.batch.pk,
        "number": view.batch.number,
        "name": view.batch.name,
        "computed_at": _local(view.now),
        "headline": view.headline,
        "bottleneck": view.bottleneck.code if view.bottleneck else None,
        "deciding_unit": view.deciding_unit.code if view.deciding_unit else None,
        "last_run": view.last_run.run_id if view.last_run and view.last_run.visible else None,
        "expected_finish": _local(view.plan.finish),
        "what_if": view.what_if,
        "runs": [
            {
                "id": r.run_id if r.visible else None,
                "project": r.label,
                "state": r.state,
                "awarded": r.awarded,
                "award_at": _local(r.award_at),
                "expected_finish": _local(r.finish),
                "minutes": r.minutes,
                "done": r.done,
                "finish_with_saved_capacities": _local(r.baseline_finish),
                "decided_by": list(r.decided_by),
            }
            for r in view.runs
        ],
        "units": [
            {
                "code": u.code,
                "name": u.name,
                "steps_at_once": u.capacity,
                "saved_steps_at_once": u.saved_capacity,
                "people_on_duty": u.people_on_duty,
                "open_steps": u.open_steps,
                "waited_minutes": u.waited_minutes,
                "deciding_minutes": u.deciding_minutes,
                "finish": _local(u.finish),
            }
            for u in view.units
        ],
        "steps": [
            {
                "run": s.run if s.run in seen else None,
                "step": s.code,
                "name": names.get((s.run, s.code), s.code),
                "unit": s.unit,
                "state": s.state,
                "kind": s.kind,
                "ready_at": _local(s.ready_at),
                "start": _local(s.start),
                "finish": _local(s.finish),
                "waited_minutes": round(s.waited_minutes, 2),
            }
            for s in view.plan.steps
        ],
    }


@router.get("/landstart-batches/{batch_id}/plan", response=BatchPlanOut)
def landstart_batch_plan(request: HttpRequest, batch_id: int, what_if: str = ""):
    """The plan of the batch's day by the units' capacities, computed from the runs' state now:
    each step's expected start and finish (list scheduling), each run's expected finish, the
    bottleneck unit. ``what_if`` tries other capacities without saving them: ``cz=2,zrzy=3``
    (unit code = steps at once). Runs the reader may not see are “another project”."""
    view = batch_plan(actor=request.user, batch_id=batch_id, what_if=_what_if(what_if))
    return plan_out(view)
