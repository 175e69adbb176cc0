"""Reads of runs, always through the actor's visibility, so the API, the pages and the CLI agree."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mashang.audit.models import Event
from mashang.core.errors import NotFound
from mashang.landstart import dag
from mashang.landstart.models import Run, RunState, RunStep, StepState
from mashang.landstart.permissions import can_manage, visibility_filter
from mashang.org.models import User
from mashang.projects.models import Stage

MSG_NOT_FOUND = _("No such land-start run.")


@dataclass(frozen=True)
class RunFilters:
    state: list[str] | None = None
    project: int | None = None


def run_list(*, actor: User, filters: RunFilters | None = None) -> QuerySet[Run]:
    """Runs the actor may see, the latest opened first."""
    f = filters or RunFilters()
    qs = Run.objects.filter(visibility_filter(actor)).select_related("project", "template")
    if f.state:
        qs = qs.filter(state__in=f.state)
    if f.project is not None:
        qs = qs.filter(project_id=f.project)
    return qs.order_by("-opened_at", "-id")


def run_get(*, actor: User, run_id: int) -> Run:
    """One run the actor may see (404 when it does not exist or is not theirs to see)."""
    run = (
        Run.objects.filter(visibility_filter(actor), pk=run_id)
        .select_related("project", "template", "template__award_unit", "opened_by")
        .first()
    )
    if run is None:
        raise NotFound(MSG_NOT_FOUND)
    return run


def run_until(run: Run, now: datetime) -> datetime:
    """The instant the run's clock reads: its completion (or cancellation), else now."""
    if run.state == RunState.COMPLETED and run.completed_at:
        return run.completed_at
    if run.state == RunState.CANCELLED and run.cancelled_at:
        return run.cancelled_at
    return now


def elapsed_seconds(run: Run, now: datetime | None = None) -> int | None:
    """Seconds from the award to the construction permit (or to now); None before the award."""
    if run.awarded_at is None:
        return None
    until = run_until(run, now or timezone.now())
    return max(int((until - run.awarded_at).total_seconds()), 0)


def elapsed_minutes(run: Run, now: datetime | None = None) -> float | None:
    seconds = elapsed_seconds(run, now)
    return None if seconds is None else round(seconds / 60, 2)


def step_times(steps: list[RunStep]) -> list[dag.StepTimes]:
    return [
        dag.StepTimes(
            code=s.code,
            unit=s.unit.code,
            prerequisites=tuple(s.prerequisites),
            expected_minutes=s.expected_minutes,
            state=s.state,
            started_at=s.started_at,
            completed_at=s.completed_at,
        )
        for s in steps
    ]


def unit_steps(*, actor: User) -> QuerySet[RunStep]:
    """The steps waiting on the actor's unit: active or sent back in running runs, and
    pre-reviewable steps not yet marked ready in listed runs — the unit's own screen. The
    longest running first."""
    if not (actor.is_active and actor.is_unit_member and actor.unit_id):
        return RunStep.objects.none()
    return (
        RunStep.objects.filter(unit_id=actor.unit_id)
        .filter(
            Q(run__state=RunState.RUNNING, state__in=[StepState.ACTIVE, StepState.RETURNED])
            | Q(run__state=RunState.LISTED, pre_reviewable=True, staged=False)
        )
        .select_related("run", "run__project", "unit")
        .order_by(F("started_at").asc(nulls_last=True), "run_id", "position")
    )


def project_run(*, actor: User, project_id: int) -> Run | None:
    """The project's land-start run the actor may see: the open one, else the latest."""
    runs = list(run_list(actor=actor, filters=RunFilters(project=project_id))[:5])
    open_runs = [r for r in runs if r.state in (RunState.LISTED, RunState.RUNNING)]
    return (open_runs or runs or [None])[0]


def project_listing_failure(*, actor: User, project) -> Event | None:
    """Why the run of a listed project without an open run did not open by itself (the last
    such event), for the service team; None otherwise."""
    from mashang.landstart.services.listing import LISTING_SUBJECT, NOT_OPENED

    if not can_manage(actor) or project.stage != Stage.LISTED:
        return None
    if Run.objects.filter(project_id=project.pk, state__in=[RunState.LISTED, RunState.RUNNING]).exists():
        return None
    return (
        Event.objects.filter(subject_type=LISTING_SUBJECT, subject_id=project.pk, action=NOT_OPENED)
        .order_by("-at", "-id")
        .first()
    )
