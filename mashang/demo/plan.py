"""Pure generation of the demo zone: enterprises, people and the plan of every demand.

Nothing here touches the database or reads the clock: the same seed, ``until`` and
sizes give the same plan. :mod:`mashang.demo.simulate` then plays the plan through
the services.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from mashang.demands.models import Channel, Rating, Status, Urgency
from mashang.demo import reference as ref
from mashang.demo.texts import TOPICS, Topic, fill_values
from mashang.org.credit_code import ALPHABET, check_character
from mashang.workcal.calendar import WorkCalendar

#: Working minutes in the zone's day (08:30–12:00, 14:00–17:30).
DAY = 420

OFFICER_CHANNELS = frozenset({Channel.PHONE, Channel.VISIT, Channel.CHAT})

#: Where an open demand may stop before the demo's "now" (besides running out of time).
STOPS = (
    Status.SUBMITTED,
    Status.TRIAGED,
    Status.DISPATCHED,
    Status.IN_PROGRESS,
    Status.WAITING,
    Status.REPLIED,
    Status.UNRESOLVED,
    Status.RETURNED,
    Status.DIFFICULT,
)
_STOP_WEIGHTS_RECENT = {
    Status.TRIAGED: 6,
    Status.DISPATCHED: 16,
    Status.IN_PROGRESS: 22,
    Status.WAITING: 12,
    Status.REPLIED: 18,
    Status.UNRESOLVED: 9,
    Status.RETURNED: 7,
    Status.DIFFICULT: 8,
}
_STOP_WEIGHTS_OLD = {
    Status.DIFFICULT: 35,
    Status.WAITING: 25,
    Status.IN_PROGRESS: 15,
    Status.UNRESOLVED: 10,
    Status.RETURNED: 8,
    Status.DISPATCHED: 7,
}


@dataclass(frozen=True)
class EnterprisePlan:
    number: int  # 1-based; its contact is ent{number:03d}
    credit_code: str
    name: str
    industry: ref.Industry
    address: str
    registered_at: datetime
    contact_name: str
    contact_phone: str

    @property
    def username(self) -> str:
        return f"ent{self.number:03d}"


@dataclass(frozen=True)
class PersonPlan:
    username: str
    role: str
    display_name: str
    phone: str
    unit: str | None = None
    enterprise: int | None = None  # EnterprisePlan.number


@dataclass
class DemandPlan:
    """Everything decided in advance about one demand; the timing is drawn while it plays."""

    index: int
    rng_seed: str
    submitted_at: datetime
    enterprise: int  # EnterprisePlan.number
    channel: str
    officer: str  # username of the officer who handles it
    topic: Topic
    title: str
    description: str
    slots: dict[str, object]  # the values its texts were filled with (its plot, road, amount…)
    claimed_category: str | None  # what the form said (may be wrong); triage corrects it
    urgency: str
    lead: str
    co: tuple[str, ...]
    wrong_lead: str | None = None  # first dispatched here, which returns it
    return_after_contact: bool = False
    wait: bool = False
    extension: str | None = None  # "approve" or "refuse"
    skip_assessment: bool = False
    officer_confirms: bool = False  # the team's callback (回访) records the rating
    outcomes: list[tuple[bool, str]] = field(default_factory=list)  # per round: resolved, rating
    after_unresolved: list[str] = field(default_factory=list)  # per round: "reopen" or "escalate"
    withdraw: str | None = None  # the status from which the enterprise withdraws
    duplicate_of: int | None = None  # index of the demand it duplicates (merged into it)
    stop: str | None = None  # the status it is left in
    fast: bool = False  # handled briskly (so that a planned stop is reached in time)
    #: Where a difficult case the leader assigned is left (in progress, or replied and waiting
    #: for the lead unit head's sign-off); None: it runs to its end.
    case_stop: str | None = None


@dataclass
class DemoPlan:
    seed: int
    until: date
    start: datetime
    horizon: datetime
    enterprises: list[EnterprisePlan]
    people: list[PersonPlan]
    demands: list[DemandPlan]
    unit_pace: dict[str, float]


# --- names, codes, phones ----------------------------------------------------------------


def person_name(rng: random.Random, taken: set[str]) -> str:
    surnames = [*ref.SURNAMES[:-2], "欧阳"]
    for _ in range(1000):
        surname = rng.choice(surnames)
        given = rng.choice(ref.GIVEN_CHARS) + (
            rng.choice(ref.GIVEN_CHARS) if rng.random() < 0.85 else ""
        )
        name = surname + given
        if name not in taken:
            taken.add(name)
            return name
    raise RuntimeError("ran out of demo person names")


def mobile(rng: random.Random) -> str:
    return f"1{rng.choice('35789')}{rng.randint(0, 9)}{rng.randint(0, 99_999_999):08d}"


_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ORG_LETTERS = [ch for ch in ALPHABET if ch.isalpha()]


def org_code(rng: random.Random) -> str:
    """A nine-character organisation code (GB 11714) whose check character is right."""
    if rng.random() < 0.75:  # the "MA…" codes given since the 2015 reform
        body = "MA" + "".join(rng.choice(ALPHABET) for _ in range(6))
    else:
        body = "".join(rng.choice("0123456789") for _ in range(8))
    total = sum(
        (int(ch) if ch.isdigit() else ord(ch) - 55) * w
        for ch, w in zip(body, _ORG_WEIGHTS, strict=True)
    )
    check = 11 - total % 11
    return body + ("X" if check == 10 else "0" if check == 11 else str(check))


def credit_code(rng: random.Random, region: str) -> str:
    """A valid unified social credit code of a company (91) registered in ``region``."""
    first17 = "91" + region + org_code(rng)
    return first17 + check_character(first17)


def _weighted(rng: random.Random, items, weight=lambda item: item.weight):
    return rng.choices(items, weights=[weight(i) for i in items])[0]


# --- enterprises and people ------------------------------------------------------------------


def plan_enterprises(
    rng: random.Random, count: int, before: datetime, names: set[str]
) -> list[EnterprisePlan]:
    enterprises: list[EnterprisePlan] = []
    codes: set[str] = set()
    company_names: set[str] = set()
    for number in range(1, count + 1):
        industry = _weighted(rng, ref.INDUSTRIES)
        region = _weighted(rng, ref.REGIONS)
        code = credit_code(rng, region.code)
        while code in codes:
            code = credit_code(rng, region.code)
        codes.add(code)
        for _ in range(1000):
            suffix = rng.choices(
                [s for s, _ in ref.COMPANY_SUFFIXES], [w for _, w in ref.COMPANY_SUFFIXES]
            )[0]
            name = (
                f"{region.prefix}{rng.choice(ref.TRADE_NAMES)}{rng.choice(industry.stems)}{suffix}"
            )
            if name not in company_names:
                break
        company_names.add(name)
        enterprises.append(
            EnterprisePlan(
                number=number,
                credit_code=code,
                name=name,
                industry=industry,
                address=f"{ref.ZONE_SHORT}{rng.choice(ref.ROADS)}{rng.randint(1, 288)}号",
                registered_at=before
                - timedelta(days=rng.randint(30, 1500), minutes=rng.randint(0, 600)),
                contact_name=person_name(rng, names),
                contact_phone=mobile(rng),
            )
        )
    return enterprises


def plan_people(
    rng: random.Random, enterprises: list[EnterprisePlan], names: set[str]
) -> list[PersonPlan]:
    people = [
        PersonPlan(username, role, display, mobile(rng), unit)
        for username, role, display, unit in ref.STAFF_USERS
    ]
    names.update(p.display_name for p in people)
    for unit in ref.UNITS:
        if unit.handles:
            people.append(
                PersonPlan(
                    f"unit-{unit.code}",
                    "unit_staff",
                    person_name(rng, names),
                    mobile(rng),
                    unit.code,
                )
            )
    for unit in ref.UNITS:
        people.append(
            PersonPlan(
                f"head-{unit.code}", "unit_head", person_name(rng, names), mobile(rng), unit.code
            )
        )
    for e in enterprises:
        people.append(
            PersonPlan(
                e.username, "enterprise", e.contact_name, e.contact_phone, enterprise=e.number
            )
        )
    return people


# --- when demands arrive ----------------------------------------------------------------------


def _at(day: date, minutes: float, tz) -> datetime:
    return datetime.combine(day, time(), tzinfo=tz) + timedelta(minutes=minutes)


def _office_minute(rng: random.Random, cal: WorkCalendar) -> float:
    periods = [
        (p[0].hour * 60 + p[0].minute, p[1].hour * 60 + p[1].minute) for p in cal.office_hours
    ]
    total = sum(end - start for start, end in periods)
    offset = rng.uniform(0, total)
    for start, end in periods:
        if offset < end - start:
            return start + offset
        offset -= end - start
    return periods[-1][1] - 1


def _arrival(rng: random.Random, cal: WorkCalendar, day: date) -> tuple[datetime, str]:
    """A submission instant on ``day`` and its channel."""
    working = cal.is_working_day(day)
    if working:
        channel = rng.choices(
            [Channel.WEB, Channel.API, Channel.PHONE, Channel.VISIT, Channel.CHAT],
            [45, 5, 28, 8, 14],
        )[0]
    else:
        channel = rng.choices([Channel.WEB, Channel.API], [9, 1])[0]
    if channel in OFFICER_CHANNELS or (working and rng.random() < 0.72):
        minute = _office_minute(rng, cal)
    elif working:
        minute = rng.choice(
            [
                rng.uniform(7 * 60, 8 * 60 + 30),
                rng.uniform(12 * 60, 14 * 60),
                rng.uniform(17 * 60 + 30, 23 * 60 + 30),
            ]
        )
    else:
        minute = rng.uniform(9 * 60, 22 * 60)
    return _at(day, minute + rng.random() / 60, cal.tz), channel


def _last_close_before(cal: WorkCalendar, horizon: datetime) -> datetime:
    """The end of the zone's last working period before ``horizon``."""
    day = horizon.astimezone(cal.tz).date() - timedelta(days=1)
    while not cal.is_working_day(day):
        day -= timedelta(days=1)
    end = cal.office_hours[-1][1]
    return datetime.combine(day, end, tzinfo=cal.tz)


