"""The demo's investment projects and land-start runs: the pipeline leaders ask about, the record
history falling from 145 to 40 minutes and then a batch of six, a board whose clock starts when
the demo is loaded, a batch of six listed plots waiting for their award, and a demo that loads
the same way twice and wipes only what it owns.

One reduced demo (120 demands, 20 enterprises, the full project part) is loaded once for the
module inside a transaction that is rolled back at the end; each test runs in a savepoint
inside it, so a test that reloads the demo leaves the others' data as it was.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from django.db.models import Q
from django.test import Client, override_settings
from django.utils import timezone

from mashang.audit.models import Event
from mashang.demands.models import OPEN_STATUSES, Demand
from mashang.demo import project_texts as pt
from mashang.demo.landstart import CAPACITIES, DONE_RECORDS
from mashang.demo.load import demo_marker
from mashang.demo.plan import demo_plan
from mashang.demo.project_plan import demo_projects_plan
from mashang.demo.tests.small_demo import load
from mashang.landstart.models import (
    Batch,
    BundleTemplate,
    Run,
    RunState,
    RunStep,
    StepState,
    UnitCapacity,
)
from mashang.landstart.selectors import elapsed_seconds, run_history
from mashang.landstart.services.prereview import late_from
from mashang.notify.models import Notification
from mashang.org.models import User
from mashang.projects.models import FundsReceipt, Milestone, Project, ProjectType, Stage
from mashang.projects.services import project_create
from mashang.projects.stats import pipeline_stats
from mashang.projects.transitions import stages_for
from mashang.workcal.selectors import calendar_get, calendar_invalidate

UNTIL = date(2026, 6, 30)
TZ = ZoneInfo("Asia/Shanghai")
HORIZON = datetime(2026, 6, 30, tzinfo=TZ)
OFFICERS = {"officer", "officer2", "officer3"}
RECORD_MINUTES = [145.0, 98.0, 72.0, 55.0, 41.0, 40.0]
#: The completed batch's six runs, in award order (mashang.demo.landstart.DONE_RECORDS).
BATCH_MINUTES = [52.0, 58.0, 47.0, 44.0, 38.0, 41.0]
LOADED: dict[str, datetime] = {}  # when the module's demo load began and ended


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The reduced demo, loaded once for this module and rolled back after it."""
    with django_db_blocker.unblock(), override_settings(MASHANG_CALENDAR_CACHE_SECONDS=600):
        calendar_invalidate()
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            LOADED["before"] = timezone.now()
            load()
            LOADED["after"] = timezone.now()
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            calendar_invalidate()


@pytest.fixture
def leader(demo, db) -> User:
    return User.objects.get(username="leader")


def _live() -> Run:
    return Run.objects.select_related("project").get(state=RunState.RUNNING)


def snapshot() -> tuple[list, list, list, list]:
    projects = list(
        Project.objects.order_by("number").values_list(
            "number", "name", "investor_name", "project_type", "industry", "planned_investment",
            "land_area_mu", "service_officer__username", "is_key", "is_city_key", "stage", "stage_reason",
            "behind_plan_reason", "version", "created_at",
        )
    )
    milestones = sorted(
        Milestone.objects.values_list("project__number", "stage", "planned_on", "reached_on")
    )
    funds = sorted(FundsReceipt.objects.values_list("project__number", "received_on", "amount", "note"))
    runs = list(
        RunStep.objects.order_by("run__project__number", "position").values_list(
            "run__project__number", "run__state", "run__awarded_at", "code", "state", "staged",
            "started_at", "completed_at", "completed_by__username",
        )
    )
    # The live run is awarded when the demo is loaded: its times are compared from its award.
    runs = [
        (*row[:2], None, *row[3:6], *(t - row[2] if t else t for t in row[6:8]), row[8])
        if row[1] == RunState.RUNNING else row
        for row in runs
    ]  # fmt: skip
    return projects, milestones, funds, runs


