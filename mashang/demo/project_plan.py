"""Pure generation of the demo's investment projects: who, what, how much, and on which days.

Nothing here touches the database or reads the clock: the same seed, enterprises and
``until`` give the same plan. :mod:`mashang.demo.projects` plays it through the services.

The pipeline at the demo's "now": 59 projects in negotiation and 36 signed or further along
(35 moving, one paused after signing), two leads and one dropped — 98 in all. Six new-land
projects had their land awarded over the year and started building the same day through a
land-start run (145 → 98 → 72 → 55 → 41 → 40 minutes); a seventh's run is in progress (its
clock starts when the demo is loaded); an eighth's land is listed and its units pre-review, in
the land-supply batch waiting at "now" (:mod:`mashang.demo.landstart` adds that batch's other
five projects and a completed batch of six).
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from mashang.demo import project_texts as pt
from mashang.demo import reference as ref
from mashang.demo.plan import EnterprisePlan
from mashang.projects.models import PIPELINE, Stage
from mashang.projects.transitions import stages_for

N, L, E = "new_land", "lease", "expansion"
YUAN_CAP = Decimal(3_500_000_000)
#: The demo's planned investment (projects not dropped) is brought up to at least this.
MIN_TOTAL = Decimal(56_000_000_000)
#: Days after the demo's first day on which the six completed land-start runs were awarded.
AWARD_DAYS = (48, 105, 160, 215, 268, 318)
#: Days after the demo's first day on which the completed land-supply batch's awards began
#: (after the 40-minute record: from one case to the norm), a month before the demo's "now".
BATCH_AWARD_DAY = 335


@dataclass(frozen=True)
class Shape:
    """Where a project stands at the demo's "now" and the part it plays in the demo."""

    final: str
    kind: str
    role: str = ""
    key: bool = False
    city: bool = False


def shapes() -> list[Shape]:
    """The 98 projects of the demo, by final stage."""
    s = [Shape(Stage.LEAD, N), Shape(Stage.LEAD, L)]
    s += [Shape(Stage.NEGOTIATING, N, "key_prospect", key=True)]
    s += [Shape(Stage.NEGOTIATING, N)] * 41 + [Shape(Stage.NEGOTIATING, L)] * 10
    s += [Shape(Stage.NEGOTIATING, E)] * 7
    s += [Shape(Stage.SIGNED, N, "behind_review", key=True)] + [Shape(Stage.SIGNED, N)] * 2
    s += [Shape(Stage.SIGNED, L)] * 2 + [Shape(Stage.SIGNED, E)] * 2
    s += [Shape(Stage.LAND_REVIEW, N, "behind_listed", key=True, city=True)]
    s += [Shape(Stage.LAND_REVIEW, N)] * 5
    s += [Shape(Stage.LISTED, N, "listed_run")]
    s += [Shape(Stage.AWARDED, N, "live_run", key=True, city=True)]
    s += [Shape(Stage.STARTED, N, f"run{i}", key=i == len(AWARD_DAYS)) for i in range(1, 7)]
    s += [Shape(Stage.STARTED, N, "behind_producing", key=True, city=True)]
    s += [Shape(Stage.STARTED, N, "old_start")]
    s += [Shape(Stage.STARTED, L)] * 2 + [Shape(Stage.STARTED, E)] * 3
    s += [Shape(Stage.PRODUCING, E, "key_expansion", key=True)] + [Shape(Stage.PRODUCING, E)] * 2
    s += [Shape(Stage.PRODUCING, L)] * 2 + [Shape(Stage.PRODUCING, N, "old_start")] * 2
    s += [Shape(Stage.PAUSED, N, "paused"), Shape(Stage.DROPPED, N, "dropped")]
    return s


#: The zone's headline industries: its key projects and land-start projects are in these.
KEY_INDUSTRIES = ("新能源", "电子信息", "精密制造", "智能装备", "新材料", "生物医药")

#: Roles whose project must have a registered investor (a blocker is a demand of the investor).
REGISTERED_ROLES = frozenset(b.role for b in pt.BLOCKERS)


@dataclass
class FundsPlan:
    received_on: date
    amount: Decimal
    note: str


