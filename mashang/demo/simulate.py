"""Play the demand plans through the services, in the order real time would have them.

Each demand's course is a generator that yields its next step — when, what, and a call
to one service with the acting person and ``at=`` that time — and receives the demand the
service returned. A heap runs every demand's steps in time order across the whole zone,
so a duplicate is merged while the demand it duplicates is still open, numbers follow the
order of filing, and no step happens at or after the demo's "now" (``plan.horizon``):
what has not happened by then is left as it is.

Besides the demands' courses the heap runs courses of :class:`Act` — the review meetings of
:mod:`mashang.demo.meetings` and the action items they open — in the same time order, so a
meeting's agenda is proposed from the data as it stood that day.
"""

from __future__ import annotations

import heapq
import itertools
import random
from collections import Counter
from collections.abc import Callable, Generator, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from mashang.demands import services as S
from mashang.demands.models import OPEN_STATUSES, Demand, Status
from mashang.demo import reference as ref
from mashang.demo import texts
from mashang.demo.plan import OFFICER_CHANNELS, DemandPlan, DemoPlan
from mashang.demo.sweeps import SweepReplay
from mashang.org.models import User
from mashang.workcal.calendar import WorkCalendar

Course = Generator["Step", Demand, None]


class DemoError(Exception):
    """A service refused a step of the demo: the plan asked for a move real use could not make."""


@dataclass(frozen=True)
class Step:
    """One call to a service: when, which, and its arguments besides the demand and the time."""

    at: datetime
    action: str
    service: Callable[..., Demand]
    kwargs: dict[str, Any]


@dataclass(frozen=True)
class Act:
    """A move beside the demands' courses (a meeting's, an action item's): ``run()`` at ``at``;
    what it returns is sent back to the course that yielded it."""

    at: datetime
    label: str
    run: Callable[[], Any]


Acts = Generator[Act, Any, None]


@dataclass
class PlayStats:
    submitted: int = 0
    actions: Counter = field(default_factory=Counter)
    sweeps: int = 0  # the supervision sweeps replayed (mashang.demo.sweeps)
    notices: int = 0  # the notices they raised


