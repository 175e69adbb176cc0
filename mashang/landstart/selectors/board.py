"""Everything the board of one run needs, in one call; and the history of finished runs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from mashang.audit.models import Event
from mashang.audit.selectors import event_timeline
from mashang.landstart import dag
from mashang.landstart.models import (
    Commitment,
    Run,
    RunState,
    RunStep,
    StepDocument,
    StepState,
)
from mashang.landstart.permissions import (
    can_award,
    can_manage,
    can_send_back,
    can_work_on,
    visibility_filter,
)
from mashang.landstart.selectors.commitments import run_open_commitments
from mashang.landstart.selectors.runs import elapsed_seconds, run_get, run_until, step_times
from mashang.landstart.transitions import Action, run_allows, step_allows
from mashang.org.models import User

#: What a person may do to a step, as the board offers it.
COMPLETE, STAGE, RETURN, ATTACH = Action.COMPLETE.value, Action.STAGE.value, Action.RETURN.value, Action.ATTACH.value


@dataclass(frozen=True)
class BoardStep:
    code: str
    name: str
    unit_code: str
    unit_name: str
    state: str  # waiting / active / done / returned
    prerequisites: tuple[str, ...]
    dependents: tuple[str, ...]
    expected_minutes: int
    pre_reviewable: bool
    document: str
    staged: bool
    staged_at: datetime | None
    started_at: datetime | None
    completed_at: datetime | None
    completed_by: str | None
    return_reason: str
    minutes: float | None  # working minutes so far (active) or in all (done); None before it starts
    late: bool  # active longer than expected, or done later than expected
    waiting_minutes: float  # after the award, until its last prerequisite was done
    working_minutes: float
    column: int  # the graph's layout: column = depth, row within the column
    row: int
    on_critical_path: bool
    documents: tuple[StepDocument, ...]
    actions: tuple[str, ...]  # what the reader may do now: complete, stage, return, attach
    version: int
    allows_commitment: bool = False  # may complete without its document, under a commitment
    commitment_working_days: int = 0  # the longest promise
    commitments: tuple[Commitment, ...] = ()  # open commitments: documents still promised


@dataclass(frozen=True)
class UnitShareRow:
    unit_code: str
    unit_name: str
    minutes: float
    share: float  # of the elapsed minutes, 0…1


@dataclass(frozen=True)
class Board:
    run: Run
    state: str  # listed / running / completed / cancelled
    now: datetime
    opened_at: datetime
    awarded_at: datetime | None
    completed_at: datetime | None
    elapsed_seconds: int | None  # from the award to now, or to the construction permit
    elapsed_minutes: float | None
    expected_minutes: float  # the template's plan
    planned_critical_path: tuple[str, ...]
    projected_minutes: float  # the run's critical path: projected while running, real when done
    critical_path: tuple[str, ...]
    critical_edges: tuple[tuple[str, str], ...]
    steps: tuple[BoardStep, ...]  # in the template's order
    edges: tuple[tuple[str, str], ...]  # (prerequisite, dependent)
    columns: int
    rows: int
    unit_shares: tuple[UnitShareRow, ...]  # along the critical path, largest first
    late_steps: tuple[str, ...]
    can_award: bool
    can_cancel: bool
    version: int
    events: tuple[Event, ...]


def _late(step: RunStep, until: datetime) -> bool:
    if step.started_at is None:
        return False
    end = step.completed_at if step.state == StepState.DONE and step.completed_at else until
    if step.state == StepState.WAITING:
        return False
    return (end - step.started_at).total_seconds() > step.expected_minutes * 60


def _actions(actor: User, run: Run, step: RunStep, dependents: list[RunStep]) -> tuple[str, ...]:
    """The step actions the reader may take now, as the services would allow them."""
    member = can_work_on(actor, step)

    def allowed(action: str) -> bool:
        return run_allows(action, run.state) and step_allows(action, step.state)

    actions: list[str] = []
    if member and allowed(Action.COMPLETE):
        actions.append(COMPLETE)
    if (
        allowed(Action.RETURN)
        and not any(d.state == StepState.DONE for d in dependents)
        and can_send_back(actor, dependents)
    ):
        actions.append(RETURN)
    if member and allowed(Action.STAGE) and step.pre_reviewable and not step.staged:
        actions.append(STAGE)
    if member and allowed(Action.ATTACH):
        actions.append(ATTACH)
    return tuple(actions)


def board_of(*, actor: User, run: Run, now: datetime | None = None) -> Board:
    """The board of a run already read through the actor's visibility (see :func:`run_board`)."""
    now = now or timezone.now()
    until = run_until(run, now)
    steps = list(RunStep.objects.filter(run=run).select_related("unit", "completed_by").order_by("position", "id"))
    documents: dict[int, list[StepDocument]] = {s.pk: [] for s in steps}
    for d in StepDocument.objects.filter(step__run=run).order_by("id"):
        documents[d.step_id].append(d)
    promised = run_open_commitments(run)
    times = step_times(steps)
    planned = dag.plan(times)
    path = dag.run_path(times, run.awarded_at, until)
    split = dag.where_time_went(times, run.awarded_at, until)
    placed = dag.layout(times)
    on_path = set(path.critical_path)
    dependents = {s.code: [d for d in steps if s.code in d.prerequisites] for s in steps}
    board_steps = []
    for s in steps:
        column, row = placed[s.code]
        minutes = None
        if s.started_at is not None and run.awarded_at is not None:
            minutes = round(split.steps[s.code].working_minutes, 2)
        board_steps.append(
            BoardStep(
                code=s.code,
                name=s.name,
                unit_code=s.unit.code,
                unit_name=s.unit.name,
                state=s.state,
                prerequisites=tuple(s.prerequisites),
                dependents=tuple(d.code for d in dependents[s.code]),
                expected_minutes=s.expected_minutes,
                pre_reviewable=s.pre_reviewable,
                document=s.document,
                staged=s.staged,
                staged_at=s.staged_at,
                started_at=s.started_at,
                completed_at=s.completed_at,
                completed_by=str(s.completed_by) if s.completed_by else None,
                return_reason=s.return_reason,
                minutes=minutes,
                late=_late(s, until),
                waiting_minutes=round(split.steps[s.code].waiting_minutes, 2),
                working_minutes=round(split.steps[s.code].working_minutes, 2),
                column=column,
                row=row,
                on_critical_path=s.code in on_path,
                documents=tuple(documents[s.pk]),
                actions=_actions(actor, run, s, dependents[s.code]),
                version=s.version,
                allows_commitment=s.allows_commitment,
                commitment_working_days=s.commitment_working_days,
                commitments=tuple(promised.get(s.pk, ())),
            )
        )
    units = {s.unit.code: s.unit.name for s in steps}
    seconds = elapsed_seconds(run, now)
    critical = path.critical_path
    return Board(
        run=run,
        state=run.state,
        now=now,
        opened_at=run.opened_at,
        awarded_at=run.awarded_at,
        completed_at=run.completed_at,
        elapsed_seconds=seconds,
        elapsed_minutes=None if seconds is None else round(seconds / 60, 2),
        expected_minutes=planned.total_minutes,
        planned_critical_path=planned.critical_path,
        projected_minutes=round(path.total_minutes, 2),
        critical_path=critical,
        critical_edges=tuple(zip(critical, critical[1:], strict=False)),
        steps=tuple(board_steps),
        edges=tuple((p, s.code) for s in steps for p in s.prerequisites),
        columns=max((c for c, _ in placed.values()), default=-1) + 1,
        rows=max((r for _, r in placed.values()), default=-1) + 1,
        unit_shares=tuple(
            UnitShareRow(u.unit, units.get(u.unit, u.unit), round(u.minutes, 2), round(u.share, 4))
            for u in split.units
        ),
        late_steps=tuple(b.code for b in board_steps if b.late),
        can_award=run_allows(Action.AWARD, run.state) and can_award(actor, run),
        can_cancel=run_allows(Action.CANCEL, run.state) and can_manage(actor),
        version=run.version,
        events=tuple(event_timeline(subject_type="landstart", subject_id=run.pk)),
    )


