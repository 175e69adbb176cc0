"""Learning from the history of completed runs (从个案到常态): per template, the distribution of
each step's minutes and how often the step decided the finish (lay on the run's actual
critical path); per unit, its steps' minutes, its critical minutes and the runs it decided;
the trend of the record (each run's minutes from the award to its last step, in award order,
with the running best); and the unit whose steps most often decided the finish.

A step's minutes run from its last activation to its completion: from its ``started_at`` (the
moment its prerequisites were all done), or, when it was sent back and done again, from the
last send-back (the audit's ``return`` event). The runs' actual critical paths come from
:mod:`mashang.landstart.dag` over those actual durations.

Three queries whatever the number of runs: the runs, their steps, their send-backs.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mashang.audit.models import Event
from mashang.core.errors import PermissionDenied
from mashang.landstart import dag
from mashang.landstart.models import Run, RunState, RunStep
from mashang.landstart.permissions import visibility_filter
from mashang.landstart.selectors.runs import step_times
from mashang.org.models import User

#: The audit subject of runs (landstart.services.common.SUBJECT) and its send-back action.
SUBJECT, RETURN = "landstart", "return"

MSG_STAFF_ONLY = _(
    "The figures of the land-start history (per step and per unit) are for the zone's staff."
)
MSG_DATES_REVERSED = _("The first award day must not be after the last.")
MSG_SEND_BACK_NOTE = _(
    "A step that was sent back and done again counts from its last activation (the send-back) "
    "to its completion."
)


def may_learn(actor: User) -> bool:
    """Read the figures per step and per unit: the zone's staff (the service team, units,
    supervisors, leaders, administrators), each over the runs they may see. An enterprise
    contact follows its own runs' records only: how the units perform across the zone is not
    its to read."""
    return bool(actor.is_active and actor.role != User.Role.ENTERPRISE)


def learning_check(actor: User) -> None:
    """Raise PermissionDenied unless :func:`may_learn`."""
    if not may_learn(actor):
        raise PermissionDenied(MSG_STAFF_ONLY)


# --- the pure part ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Distribution:
    """Minutes: how many, the least, the median, the 90th percentile, the most, the mean."""

    count: int
    min: float
    median: float
    p90: float
    max: float
    mean: float


def _quantile(ordered: Sequence[float], q: float) -> float:
    """The q-quantile by linear interpolation between the closest ranks (Excel's
    PERCENTILE.INC, numpy's default): rank (n − 1)·q from 0."""
    position = (len(ordered) - 1) * q
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def distribution(values: Iterable[float]) -> Distribution | None:
    """The distribution of ``values`` (None when there are none), rounded to 0.01 minute."""
    ordered = sorted(float(v) for v in values)
    if not ordered:
        return None
    return Distribution(
        count=len(ordered),
        min=round(ordered[0], 2),
        median=round(_quantile(ordered, 0.5), 2),
        p90=round(_quantile(ordered, 0.9), 2),
        max=round(ordered[-1], 2),
        mean=round(math.fsum(ordered) / len(ordered), 2),
    )


def last_activation(step: dag.StepTimes, awarded_at: datetime, returns: Iterable[datetime]) -> dag.StepTimes:
    """The step as the figures count it: active from its last activation — its start, or the
    latest send-back after it (up to its completion)."""
    start = step.started_at or awarded_at
    for at in returns:
        if at > start and (step.completed_at is None or at <= step.completed_at):
            start = at
    return replace(step, started_at=start)


# --- the figures -----------------------------------------------------------------------------


@dataclass(frozen=True)
class LearningFilters:
    template: str | None = None  # a template's code (every version)
    date_from: date | None = None  # the award day, in the zone's time, from…
    date_to: date | None = None  # …to, inclusive


@dataclass(frozen=True)
class RecordPoint:
    """One completed run on the record's trend."""

    run_id: int
    project_id: int
    project_number: str
    project_name: str
    template_code: str
    template_version: int
    template_name: str
    awarded_at: datetime
    completed_at: datetime
    total_minutes: float  # from the award to the last step
    best_minutes: float  # the best record so far, this run included
    record: bool  # this run set a new best
    step_minutes: dict[str, float]  # per step code, from its last activation
    critical_path: tuple[str, ...]  # the actual one, from the first step to the last
    deciding_unit: str  # the unit code with the most minutes on the critical path
    sent_back: tuple[str, ...]  # codes of steps sent back and done again


@dataclass(frozen=True)
class StepFigures:
    code: str
    name: str
    unit_code: str
    unit_name: str
    expected_minutes: int
    minutes: Distribution
    critical_runs: int  # completed runs in which the step lay on the actual critical path
    runs: int  # completed runs that had the step

    @property
    def critical_share(self) -> float:
        return self.critical_runs / self.runs if self.runs else 0.0


@dataclass(frozen=True)
class TemplateFigures:
    code: str
    name: str
    runs: int
    totals: Distribution  # the runs' minutes from the award to the last step
    steps: tuple[StepFigures, ...]  # in the template's order (its latest version run)


@dataclass(frozen=True)
class UnitFigures:
    unit_code: str
    unit_name: str
    minutes: Distribution  # all its steps in the runs
    critical_steps: int  # its steps on the runs' actual critical paths
    critical_minutes: float  # their minutes
    critical_share: float  # of all the critical minutes, 0…1
    decided_runs: int  # runs in which it had the most minutes on the critical path


@dataclass(frozen=True)
class Learning:
    filters: LearningFilters
    records: tuple[RecordPoint, ...]  # in award order
    best: RecordPoint | None  # the best record (the earliest of equals)
    figures: bool  # whether the templates' and units' figures are the reader's to see
    templates: tuple[TemplateFigures, ...] = ()
    units: tuple[UnitFigures, ...] = ()  # the runs decided, then the critical minutes, most first
    deciding: UnitFigures | None = None
    sent_back_runs: int = 0


def _day_start(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def _runs(actor: User, filters: LearningFilters) -> list[Run]:
    qs = Run.objects.filter(visibility_filter(actor), state=RunState.COMPLETED)
    if filters.template:
        qs = qs.filter(template__code=filters.template)
    if filters.date_from:
        qs = qs.filter(awarded_at__gte=_day_start(filters.date_from))
    if filters.date_to:
        qs = qs.filter(awarded_at__lt=_day_start(filters.date_to + timedelta(days=1)))
    return list(qs.select_related("project", "template").order_by("awarded_at", "id"))


def _returns(runs: list[Run]) -> dict[tuple[int, str], list[datetime]]:
    """When each step of the runs was sent back: (run id, step code) → times."""
    found: dict[tuple[int, str], list[datetime]] = {}
    if not runs:
        return found
    events = Event.objects.filter(
        subject_type=SUBJECT, subject_id__in=[r.pk for r in runs], action=RETURN
    ).values_list("subject_id", "payload", "at")
    for run_id, payload, at in events:
        code = (payload or {}).get("step")
        if code:
            found.setdefault((run_id, code), []).append(at)
    return found


@dataclass
class _StepAcc:
    code: str
    name: str
    unit_code: str
    unit_name: str
    expected_minutes: int
    position: tuple[int, int]
    minutes: list[float] = field(default_factory=list)
    critical_runs: int = 0


@dataclass
class _UnitAcc:
    code: str
    name: str
    minutes: list[float] = field(default_factory=list)
    critical_steps: int = 0
    critical_minutes: float = 0.0
    decided_runs: int = 0


def history_learning(*, actor: User, filters: LearningFilters | None = None) -> Learning:
    """The completed runs the actor may see (filtered by template and award days), their
    record trend and — for the zone's staff (:func:`may_learn`) — the figures per template
    step and per unit, and the unit that most often decided the finish."""
    f = filters or LearningFilters()
    runs = _runs(actor, f)
    steps: dict[int, list[RunStep]] = {r.pk: [] for r in runs}
    if runs:
        for s in RunStep.objects.filter(run__in=runs).select_related("unit").order_by("position", "id"):
            steps[s.run_id].append(s)
    returns = _returns(runs)

    records: list[RecordPoint] = []
    templates: dict[str, dict[str, _StepAcc]] = {}
    template_runs: dict[str, list[float]] = {}
    template_names: dict[str, str] = {}
    units: dict[str, _UnitAcc] = {}
    best: float | None = None
    best_point: RecordPoint | None = None
    for order, run in enumerate(runs):
        run_steps = steps[run.pk]
        times = [
            last_activation(t, run.awarded_at, returns.get((run.pk, t.code), ()))
            for t in step_times(run_steps)
        ]
        split = dag.where_time_went(times, run.awarded_at, run.completed_at)
        total = round(max((run.completed_at - run.awarded_at).total_seconds(), 0) / 60, 2)
        record = best is None or total < best
        best = total if record else best
        point = RecordPoint(
            run_id=run.pk,
            project_id=run.project_id,
            project_number=run.project.number,
            project_name=run.project.name,
            template_code=run.template.code,
            template_version=run.template.version,
            template_name=run.template.name,
            awarded_at=run.awarded_at,
            completed_at=run.completed_at,
            total_minutes=total,
            best_minutes=best,
            record=record,
            step_minutes={c: round(s.working_minutes, 2) for c, s in split.steps.items()},
            critical_path=split.critical_path,
            deciding_unit=split.units[0].unit if split.units else "",
            sent_back=tuple(s.code for s in run_steps if (run.pk, s.code) in returns),
        )
        records.append(point)
        if record:
            best_point = point

        code = run.template.code
        template_names[code] = run.template.name  # the latest run's name wins
        template_runs.setdefault(code, []).append(total)
        accs = templates.setdefault(code, {})
        on_path = set(split.critical_path)
        for s in run_steps:
            minutes = split.steps[s.code].working_minutes
            acc = accs.get(s.code)
            if acc is None:
                acc = accs[s.code] = _StepAcc(
                    s.code, s.name, s.unit.code, s.unit.name, s.expected_minutes, (0, 0)
                )
            # The latest run describes the step: its name, unit, plan and place.
            acc.name, acc.unit_code, acc.unit_name = s.name, s.unit.code, s.unit.name
            acc.expected_minutes, acc.position = s.expected_minutes, (-order, s.position)
            acc.minutes.append(minutes)
            unit = units.get(s.unit.code)
            if unit is None:
                unit = units[s.unit.code] = _UnitAcc(s.unit.code, s.unit.name)
            unit.minutes.append(minutes)
            if s.code in on_path:
                acc.critical_runs += 1
                unit.critical_steps += 1
                unit.critical_minutes += minutes
        if point.deciding_unit:
            units[point.deciding_unit].decided_runs += 1

    if not may_learn(actor):
        return Learning(filters=f, records=tuple(records), best=best_point, figures=False)

    template_figures = []
    for code in sorted(templates):
        accs = sorted(templates[code].values(), key=lambda a: a.position)
        template_figures.append(
            TemplateFigures(
                code=code,
                name=template_names[code],
                runs=len(template_runs[code]),
                totals=distribution(template_runs[code]),  # type: ignore[arg-type]
                steps=tuple(
                    StepFigures(
                        code=a.code,
                        name=a.name,
                        unit_code=a.unit_code,
                        unit_name=a.unit_name,
                        expected_minutes=a.expected_minutes,
                        minutes=distribution(a.minutes),  # type: ignore[arg-type]
                        critical_runs=a.critical_runs,
                        runs=len(a.minutes),
                    )
                    for a in accs
                ),
            )
        )
    critical_total = math.fsum(u.critical_minutes for u in units.values())
    ranked = sorted(
        units.values(), key=lambda u: (-u.decided_runs, -round(u.critical_minutes, 2), -u.critical_steps, u.code)
    )
    unit_figures = tuple(
        UnitFigures(
            unit_code=u.code,
            unit_name=u.name,
            minutes=distribution(u.minutes),  # type: ignore[arg-type]
            critical_steps=u.critical_steps,
            critical_minutes=round(u.critical_minutes, 2),
            critical_share=round(u.critical_minutes / critical_total, 4) if critical_total else 0.0,
            decided_runs=u.decided_runs,
        )
        for u in ranked
    )
    deciding = unit_figures[0] if unit_figures and unit_figures[0].decided_runs else None
    return Learning(
        filters=f,
        records=tuple(records),
        best=best_point,
        figures=True,
        templates=tuple(template_figures),
        units=unit_figures,
        deciding=deciding,
        sent_back_runs=sum(1 for r in records if r.sent_back),
    )
