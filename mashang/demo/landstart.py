"""Land start from one case to the norm (从个案到常态) in the demo: land-supply batches and the
units' capacities.

After the records fell from 145 to 40 minutes (:data:`project_texts.RECORDS`), the zone awarded
a batch of six plots in three days and started building on each the same morning or afternoon
(38 to 58 minutes); and six more plots, listed together ten days before the demo's "now", wait
for their award on the next two working days while the units pre-review — one step of a run
awarded first is not ready and is late. Finance and natural resources work two steps at once,
the other units one (:data:`CAPACITIES`).

Nothing here reads the clock or draws from the other parts' random streams: the eleven projects
come from their own seeded stream and are played by :mod:`mashang.demo.projects` among its own
acts, through the same services (created at the listing, their runs opened by the listing, each
step pre-reviewed, awarded and completed by its unit's person); the batches are made and filled
by the service team through the batch services.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from mashang.demo import project_texts as pt
from mashang.demo.plan import EnterprisePlan
from mashang.demo.project_plan import (
    KEY_INDUSTRIES,
    Days,
    N,
    ProjectPlan,
    Shape,
    _funds,
    _investment,
    _land_mu,
    _name,
    _short,
    done_batch_award_days,
    waiting_award_days,
)
from mashang.landstart.services import batch_create, batch_run_add
from mashang.landstart.services.capacity import unit_capacity_set
from mashang.org.models import User
from mashang.projects.models import PIPELINE, Stage

_ALL = ("confirmation", "land_contract", "land_use_permit", "works_permit", "title", "construction_permit")

#: The completed batch, in award order: two runs a day on three days. Every unit had
#: pre-reviewed; the construction permit (housing and construction) decides the time.
DONE_RECORDS: tuple[pt.Record, ...] = (
    pt.Record(
        "09:30",
        {"confirmation": 1, "land_contract": 3, "land_use_permit": 5, "works_permit": 8,
         "land_payment": 9, "deed_tax": 14, "title": 19, "construction_permit": 52},
        _ALL,
    ),
    pt.Record(
        "09:45",
        {"confirmation": 2, "land_contract": 5, "land_use_permit": 8, "works_permit": 12,
         "land_payment": 16, "deed_tax": 22, "title": 27, "construction_permit": 58},
        _ALL,
    ),
    pt.Record(
        "09:30",
        {"confirmation": 0.5, "land_contract": 2, "land_use_permit": 3.5, "land_payment": 6,
         "works_permit": 6.5, "deed_tax": 9, "title": 13, "construction_permit": 47},
        _ALL,
    ),
    pt.Record(
        "10:00",
        {"confirmation": 1, "land_contract": 2.5, "land_use_permit": 4, "works_permit": 7,
         "land_payment": 8, "deed_tax": 11, "title": 14, "construction_permit": 44},
        _ALL,
    ),
    pt.Record(
        "09:30",
        {"confirmation": 0.5, "land_contract": 1.5, "land_use_permit": 2.5, "land_payment": 4,
         "works_permit": 4.5, "deed_tax": 6, "title": 8, "construction_permit": 38},
        _ALL,
    ),
    pt.Record(
        "14:30",
        {"confirmation": 0.5, "land_contract": 1.5, "land_payment": 3, "land_use_permit": 3,
         "deed_tax": 5, "works_permit": 5.5, "title": 7.5, "construction_permit": 41},
        _ALL,
    ),
)

#: The waiting batch's five new runs: what their units have pre-reviewed by "now". The first
#: three are awarded on the first day: the third's works planning permit is not ready and its
#: pre-review is late. (The sixth run is the demo's listed run, awarded on the second day.)
WAITING_STAGED: tuple[tuple[str, ...], ...] = (
    _ALL,
    _ALL,
    ("confirmation", "land_contract", "land_use_permit", "title", "construction_permit"),
    ("confirmation", "land_contract", "land_use_permit", "title"),
    ("confirmation", "land_contract"),
)
#: The index of the first award day's runs among the waiting batch's new runs.
WAITING_FIRST_DAY = 3

#: Land-start capacity of the default bundle's units: (people on duty, steps at once).
CAPACITIES: dict[str, tuple[int, int]] = {"cz": (2, 2), "zrzy": (3, 2), "jyzx": (1, 1), "sw": (1, 1), "zjj": (1, 1)}

BATCH_NAME = "{year}年{month}月工业用地集中供地批次"
DONE_NOTE = "六宗工业用地三个工作日内集中摘牌，各单位提前预审、并联办理，宗宗拿地即动工。"
WAITING_NOTE = "六宗工业用地同期挂牌，按各单位承办能力分两日摘牌；挂牌期间各单位完成预审。"

#: Index of the batches' projects in the demo's plan (after the projects of project_plan).
FIRST_INDEX = 1000


@dataclass(frozen=True)
class BatchPlan:
    """A land-supply batch of the demo: its projects, days and texts."""

    key: str  # "done" or "waiting"
    name: str
    note: str
    listed: date
    award_from: date
    award_to: date
    members: tuple[int, ...]  # plan indexes of its projects, in award order


@dataclass(frozen=True)
class BatchesPlan:
    projects: list[ProjectPlan]
    batches: tuple[BatchPlan, ...]


def _investors(rng: random.Random, enterprises: Sequence[EnterprisePlan]) -> list[EnterprisePlan]:
    pool = sorted((e for e in enterprises if e.industry.name in KEY_INDUSTRIES), key=lambda e: e.number)
    pool = pool or sorted(enterprises, key=lambda e: e.number)
    rng.shuffle(pool)
    return pool


_PHASES = ("二期", "三期", "四期", "五期", "六期", "七期", "八期", "九期")


def _new_name(rng: random.Random, short: str, industry: str, taken: set[str]) -> str:
    """A project name not yet used (a later phase of a project when the patterns run out)."""
    before = set(taken)
    name = _name(rng, short, N, industry, taken)
    if name not in before:
        return name
    base = name.removesuffix("（二期）")
    name = next((f"{base}（{p}）" for p in _PHASES if f"{base}（{p}）" not in before), f"{base}（{len(before)}）")
    taken.add(name)
    return name


def _reached(rng: random.Random, days: Days, listed: date) -> dict[str, date]:
    """The days a project listed on ``listed`` reached the earlier stages (from the ledger)."""
    raw = {Stage.LISTED: listed}
    raw[Stage.LAND_REVIEW] = listed - timedelta(days=rng.randint(25, 60))
    raw[Stage.SIGNED] = raw[Stage.LAND_REVIEW] - timedelta(days=rng.randint(30, 110))
    raw[Stage.NEGOTIATING] = raw[Stage.SIGNED] - timedelta(days=rng.randint(45, 200))
    reached: dict[str, date] = {}
    previous: date | None = None
    for stage in (Stage.NEGOTIATING, Stage.SIGNED, Stage.LAND_REVIEW, Stage.LISTED):
        d = listed if stage == Stage.LISTED else days.fit(raw[stage])
        if previous is not None and d <= previous:
            d = days.next(previous)
        reached[stage] = d
        previous = d
    return reached


def _planned(rng: random.Random, reached: dict[str, date], award: date) -> dict[str, date]:
    planned = {
        s: reached[s] + timedelta(days=rng.randint(0, 20)) for s in (Stage.SIGNED, Stage.LAND_REVIEW)
    }
    planned[Stage.LISTED] = reached[Stage.LISTED]
    planned[Stage.AWARDED] = planned[Stage.STARTED] = award
    planned[Stage.PRODUCING] = award + timedelta(days=rng.randint(300, 450))
    latest: date | None = None
    for stage in PIPELINE:  # a later stage is never planned before an earlier one
        if stage in planned:
            latest = planned[stage] = max(planned[stage], latest or planned[stage])
    return planned


def demo_batches_plan(
    *, seed: int, days: Days, enterprises: Sequence[EnterprisePlan], taken: set[str], listed_run: ProjectPlan | None
) -> BatchesPlan:
    """The two batches and their eleven new projects for ``seed`` (pure: the same arguments give
    the same plan). ``taken`` holds the names already used (new ones are added to it);
    ``listed_run`` is the demo's listed project, which the waiting batch takes in."""
    rng = random.Random(f"mashang-demo:{seed}:landstart-batches")
    investors = _investors(rng, enterprises)
    done_days = done_batch_award_days(days)
    done_listed = days.on_or_before(done_days[0] - timedelta(days=21))
    first, second = waiting_award_days(days)
    waiting_listed = (
        listed_run.reached[Stage.LISTED] if listed_run is not None else days.on_or_before(days.until - timedelta(days=10))
    )
    plans: list[ProjectPlan] = []

    def project(n: int, listed: date, award: date, run: str, record: pt.Record) -> ProjectPlan:
        prng = random.Random(f"mashang-demo:{seed}:landstart-batch-project:{n}")
        investor = investors[n % len(investors)]
        shape = Shape(Stage.STARTED if run == "completed" else Stage.LISTED, N)
        reached = _reached(prng, days, listed)
        if run == "completed":
            reached[Stage.AWARDED] = reached[Stage.STARTED] = award
        industry = investor.industry.name
        investment = _investment(prng, shape, industry)
        p = ProjectPlan(
            index=FIRST_INDEX + n,
            role="batch_done" if run == "completed" else "batch_waiting",
            name=_new_name(prng, _short(investor.name), industry, taken),
            investor=investor.number,
            investor_name=investor.name,
            project_type=N,
            industry=pt.INDUSTRY_OF[industry],
            investment=investment,
            land_mu=_land_mu(prng, investment, pt.INDUSTRY_OF[industry]),
            officer=prng.choices(["officer", "officer2", "officer3"], [40, 35, 25])[0],
            is_key=False,
            is_city_key=False,
            final=shape.final,
            standing=shape.final,
            reached=reached,
            planned=_planned(prng, reached, award),
            entered=listed,  # entered from the land-supply ledger when its land is listed
            entry_stage=Stage.LISTED,
            record=record,
            run=run,
        )
        if run == "completed":
            p.funds = _funds(random.Random(f"mashang-demo:{seed}:landstart-batch-funds:{n}"), p, days)
        return p

    done_award = (done_days[0], done_days[0], done_days[1], done_days[1], done_days[2], done_days[2])
    for n, (record, award) in enumerate(zip(DONE_RECORDS, done_award, strict=True)):
        plans.append(project(n, done_listed, award, "completed", record))
    for n, staged in enumerate(WAITING_STAGED, start=len(DONE_RECORDS)):
        award = first if n - len(DONE_RECORDS) < WAITING_FIRST_DAY else second
        plans.append(project(n, waiting_listed, award, "listed", pt.Record("", {}, staged)))
    waiting = [p.index for p in plans[len(DONE_RECORDS) :]]
    if listed_run is not None:
        waiting.append(listed_run.index)
    batches = (
        BatchPlan(
            key="done",
            name=BATCH_NAME.format(year=done_days[0].year, month=done_days[0].month),
            note=DONE_NOTE,
            listed=done_listed,
            award_from=done_days[0],
            award_to=done_days[-1],
            members=tuple(p.index for p in plans[: len(DONE_RECORDS)]),
        ),
        BatchPlan(
            key="waiting",
            name=BATCH_NAME.format(year=first.year, month=first.month),
            note=WAITING_NOTE,
            listed=waiting_listed,
            award_from=first,
            award_to=second,
            members=tuple(waiting),
        ),
    )
    return BatchesPlan(projects=plans, batches=batches)


