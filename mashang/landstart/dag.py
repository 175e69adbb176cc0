"""Pure functions on a bundle's DAG: validation, the plan (earliest finish and critical path),
a run's projected or real critical path, where a run's time went, and the board's layout.

No database here: steps are anything with ``code``, ``unit`` (a unit code), ``prerequisites``
(codes) and ``expected_minutes`` — a :class:`~mashang.landstart.specs.StepSpec`, or a
:class:`StepTimes` for a run's step with its state and times. Minutes are wall-clock minutes
(floats for actual times); ties are broken by the steps' order in the list given.
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from django.utils.translation import gettext_lazy as _

#: A step's states (the model's StepState uses these values).
WAITING, ACTIVE, DONE, RETURNED = "waiting", "active", "done", "returned"

CODE_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,40}")

MSG_EMPTY_TEMPLATE = _("A bundle needs at least one step.")
MSG_NO_CODE = _("Step {position} has no code.")
MSG_BAD_CODE = _("The step code “{code}” may only contain letters, digits, “_” and “-” (at most 40).")
MSG_DUPLICATE_CODE = _("Two or more steps have the code “{code}”.")
MSG_NO_NAME = _("Step “{step}” has no name.")
MSG_NO_UNIT = _("Step “{step}” names no unit.")
MSG_UNKNOWN_UNIT = _("Step “{step}”: there is no active unit with the code “{unit}”.")
MSG_NEGATIVE_MINUTES = _("Step “{step}”: the expected minutes cannot be negative.")
MSG_DANGLING = _("Step “{step}” has the prerequisite “{missing}”, which is not a step of this bundle.")
MSG_CYCLE = _("Circular prerequisites: {cycle}.")
MSG_MANY_FINALS = _(
    "The bundle must end at one step (the construction permit), but these steps have no step "
    "after them: {steps}."
)

ARROW = " → "


class StepLike(Protocol):
    code: str
    unit: str
    prerequisites: Sequence[str]
    expected_minutes: int | float


@dataclass(frozen=True)
class StepTimes:
    """A run's step as the pure functions see it."""

    code: str
    unit: str
    prerequisites: tuple[str, ...]
    expected_minutes: int | float
    state: str = WAITING
    started_at: datetime | None = None
    completed_at: datetime | None = None


# --- validation --------------------------------------------------------------------------


def _cycles(order: list[str], prerequisites: dict[str, list[str]]) -> list[list[str]]:
    """Each cycle found (once per set of steps), in flow order and starting at its first-listed
    step, closed: ["a", "b", "a"] means a before b before a."""
    position = {code: i for i, code in enumerate(order)}
    white, grey, black = 0, 1, 2
    colour = dict.fromkeys(order, white)
    found: list[list[str]] = []
    seen: set[frozenset[str]] = set()
    for root in order:
        if colour[root] != white:
            continue
        colour[root] = grey
        path = [root]
        stack = [iter(prerequisites[root])]
        while stack:
            nxt = next(stack[-1], None)
            if nxt is None:
                colour[path.pop()] = black
                stack.pop()
                continue
            if colour[nxt] == white:
                colour[nxt] = grey
                path.append(nxt)
                stack.append(iter(prerequisites[nxt]))
            elif colour[nxt] == grey:
                # path[i] = nxt needs path[i+1] … needs path[-1], which needs nxt.
                ring = path[path.index(nxt) :]
                key = frozenset(ring)
                if key in seen:
                    continue
                seen.add(key)
                flow = list(reversed(ring))  # prerequisite first
                first = min(range(len(flow)), key=lambda i: position[flow[i]])
                flow = flow[first:] + flow[:first]
                found.append([*flow, flow[0]])
    return found