@pytest.mark.django_db
def test_the_pipeline_answers_the_leaders_questions(leader):
    stats = pipeline_stats(actor=leader, today=UNTIL)
    by_stage = {stage: row["count"] for stage, row in stats["by_stage"].items()}

    assert 55 <= by_stage[Stage.NEGOTIATING] <= 62
    # 36 signed or further along, and the two land-supply batches' eleven new projects
    assert 45 <= stats["totals"]["signed_count"] <= 49
    assert by_stage[Stage.LISTED] == 6
    assert 1 <= by_stage[Stage.LEAD] <= 5
    assert 1 <= by_stage[Stage.PAUSED] <= 2
    assert by_stage[Stage.DROPPED] == 1
    for stage in (Stage.SIGNED, Stage.LAND_REVIEW, Stage.LISTED, Stage.AWARDED, Stage.STARTED, Stage.PRODUCING):
        assert by_stage[stage] >= 1, stage
    assert 101 <= sum(by_stage.values()) <= 111
    # over 50 billion yuan planned, counted exactly (dropped projects are not counted)
    total = stats["totals"]["investment"]
    assert total > Decimal(50_000_000_000)
    assert total == sum(Project.objects.exclude(stage=Stage.DROPPED).values_list("planned_investment", flat=True))
    # every type, most of it new land; many industries
    types = Counter(Project.objects.values_list("project_type", flat=True))
    assert set(types) == set(ProjectType.values)
    assert types[ProjectType.NEW_LAND] > types[ProjectType.LEASE] + types[ProjectType.EXPANSION]
    signed_types = Counter(
        Project.objects.filter(stage__in=[Stage.SIGNED, Stage.STARTED, Stage.PRODUCING])
        .values_list("project_type", flat=True)
    )
    assert set(signed_types) == set(ProjectType.values)
    assert len(set(Project.objects.values_list("industry", flat=True))) >= 7
    # realistic money and land per type
    for kind, low, high in (("new_land", 10**7, 4 * 10**9), ("lease", 10**6, 3 * 10**8), ("expansion", 10**7, 2 * 10**9)):
        amounts = list(Project.objects.filter(project_type=kind).values_list("planned_investment", flat=True))
        assert all(low <= a <= high for a in amounts), kind
    assert not Project.objects.filter(project_type="new_land", land_area_mu=None).exists()
    assert not Project.objects.exclude(project_type="new_land").exclude(land_area_mu=None).exists()
    # a named officer each; most investors are the zone's enterprises, some prospective
    assert set(Project.objects.values_list("service_officer__username", flat=True)) == OFFICERS
    registered = Project.objects.exclude(investor=None).count()
    assert Project.objects.count() / 2 < registered < Project.objects.count()
    assert set(Project.objects.filter(investor=None).values_list("investor_name", flat=True)) <= pt.PROSPECT_NAMES
    # key projects, the city's key schedule, and the late ones with their reasons
    assert 5 <= Project.objects.filter(is_key=True).count() <= 8
    assert 2 <= Project.objects.filter(is_city_key=True).count() <= 4
    behind = stats["behind_plan"]
    assert len(behind) >= 2
    assert all(b["project"].behind_plan_reason for b in behind)
    assert sum(b["project"].is_city_key for b in behind) >= 1
    paused = Project.objects.get(stage=Stage.PAUSED)
    dropped = Project.objects.get(stage=Stage.DROPPED)
    assert paused.stage_reason == pt.PAUSE_REASON and dropped.stage_reason == pt.DROP_REASON
    # funds in place for projects started or producing, none beyond the plan
    for project in Project.objects.filter(stage__in=[Stage.STARTED, Stage.PRODUCING]):
        received = sum(project.funds.values_list("amount", flat=True))
        assert 0 < received < project.planned_investment, project
    assert not FundsReceipt.objects.exclude(project__stage__in=[Stage.STARTED, Stage.PRODUCING]).exists()


