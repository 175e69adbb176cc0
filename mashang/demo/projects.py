"""Play the demo's investment projects, their blockers and land-start runs through the services.

Every project is made and moved by its service officer with an explicit time: created
(:func:`project_create`, with the past a project brings from the zone's ledger), moved along
the pipeline (:func:`project_transition`), its milestones planned, funds in place recorded, a
reason written when a key project falls behind. Blockers are raised on projects
(:func:`project_blocker_raise`) and triaged, dispatched and answered like any demand. The
default land-start bundle is installed and every run is driven by the units' own people:
opened by the listing itself (the land-start app opens it when the land is listed; the demo
opens it the next morning as the listing would have, if it has not), pre-reviewed by the
units, awarded by the trading centre, each step completed by its unit with its document —
which moves the project to awarded and started. All acts of all projects run in time order,
before the demo's "now", and with them the land-supply reviews of :mod:`mashang.demo.meetings`
(whose minutes list some of the land) and the land-supply batches and unit capacities of
:mod:`mashang.demo.landstart`. Only the live run is played after them: its award and first
steps at the moment the demo is loaded, so its board reads minutes.

What the demo owns and ``--force`` wipes (:func:`demo_projects_wipe`): the projects of the
demo's enterprises and of its prospective investors (:data:`project_texts.PROSPECT_NAMES`),
their runs, events and land-start messages, the batches the demo made, and the bundle template
if the demo installed it.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Q
from django.utils import timezone

from mashang.audit.models import Event
from mashang.core.numbering import numbers_continue
from mashang.demands import services as demands
from mashang.demands.models import Demand
from mashang.demo import landstart as batches
from mashang.demo import project_texts as pt
from mashang.demo.plan import DemoPlan
from mashang.demo.project_plan import Days, ProjectPlan, demo_projects_plan
from mashang.demo.simulate import DemoError
from mashang.demo.sweeps import SweepReplay
from mashang.landstart import services as landstart
from mashang.landstart.default_bundle import DEFAULT_STEPS
from mashang.landstart.models import (
    OPEN_RUN_STATES,
    Batch,
    BatchNumberSequence,
    BundleTemplate,
    Run,
    RunStep,
    StepDocument,
)
from mashang.landstart.services.batches import BATCH_SUBJECT
from mashang.landstart.services.common import SUBJECT as RUN_SUBJECT
from mashang.landstart.services.templates import TEMPLATE_SUBJECT
from mashang.notify.models import Notification
from mashang.org.models import Unit, User
from mashang.projects import services as projects
from mashang.projects.models import PIPELINE, Project, ProjectNumberSequence, Stage
from mashang.projects.services.common import SUBJECT as PROJECT_SUBJECT
from mashang.projects.transitions import Action, stages_for
from mashang.workcal.calendar import WorkCalendar

ACTION_TO = {
    Stage.NEGOTIATING: Action.NEGOTIATE,
    Stage.SIGNED: Action.SIGN,
    Stage.LAND_REVIEW: Action.REVIEW_LAND,
    Stage.LISTED: Action.LIST_LAND,
    Stage.AWARDED: Action.AWARD,
    Stage.STARTED: Action.START,
    Stage.PRODUCING: Action.PRODUCE,
}


class DemoProjectError(DemoError):
    """A service refused an act of the demo's projects: the plan asked for what real use could not do."""


@dataclass
class ProjectsLoaded:
    """What the project part of the demo made (recorded in the demo's marker)."""

    projects: int = 0
    runs: int = 0
    blockers: int = 0
    template: int | None = None  # the bundle template the demo installed, if it did
    batches: list[int] = field(default_factory=list)  # the land-supply batches it made

    def payload(self) -> dict[str, object]:
        return {
            "projects": self.projects,
            "landstart_runs": self.runs,
            "project_blockers": self.blockers,
            "landstart_template": self.template,
            "landstart_batches": self.batches,
        }


