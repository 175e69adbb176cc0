"""Reads of land-supply batches: the list, one batch, and the batch board — every run of the
batch at once, each unit's queue across the runs, and the batch's record — in a handful of
queries whatever the number of runs. Runs are read through the actor's visibility: a batch
shows a reader only the runs they may see."""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mashang.core.errors import NotFound
from mashang.landstart.models import Batch, Run, RunState, RunStep, StepState
from mashang.landstart.permissions import ZONE_WIDE_ROLES, can_manage, visibility_filter
from mashang.landstart.selectors.runs import elapsed_seconds
from mashang.org.models import User

MSG_NO_BATCH = _("No such land-supply batch.")


def batch_visibility(actor: User) -> Q:
    """A filter on Batch: zone-wide roles see every batch, others those with a run they see."""
    if not actor.is_active:
        return Q(pk__in=[])
    if actor.role in ZONE_WIDE_ROLES:
        return Q()
    return Q(Exists(Run.objects.filter(visibility_filter(actor), batch_id=OuterRef("pk"))))


def batch_list(*, actor: User) -> QuerySet[Batch]:
    """Batches the actor may see, the latest award days first, with ``run_count`` and
    ``completed_count`` (of all its runs)."""
    return (
        Batch.objects.filter(batch_visibility(actor))
        .annotate(
            run_count=Count("runs", distinct=True),
            completed_count=Count("runs", filter=Q(runs__state=RunState.COMPLETED), distinct=True),
        )
        .order_by("-award_from", "-id")
    )


def batch_get(*, actor: User, batch_id: int) -> Batch:
    """One batch the actor may see (404 otherwise)."""
    batch = (
        Batch.objects.filter(batch_visibility(actor), pk=batch_id)
        .select_related("work_group_robot", "created_by")
        .first()
    )
    if batch is None:
        raise NotFound(MSG_NO_BATCH)
    return batch


def runs_free_to_batch(*, actor: User) -> QuerySet[Run]:
    """Runs whose land is listed and that are in no batch: those a batch may take."""
    return (
        Run.objects.filter(visibility_filter(actor), state=RunState.LISTED, batch__isnull=True)
        .select_related("project")
        .order_by("project__number", "id")
    )


def _minutes(later: datetime | None, earlier: datetime | None) -> float | None:
    if later is None or earlier is None:
        return None
    return round(max((later - earlier).total_seconds(), 0) / 60, 2)


@dataclass(frozen=True)
class ActiveStep:
    code: str
    name: str
    unit_name: str
    started_at: datetime | None
    minutes: float | None  # active for so long


@dataclass(frozen=True)
class BatchRun:
    run: Run
    project_number: str
    project_name: str
    state: str
    awarded_at: datetime | None
    completed_at: datetime | None
    elapsed_seconds: int | None  # from the award to now, or to the construction permit
    elapsed_minutes: float | None
    done: int
    total: int
    active: tuple[ActiveStep, ...]
    outside_award_days: bool  # awarded on a day outside the batch's award days


@dataclass(frozen=True)
class QueueItem:
    run_id: int
    project_number: str
    project_name: str
    code: str
    name: str
    state: str  # waiting / active / done / returned
    started_at: datetime | None
    completed_at: datetime | None
    minutes: float | None  # done: in how many minutes; active or returned: for how long so far
    waiting_on: tuple[str, ...]  # names of the prerequisites not done yet (waiting steps)


@dataclass(frozen=True)
class UnitQueue:
    unit_code: str
    unit_name: str
    items: tuple[QueueItem, ...]  # in the runs' order, then the template's
    waiting: int
    active: int
    done: int
    done_minutes: tuple[float, ...]  # minutes of each done step, in the queue's order
    median_minutes: float | None  # of its done steps


@dataclass(frozen=True)
class BatchRecord:
    first_award: datetime | None
    last_permit: datetime | None  # the last construction permit of the completed runs
    completed: int
    slowest: BatchRun | None
    fastest: BatchRun | None
    median_minutes: float | None  # of the completed runs' minutes from award to permit


@dataclass(frozen=True)
class BatchBoard:
    batch: Batch
    now: datetime
    runs: tuple[BatchRun, ...]
    units: tuple[UnitQueue, ...]
    record: BatchRecord
    can_manage: bool
    live: bool  # a run is listed or running: the board keeps polling


def _outside(batch: Batch, awarded_at: datetime | None) -> bool:
    if awarded_at is None:
        return False
    day: date = timezone.localtime(awarded_at).date()
    return not (batch.award_from <= day <= batch.award_to)


def _run_order(run: Run) -> tuple:
    """Awarded runs by their award time, then listed ones, by project number."""
    awarded = run.awarded_at
    return (awarded is None, awarded or timezone.now(), run.project.number, run.pk)