@dataclass
class ProjectPlan:
    index: int
    role: str
    name: str
    investor: int | None  # EnterprisePlan.number; None for a prospective investor
    investor_name: str
    project_type: str
    industry: str  # a projects.models.Industry value
    investment: Decimal
    land_mu: Decimal | None
    officer: str
    is_key: bool
    is_city_key: bool
    final: str
    standing: str  # the pipeline stage it stands at (where it paused or was dropped)
    reached: dict[str, date]  # pipeline stage -> the day it was reached
    planned: dict[str, date]  # pipeline stage -> its planned day
    entered: date  # the day it comes into mashang
    entry_stage: str
    pause_on: date | None = None
    drop_on: date | None = None
    behind: tuple[str, date] | None = None  # the missed milestone, the day its reason is written
    funds: list[FundsPlan] = field(default_factory=list)
    record: pt.Record | None = None  # its land-start run
    run: str = ""  # "completed", "live" or "listed"

    @property
    def first_planned_at_entry(self) -> set[str]:
        """The stages whose planned day is set when the project is entered (the rest at signing)."""
        if PIPELINE.index(self.entry_stage) >= PIPELINE.index(Stage.SIGNED):
            return set(self.planned)
        return {s for s in self.planned if s == Stage.SIGNED}


@dataclass
class ProjectsPlan:
    start: date
    until: date
    projects: list[ProjectPlan]


# --- days ----------------------------------------------------------------------------------


class Days:
    """Working-day arithmetic on the zone's calendar for the demo's dates."""

    def __init__(self, is_working_day: Callable[[date], bool], start: date, until: date):
        self.works = is_working_day
        self.start, self.until = start, until

    def on_or_after(self, d: date) -> date:
        while not self.works(d):
            d += timedelta(days=1)
        return d

    def on_or_before(self, d: date) -> date:
        while not self.works(d):
            d -= timedelta(days=1)
        return d

    def last(self) -> date:
        """The last working day before the demo's "now"."""
        return self.on_or_before(self.until - timedelta(days=1))

    def next(self, d: date) -> date:
        return self.on_or_after(d + timedelta(days=1))

    def fit(self, d: date) -> date:
        """A working day near ``d``: on or after it in the demo's year, on or before it earlier."""
        if d < self.start:
            return self.on_or_before(d)
        d = self.on_or_after(d)
        return d if d < self.until else self.last()


def _days(d: date, n: int) -> date:
    return d + timedelta(days=n)


def waiting_award_days(days: Days) -> tuple[date, date]:
    """The award days of the land-supply batch waiting at the demo's "now": the next two
    working days after the demo's today."""
    first = days.on_or_after(_days(days.until, 1))
    return first, days.next(first)


def done_batch_award_days(days: Days) -> tuple[date, date, date]:
    """The three working days on which the completed land-supply batch was awarded."""
    first = days.on_or_after(_days(days.start, BATCH_AWARD_DAY))
    second = days.next(first)
    return first, second, days.next(second)


_GAPS: dict[tuple[str, str], tuple[int, int]] = {
    (Stage.NEGOTIATING, Stage.SIGNED): (45, 200),
    (Stage.SIGNED, Stage.LAND_REVIEW): (30, 110),
    (Stage.LAND_REVIEW, Stage.LISTED): (25, 70),
    (Stage.LISTED, Stage.AWARDED): (18, 26),
    (Stage.AWARDED, Stage.STARTED): (60, 150),
}
_TO_PRODUCTION = {N: (300, 540), L: (60, 150), E: (120, 300)}
_TO_START = {L: (20, 90), E: (30, 150)}


def _gap(rng: random.Random, earlier: str, later: str, shape: Shape) -> int:
    if later == Stage.STARTED and earlier == Stage.AWARDED and shape.role.startswith(("run", "live")):
        return 0  # the land start: construction starts the day the land is won
    if later == Stage.PRODUCING:
        low, high = _TO_PRODUCTION[shape.kind]
    elif (earlier, later) == (Stage.SIGNED, Stage.STARTED):
        low, high = _TO_START[shape.kind]
    else:
        low, high = _GAPS[(earlier, later)]
    return rng.randint(low, high)