@dataclass(order=True)
class _Act:
    at: datetime
    order: int
    label: str = field(compare=False)
    run: Callable[[], None] = field(compare=False)


@dataclass
class _Live:
    """The project (and its run and blocker) as the acts left them."""

    plan: ProjectPlan
    project_id: int | None = None
    run_id: int | None = None
    demand: Any = None

    def version(self) -> int:
        return Project.objects.values_list("version", flat=True).get(pk=self.project_id)


_PAPERS = {s.code: s.document for s in DEFAULT_STEPS}


def _paper(code: str) -> list[SimpleUploadedFile]:
    """The document a unit files when it completes its step (a small PDF standing for it)."""
    name = _PAPERS.get(code) or code
    body = f"%PDF-1.4\n% {name}（演示文件）\n%%EOF\n".encode()
    return [SimpleUploadedFile(f"{name}.pdf", body, content_type="application/pdf")]


#: How long before the demo's load the live run was awarded: its board shows the first minute.
LIVE_AWARDED_BEFORE = timedelta(seconds=55)


class _Player:
    def __init__(
        self, *, plan: DemoPlan, users: Mapping[str, User], cal: WorkCalendar, now: Callable[[], datetime]
    ):
        self.users = users
        self.tz = cal.tz
        self.days = Days(cal.is_working_day, plan.start.date(), plan.until)
        self.credit_codes = {e.number: e.credit_code for e in plan.enterprises}
        self.horizon = plan.horizon
        self.acts: list[_Act] = []
        self.loaded = ProjectsLoaded()
        self.lives: dict[int, _Live] = {}
        self.listed_by_review: set[int] = set()  # their land is listed by a land-supply review
        self.now = now
        self.sweeps: SweepReplay | None = None
        #: The live run's award and first steps: played last, at the moment the demo is loaded.
        self.live_acts: list[tuple[timedelta, str, Callable[[datetime], None]]] = []

    def project_id(self, index: int) -> int:
        """The id of the project of plan ``index`` (once its creation has been played)."""
        project_id = self.lives[index].project_id
        if project_id is None:
            raise DemoProjectError(f"project #{index} is not created yet")
        return project_id

    # --- times -------------------------------------------------------------------------------

    def at(self, day: date, clock: str | time) -> datetime:
        if isinstance(clock, str):
            clock = time.fromisoformat(clock)
        return datetime.combine(day, clock, tzinfo=self.tz)

    def office(self, day: date, rng: random.Random, *, morning: bool = False) -> datetime:
        """A time in the zone's office hours on ``day`` with room for what follows it."""
        if morning or rng.random() < 0.6:
            minute = rng.uniform(9 * 60, 10 * 60 + 40)
        else:
            minute = rng.uniform(14 * 60 + 30, 16 * 60 + 20)
        return datetime.combine(day, time(), tzinfo=self.tz) + timedelta(minutes=minute, seconds=rng.randint(0, 59))

    def add(self, at: datetime, label: str, run: Callable[[], None]) -> None:
        if at >= self.horizon:
            raise DemoProjectError(f"{label} at {at} is not before the demo's now ({self.horizon})")
        self.acts.append(_Act(at, len(self.acts), label, run))

    # --- one project ---------------------------------------------------------------------------

    def project_acts(self, p: ProjectPlan, seed: int) -> None:
        rng = random.Random(f"mashang-demo:{seed}:project-acts:{p.index}")
        live = self.lives[p.index] = _Live(p)
        officer = self.users[p.officer]
        label = f"project #{p.index} ({p.name})"
        created = self.office(p.entered, rng, morning=True)
        self.add(created, f"{label}: create", lambda: self._create(live, officer, created))
        for i, receipt in enumerate(r for r in p.funds if r.received_on < p.entered):
            recorded = created + timedelta(minutes=15 + 7 * i)  # its past funds, from the ledger
            self.add(recorded, f"{label}: funds", self._funds_act(live, officer, receipt, recorded))
        path = stages_for(p.project_type)
        later = {s: d for s, d in p.planned.items() if s not in p.first_planned_at_entry}
        for stage in path[path.index(p.entry_stage) + 1 : path.index(p.standing) + 1]:
            if p.run in ("completed", "live") and stage in (Stage.AWARDED, Stage.STARTED):
                continue  # the land-start run moves it
            if stage == Stage.LISTED and p.index in self.listed_by_review:
                continue  # the minutes of a land-supply review list it (mashang.demo.meetings)
            moved = self.office(p.reached[stage], rng, morning=True)
            self.add(moved, f"{label}: {stage}", self._move_act(live, officer, ACTION_TO[stage], moved))
            if stage == Stage.SIGNED and later:  # at signing, the officer plans what follows
                planned_at = moved + timedelta(minutes=rng.randint(10, 40))
                self.add(planned_at, f"{label}: plan", self._plan_act(live, officer, later, planned_at))
        for receipt in (r for r in p.funds if r.received_on >= p.entered):
            day = max(receipt.received_on, self.days.next(p.entered))
            recorded = self.office(day, rng)
            self.add(recorded, f"{label}: funds", self._funds_act(live, officer, receipt, recorded))
        if p.behind:
            missed, day = p.behind
            written = self.office(day, rng)
            self.add(written, f"{label}: behind plan", self._update_act(live, officer, written,
                                                                       behind_plan_reason=pt.BEHIND_REASONS[missed]))
        if p.pause_on:
            paused = self.office(p.pause_on, rng)
            self.add(paused, f"{label}: pause", self._move_act(live, officer, Action.PAUSE, paused, pt.PAUSE_REASON))
        if p.drop_on:
            dropped = self.office(p.drop_on, rng)
            self.add(dropped, f"{label}: drop", self._move_act(live, officer, Action.DROP, dropped, pt.DROP_REASON))
        if p.run:
            self.run_acts(live, officer, rng, label)
        for blocker in pt.BLOCKERS:
            if blocker.role == p.role:
                self.blocker_acts(live, officer, blocker, rng, label)

    def _create(self, live: _Live, officer: User, at: datetime) -> None:
        p = live.plan
        milestones = []
        for stage in PIPELINE:
            reached = p.reached.get(stage) if PIPELINE.index(stage) <= PIPELINE.index(p.entry_stage) else None
            planned = p.planned.get(stage) if stage in p.first_planned_at_entry else None
            if reached or planned:
                milestones.append({"stage": stage, "planned_on": planned, "reached_on": reached})
        investor = (
            {"investor_credit_code": self.credit_codes[p.investor]}
            if p.investor is not None
            else {"investor_name": p.investor_name}
        )
        project = projects.project_create(
            actor=officer,
            at=at,
            name=p.name,
            **investor,
            project_type=p.project_type,
            industry=p.industry,
            planned_investment=p.investment,
            land_area_mu=p.land_mu,
            service_officer=officer,
            is_key=p.is_key,
            is_city_key=p.is_city_key,
            stage=p.entry_stage,
            milestones=milestones,
        )
        live.project_id = project.pk
        self.loaded.projects += 1

    def _move_act(self, live: _Live, officer: User, action: str, at: datetime, reason: str = ""):
        def act() -> None:
            projects.project_transition(
                actor=officer, project_id=live.project_id, version=live.version(), action=action, reason=reason, at=at
            )

        return act

    def _plan_act(self, live: _Live, officer: User, plans: dict[str, date], at: datetime):
        return lambda: projects.milestone_plan(actor=officer, project_id=live.project_id, plans=plans, at=at)

    def _update_act(self, live: _Live, officer: User, at: datetime, **changes: Any):
        def act() -> None:
            projects.project_update(actor=officer, project_id=live.project_id, version=live.version(), at=at, **changes)

        return act

    def _funds_act(self, live: _Live, officer: User, receipt, at: datetime):
        return lambda: projects.funds_record(
            actor=officer, project_id=live.project_id, amount=receipt.amount, received_on=receipt.received_on,
            note=receipt.note, at=at,
        )

    # --- its land-start run -----------------------------------------------------------------------

    def run_acts(self, live: _Live, officer: User, rng: random.Random, label: str) -> None:
        p = live.plan
        listed = p.reached[Stage.LISTED]
        opened = self.at(self.days.next(listed), f"09:{rng.randint(5, 50):02d}")
        self.add(opened, f"{label}: open run", lambda: self._open(live, officer, opened))
        staged = p.record.staged if p.record is not None else pt.LISTED_STAGED
        limit = self.days.until if p.run == "listed" else p.reached[Stage.AWARDED]
        day = opened.date()
        for code in staged:  # the units pre-review during the listing period, one a day
            if self.days.next(day) < limit:
                day = self.days.next(day)
            when = self.office(day, rng)
            if when <= opened:
                when = opened + timedelta(minutes=rng.randint(20, 90))
            unit_user = self.users[f"unit-{pt.STEP_UNITS[code]}"]
            self.add(when, f"{label}: stage {code}", self._stage_act(live, unit_user, code, when))
        if p.run == "listed":
            return
        jyzx = self.users["unit-jyzx"]
        order = {code: i for i, code in enumerate(pt.STEP_UNITS)}
        if p.run == "live":
            self.live_run_acts(live, p.record, label)
            return
        awarded = self.at(p.reached[Stage.AWARDED], p.record.award)
        self.add(awarded, f"{label}: award", lambda: landstart.landstart_award(
            actor=jyzx, run_id=live.run_id, awarded_at=awarded, at=awarded))
        for code, minutes in sorted(p.record.minutes.items(), key=lambda kv: (kv[1], order[kv[0]])):
            done = awarded + timedelta(minutes=minutes)
            unit_user = self.users[f"unit-{pt.STEP_UNITS[code]}"]
            self.add(done, f"{label}: complete {code}", self._complete_act(live, unit_user, code, done))

    def live_run_acts(self, live: _Live, record: pt.Record, label: str) -> None:
        """The live run's clock starts when the demo is loaded: awarded a moment before, its
        first steps done within the first minute (the published record's pace), the rest open
        for the units to complete."""
        jyzx = self.users["unit-jyzx"]

        def award(awarded: datetime) -> None:
            landstart.landstart_award(actor=jyzx, run_id=live.run_id, awarded_at=awarded, at=awarded)

        self.live_acts.append((timedelta(0), f"{label}: award", award))
        order = {code: i for i, code in enumerate(pt.STEP_UNITS)}
        for code, minutes in sorted(record.minutes.items(), key=lambda kv: (kv[1], order[kv[0]])):
            unit_user = self.users[f"unit-{pt.STEP_UNITS[code]}"]
            self.live_acts.append((
                timedelta(minutes=minutes),
                f"{label}: complete {code}",
                lambda done, unit_user=unit_user, code=code: landstart.landstart_step_complete(
                    actor=unit_user, run_id=live.run_id, step_code=code, at=done, documents=_paper(code)
                ),
            ))

    def _open(self, live: _Live, officer: User, at: datetime) -> None:
        """The run the listing opened (the land-start app opens it by itself when the land is
        listed), else open it now as the listing would have."""
        existing = Run.objects.filter(project_id=live.project_id, state__in=OPEN_RUN_STATES).first()
        if existing is None:
            existing = landstart.landstart_open(
                actor=officer, project_id=live.project_id, template_code=None, at=at, automatically=True
            )
        live.run_id = existing.pk
        self.loaded.runs += 1

    def _stage_act(self, live: _Live, actor: User, code: str, at: datetime):
        return lambda: landstart.landstart_step_stage(actor=actor, run_id=live.run_id, step_code=code, at=at)

    def _complete_act(self, live: _Live, actor: User, code: str, at: datetime):
        return lambda: landstart.landstart_step_complete(
            actor=actor, run_id=live.run_id, step_code=code, at=at, documents=_paper(code)
        )

    # --- blockers -------------------------------------------------------------------------------

    def blocker_acts(self, live: _Live, officer: User, b: pt.Blocker, rng: random.Random, label: str) -> None:
        day = self.days.on_or_before(self.days.until - timedelta(days=b.days_before))
        raised = self.at(day, "09:40") + timedelta(minutes=rng.randint(0, 40))
        self.add(raised, f"{label}: blocker", lambda: self._raise(live, officer, b, raised))
        if b.stop == "submitted":
            return
        triaged = raised + timedelta(minutes=rng.randint(12, 35))
        self.add(triaged, f"{label}: triage blocker", lambda: self._demand(
            live, demands.demand_triage, actor=officer, category=b.category, urgency=b.urgency, at=triaged))
        dispatched = triaged + timedelta(minutes=rng.randint(4, 15))
        self.add(dispatched, f"{label}: dispatch blocker", lambda: self._demand(
            live, demands.demand_dispatch, actor=officer, lead_unit=b.lead, co_units=b.co, at=dispatched))
        if b.stop == "dispatched":
            return
        next_day = self.days.next(day)
        responded = (
            self.at(next_day, "09:10") if next_day < self.days.until else dispatched + timedelta(hours=3)
        ) + timedelta(minutes=rng.randint(0, 50))
        unit_user = self.users[f"unit-{b.lead}"]
        self.add(responded, f"{label}: respond to blocker", lambda: self._demand(
            live, demands.demand_respond, actor=unit_user, method="phone", contact_with="项目负责人",
            note="已与企业联系，了解诉求详情，正在协调相关单位办理。", at=responded))

    def _raise(self, live: _Live, officer: User, b: pt.Blocker, at: datetime) -> None:
        live.demand = projects.project_blocker_raise(
            actor=officer, project_id=live.project_id, title=b.title, description=b.description,
            category_code=b.category, at=at,
        )
        self._watch(live.demand)
        self.loaded.blockers += 1

    def _demand(self, live: _Live, service: Callable[..., Any], **kwargs: Any) -> None:
        # The version read now: a notice the replayed sweep raised meanwhile bumped it.
        version = Demand.objects.values_list("version", flat=True).get(pk=live.demand.pk)
        live.demand = service(demand_id=live.demand.pk, version=version, **kwargs)
        self._watch(live.demand)

    def _watch(self, demand: Demand) -> None:
        if self.sweeps is not None:
            self.sweeps.watch(demand)

    # --- all of them ------------------------------------------------------------------------------

    def play(self) -> ProjectsLoaded:
        for act in sorted(self.acts):
            if self.sweeps is not None:
                self.sweeps.run_until(act.at)
            try:
                act.run()
            except Exception as exc:
                raise DemoProjectError(
                    f"demo {act.label} at {act.at.astimezone(self.tz):%Y-%m-%d %H:%M} failed: {exc}"
                ) from exc
        if self.live_acts:
            # The demo's "now" for the live run is the moment it is loaded (never before the
            # demo's day begins, when --until is a day still to come).
            awarded = max(self.now() - LIVE_AWARDED_BEFORE, self.horizon)
            for offset, label, run in self.live_acts:
                try:
                    run(awarded + offset)
                except Exception as exc:
                    raise DemoProjectError(f"demo {label} failed: {exc}") from exc
        return self.loaded


