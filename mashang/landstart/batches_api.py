"""Land-supply batches (供地批次) in the API: list, make, read, change; add and remove runs;
the batch board (every run's stopwatch and state, each unit's queue across the runs, the
batch's record)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Header, Router, Schema
from pydantic import Field

from mashang.core.bounds import BoundedDate
from mashang.core.idempotency import answer_once
from mashang.landstart import services
from mashang.landstart.models import Batch
from mashang.landstart.selectors.batches import BatchBoard, batch_board, batch_get, batch_list

router = Router(tags=["landstart"])


def _local(value: datetime | None) -> datetime | None:
    return timezone.localtime(value) if value is not None else None


class BatchOut(Schema):
    id: int
    number: str = Field(description="PC-YYYY-NN")
    name: str
    award_from: date
    award_to: date
    work_group_robot: int | None
    note: str
    created_at: datetime
    version: int


class ActiveStepOut(Schema):
    code: str
    name: str
    unit_name: str
    started_at: datetime | None
    minutes: float | None


class BatchRunOut(Schema):
    id: int
    project: int
    project_number: str
    project_name: str
    state: str = Field(description="listed / running / completed / cancelled")
    awarded_at: datetime | None
    completed_at: datetime | None
    elapsed_minutes: float | None = Field(
        description="From the award to the construction permit, or to now; null before the award."
    )
    done: int
    total: int
    active: list[ActiveStepOut]
    outside_award_days: bool = Field(description="Awarded on a day outside the batch's award days.")


class QueueItemOut(Schema):
    run: int
    project_number: str
    project_name: str
    code: str
    name: str
    state: str = Field(description="waiting / active / done / returned")
    started_at: datetime | None
    completed_at: datetime | None
    minutes: float | None = Field(description="Done: in how many minutes; active: for how long so far.")
    waiting_on: list[str]


class UnitQueueOut(Schema):
    unit: str
    unit_name: str
    waiting: int
    active: int
    done: int
    median_minutes: float | None
    steps: list[QueueItemOut]


class BatchRecordOut(Schema):
    first_award: datetime | None
    last_permit: datetime | None
    completed: int
    fastest_run: int | None
    fastest_minutes: float | None
    slowest_run: int | None
    slowest_minutes: float | None
    median_minutes: float | None


class BoardOut(Schema):
    batch: BatchOut
    now: datetime
    runs: list[BatchRunOut]
    units: list[UnitQueueOut]
    record: BatchRecordOut


def _batch(b: Batch) -> dict[str, Any]:
    return {
        "id": b.pk,
        "number": b.number,
        "name": b.name,
        "award_from": b.award_from,
        "award_to": b.award_to,
        "work_group_robot": b.work_group_robot_id,
        "note": b.note,
        "created_at": _local(b.created_at),
        "version": b.version,
    }


def _board(board: BatchBoard) -> dict[str, Any]:
    rec = board.record
    return {
        "batch": _batch(board.batch),
        "now": _local(board.now),
        "runs": [
            {
                "id": r.run.pk,
                "project": r.run.project_id,
                "project_number": r.project_number,
                "project_name": r.project_name,
                "state": r.state,
                "awarded_at": _local(r.awarded_at),
                "completed_at": _local(r.completed_at),
                "elapsed_minutes": r.elapsed_minutes,
                "done": r.done,
                "total": r.total,
                "active": [
                    {
                        "code": a.code,
                        "name": a.name,
                        "unit_name": a.unit_name,
                        "started_at": _local(a.started_at),
                        "minutes": a.minutes,
                    }
                    for a in r.active
                ],
                "outside_award_days": r.outside_award_days,
            }
            for r in board.runs
        ],
        "units": [
            {
                "unit": u.unit_code,
                "unit_name": u.unit_name,
                "waiting": u.waiting,
                "active": u.active,
                "done": u.done,
                "median_minutes": u.median_minutes,
                "steps": [
                    {
                        "run": i.run_id,
                        "project_number": i.project_number,
                        "project_name": i.project_name,
                        "code": i.code,
                        "name": i.name,
                        "state": i.state,
                        "started_at": _local(i.started_at),
                        "completed_at": _local(i.completed_at),
                        "minutes": i.minutes,
                        "waiting_on": list(i.waiting_on),
                    }
                    for i in u.items
                ],
            }
            for u in board.units
        ],
        "record": {
            "first_award": _local(rec.first_award),
            "last_permit": _local(rec.last_permit),
            "completed": rec.completed,
            "fastest_run": rec.fastest.run.pk if rec.fastest else None,
            "fastest_minutes": rec.fastest.elapsed_minutes if rec.fastest else None,
            "slowest_run": rec.slowest.run.pk if rec.slowest else None,
            "slowest_minutes": rec.slowest.elapsed_minutes if rec.slowest else None,
            "median_minutes": rec.median_minutes,
        },
    }


class BatchIn(Schema):
    name: str = Field(max_length=200)
    award_from: BoundedDate
    award_to: BoundedDate
    note: str = Field(default="", max_length=2000)
    work_group_robot: int | None = Field(default=None, ge=1, description="A chat robot's id.")


class BatchPatch(Schema):
    version: int | None = Field(default=None, ge=1, description="The batch's version you read; stale gets 409.")
    name: str | None = Field(default=None, max_length=200)
    award_from: BoundedDate | None = None
    award_to: BoundedDate | None = None
    note: str | None = Field(default=None, max_length=2000)
    work_group_robot: int | None = Field(default=None, ge=1, description="A chat robot's id; null removes it.")


class RunAddIn(Schema):
    run: int = Field(ge=1, description="The id of a run whose land is listed and that is in no batch.")
    version: int | None = Field(default=None, ge=1)


@router.get("/landstart-batches", response=list[BatchOut])
def landstart_batch_index(request: HttpRequest):
    """Land-supply batches you may see, the latest award days first."""
    return [_batch(b) for b in batch_list(actor=request.user)[:500]]


@router.post("/landstart-batches", response={201: BatchOut, 200: BatchOut})
def landstart_batch_create(
    request: HttpRequest,
    payload: BatchIn,
    idempotency_key: str | None = Header(default=None, alias="Idempotency-Key"),
):
    """Make a batch (service team, administrators); it gets the next number PC-YYYY-NN. Send an
    Idempotency-Key header to make a retry safe: the same key returns the first batch."""

    def work() -> tuple[int, dict[str, Any]]:
        batch = services.batch_create(
            actor=request.user,
            name=payload.name,
            award_from=payload.award_from,
            award_to=payload.award_to,
            note=payload.note,
            work_group_robot_id=payload.work_group_robot,
        )
        return 201, BatchOut(**_batch(batch)).model_dump(mode="json")

    return answer_once(request=request, key=idempotency_key, work=work)


@router.get("/landstart-batches/{batch_id}", response=BatchOut)
def landstart_batch_read(request: HttpRequest, batch_id: int):
    return _batch(batch_get(actor=request.user, batch_id=batch_id))


@router.patch("/landstart-batches/{batch_id}", response=BatchOut)
def landstart_batch_update(request: HttpRequest, batch_id: int, payload: BatchPatch):
    """Change a batch's name, award days, note or robot; the fields you leave out keep their
    value. A stale ``version`` gets 409."""
    given = payload.model_dump(exclude_unset=True)
    changes: dict[str, Any] = {k: given[k] for k in ("name", "award_from", "award_to", "note") if k in given}
    if "work_group_robot" in given:
        changes["work_group_robot_id"] = given["work_group_robot"]
    services.batch_update(actor=request.user, batch_id=batch_id, version=payload.version, **changes)
    return _batch(batch_get(actor=request.user, batch_id=batch_id))


@router.post("/landstart-batches/{batch_id}/runs", response={200: BoardOut})
def landstart_batch_run_add(
    request: HttpRequest,
    batch_id: int,
    payload: RunAddIn,
    idempotency_key: str | None = Header(default=None, alias="Idempotency-Key"),
):
    """Put a run whose land is listed into the batch; a run belongs to one batch (409 otherwise)."""

    def work() -> tuple[int, dict[str, Any]]:
        services.batch_run_add(actor=request.user, batch_id=batch_id, run_id=payload.run, version=payload.version)
        board = batch_board(actor=request.user, batch_id=batch_id)
        return 200, BoardOut(**_board(board)).model_dump(mode="json")

    return answer_once(request=request, key=idempotency_key, work=work)


@router.delete("/landstart-batches/{batch_id}/runs/{run_id}", response=BoardOut)
def landstart_batch_run_remove(request: HttpRequest, batch_id: int, run_id: int):
    """Take a run whose land is still listed out of the batch."""
    services.batch_run_remove(actor=request.user, batch_id=batch_id, run_id=run_id)
    return _board(batch_board(actor=request.user, batch_id=batch_id))


@router.get("/landstart-batches/{batch_id}/board", response=BoardOut)
def landstart_batch_board(request: HttpRequest, batch_id: int):
    """The batch board: every run's stopwatch, state and active steps; each unit's queue across
    the runs (how long each step took); the batch's record (first award, last construction
    permit, fastest, slowest, median)."""
    return _board(batch_board(actor=request.user, batch_id=batch_id))