def run_board(*, actor: User, run_id: int, now: datetime | None = None) -> Board:
    """Everything the board page needs for one run the actor may see (404 otherwise)."""
    return board_of(actor=actor, run=run_get(actor=actor, run_id=run_id), now=now)


@dataclass(frozen=True)
class HistoryRow:
    run_id: int
    project_id: int
    project_number: str
    project_name: str
    template_code: str
    template_version: int
    awarded_at: datetime
    completed_at: datetime
    total_minutes: float  # from the award to the construction permit
    step_minutes: dict[str, float]  # working minutes per step code
    critical_path: tuple[str, ...]


def run_history(*, actor: User) -> list[HistoryRow]:
    """Completed runs the actor may see, in award order, with their record and per-step minutes
    (so 145 → 40 shows as a line). Two queries whatever the number of runs."""
    runs = list(
        Run.objects.filter(visibility_filter(actor), state=RunState.COMPLETED)
        .select_related("project", "template")
        .order_by("awarded_at", "id")
    )
    steps: dict[int, list[RunStep]] = {r.pk: [] for r in runs}
    for s in RunStep.objects.filter(run__in=runs).select_related("unit").order_by("position", "id"):
        steps[s.run_id].append(s)
    rows = []
    for run in runs:
        times = step_times(steps[run.pk])
        split = dag.where_time_went(times, run.awarded_at, run.completed_at)
        rows.append(
            HistoryRow(
                run_id=run.pk,
                project_id=run.project_id,
                project_number=run.project.number,
                project_name=run.project.name,
                template_code=run.template.code,
                template_version=run.template.version,
                awarded_at=run.awarded_at,
                completed_at=run.completed_at,
                total_minutes=round(elapsed_seconds(run) / 60, 2),
                step_minutes={c: round(s.working_minutes, 2) for c, s in split.steps.items()},
                critical_path=split.critical_path,
            )
        )
    return rows