def _anchor(rng: random.Random, shape: Shape, days: Days, standing: str) -> date:
    """The day the project reached the stage it stands at."""
    s, u = days.start, days.until
    role = shape.role
    if role.startswith("run"):
        return _days(s, AWARD_DAYS[int(role[3:]) - 1])
    if role == "live_run":
        return days.last()
    if role == "listed_run":
        return _days(u, -10)
    if role == "dropped":
        return _days(s, -rng.randint(30, 120))
    if role == "behind_review":
        return _days(s, rng.randint(100, 150))
    if role == "behind_listed":
        return _days(u, -rng.randint(130, 150))
    if role in ("behind_producing", "old_start") and standing == Stage.STARTED:
        return _days(s, -rng.randint(30, 200))
    if role == "paused":
        return _days(s, rng.randint(20, 120))
    latest = _days(u, -7)
    by_stage = {
        Stage.LEAD: (-45, -5),
        Stage.NEGOTIATING: (-240 - 365, -7),
        Stage.SIGNED: (30 - 365, -10),
        Stage.LAND_REVIEW: (-150, -10),
        Stage.STARTED: (40 - 365, -15),
        Stage.PRODUCING: (30 - 365, -10),
    }
    low, high = by_stage[standing]
    return min(_days(u, rng.randint(low, high)), latest)


def _reached(rng: random.Random, shape: Shape, days: Days) -> tuple[str, dict[str, date]]:
    standing = {Stage.PAUSED: Stage.SIGNED, Stage.DROPPED: Stage.NEGOTIATING}.get(shape.final, shape.final)
    path = [s for s in stages_for(shape.kind) if s != Stage.LEAD]
    anchor = _anchor(rng, shape, days, standing)
    if standing == Stage.LEAD:
        return standing, {Stage.LEAD: days.fit(anchor)}
    upto = path[: path.index(standing) + 1]
    raw = {standing: anchor}
    for earlier, later in zip(reversed(upto[:-1]), reversed(upto[1:]), strict=True):
        raw[earlier] = _days(raw[later], -_gap(rng, earlier, later, shape))
    if shape.role == "old_start" and standing == Stage.PRODUCING:
        raw[Stage.STARTED] = min(raw[Stage.STARTED], _days(days.start, -30))
        for earlier, later in ((Stage.AWARDED, Stage.STARTED), (Stage.LISTED, Stage.AWARDED),
                               (Stage.LAND_REVIEW, Stage.LISTED), (Stage.SIGNED, Stage.LAND_REVIEW),
                               (Stage.NEGOTIATING, Stage.SIGNED)):
            raw[earlier] = min(raw[earlier], _days(raw[later], -_gap(rng, earlier, later, shape)))
    reached: dict[str, date] = {}
    previous: date | None = None
    for stage in upto:
        d = days.fit(raw[stage])
        same_day = stage == Stage.STARTED and raw[stage] == raw.get(Stage.AWARDED)
        if previous is not None and not same_day and d <= previous:
            d = days.next(previous)
        reached[stage] = d
        previous = d
    return standing, reached


# --- planned days ----------------------------------------------------------------------------