@pytest.mark.django_db
def test_milestones_follow_the_stage_and_every_change_went_through_the_services(demo):
    start = UNTIL.replace(year=UNTIL.year - 1)
    for project in Project.objects.prefetch_related("milestones"):
        path = stages_for(project.project_type)
        standing = project.stage_before_pause or (Stage.NEGOTIATING if project.stage == Stage.DROPPED else project.stage)
        reached = {m.stage: m.reached_on for m in project.milestones.all() if m.reached_on}
        expected = set(path[path.index(Stage.NEGOTIATING) : path.index(standing) + 1]) if standing != Stage.LEAD else set()
        assert expected <= set(reached) <= expected | {Stage.LEAD}, project
        days = [reached[s] for s in path if s in reached]
        # the live run's project is awarded on the day the demo is loaded
        last_day = timezone.localdate(LOADED["after"]) + timedelta(days=1) if project.stage == Stage.AWARDED else UNTIL
        assert days == sorted(days) and days[-1] < last_day, project
        assert all(m.planned_on for m in project.milestones.all() if m.stage not in (Stage.LEAD, Stage.NEGOTIATING))
    reached_in_year = Milestone.objects.filter(reached_on__gte=start).exclude(stage=Stage.LEAD)
    assert {d.month for d in reached_in_year.values_list("reached_on", flat=True)} == set(range(1, 13))

    events = Counter(Event.objects.filter(subject_type="project").values_list("subject_id", flat=True))
    for pk, version in Project.objects.values_list("pk", "version"):
        assert events[pk] == version, pk  # created at version 1, one event per change
    run_events = Counter(Event.objects.filter(subject_type="landstart").values_list("subject_id", flat=True))
    assert all(run_events[pk] == version for pk, version in Run.objects.values_list("pk", "version"))
    cal = calendar_get()
    live = _live()
    loaded = Event.objects.filter(
        Q(subject_type="landstart", subject_id=live.pk, action__in=["award", "complete", "attach"])
        | Q(subject_type="project", subject_id=live.project_id, action="land_award")
    )
    assert {e.at for e in loaded} and all(e.at >= live.awarded_at > HORIZON for e in loaded)
    events = Event.objects.filter(subject_type__in=["project", "landstart", "landstart_template", "landstart.batch"])
    for event in events.exclude(pk__in=loaded.values("pk")).select_related("actor"):
        local = event.at.astimezone(cal.tz)
        assert event.at < HORIZON
        assert cal.is_working_day(local.date()), event
        assert any(a <= local.time() <= b for a, b in cal.office_hours), event


@pytest.mark.django_db
def test_the_land_start_records_fall_from_145_to_40_minutes(leader):
    history = run_history(actor=leader)

    assert [row.total_minutes for row in history] == RECORD_MINUTES + BATCH_MINUTES
    history = history[: len(RECORD_MINUTES)]
    awards = [row.awarded_at for row in history]
    assert awards == sorted(awards) and (awards[-1] - awards[0]).days > 200
    assert awards[0] > HORIZON - timedelta(days=365)
    assert len({row.critical_path for row in history}) >= 2  # the path changes from run to run
    record = history[4]
    assert record.awarded_at.astimezone(TZ).strftime("%H:%M") == "09:30"
    assert record.completed_at.astimezone(TZ).strftime("%H:%M") == "10:11"
    for row in history:
        project = Project.objects.get(pk=row.project_id)
        assert project.stage == Stage.STARTED
        milestones = dict(project.milestones.values_list("stage", "reached_on"))
        day = row.awarded_at.astimezone(TZ).date()
        assert milestones[Stage.AWARDED] == milestones[Stage.STARTED] == day
    # every step done by its own unit's person, the parallel branches overlapping
    for step in RunStep.objects.filter(run__state=RunState.COMPLETED).select_related("unit", "completed_by"):
        assert step.completed_by.username == f"unit-{step.unit.code}"
    for run in Run.objects.filter(state=RunState.COMPLETED):
        steps = {s.code: s for s in run.steps.all()}
        assert steps["land_use_permit"].started_at < steps["title"].completed_at
        assert steps["land_payment"].started_at < steps["works_permit"].completed_at


@pytest.mark.django_db
def test_the_live_runs_clock_starts_when_the_demo_is_loaded(leader):
    live = _live()
    # awarded within a minute of the load, its first steps done in that minute (09:30 → 09:31)
    assert LOADED["before"] - timedelta(minutes=1) <= live.awarded_at <= LOADED["after"]
    done = live.steps.filter(state=StepState.DONE)
    assert set(done.values_list("code", flat=True)) == {"confirmation", "land_contract", "land_use_permit"}
    assert all(live.awarded_at < s.completed_at <= LOADED["after"] for s in done)
    states = Counter(live.steps.values_list("state", flat=True))
    assert states[StepState.ACTIVE] == 2 and states[StepState.WAITING] == 3
    active = live.steps.filter(state=StepState.ACTIVE).select_related("unit")
    assert {s.unit.code for s in active} == {"cz", "zrzy"}
    assert all(s.started_at <= LOADED["after"] for s in active)
    # the board's stopwatch reads minutes, not a day
    assert elapsed_seconds(live, LOADED["after"]) <= 60 + (LOADED["after"] - LOADED["before"]).total_seconds()
    assert live.project.stage == Stage.AWARDED and live.project.is_key

    client = Client()
    client.force_login(User.objects.get(username="unit-cz"))
    board = client.get(f"/landstart/{live.pk}/")
    assert board.status_code == 200 and live.project.name in board.content.decode()