def batch_board(*, actor: User, batch_id: int, now: datetime | None = None) -> BatchBoard:
    """Everything the batch board shows, in three queries whatever the number of runs."""
    now = now or timezone.now()
    batch = batch_get(actor=actor, batch_id=batch_id)
    runs = sorted(
        Run.objects.filter(visibility_filter(actor), batch=batch).select_related("project", "template"),
        key=_run_order,
    )
    steps_of: dict[int, list[RunStep]] = defaultdict(list)
    for s in (
        RunStep.objects.filter(run__in=[r.pk for r in runs])
        .select_related("unit")
        .order_by("position", "id")
    ):
        steps_of[s.run_id].append(s)

    board_runs: list[BatchRun] = []
    for run in runs:
        steps = steps_of[run.pk]
        seconds = elapsed_seconds(run, now)
        active = tuple(
            ActiveStep(s.code, s.name, s.unit.name, s.started_at, _minutes(now, s.started_at))
            for s in steps
            if s.state in (StepState.ACTIVE, StepState.RETURNED) and run.state == RunState.RUNNING
        )
        board_runs.append(
            BatchRun(
                run=run,
                project_number=run.project.number,
                project_name=run.project.name,
                state=run.state,
                awarded_at=run.awarded_at,
                completed_at=run.completed_at,
                elapsed_seconds=seconds,
                elapsed_minutes=None if seconds is None else round(seconds / 60, 2),
                done=sum(1 for s in steps if s.state == StepState.DONE),
                total=len(steps),
                active=active,
                outside_award_days=_outside(batch, run.awarded_at),
            )
        )

    # Each unit's queue: its steps in every run, in the runs' order.
    queues: dict[int, list[QueueItem]] = defaultdict(list)
    units: dict[int, tuple[str, str, int]] = {}  # id -> code, name, first position
    for run in runs:
        steps = steps_of[run.pk]
        names = {s.code: s for s in steps}
        for s in steps:
            code, name, first = units.get(s.unit_id, (s.unit.code, s.unit.name, s.position))
            units[s.unit_id] = (code, name, min(first, s.position))
            if s.state == StepState.DONE:
                minutes = _minutes(s.completed_at, s.started_at)
            elif s.state in (StepState.ACTIVE, StepState.RETURNED) and run.state == RunState.RUNNING:
                minutes = _minutes(now, s.started_at)
            else:
                minutes = None
            waiting_on = ()
            if s.state == StepState.WAITING:
                waiting_on = tuple(
                    names[p].name for p in s.prerequisites if p in names and names[p].state != StepState.DONE
                )
            queues[s.unit_id].append(
                QueueItem(
                    run_id=run.pk,
                    project_number=run.project.number,
                    project_name=run.project.name,
                    code=s.code,
                    name=s.name,
                    state=s.state,
                    started_at=s.started_at,
                    completed_at=s.completed_at,
                    minutes=minutes,
                    waiting_on=waiting_on,
                )
            )
    unit_queues = []
    for unit_id, (code, name, _first) in sorted(units.items(), key=lambda kv: (kv[1][2], kv[1][0])):
        items = queues[unit_id]
        done_minutes = tuple(i.minutes for i in items if i.state == StepState.DONE and i.minutes is not None)
        unit_queues.append(
            UnitQueue(
                unit_code=code,
                unit_name=name,
                items=tuple(items),
                waiting=sum(1 for i in items if i.state == StepState.WAITING),
                active=sum(1 for i in items if i.state in (StepState.ACTIVE, StepState.RETURNED)),
                done=sum(1 for i in items if i.state == StepState.DONE),
                done_minutes=done_minutes,
                median_minutes=round(statistics.median(done_minutes), 2) if done_minutes else None,
            )
        )

    completed = [r for r in board_runs if r.state == RunState.COMPLETED and r.elapsed_minutes is not None]
    awards = [r.awarded_at for r in board_runs if r.awarded_at is not None]
    record = BatchRecord(
        first_award=min(awards) if awards else None,
        last_permit=max((r.completed_at for r in completed if r.completed_at), default=None),
        completed=len(completed),
        slowest=max(completed, key=lambda r: (r.elapsed_minutes, r.run.pk)) if completed else None,
        fastest=min(completed, key=lambda r: (r.elapsed_minutes, r.run.pk)) if completed else None,
        median_minutes=round(statistics.median(r.elapsed_minutes for r in completed), 2) if completed else None,
    )
    return BatchBoard(
        batch=batch,
        now=now,
        runs=tuple(board_runs),
        units=tuple(unit_queues),
        record=record,
        can_manage=can_manage(actor),
        live=any(r.state in (RunState.LISTED, RunState.RUNNING) for r in board_runs),
    )


@dataclass(frozen=True)
class NextStep:
    step: RunStep
    waiting_on: tuple[str, ...]  # names of the prerequisites not done yet


def unit_next_steps(*, actor: User, limit: int = 50) -> list[NextStep]:
    """The actor's unit's waiting steps in running runs, each with the prerequisites it waits
    on (two queries)."""
    if not (actor.is_active and actor.is_unit_member and actor.unit_id):
        return []
    steps = list(
        RunStep.objects.filter(unit_id=actor.unit_id, run__state=RunState.RUNNING, state=StepState.WAITING)
        .select_related("run", "run__project", "run__batch")
        .order_by("run__awarded_at", "run_id", "position")[:limit]
    )
    wanted = {p for s in steps for p in s.prerequisites}
    others: dict[tuple[int, str], RunStep] = {
        (o.run_id, o.code): o
        for o in RunStep.objects.filter(run_id__in={s.run_id for s in steps}, code__in=wanted).only(
            "run_id", "code", "name", "state"
        )
    }
    return [
        NextStep(
            step=s,
            waiting_on=tuple(
                others[(s.run_id, p)].name
                for p in s.prerequisites
                if (s.run_id, p) in others and others[(s.run_id, p)].state != StepState.DONE
            ),
        )
        for s in steps
    ]