def _planned(rng: random.Random, shape: Shape, standing: str, reached: dict[str, date], days: Days,
             entered: date) -> tuple[dict[str, date], tuple[str, date] | None]:
    u = days.until
    kept = shape.key or shape.role.startswith(("run", "live", "listed"))
    path = stages_for(shape.kind)
    planned: dict[str, date] = {}
    floor = _days(entered, 14)  # a plan made at entry is for a day after it
    for stage in path[path.index(Stage.SIGNED):]:
        if stage not in reached:
            continue
        if kept or rng.random() < 0.85:
            planned[stage] = _days(reached[stage], rng.randint(0, 25))
        else:
            planned[stage] = max(_days(reached[stage], -rng.randint(7, 40)), min(floor, reached[stage]))
    future = path[path.index(standing) + 1:]
    if standing in (Stage.LEAD, Stage.NEGOTIATING):
        future = [Stage.SIGNED]  # in talks, only the signing is planned
    if shape.final == Stage.DROPPED:
        future = []
    base = max(reached[standing], u)
    step = {Stage.SIGNED: (15, 240), Stage.LAND_REVIEW: (20, 120), Stage.LISTED: (25, 60),
            Stage.AWARDED: (20, 30), Stage.STARTED: (0, 30), Stage.PRODUCING: (180, 420)}
    late_ok = not kept and rng.random() < 0.12
    for i, stage in enumerate(future[:4]):
        low, high = step[stage]
        if i == 0 and late_ok and _days(reached[standing], 30) < _days(u, -5):
            day = max(_days(reached[standing], 30), _days(u, -rng.randint(5, 60)))
        else:
            day = _days(base, rng.randint(low, high) + (10 if i == 0 else 0))
        planned[stage] = day
        base = day
    behind = None
    missed = {"behind_review": Stage.LAND_REVIEW, "behind_listed": Stage.LISTED,
              "behind_producing": Stage.PRODUCING}.get(shape.role)
    if missed:
        planned[missed] = _days(u, -rng.randint(35, 60))
        later = path[path.index(missed) + 1:]
        base = _days(u, rng.randint(20, 40))
        for stage in later:
            base = _days(base, rng.randint(*step[stage]))
            planned[stage] = base
        written = days.fit(max(_days(planned[missed], -rng.randint(3, 12)), _days(entered, 3)))
        behind = (missed, written)
    if shape.role == "live_run":
        planned[Stage.STARTED] = _days(reached[Stage.AWARDED], 30)
    if shape.role == "listed_run":
        rng.randint(12, 20)  # drawn as before, so the other projects stay as they were
        # Its land joins the batch waiting at "now" (mashang.demo.landstart): its second day.
        planned[Stage.AWARDED] = waiting_award_days(days)[1]
        planned[Stage.STARTED] = planned[Stage.AWARDED]
        planned[Stage.LISTED] = min(planned[Stage.LISTED], planned[Stage.AWARDED])
    latest: date | None = None
    for stage in path:  # a later stage is never planned before an earlier one
        if stage in planned:
            latest = planned[stage] = max(planned[stage], latest or planned[stage])
    return planned, behind


# --- money ------------------------------------------------------------------------------------


def _yuan(value: float) -> Decimal:
    """A planned amount as a ledger writes it: whole millions above 100 million, else whole 100,000s."""
    unit = 1_000_000 if value >= 100_000_000 else 100_000
    return Decimal(max(1, round(value / unit)) * unit).quantize(Decimal("0.01"))


def _log_uniform(rng: random.Random, low: float, high: float) -> float:
    return math.exp(rng.uniform(math.log(low), math.log(high)))


def _investment(rng: random.Random, shape: Shape, industry_name: str) -> Decimal:
    if shape.kind == N:
        if shape.key:
            return _yuan(_log_uniform(rng, 1.5e9, 3.5e9))
        if industry_name not in KEY_INDUSTRIES:  # food, logistics, building materials, services
            return _yuan(_log_uniform(rng, 4e7, 6e8))
        tier = rng.random()
        if tier < 0.15:
            return _yuan(_log_uniform(rng, 1e9, 3e9))
        if tier < 0.5:
            return _yuan(_log_uniform(rng, 3e8, 1e9))
        return _yuan(_log_uniform(rng, 4e7, 3e8))
    if shape.kind == L:
        return _yuan(_log_uniform(rng, 5e6, 2e8))
    if shape.key:
        return _yuan(_log_uniform(rng, 6e8, 1.2e9))
    return _yuan(_log_uniform(rng, 2e7, 8e8))


#: Planned investment per mu of land (yuan), by industry: a warehouse needs more land per
#: yuan than a plant, a head office or laboratory much less.
_INTENSITY = {"logistics": (1.5e6, 3e6), "services": (8e6, 15e6)}


def _land_mu(rng: random.Random, investment: Decimal, industry: str) -> Decimal:
    """The land a project needs at its industry's investment per mu, to a tenth of a mu."""
    mu = float(investment) / rng.uniform(*_INTENSITY.get(industry, (2.5e6, 6e6)))
    return Decimal(str(max(8.0, round(mu, 1)))).quantize(Decimal("0.01"))