# --- the plan --------------------------------------------------------------------------------


def demo_plan(
    *, seed: int, until: date, demands: int, enterprises: int, cal: WorkCalendar
) -> DemoPlan:
    """The whole demo zone for ``seed``: the same arguments always give the same plan."""
    rng = random.Random(f"mashang-demo:{seed}")
    tz = cal.tz
    horizon = datetime.combine(until, time(), tzinfo=tz)
    try:
        first_day = until.replace(year=until.year - 1)
    except ValueError:  # 29 February
        first_day = until.replace(year=until.year - 1, day=28)
    start = datetime.combine(first_day, time(), tzinfo=tz)

    names: set[str] = set()
    ents = plan_enterprises(
        random.Random(f"mashang-demo:{seed}:enterprises"), enterprises, start, names
    )
    people = plan_people(random.Random(f"mashang-demo:{seed}:people"), ents, names)
    unit_pace = {code: round(rng.uniform(0.6, 1.5), 2) for code in ref.HANDLING_UNITS}

    plans = _plan_arrivals(rng, cal, ents, demands, first_day, until, horizon)
    for plan in plans:
        _plan_course(plan, horizon)
    _ensure_coverage(rng, cal, plans, horizon)
    return DemoPlan(
        seed=seed,
        until=until,
        start=start,
        horizon=horizon,
        enterprises=ents,
        people=people,
        demands=plans,
        unit_pace=unit_pace,
    )