def _batch(waiting: bool) -> Batch:
    batches = Batch.objects.filter(award_from__gt=UNTIL) if waiting else Batch.objects.filter(award_to__lt=UNTIL)
    return batches.get()


@pytest.mark.django_db
def test_a_batch_of_six_listed_plots_waits_for_its_award_while_the_units_pre_review(leader):
    batch = _batch(waiting=True)
    cal = calendar_get()
    assert re.fullmatch(r"PC-20\d\d-\d\d", batch.number)
    first_day = min(d for d in (UNTIL + timedelta(days=n) for n in range(1, 15)) if cal.is_working_day(d))
    assert batch.award_from == first_day and batch.award_to > batch.award_from
    assert Event.objects.filter(subject_type="landstart.batch", subject_id=batch.pk).count() == batch.version
    runs = list(batch.runs.select_related("project"))
    assert len(runs) == 6 and Run.objects.filter(state=RunState.LISTED).count() == 6
    assert {r.state for r in runs} == {RunState.LISTED} and all(r.opened_automatically for r in runs)
    assert {r.project.stage for r in runs} == {Stage.LISTED}
    assert len({r.project.milestones.get(stage=Stage.LISTED).reached_on for r in runs}) == 1  # listed together
    closes = Counter(r.listing_closes_at.astimezone(TZ).date() for r in runs)
    assert closes == {batch.award_from: 3, batch.award_to: 3}
    steps = RunStep.objects.filter(run__batch=batch, pre_reviewable=True)
    assert not steps.filter(prereview_due_at=None).exists()
    staged = steps.filter(staged=True).count()
    assert steps.count() // 2 < staged < steps.count()
    # at ten in the morning of the demo's day, one step of a run awarded on the first day is not
    # ready: its pre-review is late (the others have until the first award day begins)
    demo_morning = HORIZON + timedelta(hours=10)
    late = [s for s in steps.filter(staged=False) if late_from(cal, s.prereview_due_at) <= demo_morning]
    assert [(s.code, s.run.listing_closes_at.astimezone(TZ).date()) for s in late] == [
        ("works_permit", batch.award_from)
    ]
    assert all(s.staged_at < HORIZON for s in steps.filter(staged=True))

    client = Client()
    client.force_login(leader)
    page = client.get(f"/landstart/batches/{batch.pk}/")
    assert page.status_code == 200
    assert batch.number in page.content.decode() and all(r.project.name in page.content.decode() for r in runs)


@pytest.mark.django_db
def test_a_completed_batch_of_six_keeps_its_record_after_the_40_minute_run(leader):
    batch = _batch(waiting=False)
    runs = list(batch.runs.order_by("awarded_at").select_related("project"))
    assert len(runs) == 6 and {r.state for r in runs} == {RunState.COMPLETED}
    assert all(r.opened_automatically and r.listing_closes_at for r in runs)
    minutes = [elapsed_seconds(r) / 60 for r in runs]
    assert minutes == BATCH_MINUTES == [max(r.minutes.values()) for r in DONE_RECORDS]
    assert all(30 <= m <= 150 for m in minutes) and sum(35 <= m <= 60 for m in minutes) >= 5
    days = [r.awarded_at.astimezone(TZ).date() for r in runs]
    assert batch.award_from == days[0] and batch.award_to == days[-1] and (days[-1] - days[0]).days <= 7
    assert timedelta(days=25) < HORIZON - runs[0].awarded_at < timedelta(days=65)  # a month or two ago
    record_40 = Run.objects.filter(state=RunState.COMPLETED, batch=None).order_by("awarded_at").last()
    assert elapsed_seconds(record_40) / 60 == 40.0 and record_40.awarded_at < runs[0].awarded_at
    for run in runs:
        assert run.project.stage == Stage.STARTED and run.project.funds.exists()
        steps = run.steps.select_related("unit", "completed_by")
        assert all(s.staged for s in steps if s.pre_reviewable)
        assert all(s.completed_by.username == f"unit-{s.unit.code}" for s in steps)
    # the history shows the batch after the records, with each step's minutes
    history = {row.run_id: row for row in run_history(actor=leader)}
    assert all(history[r.pk].step_minutes and history[r.pk].critical_path for r in runs)
    # the units' capacities the batch was planned with
    capacity = dict(UnitCapacity.objects.values_list("unit__code", "steps_at_once"))
    assert capacity == {code: steps for code, (_people, steps) in CAPACITIES.items()}
    assert capacity["cz"] == capacity["zrzy"] == 2 and capacity["zjj"] == capacity["sw"] == capacity["jyzx"] == 1

    client = Client()
    client.force_login(leader)
    page = client.get("/landstart/history/").content.decode()
    assert all(row.project_name in page for row in run_history(actor=leader))
    board = client.get(f"/landstart/batches/{batch.pk}/")
    assert board.status_code == 200 and all(r.project.name in board.content.decode() for r in runs)