def _funds(rng: random.Random, p: ProjectPlan, days: Days) -> list[FundsPlan]:
    started = p.reached[Stage.STARTED]
    count = rng.randint(2, 4) if p.final == Stage.PRODUCING else rng.randint(1, 3)
    share = rng.uniform(0.5, 0.95) if p.final == Stage.PRODUCING else rng.uniform(0.15, 0.55)
    first = max(_days(started, -20), p.reached.get(Stage.SIGNED, started))
    last = _days(days.until, -3)
    span = max((last - first).days, count)
    offsets = sorted(rng.sample(range(span), count))
    weights = [rng.uniform(1, 3) for _ in range(count)]
    total = float(p.investment) * share
    amounts = [_yuan(total * w / sum(weights)) for w in weights]
    notes = pt.FUNDS_NOTES[p.project_type]
    return [
        FundsPlan(days.fit(_days(first, offset)), amount, notes[min(i, len(notes) - 1)])
        for i, (offset, amount) in enumerate(zip(offsets, amounts, strict=True))
    ]


def _scale_to_total(plans: list[ProjectPlan], rng: random.Random) -> None:
    """Bring the planned investment (of projects not dropped) up to MIN_TOTAL, on new-land projects."""
    for _ in range(8):
        total = sum((p.investment for p in plans if p.final != Stage.DROPPED), Decimal(0))
        if total >= MIN_TOTAL:
            return
        factor = float(MIN_TOTAL / total) * 1.01
        for p in plans:
            if p.project_type == N and not p.is_key and p.final != Stage.DROPPED:
                p.investment = min(_yuan(float(p.investment) * factor), YUAN_CAP)
                p.land_mu = _land_mu(rng, p.investment, p.industry)


# --- who and what -------------------------------------------------------------------------------


def _short(name: str) -> str:
    """The trade name of a demo enterprise ("佛山市宏达新能源科技有限公司" -> "宏达")."""
    for region in ref.REGIONS:
        if name.startswith(region.prefix):
            return name.removeprefix(region.prefix)[:2]
    return name[:2]


class _Investors:
    """Hands out investors: the zone's enterprises in turn, and the prospective ones in turn."""

    def __init__(self, rng: random.Random, enterprises: Sequence[EnterprisePlan]):
        self.rng = rng
        self.enterprises = list(enterprises)
        rng.shuffle(self.enterprises)
        self.prospects = list(pt.PROSPECTS)
        rng.shuffle(self.prospects)
        self.e = self.p = 0

    def enterprise(self, industries: Sequence[str] | None = None) -> EnterprisePlan | None:
        for _ in range(len(self.enterprises)):
            e = self.enterprises[self.e % len(self.enterprises)]
            self.e += 1
            if industries is None or e.industry.name in industries:
                return e
        return None

    def prospect(self, industries: Sequence[str] | None = None) -> pt.Prospect:
        for _ in range(len(self.prospects)):
            p = self.prospects[self.p % len(self.prospects)]
            self.p += 1
            if industries is None or p.industry in industries:
                return p
        raise ValueError(f"no prospective investor in {industries}")


def _name(rng: random.Random, short: str, kind: str, industry_name: str, taken: set[str]) -> str:
    industry = next((i for i in ref.INDUSTRIES if i.name == industry_name), None)
    if kind == N:
        patterns = pt.NEW_LAND_NAMES[pt.INDUSTRY_OF[industry_name]]
    else:
        patterns = pt.LEASE_NAMES if kind == L else pt.EXPANSION_NAMES
    name = ""
    for _ in range(30):
        text, numbers = rng.choice(patterns)
        body = text.format(
            n=rng.choice(numbers) if numbers else "",
            product=rng.choice(industry.products) if industry else "",
            line=rng.choice(industry.lines) if industry else "",
        )
        name = short + (" " if body[0].isascii() else "") + body  # "启澄 3 GW…", "华锐 Mini LED…"
        if name not in taken:
            break
    else:
        name += "（二期）"
    taken.add(name)
    return name


