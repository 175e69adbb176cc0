"""The big screen (大屏) of a batch or of one run: what the command centre's wall shows, read
straight from the runs and their steps, and the cheap stamp its polling compares first.

The stamp changes whenever anything on the screen can change: every change to a run or to one
of its steps bumps the run's version (the services' ``record``), a run joining or leaving the
batch changes the list of runs, an edit of the batch bumps its version, and a renamed project
its ``updated_at`` (the batch's creation and each run's opening are in it too, so that a row
that reuses a deleted row's id never takes its stamp). Reading the stamp is one or two small
queries; the full read (three queries whatever the number of runs and steps) happens only when
the stamp moved.

The stopwatches tick in the browser from the award time the screen carries, so nothing here
changes with the mere passing of time.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from django.db.models import F
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from mashang.core.errors import NotFound
from mashang.landstart import dag
from mashang.landstart.models import Batch, Run, RunState, RunStep, StepState
from mashang.landstart.permissions import ZONE_WIDE_ROLES, visibility_filter
from mashang.landstart.selectors.runs import MSG_NOT_FOUND, elapsed_seconds, step_times
from mashang.org.models import User

MSG_NO_BATCH = _("No such land-supply batch.")


@dataclass(frozen=True)
class ScreenStep:
    code: str
    name: str
    unit_name: str
    state: str  # waiting / active / done / returned
    expected_minutes: int
    started_at: datetime | None
    completed_at: datetime | None
    column: int  # depth in the DAG: the screen's tiles stand in columns of equal depth
    row: int


@dataclass(frozen=True)
class ScreenRun:
    run_id: int
    project_number: str
    project_name: str
    state: str  # listed / running / completed / cancelled
    awarded_at: datetime | None
    completed_at: datetime | None  # the construction permit (or the cancellation)
    elapsed_seconds: int | None  # at the time of the read; the page ticks on from the award
    done: int
    total: int
    steps: tuple[ScreenStep, ...]  # in DAG order: by column, then row
    version: int

    @property
    def active(self) -> tuple[ScreenStep, ...]:
        """The steps in hand now (active or sent back), while the run is running."""
        if self.state != RunState.RUNNING:
            return ()
        return tuple(s for s in self.steps if s.state in (StepState.ACTIVE, StepState.RETURNED))

    @property
    def columns(self) -> tuple[tuple[ScreenStep, ...], ...]:
        depth = max((s.column for s in self.steps), default=-1) + 1
        return tuple(tuple(s for s in self.steps if s.column == c) for c in range(depth))


@dataclass(frozen=True)
class BatchScreen:
    batch_id: int
    number: str
    name: str
    award_from: object
    award_to: object
    now: datetime
    runs: tuple[ScreenRun, ...]

    @property
    def done(self) -> int:
        return sum(r.done for r in self.runs)

    @property
    def total(self) -> int:
        return sum(r.total for r in self.runs)

    @property
    def runs_completed(self) -> int:
        return sum(1 for r in self.runs if r.state == RunState.COMPLETED)


def _zone_wide(actor: User) -> bool:
    return actor.is_active and actor.role in ZONE_WIDE_ROLES


def _digest(*parts: object) -> str:
    text = "|".join(str(p) for p in (*parts, get_language() or ""))
    return hashlib.blake2b(text.encode(), digest_size=12).hexdigest()


#: What names a run's state on the screen: its id, version and opening, its project's last change.
RUN_KEY = ("id", "version", "opened_at", "project__updated_at")


def _run_key(row: tuple) -> str:
    return ".".join(str(v.timestamp()) if hasattr(v, "timestamp") else str(v) for v in row)


def screen_batch_stamp(*, actor: User, batch_id: int) -> str | None:
    """What the batch's screen shows, as a short digest (None when the actor may not see it:
    the full read then answers 404). Two small queries."""
    batch = Batch.objects.filter(pk=batch_id).values_list("version", "created_at").first()
    if batch is None:
        return None
    rows = list(
        Run.objects.filter(visibility_filter(actor), batch_id=batch_id)
        .order_by("id")
        .values_list(*RUN_KEY)
    )
    if not rows and not _zone_wide(actor):
        return None
    return _digest("b", batch_id, batch[0], batch[1].timestamp(), *(_run_key(r) for r in rows))


def screen_run_stamp(*, actor: User, run_id: int) -> str | None:
    """What the run's screen shows, as a short digest (None when the actor may not see it)."""
    row = Run.objects.filter(visibility_filter(actor), pk=run_id).values_list(*RUN_KEY).first()
    return None if row is None else _digest("r", _run_key(row))


def _screen_runs(runs: list[Run], now: datetime) -> list[ScreenRun]:
    by_run: dict[int, list[RunStep]] = {r.pk: [] for r in runs}
    for s in (
        RunStep.objects.filter(run__in=[r.pk for r in runs])
        .select_related("unit")
        .order_by("run_id", "position", "id")
    ):
        by_run[s.run_id].append(s)
    out = []
    for run in runs:
        steps = by_run[run.pk]
        placed = dag.layout(step_times(steps)) if steps else {}
        screen_steps = sorted(
            (
                ScreenStep(
                    code=s.code,
                    name=s.name,
                    unit_name=s.unit.name,
                    state=s.state,
                    expected_minutes=s.expected_minutes,
                    started_at=s.started_at,
                    completed_at=s.completed_at,
                    column=placed[s.code][0],
                    row=placed[s.code][1],
                )
                for s in steps
            ),
            key=lambda s: (s.column, s.row),
        )
        end = run.completed_at if run.state == RunState.COMPLETED else run.cancelled_at
        out.append(
            ScreenRun(
                run_id=run.pk,
                project_number=run.project.number,
                project_name=run.project.name,
                state=run.state,
                awarded_at=run.awarded_at,
                completed_at=end if run.state in (RunState.COMPLETED, RunState.CANCELLED) else None,
                elapsed_seconds=elapsed_seconds(run, now),
                done=sum(1 for s in steps if s.state == StepState.DONE),
                total=len(steps),
                steps=tuple(screen_steps),
                version=run.version,
            )
        )
    return out


def screen_batch(*, actor: User, batch_id: int, now: datetime | None = None) -> BatchScreen:
    """The batch's screen: its runs the actor may see (the awarded first, in award order).
    A batch none of whose runs the actor may see is a 404, unless the actor sees the whole
    zone. Three queries."""
    now = now or timezone.now()
    batch = Batch.objects.filter(pk=batch_id).first()
    if batch is None:
        raise NotFound(MSG_NO_BATCH)
    runs = list(
        Run.objects.filter(visibility_filter(actor), batch_id=batch_id)
        .select_related("project")
        .order_by(F("awarded_at").asc(nulls_last=True), "id")
    )
    if not runs and not _zone_wide(actor):
        raise NotFound(MSG_NO_BATCH)
    return BatchScreen(
        batch_id=batch.pk,
        number=batch.number,
        name=batch.name,
        award_from=batch.award_from,
        award_to=batch.award_to,
        now=now,
        runs=tuple(_screen_runs(runs, now)),
    )


def screen_run(*, actor: User, run_id: int, now: datetime | None = None) -> ScreenRun:
    """One run's screen, its steps in DAG order (404 when the actor may not see the run)."""
    now = now or timezone.now()
    run = Run.objects.filter(visibility_filter(actor), pk=run_id).select_related("project").first()
    if run is None:
        raise NotFound(MSG_NOT_FOUND)
    return _screen_runs([run], now)[0]