#: Given the project plan and a way to the id of a plan's project, the land-supply reviews say
#: which projects' land their minutes list, and give their acts (when, label, what).
LandReviews = Callable[
    [list[ProjectPlan], Callable[[int], int]],
    tuple[set[int], list[tuple[datetime, str, Callable[[], Any]]]],
]


def demo_projects_load(
    *,
    plan: DemoPlan,
    users: Mapping[str, User],
    cal: WorkCalendar,
    land_reviews: LandReviews | None = None,
    now: Callable[[], datetime] | None = None,
    sweeps: SweepReplay | None = None,
) -> ProjectsLoaded:
    """Make the demo's projects, blockers, land-start runs and batches (inside the demo's
    transaction), and play the land-supply reviews' acts among them. ``now`` reads the clock
    when the live run is awarded (at the very end)."""
    projects_plan = demo_projects_plan(
        seed=plan.seed, start=plan.start.date(), until=plan.until, enterprises=plan.enterprises,
        is_working_day=cal.is_working_day,
    )
    player = _Player(plan=plan, users=users, cal=cal, now=now or timezone.now)
    player.sweeps = sweeps
    installed = player.at(player.days.on_or_after(plan.start.date() + timedelta(days=1)), "09:00")
    template, created = landstart.template_install_default(actor=users["admin"], at=installed)
    player.loaded.template = template.pk if created else None
    reviews: list[tuple[datetime, str, Callable[[], Any]]] = []
    if land_reviews is not None:
        player.listed_by_review, reviews = land_reviews(projects_plan.projects, player.project_id)
    batches_plan = batches.demo_batches_plan(
        seed=plan.seed, days=player.days, enterprises=plan.enterprises,
        taken={p.name for p in projects_plan.projects},
        listed_run=next((p for p in projects_plan.projects if p.run == "listed"), None),
    )
    for p in [*projects_plan.projects, *batches_plan.projects]:
        player.project_acts(p, plan.seed)
    for at, label, run in reviews:
        player.add(at, label, run)
    units = dict(Unit.objects.filter(code__in=batches.CAPACITIES).values_list("code", "pk"))
    for at, label, run in [
        *batches.capacity_acts(at=installed, units=units, admin=users["admin"]),
        *batches.batch_acts(
            plan=batches_plan, at=player.at, next_day=player.days.next,
            run_id=lambda index: player.lives[index].run_id, officer=users["officer"],
            made=player.loaded.batches,
        ),
    ]:
        player.add(at, label, run)
    return player.play()


