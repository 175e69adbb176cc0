"""Planning a batch's day by the units' capacities: the pure list schedule (a hand-worked
example, steps done and in hand, properties over generated batches), and the batch plan's page
and API with the what-if of a capacity."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import translation
from django.utils.html import escape
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mashang.landstart import dag
from mashang.landstart import plan as planning
from mashang.landstart.dag import ACTIVE, DONE, RETURNED, WAITING, StepTimes
from mashang.landstart.models import Batch, RunStep, UnitCapacity
from mashang.landstart.selectors.plan import (
    MSG_ANOTHER_PROJECT,
    MSG_HEADLINE,
    batch_plan,
)
from mashang.landstart.services import landstart_step_complete
from mashang.landstart.services.capacity import unit_capacity_set
from mashang.landstart.views.plan import MSG_BAD_WHAT_IF
from mashang.org.models import User
from tests.kit.clocks import CST
from tests.kit.factories import UnitFactory, UserFactory
from tests.kit.landstart import AWARD, OPENED, run_of

R = User.Role
DAY = datetime(2026, 6, 10, 0, 0, tzinfo=CST)


def at(hhmm: str) -> datetime:
    h, m = map(int, hhmm.split(":"))
    return DAY + timedelta(hours=h, minutes=m)


def step(
    code, unit, minutes, *prerequisites, state=WAITING, started=None, completed=None
) -> StepTimes:
    return StepTimes(
        code=code,
        unit=unit,
        prerequisites=tuple(prerequisites),
        expected_minutes=minutes,
        state=state,
        started_at=started,
        completed_at=completed,
    )


#: A four-step bundle: the trading centre confirms (5 min); then finance takes the land price
#: (30 min) while natural resources issues the planning permit (10 min); housing issues the
#: construction permit (20 min) once both are done.
BUNDLE = (
    step("confirm", "jyzx", 5),
    step("payment", "cz", 30, "confirm"),
    step("permit", "zrzy", 10, "confirm"),
    step("construction", "zjj", 20, "payment", "permit"),
)


def three_runs(award: datetime) -> list[planning.PlanRun]:
    return [planning.PlanRun(key=k, award_at=award, steps=BUNDLE) for k in (1, 2, 3)]


# --- the hand-worked example -----------------------------------------------------------------


def test_three_runs_with_finance_at_one_then_two_at_once():
    # Three runs awarded at 09:00, every unit works 1 step at once; the plan is read at 08:00.
    # Priority within a unit: same award, so the longest remaining path, then the run's order.
    #
    # finance at 1:
    #   jyzx  confirm  r1 09:00–09:05, r2 09:05–09:10, r3 09:10–09:15      (waits 5 + 10 = 15)
    #   cz    payment  r1 09:05–09:35, r2 09:35–10:05 (ready 09:10, waits 25),
    #                  r3 10:05–10:35 (ready 09:15, waits 50)                (waits 75)
    #   zrzy  permit   r1 09:05–09:15, r2 09:15–09:25, r3 09:25–09:35       (waits 5 + 10 = 15)
    #   zjj   constr.  r1 09:35–09:55, r2 10:05–10:25, r3 10:35–10:55       (no wait)
    #   → finishes 09:55, 10:25, 10:55; bottleneck finance (75 minutes of waiting).
    plan = planning.schedule(three_runs(at("09:00")), {}, at("08:00"))
    assert [r.finish for r in plan.runs] == [at("09:55"), at("10:25"), at("10:55")]
    assert plan.step(2, "payment").start == at("09:35")
    assert plan.step(3, "payment").start == at("10:05")
    assert plan.step(3, "permit").start == at("09:25")
    assert {u.unit: u.waited_minutes for u in plan.units} == {
        "jyzx": 15,
        "cz": 75,
        "zrzy": 15,
        "zjj": 0,
    }
    assert plan.bottleneck == "cz"
    assert plan.last_run == 3 and plan.finish == at("10:55")
    # The last run's finish is decided by finance's queue: its payment waited for run 2's.
    assert plan.run(3).decided_by[:3] == ((3, "construction"), (3, "payment"), (2, "payment"))
    #
    # finance at 2:
    #   cz    payment  r1 09:05–09:35, r2 09:10–09:40, r3 09:35–10:05 (ready 09:15, waits 20)
    #   zjj   constr.  r1 09:35–09:55, r2 09:55–10:15 (ready 09:40, waits 15),
    #                  r3 10:15–10:35 (ready 10:05, waits 10)                (waits 25)
    #   → finishes 09:55, 10:15, 10:35; the bottleneck moves to housing (25 > 20 > 15).
    plan = planning.schedule(three_runs(at("09:00")), {"cz": 2}, at("08:00"))
    assert [r.finish for r in plan.runs] == [at("09:55"), at("10:15"), at("10:35")]
    assert {u.unit: u.waited_minutes for u in plan.units} == {
        "jyzx": 15,
        "cz": 20,
        "zrzy": 15,
        "zjj": 25,
    }
    assert plan.bottleneck == "zjj"
    assert {u.unit: u.capacity for u in plan.units} == {"jyzx": 1, "cz": 2, "zrzy": 1, "zjj": 1}


def test_no_queue_no_bottleneck_and_the_deciding_unit():
    # One run: nobody waits; the money branch (5 + 30 + 20) decides the finish at 09:55, and
    # finance's 30 minutes on it are the most.
    plan = planning.schedule(three_runs(at("09:00"))[:1], {}, at("08:00"))
    assert plan.finish == at("09:55")
    assert plan.bottleneck is None
    assert plan.deciding_unit == "cz"
    assert plan.run(1).decided_by == ((1, "construction"), (1, "payment"), (1, "confirm"))


def test_a_run_awarded_later_waits_for_its_award_and_the_plan_starts_no_earlier_than_now():
    runs = [
        planning.PlanRun(key="a", award_at=at("09:00"), steps=BUNDLE),
        planning.PlanRun(key="b", award_at=at("10:00"), steps=BUNDLE),
    ]
    plan = planning.schedule(runs, {}, at("09:30"))
    # Run a's award is past but nothing started: its steps start now.
    assert plan.step("a", "confirm").start == at("09:30")
    assert plan.step("b", "confirm").start == at("10:00")
    assert plan.run("a").finish == at("10:25")


# --- steps done and in hand --------------------------------------------------------------------


def test_done_steps_keep_their_times_and_active_ones_finish_by_their_minutes_or_now():
    steps = (
        step("confirm", "jyzx", 5, state=DONE, started=at("09:00"), completed=at("09:04")),
        step("payment", "cz", 30, "confirm", state=ACTIVE, started=at("09:04")),
        step("permit", "zrzy", 10, "confirm", state=ACTIVE, started=at("09:04")),
        step("construction", "zjj", 20, "payment", "permit"),
    )
    plan = planning.schedule(
        [planning.PlanRun(key=1, award_at=at("09:00"), steps=steps)], {}, at("09:20")
    )
    confirm = plan.step(1, "confirm")
    assert (confirm.kind, confirm.start, confirm.finish) == ("done", at("09:00"), at("09:04"))
    # 09:04 + 30 is ahead of now; 09:04 + 10 is past, so the permit is expected any moment (now).
    assert (plan.step(1, "payment").kind, plan.step(1, "payment").finish) == (
        "working",
        at("09:34"),
    )
    assert plan.step(1, "permit").finish == at("09:20")
    assert plan.step(1, "construction").start == at("09:34")
    assert plan.run(1).finish == at("09:54")

    # Time passes: at 10:00 the payment is 26 minutes late and still in hand.
    later = planning.schedule(
        [planning.PlanRun(key=1, award_at=at("09:00"), steps=steps)], {}, at("10:00")
    )
    assert later.step(1, "payment").finish == at("10:00")
    assert later.run(1).finish == at("10:20")


def test_a_unit_with_more_steps_in_hand_than_it_works_at_once_queues_the_later_ones():
    def run(key, started):
        return planning.PlanRun(
            key=key,
            award_at=at("09:00"),
            steps=(
                step("confirm", "jyzx", 5, state=DONE, started=at("09:00"), completed=started),
                step("payment", "cz", 30, "confirm", state=ACTIVE, started=started),
            ),
        )

    runs = [run(1, at("09:06")), run(2, at("09:05"))]
    plan = planning.schedule(runs, {"cz": 1}, at("09:10"))
    # Run 2's payment came first: finance works it; run 1's waits for it from now.
    assert plan.step(2, "payment").kind == "working"
    assert plan.step(2, "payment").finish == at("09:35")
    assert (plan.step(1, "payment").start, plan.step(1, "payment").finish) == (
        at("09:35"),
        at("10:05"),
    )
    assert plan.bottleneck == "cz"
    both = planning.schedule(runs, {"cz": 2}, at("09:10"))
    assert both.step(1, "payment").finish == at("09:36")


def test_a_returned_step_is_done_again_from_now():
    steps = (
        step("confirm", "jyzx", 5, state=RETURNED, started=at("09:00")),
        step("payment", "cz", 30, "confirm"),
    )
    plan = planning.schedule(
        [planning.PlanRun(key=1, award_at=at("09:00"), steps=steps)], {}, at("09:40")
    )
    assert (plan.step(1, "confirm").start, plan.step(1, "confirm").finish) == (
        at("09:40"),
        at("09:45"),
    )
    assert plan.run(1).finish == at("10:15")


def test_a_finished_batch_is_all_facts():
    steps = (
        step("confirm", "jyzx", 5, state=DONE, started=at("09:00"), completed=at("09:03")),
        step(
            "payment", "cz", 30, "confirm", state=DONE, started=at("09:03"), completed=at("09:20")
        ),
    )
    plan = planning.schedule(
        [planning.PlanRun(key=1, award_at=at("09:00"), steps=steps)], {}, at("11:00")
    )
    assert plan.run(1).done and plan.run(1).finish == at("09:20")
    assert plan.bottleneck is None and plan.deciding_unit is None


# --- properties over generated batches ---------------------------------------------------------

UNITS = ("a", "b", "c")


@st.composite
def batches(draw):
    """A few runs of generated bundles, some awarded and part done, and capacities."""
    now = at("10:00")
    runs = []
    for key in range(draw(st.integers(1, 4))):
        n = draw(st.integers(1, 6))
        award = now + timedelta(minutes=draw(st.integers(-90, 60)))
        specs = []
        for i in range(n):
            earlier = draw(st.sets(st.integers(0, i - 1), max_size=2)) if i > 0 else set()
            prerequisites = tuple(f"s{j}" for j in sorted(earlier))
            specs.append(
                (f"s{i}", draw(st.sampled_from(UNITS)), draw(st.integers(0, 30)), prerequisites)
            )
        finished: dict[str, datetime] = {}
        steps = []
        for code, unit, minutes, prerequisites in specs:
            state, started, completed = WAITING, None, None
            if award <= now and all(p in finished for p in prerequisites):
                started = max([award, *(finished[p] for p in prerequisites)])
                took = draw(st.integers(0, 40))
                choice = draw(st.sampled_from(("done", "active", "returned")))
                if choice == "done" and started + timedelta(minutes=took) <= now:
                    state, completed = DONE, started + timedelta(minutes=took)
                    finished[code] = completed
                else:
                    state = RETURNED if choice == "returned" else ACTIVE
            steps.append(
                step(
                    code,
                    unit,
                    minutes,
                    *prerequisites,
                    state=state,
                    started=started,
                    completed=completed,
                )
            )
        runs.append(planning.PlanRun(key=key, award_at=award, steps=tuple(steps)))
    capacities = {u: draw(st.integers(1, 3)) for u in UNITS if draw(st.booleans())}
    return runs, capacities, now


def busy_at(plan, unit: str, t: datetime) -> int:
    return sum(
        1 for s in plan.steps if s.unit == unit and s.kind != "done" and s.start <= t < s.finish
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batches())
def test_every_step_is_scheduled_once_after_its_prerequisites(batch):
    runs, capacities, now = batch
    plan = planning.schedule(runs, capacities, now)
    keys = [(s.run, s.code) for s in plan.steps]
    assert sorted(keys) == sorted((r.key, s.code) for r in runs for s in r.steps)
    assert len(set(keys)) == len(keys)
    for run in runs:
        for s in run.steps:
            placed = plan.step(run.key, s.code)
            for p in s.prerequisites:
                assert placed.start >= plan.step(run.key, p).finish
            if placed.kind == "planned":
                assert placed.start >= max(now, run.award_at)
                assert placed.finish == placed.start + timedelta(minutes=s.expected_minutes)
            if placed.kind == "done":
                assert (placed.start, placed.finish) == (s.started_at, s.completed_at)
        assert plan.run(run.key).finish == max(plan.step(run.key, s.code).finish for s in run.steps)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batches())
def test_no_unit_works_more_at_once_than_its_capacity_and_none_idles_with_work_ready(batch):
    runs, capacities, now = batch
    plan = planning.schedule(runs, capacities, now)
    for load in plan.units:
        cap = planning.capacity_of(capacities, load.unit)
        assert load.capacity == cap
        mine = [s for s in plan.steps if s.unit == load.unit and s.kind != "done"]
        for t in {now, *(s.start for s in mine if s.start >= now)}:
            assert busy_at(plan, load.unit, t) <= cap
        for s in mine:
            if s.kind == "planned" and s.start > s.ready_at:
                # It waited: from the moment it was ready until it started, every slot was taken.
                moments = {s.ready_at} | {o.finish for o in mine if s.ready_at < o.finish < s.start}
                for t in moments:
                    assert busy_at(plan, load.unit, t) == cap
    waited = {u.unit: u.waited_minutes for u in plan.units}
    if plan.bottleneck is None:
        assert all(w == 0 for w in waited.values())
    else:
        assert waited[plan.bottleneck] == max(waited.values()) > 0


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batches(), st.sampled_from(UNITS), st.integers(1, 5))
def test_no_run_finishes_before_its_unlimited_capacity_finish(batch, unit, more):
    # List scheduling can show anomalies when one capacity is raised, so what holds always is
    # the bound: a run never finishes earlier than with room for everything at once, and with
    # that much room each fresh run finishes on its own critical path.
    runs, capacities, now = batch
    plenty = {u: 100 for u in UNITS}
    free = planning.schedule(runs, plenty, now)
    for caps in (capacities, {**capacities, unit: planning.capacity_of(capacities, unit) + more}):
        plan = planning.schedule(runs, caps, now)
        for r in runs:
            assert plan.run(r.key).finish >= free.run(r.key).finish
    for r in runs:
        if all(s.state == WAITING for s in r.steps):
            total = dag.plan(r.steps).total_minutes
            assert free.run(r.key).finish == max(now, r.award_at) + timedelta(minutes=total)


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 6), st.integers(1, 3), st.integers(1, 40))
def test_identical_runs_never_finish_later_when_the_one_busy_unit_works_more_at_once(
    count, cap, minutes
):
    # No anomaly where one unit holds a chain of identical runs: more room never delays a run.
    bundle = (step("x", "a", 5), step("y", "b", minutes, "x"), step("z", "c", 5, "y"))
    runs = [planning.PlanRun(key=k, award_at=at("09:00"), steps=bundle) for k in range(count)]
    slow = planning.schedule(runs, {"b": cap}, at("08:00"))
    fast = planning.schedule(runs, {"b": cap + 1}, at("08:00"))
    for k in range(count):
        assert fast.run(k).finish <= slow.run(k).finish


def test_lanes_never_overlap_within_a_unit():
    plan = planning.schedule(three_runs(at("09:00")), {"cz": 2}, at("08:00"))
    lanes = planning.lanes(plan.steps)
    assert {lanes[(r, "payment")] for r in (1, 2)} == {0, 1}
    assert max(lanes[(r, "confirm")] for r in (1, 2, 3)) == 0


# --- the batch plan: selector, page and API ------------------------------------------------------

NOW = AWARD + timedelta(minutes=5)


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def batch(bundle, clock):
    """Three projects of the default bundle awarded together at 09:30, read at 09:35."""
    b = Batch.objects.create(
        number="PC-2026-01",
        name="第一批",
        award_from=AWARD.date(),
        award_to=AWARD.date(),
        created_at=OPENED,
        created_by=bundle.admin,
    )
    for project in (bundle.project, bundle.make_project(), bundle.make_project()):
        run = run_of(bundle, project=project, opened=OPENED, awarded=AWARD)
        run.batch = b
        run.save(update_fields=["batch"])
    return b


def client_for(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_the_plan_of_a_batch_names_its_last_run_and_bottleneck(bundle, batch):
    # Natural resources has four steps in each run and works one at a time: its steps wait
    # longest; housing's 30-minute construction permits come one after the other at the end.
    view = batch_plan(actor=bundle.zone.leader, batch_id=batch.pk)
    assert [r.finish for r in view.runs] == [AWARD + timedelta(minutes=m) for m in (53, 83, 113)]
    assert view.bottleneck.code == "zrzy" and view.bottleneck.capacity == 1
    last = view.last_run
    assert last.label == "XM-2026-0003 测试项目3"
    with translation.override("en"):
        view = batch_plan(actor=bundle.zone.leader, batch_id=batch.pk)
        assert view.headline == str(MSG_HEADLINE).format(
            unit="自然资源分局", n=1, count=3, project=last.label, time="11:23"
        )
    # A what-if of housing working two at once moves the finishes; nothing is saved.
    tried = batch_plan(actor=bundle.zone.leader, batch_id=batch.pk, what_if={"zjj": 2})
    assert [r.finish for r in tried.runs] == [AWARD + timedelta(minutes=m) for m in (53, 59, 83)]
    assert [r.shift_minutes for r in tried.runs] == [0, -24, -30]
    assert tried.what_if == {"zjj": 2}
    assert not UnitCapacity.objects.exists()


def test_the_plan_moves_as_steps_complete(bundle, batch):
    first = batch.runs.order_by("pk").first()
    before = batch_plan(actor=bundle.zone.leader, batch_id=batch.pk)
    landstart_step_complete(
        actor=bundle.people["jyzx"], run_id=first.pk, step_code="confirmation", at=NOW
    )
    with time_machine.travel(NOW + timedelta(minutes=1), tick=False):
        after = batch_plan(actor=bundle.zone.leader, batch_id=batch.pk)
    done = after.plan.step(first.pk, "confirmation")
    assert (done.kind, done.finish) == ("done", NOW)
    assert before.plan.step(first.pk, "land_contract").kind == "planned"
    assert after.plan.step(first.pk, "land_contract").kind == "working"
    assert after.plan.now == NOW + timedelta(minutes=1)


def test_a_saved_capacity_is_what_the_plan_counts(bundle, batch):
    unit_capacity_set(actor=bundle.admin, unit_id=bundle.units["zrzy"].pk, people_on_duty=3)
    view = batch_plan(actor=bundle.zone.leader, batch_id=batch.pk)
    zrzy = next(u for u in view.units if u.code == "zrzy")
    assert (zrzy.capacity, zrzy.saved_capacity, zrzy.people_on_duty, zrzy.what_if) == (
        3,
        3,
        3,
        False,
    )
    assert view.last_run.finish == AWARD + timedelta(minutes=104)  # 11:14 instead of 11:23
    assert view.bottleneck.code == "zjj"


def test_the_page_shows_the_sentence_the_finishes_and_the_what_if(bundle, batch):
    c = client_for(bundle.zone.leader)
    url = f"/landstart/batches/{batch.pk}/plan/"
    response = c.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    view = batch_plan(actor=bundle.zone.leader, batch_id=batch.pk)
    assert escape(view.headline) in html
    assert 'id="plan-chart"' in html and 'hx-trigger="every 30s"' in html
    assert html.count('<g class="bar ') == 3 * 8
    assert re.findall(r'class="plan-finish">([^<]+)<', html) == ["10:23", "10:53", "11:23"]
    assert 'style="' not in html.split('id="batch-plan"')[1]

    tried = c.get(url, {"cap-zjj": "2"}).content.decode()
    assert re.findall(r'class="plan-finish">([^<]+)<', tried) == ["10:23", "10:29", "10:53"]
    assert str(translation.gettext("With the saved capacities")) in tried
    assert re.search(r'data-unit="zjj".*?class="plan-capacity">2<', tried, re.S)
    assert not UnitCapacity.objects.exists()
    # A value that is no capacity is refused with a word, and the unit keeps its own.
    bad = c.get(url, {"cap-zjj": "0"}).content.decode()
    assert re.findall(r'class="plan-finish">([^<]+)<', bad) == ["10:23", "10:53", "11:23"]
    refusal = str(MSG_BAD_WHAT_IF).format(value="0", most=99, unit="住房和城乡建设局")
    assert escape(refusal) in bad


def test_who_sees_the_plan(bundle, batch):
    z = bundle.zone
    url = f"/landstart/batches/{batch.pk}/plan/"
    for user in (z.officer, z.supervisor, z.leader, bundle.admin, bundle.people["cz"]):
        assert client_for(user).get(url).status_code == 200, user.role
    outsider = UserFactory(username="unit-other", role=R.UNIT_STAFF, unit=UnitFactory(code="other"))
    for user in (z.contact, outsider):
        assert client_for(user).get(url).status_code == 404, user.username
    assert client_for(z.leader).get("/landstart/batches/999999/plan/").status_code == 404


def test_a_run_the_reader_may_not_see_is_another_project(bundle, batch):
    other = UnitFactory(code="other", name="其他单位")
    staff = UserFactory(username="unit-other", role=R.UNIT_STAFF, unit=other)
    first = batch.runs.order_by("pk").first()
    RunStep.objects.filter(run=first, code="title").update(unit=other)
    view = batch_plan(actor=staff, batch_id=batch.pk)
    labels = [r.label for r in view.runs]
    assert labels == ["XM-2026-0001 测试项目1", str(MSG_ANOTHER_PROJECT), str(MSG_ANOTHER_PROJECT)]
    # The plan still counts their steps (they share the units) but never names them.
    assert str(MSG_ANOTHER_PROJECT) in view.headline
    shown = " ".join([view.headline, *(d for r in view.runs for d in r.decided_by)])
    shown += " ".join(b.project_number for u in view.units for b in u.bars)
    assert "测试项目2" not in shown and "测试项目3" not in shown and "XM-2026-0003" not in shown


def test_the_api_gives_no_run_of_another_project_away(bundle, batch, api):
    other = UnitFactory(code="other", name="其他单位")
    UserFactory(username="unit-other", role=R.UNIT_STAFF, unit=other)
    first = batch.runs.order_by("pk").first()
    RunStep.objects.filter(run=first, code="title").update(unit=other)
    body = api("unit-other").get(f"/api/v1/landstart-batches/{batch.pk}/plan").json()
    assert [r["id"] for r in body["runs"]] == [first.pk, None, None]
    assert {s["run"] for s in body["steps"]} == {first.pk, None}
    assert body["last_run"] in (first.pk, None)


def test_the_api_gives_the_plan_and_tries_capacities(bundle, batch, api):
    client = api("leader")
    path = f"/api/v1/landstart-batches/{batch.pk}/plan"
    body = client.get(path).json()
    assert body["bottleneck"] == "zrzy" and body["last_run"] == body["runs"][-1]["id"]
    assert [r["expected_finish"][11:16] for r in body["runs"]] == ["10:23", "10:53", "11:23"]
    assert len(body["steps"]) == 24 and body["what_if"] == {}
    tried = client.get(path, what_if="zjj=2").json()
    assert tried["what_if"] == {"zjj": 2}
    assert [r["expected_finish"][11:16] for r in tried["runs"]] == ["10:23", "10:29", "10:53"]
    assert tried["runs"][2]["finish_with_saved_capacities"][11:16] == "11:23"
    bad = client.get(path, what_if="zjj=0")
    assert bad.status_code == 422 and "what_if" in bad.json()["fields"]
    assert client.get("/api/v1/landstart-batches/999999/plan").status_code == 404
    assert api("ent-a").get(path).status_code == 404