def demo_projects_plan(
    *, seed: int, start: date, until: date, enterprises: Sequence[EnterprisePlan],
    is_working_day: Callable[[date], bool],
) -> ProjectsPlan:
    """The demo's projects for ``seed``: the same arguments always give the same plan."""
    rng = random.Random(f"mashang-demo:{seed}:projects")
    days = Days(is_working_day, start, until)
    investors = _Investors(rng, enterprises)
    taken: set[str] = set()
    plans: list[ProjectPlan] = []
    records = iter(pt.RECORDS)
    for index, shape in enumerate(shapes()):
        prng = random.Random(f"mashang-demo:{seed}:project:{index}:{rng.random()!r}")
        industries = pt.LEASE_INDUSTRIES if shape.kind == L else None
        if shape.key or shape.role.startswith(("run", "live", "listed")):
            industries = KEY_INDUSTRIES
        signed = shape.final not in (Stage.LEAD, Stage.NEGOTIATING, Stage.DROPPED)
        on_site = shape.final in (Stage.LISTED, Stage.AWARDED, Stage.STARTED, Stage.PRODUCING)
        registered = (  # an investor building in the zone has its company registered here
            shape.kind == E
            or on_site
            or shape.role in REGISTERED_ROLES
            or (shape.role != "key_prospect" and prng.random() < (0.8 if signed else 0.4))
        )
        enterprise = investors.enterprise(industries) if registered else None
        if enterprise is not None:
            investor, investor_name, short = enterprise.number, enterprise.name, _short(enterprise.name)
            industry_name = enterprise.industry.name
        else:
            prospect = investors.prospect(industries)
            investor, investor_name, short, industry_name = None, prospect.name, prospect.short, prospect.industry
        standing, reached = _reached(prng, shape, days)
        first = reached.get(Stage.NEGOTIATING, reached.get(Stage.LEAD))
        lead_day = first
        if standing != Stage.LEAD:
            lead_day = days.fit(_days(first, -prng.randint(3, 30)))
            if lead_day >= first:  # a holiday in between
                lead_day = days.on_or_before(_days(first, -1))
        if lead_day >= _days(start, 12):
            entered, entry_stage = lead_day, Stage.LEAD
            reached[Stage.LEAD] = lead_day
        else:  # in the zone's ledger before mashang: entered in its first days with its past
            entered = days.on_or_after(_days(start, prng.randint(1, 10)))
            before = [s for s in PIPELINE if s in reached and reached[s] <= entered]
            entry_stage = before[-1] if before else Stage.LEAD
            if not before:
                reached[Stage.LEAD] = entered
        planned, behind = _planned(prng, shape, standing, reached, days, entered)
        investment = _investment(prng, shape, industry_name)
        p = ProjectPlan(
            index=index,
            role=shape.role,
            name=_name(prng, short, shape.kind, industry_name, taken),
            investor=investor,
            investor_name=investor_name,
            project_type=shape.kind,
            industry=pt.INDUSTRY_OF[industry_name],
            investment=investment,
            land_mu=_land_mu(prng, investment, pt.INDUSTRY_OF[industry_name]) if shape.kind == N else None,
            officer=prng.choices(["officer", "officer2", "officer3"], [40, 35, 25])[0],
            is_key=shape.key,
            is_city_key=shape.city,
            final=shape.final,
            standing=standing,
            reached=reached,
            planned=planned,
            entered=entered,
            entry_stage=entry_stage,
            behind=behind,
        )
        if shape.role == "paused":
            p.pause_on = days.fit(_days(reached[Stage.SIGNED], prng.randint(60, 120)))
        if shape.role == "dropped":
            p.drop_on = days.fit(_days(until, -prng.randint(40, 90)))
        if shape.role.startswith("run"):
            p.record, p.run = next(records), "completed"
        elif shape.role == "live_run":
            p.record, p.run = pt.LIVE_RECORD, "live"
        elif shape.role == "listed_run":
            p.run = "listed"
        plans.append(p)
    _scale_to_total(plans, rng)
    for p in plans:
        if p.final in (Stage.STARTED, Stage.PRODUCING):
            p.funds = _funds(random.Random(f"mashang-demo:{seed}:funds:{p.index}"), p, days)
    return ProjectsPlan(start=start, until=until, projects=plans)