@pytest.mark.django_db
def test_blockers_are_open_demands_of_the_investor_and_contacts_see_their_projects(demo):
    blockers = Demand.objects.exclude(project=None).select_related("project", "enterprise")
    assert 3 <= blockers.count() <= 6
    assert all(d.status in OPEN_STATUSES and d.enterprise_id == d.project.investor_id for d in blockers)
    assert {d.status for d in blockers} >= {"submitted", "dispatched", "in_progress"}

    contact = User.objects.filter(role="enterprise", enterprise__projects__isnull=False).first()
    own = Project.objects.filter(investor=contact.enterprise)
    client = Client()
    client.force_login(contact)
    page = client.get("/projects/")
    assert page.status_code == 200
    text = page.content.decode()
    assert all(p.name in text for p in own)
    assert not any(p.name in text for p in Project.objects.exclude(investor=contact.enterprise)[:20])


@pytest.mark.django_db
def test_loading_again_changes_nothing_and_force_reloads_the_same_projects(demo):
    officer = User.objects.get(username="officer")
    foreign = project_create(  # someone's own project, entered from a ledger: not the demo's
        actor=officer, number="ZS-2026-001", name="外来客商物流仓储项目", investor_name="某外地物流有限公司",
        project_type="lease", industry="logistics", planned_investment=Decimal("12000000.00"),
        service_officer=officer, at=datetime(2026, 7, 2, 10, 0, tzinfo=TZ),
    )
    before = snapshot()
    events = Event.objects.count()
    numbers = sorted(Batch.objects.values_list("number", "name"))
    marker = demo_marker()
    assert marker["projects"] == Project.objects.count() - 1 and marker["landstart_runs"] == 19
    batches = set(Batch.objects.values_list("pk", flat=True))
    assert set(marker["landstart_batches"]) == batches and len(batches) == 2
    template = BundleTemplate.objects.get(code="default")
    assert marker["landstart_template"] == template.pk

    assert "已经载入" in load()
    assert snapshot() == before and Event.objects.count() == events

    load(force=True)

    assert snapshot() == before
    assert Project.objects.filter(pk=foreign.pk, version=1).exists()
    assert Event.objects.filter(subject_type="project", subject_id=foreign.pk).count() == 1
    assert not BundleTemplate.objects.filter(pk=template.pk).exists()  # the demo's: wiped and made again
    assert not Event.objects.filter(subject_type="landstart_template", subject_id=template.pk).exists()
    assert BundleTemplate.objects.filter(code="default").count() == 1
    assert Event.objects.filter(subject_type="landstart_template").count() == 1
    assert [r.total_minutes for r in run_history(actor=officer)] == RECORD_MINUTES + BATCH_MINUTES
    assert not Batch.objects.filter(pk__in=batches).exists()  # the demo's: wiped and made again
    assert sorted(Batch.objects.values_list("number", "name")) == numbers
    told = Notification.objects.filter(kind__startswith="landstart.").values_list("payload", flat=True)
    assert told and {p["run"] for p in told} <= set(Run.objects.values_list("pk", flat=True))


@pytest.mark.django_db
def test_the_project_plan_is_the_same_for_the_same_seed(demo):
    cal = calendar_get()
    people = demo_plan(seed=7, until=UNTIL, demands=0, enterprises=20, cal=cal).enterprises

    def plan(seed: int):
        return demo_projects_plan(
            seed=seed, start=UNTIL.replace(year=2025), until=UNTIL, enterprises=people,
            is_working_day=cal.is_working_day,
        ).projects

    assert plan(7) == plan(7)
    assert [p.name for p in plan(7)] != [p.name for p in plan(8)]
