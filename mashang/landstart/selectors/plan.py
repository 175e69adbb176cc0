"""Reads for planning the day: a batch's plan by the units' capacities (computed from the runs'
current state at each read, so it moves as steps complete), and the units' capacities.

A run whose land is not awarded yet is planned to be awarded at the later of the close of its
listing and the opening of the office on the batch's first award day — and not before now.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from mashang.core.errors import NotFound
from mashang.landstart import plan as planning
from mashang.landstart.models import (
    OPEN_RUN_STATES,
    Batch,
    Run,
    RunState,
    RunStep,
    TemplateStep,
    UnitCapacity,
)
from mashang.landstart.permissions import ZONE_WIDE_ROLES, visibility_filter
from mashang.landstart.selectors.runs import step_times
from mashang.landstart.services.capacity import can_set_capacity
from mashang.org.models import Unit, User
from mashang.workcal.calendar import parse_office_hours

MSG_NO_BATCH = _("No such land-supply batch.")
MSG_NO_RUNS = _("This batch has no runs yet.")
MSG_ALL_DONE = _("Every run of this batch is complete; the last finished at {time}.")
MSG_HEADLINE = _(
    "With {unit} handling {n} at once, the last of the batch's {count} projects ({project}) is "
    "expected to finish at {time}."
)
MSG_HEADLINE_NO_QUEUE = _(
    "No unit has to queue: the last of the batch's {count} projects ({project}) is expected to "
    "finish at {time}."
)
MSG_ANOTHER_PROJECT = _("another project")
MSG_NO_PAGE = _("No such page.")


@dataclass(frozen=True)
class PlanBar:
    """A step placed on the chart."""

    run_id: int
    project_number: str  # empty for a run the reader may not see
    step_code: str
    step_name: str
    kind: str  # done / working / planned
    state: str
    ready_at: datetime
    start: datetime
    finish: datetime
    minutes: float
    waited_minutes: float
    lane: int


@dataclass(frozen=True)
class PlanRunRow:
    run_id: int
    visible: bool
    label: str  # the project's number and name, or "another project"
    state: str
    awarded: bool  # False: award_at is the planned award
    award_at: datetime
    finish: datetime
    minutes: float  # from the award to the finish
    done: bool
    baseline_finish: datetime | None  # with the saved capacities, when a what-if is applied
    shift_minutes: float  # the what-if's finish minus the saved capacities' (negative: earlier)
    decided_by: tuple[str, ...]  # step names, the last step first, "unit: step"


@dataclass(frozen=True)
class PlanUnitRow:
    code: str
    name: str
    capacity: int  # used by this plan (the what-if's, else the saved one, else 1)
    saved_capacity: int
    people_on_duty: int | None  # None: never set
    what_if: bool  # the capacity is the reader's what-if, not the saved one
    open_steps: int
    waited_minutes: float
    deciding_minutes: float
    finish: datetime | None
    lanes: int
    bars: tuple[PlanBar, ...]


@dataclass(frozen=True)
class BatchPlanView:
    batch: Batch
    now: datetime
    plan: planning.BatchPlan
    runs: tuple[PlanRunRow, ...]  # in plan order: award, then run
    units: tuple[PlanUnitRow, ...]
    bottleneck: PlanUnitRow | None
    deciding_unit: PlanUnitRow | None
    last_run: PlanRunRow | None
    what_if: dict[str, int]  # unit code -> steps at once, only those differing from the saved
    headline: str


def _zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def planned_award(run: Run, batch: Batch, now: datetime) -> datetime:
    """The award time a run is planned by: its award, else the later of its listing's close
    and the office's opening on the batch's first award day, never before now."""
    if run.awarded_at is not None:
        return run.awarded_at
    opening = parse_office_hours(settings.MASHANG_OFFICE_HOURS)[0][0]
    first_day = datetime.combine(batch.award_from, opening, tzinfo=_zone())
    times = [first_day, now]
    if run.listing_closes_at is not None:
        times.append(run.listing_closes_at)
    return max(times)


def clock_text(value: datetime, now: datetime) -> str:
    """A time as the leader reads it: 11:40 today, with the date on another day."""
    local, today = timezone.localtime(value, _zone()), timezone.localtime(now, _zone())
    fmt = "H:i" if local.date() == today.date() else "Y-m-d H:i"
    return formats.date_format(local, fmt)


def batch_visible(actor: User, batch: Batch) -> bool:
    """The batch plan: the zone-wide roles, and unit people whose unit works in or records the
    award of one of its runs."""
    if not actor.is_active:
        return False
    if actor.role in ZONE_WIDE_ROLES:
        return True
    if not actor.is_unit_member:
        return False
    return Run.objects.filter(visibility_filter(actor), batch=batch).exists()


def capacities_saved(unit_ids) -> dict[int, UnitCapacity]:
    return {c.unit_id: c for c in UnitCapacity.objects.filter(unit_id__in=list(unit_ids))}


def batch_plan(
    *,
    actor: User,
    batch_id: int,
    what_if: Mapping[str, int] | None = None,
    now: datetime | None = None,
) -> BatchPlanView:
    """The plan of a batch the actor may see (404 otherwise), by the saved capacities, or with
    ``what_if`` (unit code -> steps at once) in their place — nothing is saved. Every run of
    the batch counts (they share the units); a run the actor may not see is "another project".
    Five queries whatever the size of the batch."""
    now = now or timezone.now()
    batch = Batch.objects.filter(pk=batch_id).first()
    if batch is None or not batch_visible(actor, batch):
        raise NotFound(MSG_NO_BATCH)
    runs = list(
        Run.objects.filter(
            batch=batch, state__in=[*OPEN_RUN_STATES, RunState.COMPLETED]
        ).select_related("project")
    )
    visible = set(
        Run.objects.filter(visibility_filter(actor), batch=batch).values_list("pk", flat=True)
    )
    award = {r.pk: planned_award(r, batch, now) for r in runs}
    runs.sort(key=lambda r: (award[r.pk], r.pk))
    steps: dict[int, list[RunStep]] = {r.pk: [] for r in runs}
    units: dict[str, Unit] = {}
    for s in RunStep.objects.filter(run__in=runs).select_related("unit").order_by("position", "id"):
        steps[s.run_id].append(s)
        units.setdefault(s.unit.code, s.unit)
    saved = capacities_saved(u.pk for u in units.values())
    saved_by_code = {code: saved[u.pk].steps_at_once for code, u in units.items() if u.pk in saved}
    asked = {
        code: int(n)
        for code, n in (what_if or {}).items()
        if code in units and saved_by_code.get(code, 1) != n
    }
    capacities = {**saved_by_code, **asked}

    plan_runs = [
        planning.PlanRun(key=r.pk, award_at=award[r.pk], steps=tuple(step_times(steps[r.pk])))
        for r in runs
    ]
    result = planning.schedule(plan_runs, capacities, now)
    baseline = planning.schedule(plan_runs, saved_by_code, now) if asked else None

    names = {(r.pk, s.code): s for r in runs for s in steps[r.pk]}
    by_id = {r.pk: r for r in runs}
    label = {
        r.pk: f"{r.project.number} {r.project.name}"
        if r.pk in visible
        else str(MSG_ANOTHER_PROJECT)
        for r in runs
    }
    run_rows: list[PlanRunRow] = []
    for rp in result.runs:
        run = by_id[rp.key]
        before = baseline.run(rp.key).finish if baseline else None
        run_rows.append(
            PlanRunRow(
                run_id=run.pk,
                visible=run.pk in visible,
                label=label[run.pk],
                state=run.state,
                awarded=run.awarded_at is not None,
                award_at=rp.award_at,
                finish=rp.finish,
                minutes=round(rp.minutes, 2),
                done=rp.done,
                baseline_finish=before,
                shift_minutes=round((rp.finish - before).total_seconds() / 60, 2)
                if before
                else 0.0,
                decided_by=tuple(
                    f"{names[key].unit.name}: {names[key].name}"
                    + ("" if key[0] == run.pk else f" ({label[key[0]]})")
                    for key in rp.decided_by
                ),
            )
        )

    lanes = planning.lanes(result.steps)
    unit_rows: list[PlanUnitRow] = []
    for load in result.units:
        unit = units[load.unit]
        bars = tuple(
            PlanBar(
                run_id=s.run,
                project_number=by_id[s.run].project.number if s.run in visible else "",
                step_code=s.code,
                step_name=names[(s.run, s.code)].name,
                kind=s.kind,
                state=s.state,
                ready_at=s.ready_at,
                start=s.start,
                finish=s.finish,
                minutes=round(s.minutes, 2),
                waited_minutes=round(s.waited_minutes, 2),
                lane=lanes[(s.run, s.code)],
            )
            for s in result.steps
            if s.unit == load.unit
        )
        capacity = saved.get(unit.pk)
        unit_rows.append(
            PlanUnitRow(
                code=unit.code,
                name=unit.name,
                capacity=load.capacity,
                saved_capacity=capacity.steps_at_once if capacity else 1,
                people_on_duty=capacity.people_on_duty if capacity else None,
                what_if=load.unit in asked,
                open_steps=load.open_steps,
                waited_minutes=round(load.waited_minutes, 2),
                deciding_minutes=round(load.deciding_minutes, 2),
                finish=load.finish,
                lanes=max((b.lane for b in bars), default=0) + 1,
                bars=bars,
            )
        )
    unit_of = {u.code: u for u in unit_rows}
    run_of = {r.run_id: r for r in run_rows}
    bottleneck = unit_of.get(result.bottleneck) if result.bottleneck else None
    deciding = unit_of.get(result.deciding_unit) if result.deciding_unit else None
    last = run_of.get(result.last_run) if result.last_run is not None else None
    return BatchPlanView(
        batch=batch,
        now=now,
        plan=result,
        runs=tuple(run_rows),
        units=tuple(unit_rows),
        bottleneck=bottleneck,
        deciding_unit=deciding,
        last_run=last,
        what_if=asked,
        headline=_headline(run_rows, bottleneck, last, now),
    )


def _headline(
    runs: list[PlanRunRow], bottleneck: PlanUnitRow | None, last: PlanRunRow | None, now
) -> str:
    """The sentence the leader reads before the day."""
    if last is None:
        return str(MSG_NO_RUNS)
    time = clock_text(last.finish, now)
    if all(r.done for r in runs):
        return str(MSG_ALL_DONE).format(time=time)
    if bottleneck is not None:
        return str(MSG_HEADLINE).format(
            unit=bottleneck.name,
            n=bottleneck.capacity,
            count=len(runs),
            project=last.label,
            time=time,
        )
    return str(MSG_HEADLINE_NO_QUEUE).format(count=len(runs), project=last.label, time=time)


# --- the units' capacities -----------------------------------------------------------------------


@dataclass(frozen=True)
class CapacityRow:
    unit: Unit
    people_on_duty: int | None  # None: never set (the plan counts 1 step at once)
    steps_at_once: int
    updated_at: datetime | None
    updated_by: str
    can_edit: bool


def capacity_list(*, actor: User) -> list[CapacityRow]:
    """The units that have land-start steps (in a bundle template or an open run) with their
    capacity, for the zone-wide roles and unit people (404 for anyone else)."""
    if not (actor.is_active and (actor.role in ZONE_WIDE_ROLES or actor.is_unit_member)):
        raise NotFound(MSG_NO_PAGE)
    units = list(
        Unit.objects.filter(
            Q(pk__in=TemplateStep.objects.values("unit_id"))
            | Q(pk__in=RunStep.objects.filter(run__state__in=OPEN_RUN_STATES).values("unit_id"))
        )
        .filter(is_active=True)
        .order_by("code")
    )
    saved = {
        c.unit_id: c
        for c in UnitCapacity.objects.filter(unit__in=units).select_related("updated_by")
    }
    rows = []
    for unit in units:
        c = saved.get(unit.pk)
        rows.append(
            CapacityRow(
                unit=unit,
                people_on_duty=c.people_on_duty if c else None,
                steps_at_once=c.steps_at_once if c else 1,
                updated_at=c.updated_at if c else None,
                updated_by=str(c.updated_by) if c and c.updated_by else "",
                can_edit=can_set_capacity(actor, unit),
            )
        )
    return rows
