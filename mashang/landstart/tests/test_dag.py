"""The pure DAG functions: validation messages, the plan, a run's path, where the time went."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from mashang.landstart import dag
from mashang.landstart.dag import StepTimes
from mashang.landstart.default_bundle import DEFAULT_STEPS, DEFAULT_UNITS
from mashang.landstart.specs import StepSpec

TZ = ZoneInfo("Asia/Shanghai")
AWARD = datetime(2026, 6, 10, 9, 30, tzinfo=TZ)
UNITS = {"jyzx", "zrzy", "cz", "sw", "zjj"}


def s(code, *prereq, unit="zrzy", minutes=1, name=None):
    return StepSpec(code=code, name=name or code, unit=unit, prerequisites=prereq, expected_minutes=minutes)


def at(minutes: float) -> datetime:
    return AWARD + timedelta(minutes=minutes)


# --- validate -----------------------------------------------------------------------------------


def test_the_default_bundle_is_valid_and_needs_its_five_units():
    assert dag.validate(DEFAULT_STEPS, UNITS) == []
    assert set(DEFAULT_UNITS) == UNITS


def test_a_cycle_is_named_step_by_step_in_flow_order():
    steps = [s("a"), s("b", "a", "d"), s("c", "b"), s("d", "c"), s("e", "d")]
    assert dag.validate(steps, UNITS) == [str(dag.MSG_CYCLE).format(cycle="b → c → d → b")]
    assert "b → c → d → b" in dag.validate(steps, UNITS)[0]


def test_a_step_that_needs_itself_is_a_cycle():
    assert dag.validate([s("a", "a")], UNITS) == [str(dag.MSG_CYCLE).format(cycle="a → a")]


def test_a_two_step_cycle_reads_a_b_a():
    errors = dag.validate([s("a", "b"), s("b", "a"), s("c", "a", "b")], UNITS)
    assert errors == [str(dag.MSG_CYCLE).format(cycle="a → b → a")]


def test_a_dangling_prerequisite_names_the_step_and_the_missing_code():
    errors = dag.validate([s("a"), s("b", "a", "permit")], UNITS)
    assert errors == [str(dag.MSG_DANGLING).format(step="b", missing="permit")]


def test_an_unknown_unit_is_named():
    errors = dag.validate([s("a"), s("b", "a", unit="nowhere")], UNITS)
    assert errors == [str(dag.MSG_UNKNOWN_UNIT).format(step="b", unit="nowhere")]


def test_duplicate_and_empty_codes_negative_minutes_and_a_missing_unit():
    errors = dag.validate(
        [s("a"), s("a"), StepSpec(code="", name="x", unit="zrzy"), s("b", "a", minutes=-1), s("c", "b", unit="")],
        UNITS,
    )
    assert str(dag.MSG_DUPLICATE_CODE).format(code="a") in errors
    assert str(dag.MSG_NO_CODE).format(position=3) in errors
    assert str(dag.MSG_NEGATIVE_MINUTES).format(step="b") in errors
    assert str(dag.MSG_NO_UNIT).format(step="c") in errors


def test_a_code_with_spaces_or_slashes_is_refused():
    assert dag.validate([s("a b")], UNITS) == [str(dag.MSG_BAD_CODE).format(code="a b")]


def test_an_empty_template_is_refused():
    assert dag.validate([], UNITS) == [str(dag.MSG_EMPTY_TEMPLATE)]


def test_a_bundle_ends_at_one_step():
    errors = dag.validate([s("a"), s("b", "a"), s("c", "a")], UNITS)
    assert errors == [str(dag.MSG_MANY_FINALS).format(steps="b、c")]


# --- plan -----------------------------------------------------------------------------------------


def test_the_default_plan_is_forty_minutes_through_the_money_branch():
    plan = dag.plan(DEFAULT_STEPS)
    assert plan.total_minutes == 40
    assert plan.critical_path == (
        "confirmation", "land_contract", "land_payment", "deed_tax", "title", "construction_permit",
    )
    assert plan.earliest_finish["works_permit"] == 8
    assert plan.slack["works_permit"] == 2 and plan.slack["title"] == 0
    assert plan.earliest_start["construction_permit"] == 10


def test_ties_go_to_the_first_listed_prerequisite():
    steps = [s("a"), s("x", "a"), s("y", "a"), s("z", "y", "x")]
    assert dag.plan(steps).critical_path == ("a", "x", "z")
    steps = [s("a"), s("y", "a"), s("x", "a"), s("z", "x", "y")]
    assert dag.plan(steps).critical_path == ("a", "y", "z")


def test_layout_puts_each_step_one_column_after_its_deepest_prerequisite():
    placed = dag.layout(DEFAULT_STEPS)
    assert placed["confirmation"] == (0, 0)
    assert placed["land_contract"] == (1, 0)
    assert placed["land_payment"] == (2, 0) and placed["land_use_permit"] == (2, 1)
    assert placed["construction_permit"] == (5, 0)


# --- run path and where the time went ----------------------------------------------------------


def _record_run(now_minutes: float | None = None) -> list[StepTimes]:
    """The published 41-minute record, in minutes from the award (09:30)."""
    done = {
        "confirmation": (0, 0.25),
        "land_contract": (0.25, 0.75),
        "land_payment": (0.75, 1.0),
        "land_use_permit": (0.75, 1.0),
        "deed_tax": (1.0, 1.5),
        "title": (1.5, 2.0),
        "works_permit": (1.0, 3.0),
        "construction_permit": (3.0, 41.0),
    }
    out = []
    for spec in DEFAULT_STEPS:
        start, end = done[spec.code]
        if now_minutes is not None and end > now_minutes:
            state = dag.ACTIVE if start <= now_minutes else dag.WAITING
            out.append(StepTimes(spec.code, spec.unit, spec.prerequisites, spec.expected_minutes, state,
                                 at(start) if state == dag.ACTIVE else None, None))
        else:
            out.append(StepTimes(spec.code, spec.unit, spec.prerequisites, spec.expected_minutes, dag.DONE,
                                 at(start), at(end)))
    return out


def test_a_finished_run_shows_its_real_path():
    path = dag.run_path(_record_run(), AWARD, at(41))
    assert path.total_minutes == 41
    assert path.critical_path == (
        "confirmation", "land_contract", "land_use_permit", "works_permit", "construction_permit",
    )


def test_a_run_in_progress_shows_its_projected_path():
    # 10 minutes in: the construction permit has been active 7 of its expected 30 minutes.
    path = dag.run_path(_record_run(now_minutes=10), AWARD, at(10))
    assert path.total_minutes == 33
    assert path.critical_path[-2:] == ("works_permit", "construction_permit")
    # 40 minutes in, it has overrun: the projection is now, at least.
    assert dag.run_path(_record_run(now_minutes=40.5), AWARD, at(40.5)).total_minutes == 40.5


def test_before_the_award_the_run_path_is_the_plan():
    steps = [StepTimes(x.code, x.unit, x.prerequisites, x.expected_minutes) for x in DEFAULT_STEPS]
    assert dag.run_path(steps, None, AWARD) == dag.plan(DEFAULT_STEPS)


def test_where_the_time_went():
    split = dag.where_time_went(_record_run(), AWARD, at(41))
    assert split.elapsed_minutes == 41
    permit = split.steps["construction_permit"]
    assert (permit.waiting_minutes, permit.working_minutes) == (3, 38)
    assert (split.steps["title"].waiting_minutes, split.steps["title"].working_minutes) == (1.5, 0.5)
    assert [(u.unit, u.minutes) for u in split.units] == [("zjj", 38), ("zrzy", 2.75), ("jyzx", 0.25)]
    assert abs(sum(u.share for u in split.units) - 1) < 1e-9
    assert split.units[0].share == 38 / 41


def test_a_step_still_waiting_has_waited_since_the_award():
    split = dag.where_time_went(_record_run(now_minutes=2), AWARD, at(2))
    assert split.steps["construction_permit"].waiting_minutes == 2
    assert split.steps["construction_permit"].working_minutes == 0
    assert split.steps["works_permit"].working_minutes == 1


# --- properties on random DAGs -------------------------------------------------------------------


@st.composite
def dags(draw, min_size=1, max_size=8):
    """A random DAG with one final step: each step needs some of the steps listed before it, and
    a final step needs every step nothing else needs. Listed in a shuffled order."""
    n = draw(st.integers(min_size, max_size))
    prereqs = [
        sorted(draw(st.sets(st.integers(0, i - 1), max_size=3))) if i else [] for i in range(n)
    ]
    minutes = [draw(st.integers(0, 60)) for _ in range(n + 1)]
    needed = {p for ps in prereqs for p in ps}
    prereqs.append([i for i in range(n) if i not in needed])
    steps = [
        StepSpec(code=f"s{i}", name=f"s{i}", unit="zrzy", prerequisites=tuple(f"s{p}" for p in ps),
                 expected_minutes=minutes[i])
        for i, ps in enumerate(prereqs)
    ]
    return draw(st.permutations(steps))


def _paths(steps):
    by_code = {x.code: x for x in steps}
    dependents = {x.code: [y.code for y in steps if x.code in y.prerequisites] for x in steps}

    def walk(code):
        if not dependents[code]:
            yield [code]
        for d in dependents[code]:
            for rest in walk(d):
                yield [code, *rest]

    for root in (x.code for x in steps if not x.prerequisites):
        yield from walk(root)
    assert by_code


@settings(max_examples=150, deadline=None)
@given(dags())
def test_random_dags_are_valid_and_the_plan_bounds_every_path(steps):
    assert dag.validate(steps, {"zrzy"}) == []
    plan = dag.plan(steps)
    minutes = {x.code: x.expected_minutes for x in steps}
    for path in _paths(steps):
        assert plan.earliest_finish[path[-1]] >= sum(minutes[c] for c in path)
        assert plan.total_minutes >= sum(minutes[c] for c in path)
    critical = plan.critical_path
    assert sum(minutes[c] for c in critical) == plan.total_minutes
    by_code = {x.code: x for x in steps}
    assert not by_code[critical[0]].prerequisites
    assert all(a in by_code[b].prerequisites for a, b in itertools.pairwise(critical))
    assert not any(critical[-1] in x.prerequisites for x in steps)
    assert min(plan.slack.values()) >= -1e-9 and all(plan.slack[c] == 0 for c in critical)


@settings(max_examples=150, deadline=None)
@given(dags(min_size=1), st.data())
def test_a_back_edge_is_always_refused_as_a_cycle(steps, data):
    by_code = {x.code: x for x in steps}
    dependents = {x.code: [y.code for y in steps if x.code in y.prerequisites] for x in steps}

    def descendants(code):
        seen, todo = set(), [code]
        while todo:
            for d in dependents[todo.pop()]:
                if d not in seen:
                    seen.add(d)
                    todo.append(d)
        return seen

    ancestor = data.draw(st.sampled_from(sorted(by_code)))
    later = data.draw(st.sampled_from(sorted(descendants(ancestor) | {ancestor})))
    # The ancestor now needs one of its own descendants (or itself): a back edge.
    changed = [
        StepSpec(x.code, x.name, x.unit, (*x.prerequisites, later), x.expected_minutes)
        if x.code == ancestor else x
        for x in steps
    ]
    errors = dag.validate(changed, {"zrzy"})
    prefix = str(dag.MSG_CYCLE).split("{")[0]
    assert any(e.startswith(prefix) for e in errors)
    cycle = next(e for e in errors if e.startswith(prefix))
    assert later in cycle and ancestor in cycle


@settings(max_examples=100, deadline=None)
@given(dags(), st.data())
def test_a_finished_run_takes_as_long_as_its_real_critical_path(steps, data):
    # Run the DAG in real time with random actual durations, as the services would.
    actual = {x.code: data.draw(st.integers(0, 30)) * 0.5 for x in steps}
    finish: dict[str, float] = {}
    times = []
    for code in dag.topological_order(steps):
        x = next(y for y in steps if y.code == code)
        start = max((finish[p] for p in x.prerequisites), default=0)
        finish[code] = start + actual[code]
        times.append(StepTimes(code, x.unit, x.prerequisites, x.expected_minutes, dag.DONE,
                               at(start), at(finish[code])))
    end = max(finish.values())
    path = dag.run_path(times, AWARD, at(end))
    assert abs(path.total_minutes - end) < 1e-6
    split = dag.where_time_went(times, AWARD, at(end))
    assert abs(sum(u.minutes for u in split.units) - end) < 1e-6