def validate(steps: Sequence[StepLike], known_units: Collection[str]) -> list[str]:
    """Every reason the steps do not form a bundle (empty when they do), as messages naming
    the steps at fault."""
    if not steps:
        return [str(MSG_EMPTY_TEMPLATE)]
    errors: list[str] = []
    counts: dict[str, int] = {}
    for i, step in enumerate(steps, 1):
        code = (step.code or "").strip()
        if not code:
            errors.append(str(MSG_NO_CODE).format(position=i))
            continue
        if not CODE_PATTERN.fullmatch(code):
            errors.append(str(MSG_BAD_CODE).format(code=code))
        counts[code] = counts.get(code, 0) + 1
        if counts[code] == 2:
            errors.append(str(MSG_DUPLICATE_CODE).format(code=code))
    codes = list(counts)
    known = set(known_units)
    prerequisites: dict[str, list[str]] = {code: [] for code in codes}
    has_dependent: set[str] = set()
    for i, step in enumerate(steps, 1):
        code = (step.code or "").strip()
        label = code or f"#{i}"
        if not (getattr(step, "name", "x") or "").strip():
            errors.append(str(MSG_NO_NAME).format(step=label))
        unit = (step.unit or "").strip()
        if not unit:
            errors.append(str(MSG_NO_UNIT).format(step=label))
        elif unit not in known:
            errors.append(str(MSG_UNKNOWN_UNIT).format(step=label, unit=unit))
        if step.expected_minutes is None or step.expected_minutes < 0:
            errors.append(str(MSG_NEGATIVE_MINUTES).format(step=label))
        for needed in dict.fromkeys(p.strip() for p in step.prerequisites):
            if needed not in prerequisites:
                errors.append(str(MSG_DANGLING).format(step=label, missing=needed))
            elif code:
                has_dependent.add(needed)
                if needed not in prerequisites[code]:
                    prerequisites[code].append(needed)
    for ring in _cycles(codes, prerequisites):
        errors.append(str(MSG_CYCLE).format(cycle=ARROW.join(ring)))
    finals = [code for code in codes if code not in has_dependent]
    if len(finals) > 1:
        errors.append(str(MSG_MANY_FINALS).format(steps="、".join(finals)))
    return errors


# --- the schedule: earliest start and finish, critical path --------------------------------


@dataclass(frozen=True)
class Schedule:
    """Minutes from the start (the award) for each step, and the path that decides the total."""

    durations: dict[str, float]
    earliest_start: dict[str, float]
    earliest_finish: dict[str, float]
    slack: dict[str, float]
    total_minutes: float
    critical_path: tuple[str, ...]


def _graph(steps: Sequence[StepLike]) -> tuple[list[str], dict[str, list[str]], dict[str, list[str]]]:
    order = [s.code for s in steps]
    prerequisites = {s.code: list(dict.fromkeys(s.prerequisites)) for s in steps}
    dependents: dict[str, list[str]] = {code: [] for code in order}
    for code in order:
        for needed in prerequisites[code]:
            if needed not in dependents:
                raise ValueError(f"{code} needs {needed}, which is not a step")
            dependents[needed].append(code)
    return order, prerequisites, dependents


def topological_order(steps: Sequence[StepLike]) -> list[str]:
    """Codes with every prerequisite before its dependents; among the ready, the first listed."""
    order, prerequisites, dependents = _graph(steps)
    position = {code: i for i, code in enumerate(order)}
    missing = {code: len(prerequisites[code]) for code in order}
    ready = [(position[c], c) for c in order if missing[c] == 0]
    heapq.heapify(ready)
    result: list[str] = []
    while ready:
        _, code = heapq.heappop(ready)
        result.append(code)
        for dependent in dependents[code]:
            missing[dependent] -= 1
            if missing[dependent] == 0:
                heapq.heappush(ready, (position[dependent], dependent))
    if len(result) != len(order):
        raise ValueError("the steps have circular prerequisites")
    return result


def _schedule(steps: Sequence[StepLike], durations: dict[str, float]) -> Schedule:
    order, prerequisites, dependents = _graph(steps)
    position = {code: i for i, code in enumerate(order)}
    topo = topological_order(steps)
    start: dict[str, float] = {}
    finish: dict[str, float] = {}
    for code in topo:
        start[code] = max((finish[p] for p in prerequisites[code]), default=0)
        finish[code] = start[code] + durations[code]
    if not topo:
        return Schedule({}, {}, {}, {}, 0, ())
    finals = [c for c in order if not dependents[c]]
    final = max(finals, key=lambda c: (finish[c], -position[c]))
    total = finish[final]
    latest: dict[str, float] = {}
    for code in reversed(topo):
        latest[code] = min((latest[d] - durations[d] for d in dependents[code]), default=total)
    path = [final]
    while prerequisites[path[-1]]:
        here = path[-1]
        path.append(min(prerequisites[here], key=lambda p: (-finish[p], position[p])))
    return Schedule(
        durations=dict(durations),
        earliest_start=start,
        earliest_finish=finish,
        slack={c: latest[c] - finish[c] for c in order},
        total_minutes=total,
        critical_path=tuple(reversed(path)),
    )