def _plan_arrivals(
    rng: random.Random,
    cal: WorkCalendar,
    ents: list[EnterprisePlan],
    count: int,
    first_day: date,
    until: date,
    horizon: datetime,
) -> list[DemandPlan]:
    days = [first_day + timedelta(days=i) for i in range((until - first_day).days)]
    # Busier on working days; a little busier as the zone grows.
    weights = [
        (1.0 if cal.is_working_day(d) else 0.05) * (0.75 + 0.5 * i / len(days))
        for i, d in enumerate(days)
    ]
    duplicates = max(1, round(count * 0.025)) if count >= 40 else 0
    base = count - duplicates
    arrivals = sorted(
        (_arrival(rng, cal, day) for day in rng.choices(days, weights, k=base)), key=lambda a: a[0]
    )

    # Every enterprise files at least one demand; some file many.
    activity = [min(rng.paretovariate(1.3), 25.0) for _ in ents]
    owners = rng.choices([e.number for e in ents], activity, k=base)
    if base >= len(ents):
        for position, number in zip(
            rng.sample(range(base), len(ents)), [e.number for e in ents], strict=True
        ):
            owners[position] = number

    by_number = {e.number: e for e in ents}
    specs: list[tuple[datetime, str, int, int | None]] = [
        (at, channel, owner, None) for (at, channel), owner in zip(arrivals, owners, strict=True)
    ]
    # Duplicates: the same enterprise raises the same thing again on another channel.
    latest = horizon - timedelta(days=10)
    originals = [i for i, (at, *_rest) in enumerate(specs) if at < latest]
    for original in sorted(rng.sample(originals, min(duplicates, len(originals)))):
        at, channel, owner, _ = specs[original]
        again = cal.add_working_time(at, timedelta(minutes=rng.uniform(20, 600)))
        specs.append(
            (again, Channel.WEB if channel in OFFICER_CHANNELS else Channel.PHONE, owner, original)
        )

    order = sorted(range(len(specs)), key=lambda i: (specs[i][0], i))
    position = {old: new for new, old in enumerate(order)}
    plans: list[DemandPlan] = []
    topic_cache: dict[int, Topic] = {}
    text_cache: dict[int, tuple[str, str, dict[str, object]]] = {}
    for old in order:
        at, channel, owner, original = specs[old]
        index = len(plans)
        drng = random.Random(f"mashang-demo:{rng.random()!r}:{index}")
        enterprise = by_number[owner]
        if original is None:
            topic = _weighted(drng, TOPICS)
            (title, description), slots = fill_values(
                (topic.title, topic.description),
                drng,
                {
                    "product": drng.choice(enterprise.industry.products),
                    "line": drng.choice(enterprise.industry.lines),
                    "today": at.astimezone(cal.tz).date(),
                },
            )
            topic_cache[old] = topic
            text_cache[old] = (title, description, slots)
        else:
            topic = topic_cache[original]
            title, description, slots = text_cache[original]
            if drng.random() < 0.4:
                title = f"再次反映：{title}"[:200]
        if channel == Channel.PHONE:
            description = f"企业来电反映：{description}"
        elif channel == Channel.VISIT:
            description = f"走访企业时了解到：{description}"
        elif channel == Channel.CHAT:
            description = f"企业在服务群反映：{description}"
        category = next(c for c in ref.CATEGORIES if c.code == topic.category)
        claimed: str | None
        if channel in OFFICER_CHANNELS:
            claimed = topic.category if drng.random() < 0.6 else None
        elif drng.random() < 0.75:
            claimed = (
                topic.category
                if drng.random() < 0.88
                else drng.choice([c.code for c in ref.CATEGORIES])
            )
        else:
            claimed = None
        urgency = Urgency.NORMAL
        if drng.random() < topic.urgent:
            urgency = Urgency.CRITICAL if drng.random() < 0.15 else Urgency.URGENT
        lead = topic.lead or category.lead
        co = tuple(u for u in topic.co if u != lead and drng.random() < 0.55)
        plans.append(
            DemandPlan(
                index=index,
                rng_seed=f"mashang-demo:{index}:{drng.random()!r}",
                submitted_at=at,
                enterprise=owner,
                channel=channel,
                officer=drng.choices(["officer", "officer2", "officer3"], [45, 35, 20])[0],
                topic=topic,
                title=title,
                description=description,
                slots=slots,
                claimed_category=claimed,
                urgency=urgency,
                lead=lead,
                co=co,
                duplicate_of=position[original] if original is not None else None,
            )
        )
    return plans


