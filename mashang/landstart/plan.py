"""The plan of a land-supply batch's day (pure, no database): when each step of each run is
expected to start and finish given the units' capacities, each run's expected finish, and the
bottleneck unit.

**Input.** The batch's runs, each with the time its land was (or is planned to be) awarded
and its steps as :class:`~mashang.landstart.dag.StepTimes` (code, unit code, prerequisites,
expected minutes, state and actual times); each unit's capacity — how many steps it works at
once (1 for a unit that has none); and "now". Times are aware datetimes on the wall clock, as
the land-start clock runs (see selectors/board.py); durations are the expected minutes.

**The steps as they stand.**

- A *done* step keeps its actual times (started → completed).
- An *active* step is in hand since it started: it finishes at started_at + expected minutes,
  or now if that is already past. When a unit has more active steps than it works at once,
  only the ones it took up first (earliest started, then by the priority below) are worked;
  the others queue from now like waiting steps.
- A *returned* step (sent back) is done again: it is ready now and takes its expected minutes.
- A *waiting* step is ready when every prerequisite has finished and the land is awarded (and
  not before now); it starts at the first moment after that when its unit has a free slot.

**List scheduling.** Time moves from now to the next moment something finishes or becomes
ready; at each moment every unit with a free slot starts its ready steps in priority order
until its slots are full. A step once started is not interrupted. Priority: the run awarded
earliest first, then the step with the longest remaining path (its own expected minutes plus
the longest chain of expected minutes after it in its run), then the run's place in the list,
then the step's place in its run. So no unit ever works more steps at once than its capacity,
and no ready step waits while its unit has a free slot.

**The bottleneck.** The unit whose steps wait longest in all for a free slot (the planned
minutes between being ready and starting, summed over its steps): that is the unit whose
capacity holds the day up. Ties go to the unit with more *deciding minutes*, then to the one
met first. A unit's deciding minutes are the minutes still to run of its steps on the chains
that decide the runs' finishes: from each run's last step back through whatever made each step
start when it does — the prerequisite that finished last, or, when the step waited for a slot,
the unit's step that freed it (possibly another run's). When no step waits at all there is no
bottleneck; the *deciding unit* (most deciding minutes) is then what sets the finishes.

Capacities can show list scheduling's anomalies (Graham): raising one may, in rare shapes,
move some run later. Two things hold always: no run finishes earlier than it would with
unlimited capacities, and with enough capacity every run finishes on its own critical path.
"""

from __future__ import annotations

import heapq
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from mashang.landstart import dag
from mashang.landstart.dag import ACTIVE, DONE, StepTimes

#: How a step's times were reached.
KIND_DONE, KIND_WORKING, KIND_PLANNED = "done", "working", "planned"


@dataclass(frozen=True)
class PlanRun:
    """A run as the plan sees it: ``award_at`` is the actual award, or the planned one for a
    run whose land is not awarded yet."""

    key: Hashable
    award_at: datetime
    steps: tuple[StepTimes, ...]


@dataclass(frozen=True)
class PlannedStep:
    run: Hashable
    code: str
    unit: str
    state: str
    kind: str  # done (actual times) / working (in hand) / planned
    ready_at: datetime  # prerequisites finished and the land awarded (and not before now)
    start: datetime
    finish: datetime

    @property
    def waited_minutes(self) -> float:
        """Minutes ready but waiting for a free slot of its unit."""
        return max((self.start - self.ready_at).total_seconds(), 0.0) / 60

    @property
    def minutes(self) -> float:
        return max((self.finish - self.start).total_seconds(), 0.0) / 60


@dataclass(frozen=True)
class RunPlan:
    key: Hashable
    award_at: datetime
    finish: datetime  # when its last step is expected to finish (or finished)
    minutes: float  # from the award to that finish
    done: bool  # every step is done: the finish is a fact
    #: The chain that decides the finish, last step first: (run key, step code).
    decided_by: tuple[tuple[Hashable, str], ...]


@dataclass(frozen=True)
class UnitLoad:
    unit: str
    capacity: int
    open_steps: int  # steps not done yet
    waited_minutes: float  # planned minutes its steps wait for a free slot, in all
    deciding_minutes: float  # minutes still to run of its steps on the deciding chains
    finish: datetime | None  # when its last step finishes