# --- acts ------------------------------------------------------------------------------------------

#: (when, label, what) — played among the other acts of the demo's projects, in time order.
Act = tuple[datetime, str, Callable[[], Any]]


def batch_acts(
    *,
    plan: BatchesPlan,
    at: Callable[[date, str | time], datetime],
    next_day: Callable[[date], date],
    run_id: Callable[[int], int],
    officer: User,
    made: list[int],
) -> list[Act]:
    """The service team makes each batch the working day after its land is listed (once the
    runs are open) and puts the runs in it, in award order. ``made`` collects the batches' ids."""
    acts: list[Act] = []
    for b in plan.batches:
        created = at(next_day(b.listed), "11:00")
        holder: dict[str, int] = {}

        def make(b: BatchPlan = b, created: datetime = created, holder: dict[str, int] = holder) -> None:
            batch = batch_create(
                actor=officer, name=b.name, award_from=b.award_from, award_to=b.award_to, note=b.note, at=created
            )
            holder["id"] = batch.pk
            made.append(batch.pk)

        acts.append((created, f"batch {b.key}: create", make))
        for i, index in enumerate(b.members):
            added = created + timedelta(minutes=2 + i)

            def add(index: int = index, added: datetime = added, holder: dict[str, int] = holder) -> None:
                batch_run_add(actor=officer, batch_id=holder["id"], run_id=run_id(index), at=added)

            acts.append((added, f"batch {b.key}: add run of project #{index}", add))
    return acts


def capacity_acts(*, at: datetime, units: dict[str, int], admin: User) -> list[Act]:
    """The administrator sets each unit's capacity when the bundle is installed."""
    return [
        (
            at + timedelta(minutes=1 + i),
            f"capacity {code}",
            lambda code=code, people=people, steps=steps, when=at + timedelta(minutes=1 + i): (
                unit_capacity_set(
                    actor=admin, unit_id=units[code], people_on_duty=people, steps_at_once=steps, at=when
                )
            ),
        )
        for i, (code, (people, steps)) in enumerate(CAPACITIES.items())
    ]