def _settled(rng: random.Random) -> tuple[bool, str]:
    return True, Rating.SATISFIED if rng.random() < 0.84 else Rating.BASIC


def _unsettled(rng: random.Random) -> tuple[bool, str]:
    return rng.choices(
        [(False, Rating.BASIC), (False, Rating.UNSATISFIED), (True, Rating.UNSATISFIED)],
        [40, 30, 30],
    )[0]


def _plan_course(plan: DemandPlan, horizon: datetime) -> None:
    """Decide the detours of one demand: return, questions, extension, ratings, stop."""
    rng = random.Random(plan.rng_seed + ":course")
    if rng.random() < 0.05:
        wrong = ref.CONFUSED_WITH.get(plan.lead)
        if wrong and wrong not in plan.co:
            plan.wrong_lead = wrong
            plan.return_after_contact = rng.random() < 0.5
    plan.wait = rng.random() < 0.09
    if rng.random() < 0.06:
        plan.extension = "approve" if rng.random() < 0.75 else "refuse"
    plan.skip_assessment = rng.random() < 0.12
    plan.officer_confirms = rng.random() < 0.25
    for cycle in range(3):
        unsettled = cycle < 2 and rng.random() < (0.07 if cycle == 0 else 0.08)
        plan.outcomes.append(_unsettled(rng) if unsettled else _settled(rng))
        plan.after_unresolved.append("escalate" if rng.random() < 0.2 else "reopen")
    if plan.duplicate_of is not None:
        return
    if rng.random() < 0.03:
        plan.withdraw = rng.choices(
            [Status.SUBMITTED, Status.TRIAGED, Status.DISPATCHED, Status.IN_PROGRESS],
            [30, 10, 25, 35],
        )[0]
        return
    age = horizon - plan.submitted_at
    weights = _STOP_WEIGHTS_RECENT if age <= timedelta(days=30) else _STOP_WEIGHTS_OLD
    if rng.random() < (0.10 if age <= timedelta(days=30) else 0.012):
        _set_stop(plan, rng.choices(list(weights), list(weights.values()))[0])