@dataclass(frozen=True)
class BatchPlan:
    now: datetime
    steps: tuple[PlannedStep, ...]  # by start, then finish, then run and step order
    runs: tuple[RunPlan, ...]  # in the order given
    units: tuple[UnitLoad, ...]  # in the order first met
    bottleneck: str | None  # the unit whose steps wait longest for a slot (None: none waits)
    deciding_unit: str | None  # the unit with the most deciding minutes
    finish: datetime | None  # the last run's finish
    last_run: Hashable | None

    def step(self, run: Hashable, code: str) -> PlannedStep:
        for s in self.steps:
            if s.run == run and s.code == code:
                return s
        raise KeyError((run, code))

    def run(self, key: Hashable) -> RunPlan:
        for r in self.runs:
            if r.key == key:
                return r
        raise KeyError(key)


def capacity_of(capacities: Mapping[str, int], unit: str) -> int:
    """A unit's steps at once: its capacity, 1 when it has none (and never less than 1)."""
    return max(int(capacities.get(unit, 1) or 1), 1)


def _minutes(delta: timedelta) -> float:
    return delta.total_seconds() / 60


def _tails(steps: Sequence[StepTimes]) -> dict[str, float]:
    """Each step's remaining path: its expected minutes plus the longest chain after it."""
    dependents: dict[str, list[str]] = {s.code: [] for s in steps}
    for s in steps:
        for p in dict.fromkeys(s.prerequisites):
            dependents[p].append(s.code)
    minutes = {s.code: float(s.expected_minutes) for s in steps}
    tail: dict[str, float] = {}
    for code in reversed(dag.topological_order(steps)):
        tail[code] = minutes[code] + max((tail[d] for d in dependents[code]), default=0.0)
    return tail


Key = tuple[int, str]  # (run index, step code)


def schedule(runs: Sequence[PlanRun], capacities: Mapping[str, int], now: datetime) -> BatchPlan:
    """The batch's plan by list scheduling (see the module's docstring for the rules)."""
    info: dict[Key, StepTimes] = {}
    priority: dict[Key, tuple] = {}
    units_seen: dict[str, None] = {}
    for ri, run in enumerate(runs):
        tails = _tails(run.steps)
        for position, s in enumerate(run.steps):
            key = (ri, s.code)
            info[key] = s
            priority[key] = (run.award_at, -tails[s.code], ri, position)
            units_seen.setdefault(s.unit, None)

    start: dict[Key, datetime] = {}
    finish: dict[Key, datetime] = {}
    ready: dict[Key, datetime] = {}
    kind: dict[Key, str] = {}
    pending: set[Key] = set()
    in_hand: dict[str, list[Key]] = {}
    for key, s in info.items():
        awarded = runs[key[0]].award_at <= now
        if s.state == DONE and s.completed_at is not None:
            began = min(s.started_at or s.completed_at, s.completed_at)
            start[key], ready[key], finish[key], kind[key] = began, began, s.completed_at, KIND_DONE
        elif s.state == ACTIVE and s.started_at is not None and awarded:
            in_hand.setdefault(s.unit, []).append(key)
        else:
            pending.add(key)
    busy: dict[str, list[datetime]] = {unit: [] for unit in units_seen}
    for unit, keys in in_hand.items():
        keys.sort(key=lambda k: (info[k].started_at, priority[k]))
        worked = keys[: capacity_of(capacities, unit)]
        for key in worked:
            s = info[key]
            start[key] = ready[key] = s.started_at
            finish[key] = max(s.started_at + timedelta(minutes=s.expected_minutes), now)
            kind[key] = KIND_WORKING
            heapq.heappush(busy[unit], finish[key])
        pending.update(keys[len(worked) :])

    def ready_at(key: Key) -> datetime | None:
        s = info[key]
        times = [now, runs[key[0]].award_at]
        for p in s.prerequisites:
            done = finish.get((key[0], p))
            if done is None:
                return None
            times.append(done)
        return max(times)

    t = now
    while pending:
        progressed = True
        while progressed:
            progressed = False
            candidates: dict[str, list[Key]] = {}
            for key in pending:
                when = ready_at(key)
                if when is not None and when <= t:
                    candidates.setdefault(info[key].unit, []).append(key)
            for unit in units_seen:
                if unit not in candidates:
                    continue
                slots = busy[unit]
                while slots and slots[0] <= t:
                    heapq.heappop(slots)
                room = capacity_of(capacities, unit) - len(slots)
                for key in sorted(candidates[unit], key=priority.__getitem__)[: max(room, 0)]:
                    ready[key] = ready_at(key)  # type: ignore[assignment]
                    start[key] = t
                    finish[key] = t + timedelta(minutes=info[key].expected_minutes)
                    kind[key] = KIND_PLANNED
                    heapq.heappush(slots, finish[key])
                    pending.discard(key)
                    progressed = True
        if not pending:
            break
        later = [f for slots in busy.values() for f in slots if f > t]
        later += [w for w in map(ready_at, pending) if w is not None and w > t]
        if not later:
            raise ValueError(
                "some steps can never start: their prerequisites are missing or circular"
            )
        t = min(later)

    return _summarise(runs, capacities, now, info, priority, units_seen, start, finish, ready, kind)