class Player:
    def __init__(
        self,
        *,
        plan: DemoPlan,
        users: Mapping[str, User],
        unit_codes: Mapping[int, str],
        cal: WorkCalendar,
        sweeps: SweepReplay | None = None,
    ):
        self.plan = plan
        self.sweeps = sweeps
        self._index_of: dict[int, int] = {}  # demand id -> index of its plan
        self.users = users
        self.unit_codes = unit_codes
        self.cal = cal
        self.enterprises = {e.number: e for e in plan.enterprises}
        self.latest: dict[int, Demand] = {}
        self._heap: list[tuple[datetime, int, int, Step | Act, Course | Acts]] = []
        self._order = itertools.count()
        self._clock = plan.start

    def user(self, username: str) -> User:
        return self.users[username]

    def _schedule(self, index: int, course: Course | Acts, step: Step | Act) -> None:
        if step.at >= self.plan.horizon:  # not yet happened at the demo's "now"
            course.close()
            return
        heapq.heappush(self._heap, (step.at, next(self._order), index, step, course))

    def spawn(self, acts: Acts) -> None:
        """Start a course of acts (a meeting's, an action item's) in the zone's time order; its
        first act may not come before the moment being played."""
        try:
            first = next(acts)
        except StopIteration:
            return
        if first.at < self._clock:
            raise DemoError(f"demo {first.label} at {first.at} runs before {self._clock}")
        self._schedule(-1, acts, first)

    def play(
        self,
        *,
        progress: Callable[[int, int], None] | None = None,
        every: int = 250,
        acts: Iterable[Acts] = (),
    ) -> PlayStats:
        stats = PlayStats()
        total = len(self.plan.demands)
        heap = self._heap
        for p in self.plan.demands:
            course = _course(p, self)
            self._schedule(p.index, course, next(course))
        for course in acts:
            self.spawn(course)

        while heap:
            at, _, index, step, course = heapq.heappop(heap)
            if at < self._clock:
                raise DemoError(
                    f"demo step #{index} {_name(step)} at {at} runs before {self._clock}"
                )
            self._clock = at
            if self.sweeps is not None:
                self._swept(self.sweeps.run_until(at))
            if isinstance(step, Act):
                try:
                    result = step.run()
                except Exception as exc:
                    raise DemoError(
                        f"demo {step.label} at {at.astimezone(self.cal.tz):%Y-%m-%d %H:%M} "
                        f"failed: {exc}"
                    ) from exc
                stats.actions[step.label.split(":")[0]] += 1
                self._follow(course, step, result)
                continue
            try:
                if step.action == "submit":
                    demand = step.service(at=at, **step.kwargs)
                else:
                    current = self.latest[index]
                    demand = step.service(
                        demand_id=current.pk, version=current.version, at=at, **step.kwargs
                    )
            except Exception as exc:
                raise DemoError(
                    f"demo demand #{index} ({self.plan.demands[index].title}): {step.action} at "
                    f"{at.astimezone(self.cal.tz):%Y-%m-%d %H:%M} failed: {exc}"
                ) from exc
            self.latest[index] = demand
            self._index_of[demand.pk] = index
            stats.actions[step.action] += 1
            if step.action == "submit":
                stats.submitted += 1
                if progress and (stats.submitted % every == 0 or stats.submitted == total):
                    progress(stats.submitted, total)
            self._follow(course, step, demand, index)
        return stats

    def _swept(self, demand_ids: set[int]) -> None:
        """The sweep raised notices on ``demand_ids``: their next moves need their new versions."""
        if not demand_ids:
            return
        for pk, version in Demand.objects.filter(pk__in=demand_ids).values_list("pk", "version"):
            if pk in self._index_of:
                self.latest[self._index_of[pk]].version = version

    def _watch(self, result: Any, until: datetime | None) -> None:
        """Plan the sweeps at which a demand just moved reaches a level before its next move."""
        if self.sweeps is not None and isinstance(result, Demand):
            self.sweeps.watch(result, until=until)

    def _follow(
        self, course: Course | Acts, step: Step | Act, result: Any, index: int = -1
    ) -> None:
        """Send ``result`` to ``course`` and schedule the step it yields next."""
        try:
            following = course.send(result)
        except StopIteration:
            self._watch(result, None)
            return
        except Exception as exc:
            if index >= 0:
                raise
            raise DemoError(f"demo course after {_name(step)} failed: {exc}") from exc
        if following.at <= step.at:
            what = f"demand #{index}" if index >= 0 else "course"
            raise DemoError(
                f"demo {what}: {_name(following)} at {following.at} is not after "
                f"{_name(step)} at {step.at}"
            )
        self._watch(result, following.at)
        self._schedule(index, course, following)


def _name(step: Step | Act) -> str:
    return step.label if isinstance(step, Act) else step.action


def merge_or_triage(
    *,
    actor: User,
    demand_id: int,
    version: int,
    at: datetime,
    target: Callable[[], Demand],
    reason: str,
    triage: dict[str, Any],
) -> Demand:
    """The team merges a duplicate into the demand it repeats, or triages it if that one is done."""
    kept = target()
    if kept.status in OPEN_STATUSES:
        return S.demand_merge(
            actor=actor,
            demand_id=demand_id,
            version=version,
            into=kept.number,
            reason=reason.format(number=kept.number),
            at=at,
        )
    return S.demand_triage(actor=actor, demand_id=demand_id, version=version, at=at, **triage)