def _set_stop(plan: DemandPlan, stop: str) -> None:
    plan.stop = stop
    plan.withdraw = None
    if stop == Status.RETURNED and plan.wrong_lead is None:
        plan.wrong_lead = ref.CONFUSED_WITH.get(plan.lead, "jdb" if plan.lead != "jdb" else "zjj")
        plan.co = tuple(u for u in plan.co if u != plan.wrong_lead)
    if stop == Status.WAITING:
        plan.wait = True
    if stop in (Status.UNRESOLVED, Status.DIFFICULT):
        plan.outcomes[0] = (
            False,
            Rating.UNSATISFIED if plan.outcomes[0][1] == Rating.UNSATISFIED else Rating.BASIC,
        )
    if stop == Status.DIFFICULT:
        plan.after_unresolved[0] = "escalate"
    if stop == Status.IN_PROGRESS:
        plan.skip_assessment = False


def _ensure_coverage(
    rng: random.Random, cal: WorkCalendar, plans: list[DemandPlan], horizon: datetime
) -> None:
    """However few the demands, every status appears: some stops are assigned, not drawn."""
    if len(plans) < 40:
        return
    originals = {p.duplicate_of for p in plans if p.duplicate_of is not None}
    # Submitted: the last demand arrives on the web after the last office hours before "now".
    last = plans[-1]
    if last.duplicate_of is None and last.index not in originals:
        close = _last_close_before(cal, horizon)
        latest = min(horizon - timedelta(minutes=5), close + timedelta(hours=5))
        if last.submitted_at < close:
            offset = (latest - close).total_seconds() * rng.uniform(0.1, 0.9)
            last.submitted_at = close + timedelta(seconds=int(offset))
        last.channel = Channel.WEB
        for prefix in ("企业来电反映：", "走访企业时了解到：", "企业在服务群反映："):
            last.description = last.description.removeprefix(prefix)
        last.stop = None
        last.withdraw = None
    # Other open statuses: the latest demands that still have time to get there.
    early = cal.add_working_time(horizon, -timedelta(minutes=10 * DAY))
    candidates = [
        p
        for p in reversed(plans)
        if p.submitted_at < early
        and p.duplicate_of is None
        and p.index not in originals
        and p.stop is None
    ]
    present = {p.stop for p in plans if p.stop and p.submitted_at < early}
    for stop in STOPS[1:]:
        if stop in present or not candidates:
            continue
        plan = candidates.pop(0)
        _set_stop(plan, stop)
        plan.fast = True
    if not any(p.withdraw for p in plans) and candidates:
        plan = candidates.pop(len(candidates) // 2)
        plan.withdraw = Status.DISPATCHED
    _ensure_cases(plans, horizon, originals)


def _ensure_cases(plans: list[DemandPlan], horizon: datetime, originals: set[int]) -> None:
    """Difficult cases in every state: besides those waiting for a leader (a stop above), one the
    leader assigned that is still being handled, one whose reply waits for the lead unit head's
    sign-off, and one closed after the sign-off — from demands old enough to get there."""

    def free(p: DemandPlan, low: int, high: int) -> bool:
        age = horizon - p.submitted_at
        return (
            timedelta(days=low) <= age <= timedelta(days=high)
            and p.duplicate_of is None
            and p.index not in originals
            and p.stop is None
            and p.withdraw is None
            and p.case_stop is None
        )

    for case_stop, low, high in (
        (Status.IN_PROGRESS, 25, 60),
        (Status.REPLIED, 30, 70),
        (None, 60, 150),
    ):
        plan = next((p for p in reversed(plans) if free(p, low, high)), None)
        if plan is None:
            continue
        _set_stop(plan, Status.DIFFICULT)
        plan.stop = None  # the leader takes it on (simulate: assign-case)
        plan.case_stop = case_stop
        plan.outcomes[1] = (True, Rating.SATISFIED)
        plan.fast = True