def _summarise(
    runs, capacities, now, info, priority, units_seen, start, finish, ready, kind
) -> BatchPlan:
    steps = tuple(
        PlannedStep(
            run=runs[key[0]].key,
            code=key[1],
            unit=info[key].unit,
            state=info[key].state,
            kind=kind[key],
            ready_at=ready[key],
            start=start[key],
            finish=finish[key],
        )
        for key in sorted(info, key=lambda k: (start[k], finish[k], k[0], priority[k][3]))
    )
    by_unit: dict[str, list[Key]] = {u: [] for u in units_seen}
    for key in info:
        by_unit[info[key].unit].append(key)

    def blocker(key: Key) -> Key | None:
        """The unit's step whose finish freed the slot ``key`` waited for."""
        freed = [
            k
            for k in by_unit[info[key].unit]
            if k != key and finish[k] == start[key] and start[k] < finish[k]
        ]
        return min(freed, key=priority.__getitem__, default=None)

    run_plans: list[RunPlan] = []
    deciding: dict[str, float] = dict.fromkeys(units_seen, 0.0)
    for ri, run in enumerate(runs):
        keys = [(ri, s.code) for s in run.steps]
        if not keys:
            continue
        last = max(keys, key=lambda k: (finish[k], priority[k][3]))
        chain: list[Key] = []
        seen: set[Key] = set()
        here: Key | None = last
        while here is not None and here not in seen:
            seen.add(here)
            chain.append(here)
            if kind[here] == KIND_DONE:
                break
            before = [
                (here[0], p)
                for p in info[here].prerequisites
                if finish[(here[0], p)] == start[here]
            ]
            if before:
                here = min(before, key=priority.__getitem__)
            elif start[here] > ready[here]:
                here = blocker(here)
            else:
                here = None
        for key in chain:
            deciding[info[key].unit] += _minutes(
                max(finish[key] - max(start[key], now), timedelta(0))
            )
        run_plans.append(
            RunPlan(
                key=run.key,
                award_at=run.award_at,
                finish=finish[last],
                minutes=max(_minutes(finish[last] - run.award_at), 0.0),
                done=all(kind[k] == KIND_DONE for k in keys),
                decided_by=tuple((runs[k[0]].key, k[1]) for k in chain),
            )
        )

    order = {unit: i for i, unit in enumerate(units_seen)}
    loads = []
    for unit in units_seen:
        keys = by_unit[unit]
        loads.append(
            UnitLoad(
                unit=unit,
                capacity=capacity_of(capacities, unit),
                open_steps=sum(1 for k in keys if kind[k] != KIND_DONE),
                waited_minutes=sum(
                    _minutes(start[k] - ready[k]) for k in keys if kind[k] == KIND_PLANNED
                ),
                deciding_minutes=deciding[unit],
                finish=max((finish[k] for k in keys), default=None),
            )
        )
    waiting = [u for u in loads if u.waited_minutes > 0]
    bottleneck = min(
        waiting, key=lambda u: (-u.waited_minutes, -u.deciding_minutes, order[u.unit]), default=None
    )
    deciders = [u for u in loads if u.deciding_minutes > 0]
    decider = min(
        deciders,
        key=lambda u: (-u.deciding_minutes, -u.waited_minutes, order[u.unit]),
        default=None,
    )
    last_run = max(run_plans, key=lambda r: r.finish, default=None)
    return BatchPlan(
        now=now,
        steps=steps,
        runs=tuple(run_plans),
        units=tuple(loads),
        bottleneck=bottleneck.unit if bottleneck else None,
        deciding_unit=decider.unit if decider else None,
        finish=last_run.finish if last_run else None,
        last_run=last_run.key if last_run else None,
    )


# --- drawing: lanes of a unit's row ----------------------------------------------------------


def lanes(steps: Sequence[PlannedStep]) -> dict[tuple[Hashable, str], int]:
    """A lane (0, 1, …) for each step within its unit's row of the chart, so that steps at the
    same time lie in different lanes: at most the unit's capacity from now on."""
    placed: dict[tuple[Hashable, str], int] = {}
    ends: dict[str, list[datetime]] = {}
    for s in sorted(steps, key=lambda s: (s.start, s.finish)):
        row = ends.setdefault(s.unit, [])
        for i, end in enumerate(row):
            if end <= s.start:
                row[i] = max(s.finish, s.start)
                placed[(s.run, s.code)] = i
                break
        else:
            row.append(s.finish)
            placed[(s.run, s.code)] = len(row) - 1
    return placed