def _course(p: DemandPlan, z: Player) -> Course:
    """The life of one demand, step by step, as the people of the zone would move it."""
    rng = random.Random(p.rng_seed + ":play")
    cal = z.cal
    enterprise = z.enterprises[p.enterprise]
    contact = z.user(enterprise.username)
    officer = z.user(p.officer)
    supervisor, leader = z.user("supervisor"), z.user("leader")
    brisk = 0.4 if p.fast else 1.0

    def later(
        t: datetime,
        low: float,
        high: float,
        *,
        unit: str | None = None,
        late: float = 0.0,
        late_range: tuple[float, float] = (0, 0),
    ) -> datetime:
        """``t`` plus some working minutes; a slow unit is slower and late more often."""
        pace = z.plan.unit_pace.get(unit, 1.0) if unit else 1.0
        if not p.fast and late and rng.random() < late * pace:
            minutes = rng.uniform(*late_range)
        else:
            minutes = rng.uniform(low, high) * pace * brisk
        return cal.add_working_time(t, timedelta(seconds=max(60, int(minutes * 60))))

    def by_enterprise(t: datetime) -> datetime:
        """Enterprises also answer in the evening."""
        if rng.random() < 0.15:
            local = t.astimezone(cal.tz)
            evening = local.replace(hour=19, minute=0, second=0, microsecond=0) + timedelta(
                minutes=rng.uniform(0, 210)
            )
            if evening > t:
                return evening
        return t

    def pick(options: tuple[str, ...], **ctx: object) -> str:
        return texts.fill((rng.choice(options),), rng, ctx)[0]

    # --- filing -------------------------------------------------------------------------------
    filing = {
        "title": p.title,
        "description": p.description,
        "channel": p.channel,
        "category_code": p.claimed_category,
    }
    if p.channel in OFFICER_CHANNELS:
        filing.update(
            actor=officer,
            enterprise_credit_code=enterprise.credit_code,
            contact_name=contact.display_name,
            contact_phone=contact.phone,
        )
    else:
        filing.update(actor=contact)
    d = yield Step(p.submitted_at, "submit", S.demand_submit, filing)
    t = p.submitted_at

    def withdraw(t: datetime) -> Step:
        return Step(
            t,
            "withdraw",
            S.demand_withdraw,
            # A withdrawal says why (the empty pick falls back to the commonest reason).
            {"actor": contact, "reason": pick(texts.WITHDRAW_REASONS) or texts.WITHDRAW_REASONS[2]},
        )

    if p.withdraw == Status.SUBMITTED:
        yield withdraw(by_enterprise(later(t, 5, 50)))
        return

    # --- triage (a duplicate is merged instead) ---------------------------------------------------
    category = p.topic.category
    if p.claimed_category and p.claimed_category != category:
        note = f"企业选择的类别为“{ref.CATEGORY_NAMES[p.claimed_category]}”，已更正为“{ref.CATEGORY_NAMES[category]}”"
    else:
        note = rng.choice(texts.TRIAGE_NOTES[:-1])
    triage = {"category": category, "urgency": p.urgency, "note": note}
    quick = p.urgency != "normal"
    t = later(t, 2, 20) if quick else later(t, 3, 40, late=0.05, late_range=(65, 300))
    if p.duplicate_of is not None:
        original = p.duplicate_of
        d = yield Step(
            t,
            "merge",
            merge_or_triage,
            {
                "actor": officer,
                "target": lambda: z.latest[original],
                "reason": rng.choice(texts.MERGE_REASONS),
                "triage": triage,
            },
        )
        if d.status == Status.MERGED:
            return
    else:
        d = yield Step(t, "triage", S.demand_triage, {"actor": officer, **triage})
    if p.stop == Status.TRIAGED:
        return
    if p.withdraw == Status.TRIAGED:
        yield withdraw(by_enterprise(later(t, 10, 120)))
        return

    # --- dispatch (perhaps to the wrong unit first, which returns it) ----------------------------
    def dispatch(t: datetime, actor: User, lead: str, co: tuple[str, ...], note: str) -> Step:
        return Step(
            t,
            "dispatch",
            S.demand_dispatch,
            {"actor": actor, "lead_unit": lead, "co_units": co, "note": note},
        )

    # How and with whom the lead unit makes its first contact.
    first_contact = {"method": "phone", "contact_with": contact.display_name[:100] or "企业联系人"}
    t = later(t, 2, 20, late=0.03, late_range=(60, 240))
    first = p.wrong_lead or p.lead
    d = yield dispatch(t, officer, first, p.co, rng.choice(texts.DISPATCH_NOTES))
    if p.wrong_lead:
        wrong = z.user(f"unit-{first}")
        if p.return_after_contact:
            t = later(t, 5, 55, unit=first)
            note = pick(texts.RESPOND_NOTES, contact=contact.display_name)
            d = yield Step(t, "respond", S.demand_respond, {"actor": wrong, "note": note, **first_contact})
        t = later(t, 20, 400, unit=first)
        reason = pick(texts.RETURN_REASONS, right=ref.UNIT_NAMES[p.lead])
        d = yield Step(t, "return", S.demand_return, {"actor": wrong, "reason": reason})
        if p.stop == Status.RETURNED:
            return
        t = later(t, 10, 90)
        d = yield dispatch(t, officer, p.lead, p.co, f"改派{ref.UNIT_NAMES[p.lead]}主办")
    if p.stop == Status.DISPATCHED:
        return
    if p.withdraw == Status.DISPATCHED:
        yield withdraw(by_enterprise(later(t, 20, 600)))
        return

    # --- the lead unit handles it, round after round until the enterprise is content -----------
    cycle = 0
    while True:
        lead = z.unit_codes[d.lead_unit_id]
        staff, head = z.user(f"unit-{lead}"), z.user(f"head-{lead}")

        def unit_actor(staff: User = staff, head: User = head) -> User:
            return head if rng.random() < 0.15 else staff

        t = later(t, 5, 40, unit=lead, late=0.07, late_range=(65, 900))
        note = pick(texts.RESPOND_NOTES, contact=contact.display_name)
        d = yield Step(t, "respond", S.demand_respond, {"actor": unit_actor(), "note": note, **first_contact})
        if cycle == 0 and p.co:
            # A co-unit gives its opinion to the lead unit before it assesses (chosen and timed
            # without the random draws, so the rest of the year stays as it was).
            d = yield Step(
                cal.add_working_time(t, timedelta(minutes=10)),
                "opinion",
                S.demand_give_opinion,
                {"actor": z.user(f"unit-{p.co[0]}"), "opinion": texts.CO_OPINIONS[p.index % len(texts.CO_OPINIONS)]},
            )
        if cycle == 0 and p.withdraw == Status.IN_PROGRESS:
            yield withdraw(by_enterprise(later(t, 60, 900)))
            return
        if cycle == 0 and p.wait:
            t = later(t, 60, 700, unit=lead)
            d = yield Step(
                t,
                "wait",
                S.demand_wait,
                {"actor": unit_actor(), "question": pick(texts.WAIT_QUESTIONS)},
            )
            if p.stop == Status.WAITING:
                return
            t = by_enterprise(later(t, 120, 1300))
            d = yield Step(
                t,
                "resume",
                S.demand_resume,
                {"actor": contact, "answer": rng.choice(texts.WAIT_ANSWERS)},
            )
        if cycle > 0 or not p.skip_assessment:
            t = later(t, 120, 700, unit=lead, late=0.06, late_range=(1300, 2500))
            text = pick(texts.ASSESSMENTS, unit=ref.UNIT_NAMES[lead])
            d = yield Step(
                t, "assess", S.demand_assess, {"actor": unit_actor(), "assessment": text}
            )
        if p.stop == Status.IN_PROGRESS:
            return
        if p.case_stop == Status.IN_PROGRESS and d.coordinator_id is not None:
            return  # a difficult case the leader assigned, still being handled

        extension = p.extension if cycle == 0 else None
        if extension:
            days = rng.randint(3, 10)
            t = later(t, 200, 1200, unit=lead)
            why = pick(texts.EXTENSION_REASONS, days=days)
            d = yield Step(
                t,
                "extend",
                S.demand_request_extension,
                {"actor": head, "days": days, "reason": why},
            )
            t = later(t, 30, 400)
            if extension == "approve":
                note = rng.choice(texts.EXTENSION_APPROVE_NOTES)
                d = yield Step(
                    t,
                    "approve-extension",
                    S.demand_approve_extension,
                    {"actor": supervisor, "note": note},
                )
            else:
                note = rng.choice(texts.EXTENSION_REFUSE_NOTES)
                d = yield Step(
                    t,
                    "refuse-extension",
                    S.demand_refuse_extension,
                    {"actor": supervisor, "note": note},
                )

        reply = texts.fill(
            (rng.choice(texts.CATEGORY_REPLIES[category] + p.topic.replies * 2),), rng, p.slots
        )[0]
        if cycle > 0:
            reply = f"（第 {cycle + 1} 轮）{reply}"
        if extension == "approve":
            t = later(t, 1200, 2500, unit=lead)
        else:
            t = later(t, 200, 900, unit=lead, late=0.05, late_range=(1500, 3500))
        d = yield Step(t, "reply", S.demand_reply, {"actor": unit_actor(), "reply": reply})
        if d.coordinator_id is not None:
            if p.case_stop == Status.REPLIED:
                return  # a difficult case whose reply waits for the head's sign-off
            # A difficult case: the lead unit's head signs the reply off before the enterprise is asked.
            t = later(t, 30, 300, unit=lead)
            d = yield Step(t, "sign-off", S.demand_sign_off, {"actor": head, "note": "经审核，同意答复"})
        if p.stop == Status.REPLIED:
            return

        resolved, rating = p.outcomes[min(cycle, 2)]
        comment = rng.choice(texts.RATING_COMMENTS[rating])
        if p.officer_confirms:
            rater, t = officer, later(t, 400, 1300)
            comment = f"回访：{comment}" if comment else "电话回访"
        else:
            rater, t = contact, by_enterprise(later(t, 30, 800))
        d = yield Step(
            t,
            "confirm",
            S.demand_confirm,
            {
                "actor": rater,
                "resolved": resolved,
                "rating": rating,
                "comment": comment,
            },
        )
        if d.status == Status.CLOSED or p.stop == Status.UNRESOLVED:
            return

        if p.after_unresolved[min(cycle, 2)] == "reopen":
            reopener = contact if rng.random() < 0.6 else officer
            t = later(t, 20, 400)
            d = yield Step(
                t,
                "reopen",
                S.demand_reopen,
                {"actor": reopener, "reason": rng.choice(texts.REOPEN_REASONS)},
            )
        else:
            escalator = supervisor if rng.random() < 0.5 else officer
            t = later(t, 60, 800)
            d = yield Step(
                t,
                "escalate",
                S.demand_escalate,
                {
                    "actor": escalator,
                    "reason": rng.choice(texts.ESCALATE_REASONS),
                },
            )
            if p.stop == Status.DIFFICULT:
                return
            disputed = ref.CONFUSED_WITH.get(p.lead)
            co = tuple(
                dict.fromkeys([*p.co, *([disputed] if disputed and disputed != p.lead else [])])
            )
            note = pick(texts.DIFFICULT_DISPATCH_NOTES, unit=ref.UNIT_NAMES[p.lead])
            t = later(t, 400, 2100)
            d = yield Step(
                t,
                "assign-case",
                S.demand_assign_case,
                {
                    "actor": leader,
                    "coordinator": "supervisor",
                    "lead_unit": p.lead,
                    "co_units": co,
                    "working_days": rng.choice((5, 10, 15)),
                    "note": note,
                },
            )
        cycle += 1