def plan(steps: Sequence[StepLike]) -> Schedule:
    """A template's plan from its expected minutes: earliest start and finish of each step, the
    expected total and the critical path (from the first step to the final one). The steps must
    be valid (see :func:`validate`)."""
    return _schedule(steps, {s.code: float(s.expected_minutes) for s in steps})


def _minutes(later: datetime, earlier: datetime) -> float:
    return max((later - earlier).total_seconds(), 0.0) / 60


def run_durations(steps: Sequence[StepTimes], awarded_at: datetime | None, now: datetime) -> dict[str, float]:
    """Each step's duration as the run stands: actual for done steps, the larger of expected
    and elapsed for steps in hand (active or returned), expected for those still waiting."""
    durations: dict[str, float] = {}
    for s in steps:
        expected = float(s.expected_minutes)
        if awarded_at is None or s.started_at is None:
            durations[s.code] = expected
        elif s.state == DONE and s.completed_at is not None:
            durations[s.code] = _minutes(s.completed_at, s.started_at)
        elif s.state in (ACTIVE, RETURNED):
            durations[s.code] = max(expected, _minutes(now, s.started_at))
        else:
            durations[s.code] = expected
    return durations


def run_path(steps: Sequence[StepTimes], awarded_at: datetime | None, now: datetime) -> Schedule:
    """A run's critical path: its projected one while it is in progress, its real one when
    it is finished (pass the completion time as ``now``). Before the award it is the plan."""
    return _schedule(steps, run_durations(steps, awarded_at, now))


# --- where the time went --------------------------------------------------------------------


@dataclass(frozen=True)
class StepSplit:
    code: str
    unit: str
    waiting_minutes: float  # from the award until its last prerequisite was done
    working_minutes: float  # from then until it was done (or until now)


@dataclass(frozen=True)
class UnitShare:
    unit: str
    minutes: float  # working minutes of its steps on the critical path
    share: float  # of the elapsed minutes, 0…1


@dataclass(frozen=True)
class TimeSplit:
    elapsed_minutes: float
    steps: dict[str, StepSplit]
    units: tuple[UnitShare, ...]  # largest share first
    critical_path: tuple[str, ...]


def where_time_went(steps: Sequence[StepTimes], awarded_at: datetime | None, now: datetime) -> TimeSplit:
    """Per step, minutes waiting on prerequisites after the award and minutes working; per
    unit, its share of the elapsed minutes along the run's critical path. ``now`` is the
    completion time for a finished run."""
    path = run_path(steps, awarded_at, now).critical_path
    if awarded_at is None:
        split = {s.code: StepSplit(s.code, s.unit, 0.0, 0.0) for s in steps}
        return TimeSplit(0.0, split, (), path)
    elapsed = _minutes(now, awarded_at)
    split: dict[str, StepSplit] = {}
    for s in steps:
        if s.started_at is None:
            split[s.code] = StepSplit(s.code, s.unit, _minutes(now, awarded_at), 0.0)
            continue
        end = s.completed_at if s.state == DONE and s.completed_at is not None else now
        split[s.code] = StepSplit(s.code, s.unit, _minutes(s.started_at, awarded_at), _minutes(end, s.started_at))
    per_unit: dict[str, float] = {}
    for code in path:
        per_unit[split[code].unit] = per_unit.get(split[code].unit, 0.0) + split[code].working_minutes
    first_seen = {unit: i for i, unit in reversed(list(enumerate(split[c].unit for c in path)))}
    units = tuple(
        UnitShare(unit, minutes, minutes / elapsed if elapsed else 0.0)
        for unit, minutes in sorted(per_unit.items(), key=lambda kv: (-kv[1], first_seen[kv[0]]))
    )
    return TimeSplit(elapsed, split, units, path)


# --- layout -----------------------------------------------------------------------------------


def layout(steps: Sequence[StepLike]) -> dict[str, tuple[int, int]]:
    """(column, row) of each step for drawing the graph: the column is the step's depth (the
    most steps on a path before it), the row its place among its column, in list order."""
    _, prerequisites, _ = _graph(steps)
    depth: dict[str, int] = {}
    for code in topological_order(steps):
        depth[code] = max((depth[p] + 1 for p in prerequisites[code]), default=0)
    rows: dict[int, int] = {}
    placed: dict[str, tuple[int, int]] = {}
    for s in steps:
        column = depth[s.code]
        placed[s.code] = (column, rows.get(column, 0))
        rows[column] = rows.get(column, 0) + 1
    return placed