# --- wiping ----------------------------------------------------------------------------------------


def _chunks(ids: list[int], size: int = 500):
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def demo_projects_wipe(*, enterprise_ids: set[int], marker: Mapping[str, Any] | None) -> int:
    """Delete the demo's projects with their runs, events and land-start messages, and the bundle
    template the demo installed (unless runs of other projects use it). Call it after the demo's
    demands are gone (a blocker refers to its project) and before its enterprises. Returns the
    number of projects deleted."""
    ids = sorted(
        Project.objects.filter(
            Q(investor_id__in=enterprise_ids) | Q(investor=None, investor_name__in=pt.PROSPECT_NAMES)
        ).values_list("pk", flat=True)
    )
    run_ids = sorted(Run.objects.filter(project_id__in=ids).values_list("pk", flat=True))
    for chunk in _chunks(run_ids):
        StepDocument.objects.filter(step__run_id__in=chunk).delete()
        Event.objects.filter(subject_type=RUN_SUBJECT, subject_id__in=chunk).delete()
        Notification.objects.filter(kind__startswith="landstart.", payload__run__in=chunk).delete()
        RunStep.objects.filter(run_id__in=chunk).delete()
        Run.objects.filter(pk__in=chunk).delete()
    for chunk in _chunks(ids):
        Event.objects.filter(subject_type=PROJECT_SUBJECT, subject_id__in=chunk).delete()
        Project.objects.filter(pk__in=chunk).delete()
    batch_ids = list((marker or {}).get("landstart_batches") or [])
    Event.objects.filter(subject_type=BATCH_SUBJECT, subject_id__in=batch_ids).delete()
    Batch.objects.filter(pk__in=batch_ids, runs__isnull=True).delete()
    numbers_continue(BatchNumberSequence, Batch)
    template_id = (marker or {}).get("landstart_template")
    if template_id and not Run.objects.filter(template_id=template_id).exists():
        Event.objects.filter(subject_type=TEMPLATE_SUBJECT, subject_id=template_id).delete()
        BundleTemplate.objects.filter(pk=template_id).delete()
    numbers_continue(ProjectNumberSequence, Project)
    return len(ids)
