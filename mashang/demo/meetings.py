"""The demo's review meetings: a year of monthly demand reviews and the land-supply reviews.

Every meeting is called, given its agenda, decided, held and approved through
:mod:`mashang.meetings.services`, with its people and an explicit time, in the zone's time
order: the demand reviews are courses of :class:`~mashang.demo.simulate.Act` that the demand
player runs among the demands (so each agenda is proposed from the data as it stood that day),
and the land-supply reviews are acts that the project player runs among the projects.

- **Demand reviews** (研判会), one a month: each reviews a calendar month of the demo year and is
  held on the third or fourth working day of the month after. The supervision office plans it
  (the agenda is proposed by the rules), accepts the difficult cases first, then overdue,
  disputed, reopened and repeat demands, overdue action items, a category's rise and a unit's
  fall, drops a few, adds its own items (three of the year's decisions change a category's
  rule); the agenda is frozen the day before, every item decided at the meeting, and the
  leader approves the minutes two working days later — which opens the action items (督办事项)
  and applies the rule changes. One meeting is cancelled; the one reviewing the current month
  is only planned at the demo's "now".
- **Action items** then move as the units would: signed for, a progress report, the reply and
  the service team's confirmation — most on time, some late, some stalled past their deadline.
- **Land-supply reviews** (供地审议): a consultation and a joint meeting whose approvals list the
  land of two land-start projects on the day the project plan lists it, the joint meeting also
  escalating the key project held up by a high-voltage line and deferring another (resumed by
  its officer weeks later, when the investor met the conditions); a
  difficult-case meeting on that line, held days before "now" with its minutes still to be
  approved; and a joint meeting planned for the day after "now", its agenda frozen.

What the demo owns and ``--force`` wipes (:func:`demo_meetings_wipe`): the meetings the demo's
staff called, the action items they opened, their events and messages.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import partial
from typing import Any

from mashang.audit.models import Event
from mashang.core.numbering import numbers_continue
from mashang.demands import services as S
from mashang.demands.models import ActionItemSequence, Assignment, Demand, Rating
from mashang.demands.models import Kind as DemandKind
from mashang.demo import meeting_texts as mt
from mashang.demo import reference as ref
from mashang.demo.plan import DAY, DemoPlan
from mashang.demo.project_plan import Days, ProjectPlan, demo_projects_plan
from mashang.demo.simulate import Act, Acts, DemoError, Player
from mashang.demo.sweeps import demo_notices_wipe
from mashang.meetings import services as M
from mashang.meetings.models import (
    ActionItem,
    AgendaItem,
    ItemStatus,
    Kind,
    Meeting,
    MeetingSequence,
    Source,
)
from mashang.notify.models import Notification
from mashang.org.models import Category, Enterprise, User
from mashang.projects import services as projects
from mashang.projects.models import Project, Stage
from mashang.projects.transitions import Action as ProjectAction
from mashang.workcal.calendar import WorkCalendar

#: How many items of each reason the secretary accepts at most, in this order (the rest wait).
ACCEPT = (
    (Source.DIFFICULT, 3),
    (Source.OVERDUE, 2),
    (Source.DISPUTED_RETURN, 1),
    (Source.REOPENED, 1),
    (Source.ACTION_ITEM_OVERDUE, 2),
    (Source.REPEAT, 1),
    (Source.VOLUME_RISE, 1),
    (Source.ASSESSMENT_FALL, 1),
)
#: The reasons whose action items the lead unit handles with co-units (the others are its own).
HELPED = frozenset({Source.DIFFICULT, Source.DISPUTED_RETURN, Source.REOPENED, Source.VOLUME_RISE})
#: What becomes of the action items, in turn: replied and confirmed in time, replied late,
#: stalled after the progress report (overdue), or never signed for.
FATES = (
    "on_time", "on_time", "late", "on_time", "stalled", "on_time",
    "on_time", "on_time", "late", "silent", "on_time", "stalled",
)  # fmt: skip
#: Which monthly meeting (0 = the oldest) adopts which rule change; which one is cancelled.
RULE_MEETINGS = {3: 0, 6: 1, 9: 2}
CANCELLED = 2
STAFF = "supervisor"  # the demand reviews' secretary (the supervision office)
CHAIR = "leader"
OFFICERS = ("officer", "officer2", "officer3")


def _month_add(first: date, months: int) -> date:
    n = first.year * 12 + first.month - 1 + months
    return date(n // 12, n % 12 + 1, 1)


@dataclass(frozen=True)
class Review:
    """One monthly demand review, its times decided in advance."""

    index: int
    month: date  # the first day of the month it reviews
    starts_at: datetime
    plan_at: datetime
    freeze_at: datetime
    approve_at: datetime
    place: str
    current: bool  # it reviews the current month: only planned at the demo's "now"
    recent: bool  # approved in the last weeks before "now": its action items are given longer
    cancelled: bool
    added: tuple[mt.ManualItem, ...]  # the secretary's own items

    @property
    def title(self) -> str:
        return mt.REVIEW_TITLE.format(year=self.month.year, month=self.month.month)


@dataclass(frozen=True)
class LandReview:
    """One land-supply review: its times and the projects it moves."""

    key: str
    kind: str
    starts_at: datetime
    plan_at: datetime
    freeze_at: datetime
    decide: bool  # False: planned for after "now", its agenda frozen
    approve_at: datetime | None  # None: held, the minutes not approved by "now"
    approve: ProjectPlan | None = None  # its land is listed by the approval
    escalate: ProjectPlan | None = None
    defer: ProjectPlan | None = None
    resumed_at: datetime | None = None  # its officer resumes the deferred project (conditions met)

    @property
    def title(self) -> str:
        day = self.starts_at.date()
        return mt.LAND_TITLES[self.kind].format(year=day.year, month=day.month)


class DemoMeetings:
    """The demo's meetings: their schedule (pure), then their courses through the services."""

    def __init__(
        self,
        *,
        plan: DemoPlan,
        users: Mapping[str, User],
        unit_codes: Mapping[int, str],
        cal: WorkCalendar,
        player: Player,
    ):
        self.plan = plan
        self.users = users
        self.unit_codes = unit_codes
        self.cal = cal
        self.player = player
        self.days = Days(cal.is_working_day, plan.start.date(), plan.until)
        self.projects = demo_projects_plan(
            seed=plan.seed,
            start=plan.start.date(),
            until=plan.until,
            enterprises=plan.enterprises,
            is_working_day=cal.is_working_day,
        ).projects
        self.reviews = self._review_schedule()
        self.lands = self._land_schedule()
        self.meeting_ids: dict[str, int] = {}
        self.opened = 0  # action items opened so far (their fates go in turn)
        self.added: dict[int, dict[str, mt.ManualItem]] = {}  # the secretary's items per meeting
        self.decided: set[int] = set()  # demands an earlier meeting decided on

    # --- time ----------------------------------------------------------------------------------

    def at(self, day: date, clock: time, minutes: float = 0) -> datetime:
        return datetime.combine(day, clock, tzinfo=self.cal.tz) + timedelta(minutes=minutes)

    def before(self, day: date, n: int = 1) -> date:
        """The ``n``-th working day before ``day``."""
        for _ in range(n):
            day = self.days.on_or_before(day - timedelta(days=1))
        return day

    def later(self, t: datetime, minutes: float) -> datetime:
        """``t`` plus working minutes: within the zone's office hours."""
        return self.cal.add_working_time(t, timedelta(seconds=max(60, int(minutes * 60))))

    # --- the schedule ------------------------------------------------------------------------

    def _meeting_day(self, month: date) -> tuple[date, time]:
        """When the review of ``month`` is held: the third or fourth working day of the month
        after, in the morning or the afternoon."""
        rng = random.Random(f"mashang-demo:{self.plan.seed}:review-day:{month.isoformat()}")
        day = self.days.on_or_after(_month_add(month, 1))
        for _ in range(rng.choice((2, 3))):
            day = self.days.next(day)
        return day, rng.choice((time(9, 30), time(15, 0)))

    def _review_schedule(self) -> list[Review]:
        """Twelve monthly reviews, the last one the next to be held after "now" (planned)."""
        rng = random.Random(f"mashang-demo:{self.plan.seed}:meetings")
        month = (self.plan.until - timedelta(days=1)).replace(day=1)
        day, _ = self._meeting_day(_month_add(month, -1))
        # The review of the month before is still to be held this month: that one is next.
        last_month = (
            _month_add(month, -1) if self.at(day, time(0, 0)) >= self.plan.horizon else month
        )
        last = self.days.last()
        topics = iter(mt.TOPIC_ITEMS)
        reviews = []
        for index in range(12):
            month = _month_add(last_month, index - 11)
            day, clock = self._meeting_day(month)
            plan_at = self.at(self.before(day, 2), time(9, 40), rng.uniform(0, 40))
            if index == 11 and plan_at.date() > last:
                plan_at = self.at(last, time(9, 40), rng.uniform(0, 20))
            approve_at = self.at(
                self.days.next(self.days.next(day)), time(10, 0), rng.uniform(0, 90)
            )
            added: list[mt.ManualItem] = []
            if index == 0:
                added.append(mt.KICK_OFF)
            if index in RULE_MEETINGS:
                added.append(mt.RULE_ITEMS[RULE_MEETINGS[index]])
            if index % 3 == 1:
                added.append(mt.MONTHLY_REPORT)
            elif index % 3 == 2 and index != CANCELLED:
                added.append(next(topics, mt.MONTHLY_REPORT))
            reviews.append(
                Review(
                    index=index,
                    month=month,
                    starts_at=self.at(day, clock),
                    plan_at=plan_at,
                    freeze_at=self.at(self.before(day), time(16, 0), rng.uniform(0, 30)),
                    approve_at=approve_at,
                    place=rng.choice(mt.PLACES),
                    current=index == 11,
                    recent=approve_at < self.plan.horizon
                    and self.cal.working_time_between(approve_at, self.plan.horizon)
                    < self.cal.day_length * 25,
                    cancelled=index == CANCELLED,
                    added=tuple(added),
                )
            )
        return reviews

    def _land_schedule(self) -> list[LandReview]:
        """Four land-supply reviews; a review is left out when the project plan does not give
        it the projects it needs (a demo far shorter than a year)."""
        roles = {p.role: p for p in self.projects if p.role}
        lands: list[LandReview] = []

        def around_listing(key: str, kind: str, project: ProjectPlan | None, **more) -> None:
            if project is None or Stage.LISTED not in project.reached:
                return
            listed = project.reached[Stage.LISTED]
            meeting_day = self.before(listed, 2)
            plan_day = self.before(meeting_day, 3)
            if not project.reached[Stage.LAND_REVIEW] < plan_day or plan_day < self.days.start:
                return
            lands.append(
                LandReview(
                    key=key,
                    kind=kind,
                    starts_at=self.at(meeting_day, time(15, 0)),
                    plan_at=self.at(plan_day, time(10, 0)),
                    freeze_at=self.at(self.before(meeting_day), time(16, 10)),
                    decide=True,
                    approve_at=self.at(listed, time(9, 0)),
                    approve=project,
                    **more,
                )
            )

        around_listing("L1", Kind.LAND_CONSULTATION, roles.get("run2"))
        run6 = roles.get("run6")
        if run6 is not None and Stage.LISTED in run6.reached:
            plan_day = self.before(self.before(run6.reached[Stage.LISTED], 2), 3)
            waiting = [  # at land review then, and staying there
                p
                for p in self.projects
                if p.standing == Stage.LAND_REVIEW
                and p.final == Stage.LAND_REVIEW
                and p.reached[Stage.LAND_REVIEW] < plan_day
            ]
            behind = roles.get("behind_listed")
            escalate = behind if behind in waiting else None
            ordinary = sorted(
                (
                    p
                    for p in waiting
                    if not p.role and p.behind is None and not p.is_key
                    and p.planned.get(Stage.LISTED, self.plan.until) >= self.plan.until
                ),
                key=lambda p: (p.reached[Stage.LAND_REVIEW], p.index),
            )  # fmt: skip
            defer = ordinary[0] if ordinary else None
            resumed_day = self.before(self.days.last(), 12)
            resumed_at = self.at(resumed_day, time(10, 30)) if defer is not None else None
            if resumed_day <= run6.reached[Stage.LISTED]:
                defer = resumed_at = None
            around_listing(
                "L2", Kind.LAND_JOINT, run6, escalate=escalate, defer=defer, resumed_at=resumed_at
            )
        last = self.days.last()
        meeting_day = self.before(last, 2)
        if (  # the case the joint meeting escalated, held days before "now"
            lands
            and lands[-1].escalate is not None
            and lands[-1].approve_at
            and lands[-1].approve_at.date() < self.before(meeting_day, 3)
        ):
            lands.append(
                LandReview(
                    key="L3",
                    kind=Kind.LAND_DIFFICULT,
                    starts_at=self.at(meeting_day, time(9, 30)),
                    plan_at=self.at(self.before(meeting_day, 3), time(10, 20)),
                    freeze_at=self.at(self.before(meeting_day), time(16, 20)),
                    decide=True,
                    approve_at=None,
                    escalate=lands[-1].escalate,
                )
            )
        upcoming = self.days.on_or_after(self.plan.until + timedelta(days=1))
        lands.append(
            LandReview(
                key="L4",
                kind=Kind.LAND_JOINT,
                starts_at=self.at(upcoming, time(15, 0)),
                plan_at=self.at(self.before(last, 2), time(14, 30)),
                freeze_at=self.at(last, time(16, 0)),
                decide=False,
                approve_at=None,
            )
        )
        return lands

    # --- phase one: among the demands ---------------------------------------------------------

    def courses(self) -> list[Acts]:
        """The courses the demand player runs: the monthly reviews, and the planning of the land
        reviews (called now, so that numbers follow the order meetings were called in)."""
        courses: list[Acts] = [self._review_course(r) for r in self.reviews]
        courses += [self._land_plan_course(r) for r in self.lands]
        return courses

    def user(self, username: str) -> User:
        return self.users[username]

    def _version(self, meeting_id: int) -> int:
        return Meeting.objects.values_list("version", flat=True).get(pk=meeting_id)

    def _review_course(self, r: Review) -> Acts:
        rng = random.Random(f"mashang-demo:{self.plan.seed}:review:{r.index}")
        plan = partial(
            M.meeting_plan,
            actor=self.user(STAFF),
            kind=Kind.DEMAND_REVIEW,
            title=r.title,
            starts_at=r.starts_at,
            place=r.place,
            chair=CHAIR,
            secretary=STAFF,
            participants=OFFICERS,
            units=["fwzx", "dcb"],
            note=mt.REVIEW_NOTE.format(year=r.month.year, month=r.month.month),
            at=r.plan_at,
        )
        meeting = yield Act(r.plan_at, f"meeting:plan {r.title}", plan)
        self.meeting_ids[f"review-{r.index}"] = meeting.pk
        t = self.later(r.plan_at, rng.uniform(20, 50))
        yield Act(
            t, f"meeting:agenda {r.title}", partial(self._review_agenda, meeting.pk, r, t, rng)
        )
        if r.current:
            return
        secretary = self.user(STAFF)
        yield Act(
            r.freeze_at,
            f"meeting:freeze {r.title}",
            partial(self._freeze, meeting.pk, secretary, r.freeze_at),
        )
        if r.cancelled:
            when = self.later(r.freeze_at, rng.uniform(30, 60))
            cancel = partial(self._cancel, meeting.pk, self.user(CHAIR), mt.CANCEL_REASON, when)
            yield Act(when, f"meeting:cancel {r.title}", cancel)
            return
        t = r.starts_at + timedelta(minutes=5)
        yield Act(
            t, f"meeting:decide {r.title}", partial(self._review_decide, meeting.pk, r, t, rng)
        )
        approve = partial(self._approve, meeting.pk, r.approve_at, spawn=True)
        yield Act(r.approve_at, f"meeting:approve {r.title}", approve)

    def _review_agenda(
        self, meeting_id: int, r: Review, t: datetime, rng: random.Random
    ) -> Meeting:
        secretary = self.user(STAFF)
        items = list(
            AgendaItem.objects.filter(meeting_id=meeting_id)
            .select_related("demand__lead_unit", "unit")
            .order_by("position")
        )

        def earlier(item: AgendaItem) -> bool:  # decided at an earlier meeting: handled as decided
            return bool(item.demand_id and item.demand_id in self.decided)

        # What the rules put on the agenda by themselves (difficult cases) stays, unless an
        # earlier meeting decided on it; of the rest, the most pressing reasons first.
        on_agenda = [i for i in items if i.status == ItemStatus.ACCEPTED]
        kept = [i for i in on_agenda if not earlier(i)]
        chosen: list[AgendaItem] = []
        for source, most in ACCEPT:
            fresh = [
                i
                for i in items
                if i.source == source and i.status == ItemStatus.PROPOSED and not earlier(i)
            ]
            chosen += fresh[:most]
        chosen = chosen[: max(2, rng.randint(5, 8) - len(kept))]
        accepted = sorted(kept + chosen, key=_position)
        rest = [i for i in items if i.status == ItemStatus.PROPOSED and i not in chosen]
        dropped = [i for i in on_agenda if earlier(i)] + rest[: rng.randint(1, 3)]
        for item, call in [(i, M.agenda_item_accept) for i in sorted(chosen, key=_position)] + [
            (i, M.agenda_item_drop) for i in dropped
        ]:
            call(
                actor=secretary,
                meeting_id=meeting_id,
                version=self._version(meeting_id),
                item=item.pk,
                at=t,
            )
            t = self.later(t, rng.uniform(1, 4))
        added = list(r.added)
        if not accepted and not added:  # nothing the rules call for: the month's report
            added.append(mt.MONTHLY_REPORT)
        self.added[meeting_id] = {m.title: m for m in added}
        for manual in added:
            M.agenda_item_add(
                actor=secretary,
                meeting_id=meeting_id,
                version=self._version(meeting_id),
                title=manual.title,
                evidence=manual.evidence,
                at=t,
            )
            t = self.later(t, rng.uniform(2, 6))
        units = ["fwzx", "dcb"]
        for item in accepted:
            code = self._unit_of(item)
            if code and code not in units:
                units.append(code)
        return M.meeting_edit(
            actor=secretary,
            meeting_id=meeting_id,
            version=self._version(meeting_id),
            participants=[*OFFICERS, *(f"head-{code}" for code in units[2:])],
            units=units,
            at=t,
        )

    def _freeze(self, meeting_id: int, actor: User, at: datetime) -> Meeting:
        return M.meeting_freeze(
            actor=actor, meeting_id=meeting_id, version=self._version(meeting_id), at=at
        )

    def _cancel(self, meeting_id: int, actor: User, reason: str, at: datetime) -> Meeting:
        return M.meeting_cancel(
            actor=actor,
            meeting_id=meeting_id,
            version=self._version(meeting_id),
            reason=reason,
            at=at,
        )

    def _review_decide(
        self, meeting_id: int, r: Review, t: datetime, rng: random.Random
    ) -> Meeting:
        secretary = self.user(STAFF)
        manual = self.added[meeting_id]
        for item in self._accepted(meeting_id):
            if item.source == Source.MANUAL:
                decision, work, rules = self._manual_decision(manual[item.title], r)
            else:
                decision, work, rules = self._decision(item, r, rng)
                if item.demand_id:
                    self.decided.add(item.demand_id)
            M.item_decide(
                actor=secretary,
                meeting_id=meeting_id,
                version=self._version(meeting_id),
                item=item.pk,
                decision=decision,
                action_items=work,
                rule_changes=rules,
                at=t,
            )
            t = self.later(t, rng.uniform(8, 11))
        return M.meeting_hold(
            actor=secretary,
            meeting_id=meeting_id,
            version=self._version(meeting_id),
            at=self.later(t, 5),
        )

    def _approve(self, meeting_id: int, at: datetime, *, spawn: bool) -> Meeting:
        meeting = M.meeting_approve(
            actor=self.user(CHAIR),
            meeting_id=meeting_id,
            version=self._version(meeting_id),
            at=at,
        )
        opened = (
            ActionItem.objects.filter(item__meeting_id=meeting_id, demand__isnull=False)
            .select_related("demand")
            .order_by("item__position", "id")
        )
        for planned in opened:
            course = self._action_item_course(planned.demand, self.opened)
            self.opened += 1
            if spawn:
                self.player.spawn(course)
            else:
                _run_through(course, self.plan.horizon)
        return meeting

    def _accepted(self, meeting_id: int) -> list[AgendaItem]:
        return list(
            AgendaItem.objects.filter(meeting_id=meeting_id, status=ItemStatus.ACCEPTED)
            .select_related("demand__lead_unit", "demand__enterprise", "demand__coordinator")
            .select_related("unit", "category__default_lead_unit", "project")
            .order_by("position")
        )

    # --- decisions ----------------------------------------------------------------------------

    def _unit_of(self, item: AgendaItem) -> str | None:
        """The handling unit an item is about: the demand's lead unit, the unit, the category's."""
        code = None
        if item.demand_id and item.demand.lead_unit_id:
            code = self.unit_codes[item.demand.lead_unit_id]
        elif item.unit_id:
            code = self.unit_codes[item.unit_id]
        else:
            category_id = item.category_id or (item.demand.category_id if item.demand_id else None)
            lead = (
                Category.objects.filter(pk=category_id)
                .values_list("default_lead_unit__code", flat=True)
                .first()
            )
            code = lead or None
        return code if code in ref.HANDLING_UNITS else None

    def _co_of(self, item: AgendaItem, lead: str) -> list[str]:
        co: list[str] = []
        if item.demand_id:
            co = [
                a.unit.code
                for a in Assignment.objects.filter(
                    demand_id=item.demand_id, is_current=True, role=Assignment.Role.CO
                ).select_related("unit")
            ]
        if not co and ref.CONFUSED_WITH.get(lead):
            co = [ref.CONFUSED_WITH[lead]]
        return [c for c in dict.fromkeys(co) if c != lead and c in ref.HANDLING_UNITS][:2]

    def _decision(
        self, item: AgendaItem, r: Review, rng: random.Random
    ) -> tuple[str, list[dict[str, Any]], list[dict[str, Any]]]:
        d = item.demand
        lead = self._unit_of(item)
        helped = item.source in HELPED
        co = self._co_of(item, lead) if lead and helped else []
        days = 20 if r.recent else rng.choice((5, 7, 10, 10, 15, 20))
        ctx: dict[str, Any] = {
            "number": d.number if d else "",
            "unit": ref.UNIT_NAMES.get(lead, "相关单位") if lead else "相关单位",
            "co": "、".join(ref.UNIT_NAMES[c] for c in co) or "相关单位",
            "other": ref.UNIT_NAMES[co[0]] if co else "相关单位",
            "leader": self.user(CHAIR).display_name,
            "coordinator": d.coordinator.display_name if d and d.coordinator_id else "督查办",
            "days": days,
            "overdue": max(1, (r.starts_at - d.next_due_at).days) if d and d.next_due_at else 1,
            "round": d.round if d else 2,
            "count": (item.figures or {}).get("count", ""),
            "category": item.category.name if item.category_id else "",
            "enterprise": "",
        }
        if item.source == Source.REPEAT:
            enterprise_id = int(item.key.split(":")[1])
            ctx["enterprise"] = (
                d.enterprise.name if d and d.enterprise_id else _enterprise_name(enterprise_id)
            )
        source = item.source
        work: list[dict[str, Any]] = []
        if source == Source.DIFFICULT and d.coordinator_id:
            text = rng.choice(mt.DIFFICULT_ASSIGNED)
            count = 1 if rng.random() < 0.5 else 0
        else:
            text = rng.choice(
                {
                    Source.DIFFICULT: mt.DIFFICULT_WAITING,
                    Source.OVERDUE: mt.OVERDUE,
                    Source.REOPENED: mt.REOPENED,
                    Source.DISPUTED_RETURN: mt.DISPUTED,
                    Source.ACTION_ITEM_OVERDUE: mt.ACTION_OVERDUE,
                    Source.REPEAT: mt.REPEAT,
                    Source.VOLUME_RISE: mt.VOLUME,
                    Source.ASSESSMENT_FALL: mt.ASSESSMENT,
                }[source]
            )
            count = 0 if source == Source.ACTION_ITEM_OVERDUE else 1
            if source in mt.CO_ACTION_TITLES and co and rng.random() < 0.5:
                count = 2
        if lead:
            for n in range(count):
                unit, helpers = (lead, co) if n == 0 else (co[0], [lead])
                title = (mt.ACTION_TITLES if n == 0 else mt.CO_ACTION_TITLES)[source]
                work.append(
                    {
                        "title": title.format(**ctx)[:200],
                        "lead_unit": unit,
                        "co_units": [c for c in helpers if c != unit],
                        "owner": f"head-{unit}" if rng.random() < 0.4 else None,
                        "working_days": days,
                        "closing_rule": mt.CLOSING_RULES[source],
                    }
                )
        return text.format(**ctx), work, []

    def _manual_decision(
        self, manual: mt.ManualItem, r: Review
    ) -> tuple[str, list[dict[str, Any]], list[dict[str, Any]]]:
        work = [
            {
                "title": w.title,
                "lead_unit": w.lead,
                "co_units": list(w.co),
                "working_days": max(w.working_days, 20) if r.recent else w.working_days,
                "closing_rule": mt.CLOSING_RULES["manual"],
            }
            for w in manual.work
        ]
        rules = []
        if manual.rule:
            category, rule, value = manual.rule
            rules.append({"category": category, "field": rule, "value": value})
        return manual.decision, work, rules

    # --- the action items ---------------------------------------------------------------------

    def _action_item_course(self, d: Demand, n: int) -> Acts:
        """An action item's life after the minutes opened it, as its lead unit moves it."""
        fate = FATES[n % len(FATES)]
        if fate == "silent":  # never signed for: overdue from its first hour
            return
        rng = random.Random(f"mashang-demo:{self.plan.seed}:action-item:{d.number}")
        lead = self.unit_codes[d.lead_unit_id]
        staff, head = self.user(f"unit-{lead}"), self.user(f"head-{lead}")
        officer = self.user(rng.choice(OFFICERS))
        due = d.resolution_due_at

        def move(t: datetime, action: str, service: Callable[..., Demand], **kwargs: Any) -> Act:
            def call() -> Demand:
                # Read when it runs: a notice the replayed sweep raised meanwhile bumped it.
                version = Demand.objects.values_list("version", flat=True).get(pk=d.pk)
                return service(demand_id=d.pk, version=version, at=t, **kwargs)

            return Act(t, f"action-item:{action} {d.number}", call)

        t = self.later(d.submitted_at, rng.uniform(10, 50))
        note = rng.choice(mt.SIGNED_FOR)
        d = yield move(t, "respond", S.demand_respond, actor=staff, note=note, method="visit", contact_with="项目负责人")
        t = self.later(t, rng.uniform(0.7, 2.2) * DAY)
        d = yield move(
            t, "assess", S.demand_assess, actor=staff, assessment=rng.choice(mt.PROGRESS)
        )
        if fate == "stalled":  # no reply: past its deadline at "now"
            return
        if fate == "late":
            t = self.later(max(t, due), rng.uniform(0.5, 6) * DAY)
        else:
            soonest = self.later(t, rng.uniform(0.3, 1.0) * DAY)
            latest = self.cal.add_working_time(due, -timedelta(minutes=45))
            if latest > soonest:  # due after "now": the unit takes its time
                share = (
                    rng.uniform(0.75, 0.95) if due > self.plan.horizon else rng.uniform(0.2, 0.95)
                )
                span = self.cal.working_time_between(soonest, latest)
                soonest = self.cal.add_working_time(soonest, span * share)
            t = soonest
        replier = head if rng.random() < 0.3 else staff
        d = yield move(t, "reply", S.demand_reply, actor=replier, reply=rng.choice(mt.DONE))
        t = self.later(t, rng.uniform(0.3, 2.0) * DAY)
        rating = Rating.SATISFIED if rng.random() < 0.85 else Rating.BASIC
        yield move(
            t,
            "confirm",
            S.demand_confirm,
            actor=officer,
            resolved=True,
            rating=rating,
            comment=rng.choice(mt.CONFIRMED),
        )

    # --- the land-supply reviews --------------------------------------------------------------

    def _land_plan_course(self, r: LandReview) -> Acts:
        plan = partial(
            M.meeting_plan,
            actor=self.user("officer"),
            kind=r.kind,
            title=r.title,
            starts_at=r.starts_at,
            place=mt.LAND_PLACE,
            chair=CHAIR,
            secretary="officer",
            participants=["supervisor", "officer2"],
            units=["zrzy", "zjj", "jyzx", "zsj"],
            note=mt.LAND_NOTE,
            at=r.plan_at,
        )
        meeting = yield Act(r.plan_at, f"meeting:plan {r.title}", plan)
        self.meeting_ids[r.key] = meeting.pk

    def land_reviews(
        self, projects: Sequence[ProjectPlan], project_id: Callable[[int], int]
    ) -> tuple[set[int], list[tuple[datetime, str, Callable[[], Any]]]]:
        """For the project player: the projects whose land a review lists (the player leaves
        that move to the review) and the reviews' acts after their planning."""
        if [p.name for p in projects] != [p.name for p in self.projects]:
            raise DemoError("the land-supply reviews were scheduled for another project plan")
        listed: set[int] = set()
        acts: list[tuple[datetime, str, Callable[[], Any]]] = []
        officer = self.user("officer")
        for r in self.lands:
            meeting_id = self.meeting_ids.get(r.key)
            if meeting_id is None:  # not called before "now"
                continue
            if r.approve is not None and r.approve_at is not None:
                listed.add(r.approve.index)
            agenda_at = r.plan_at + timedelta(minutes=25)
            acts.append(
                (
                    agenda_at,
                    f"{r.title}: agenda",
                    partial(self._land_agenda, meeting_id, r, agenda_at, project_id),
                )
            )
            acts.append(
                (
                    r.freeze_at,
                    f"{r.title}: freeze",
                    partial(self._freeze, meeting_id, officer, r.freeze_at),
                )
            )
            if r.decide:
                decided_at = r.starts_at + timedelta(minutes=5)
                acts.append(
                    (
                        decided_at,
                        f"{r.title}: decide",
                        partial(self._land_decide, meeting_id, r, decided_at, project_id),
                    )
                )
            if r.defer is not None and r.resumed_at is not None:
                resume = partial(self._resume, r.defer, project_id, r.resumed_at)
                acts.append((r.resumed_at, f"{r.title}: resume {r.defer.name}", resume))
            if r.approve_at is not None:
                acts.append(
                    (
                        r.approve_at,
                        f"{r.title}: approve",
                        partial(self._approve, meeting_id, r.approve_at, spawn=False),
                    )
                )
        return listed, acts

    def _land_agenda(
        self, meeting_id: int, r: LandReview, t: datetime, project_id: Callable[[int], int]
    ) -> None:
        officer = self.user("officer")
        M.meeting_propose(
            actor=officer, meeting_id=meeting_id, version=self._version(meeting_id), at=t
        )
        items = list(
            AgendaItem.objects.filter(meeting_id=meeting_id)
            .select_related("project")
            .order_by("position")
        )
        moved = {project_id(p.index) for p in (r.approve, r.escalate, r.defer) if p is not None}
        waiting = [i for i in items if i.source == Source.LAND_WAITING]
        behind = [i for i in items if i.source == Source.KEY_PROJECT_BEHIND]
        if r.kind == Kind.LAND_DIFFICULT:
            accepted = waiting
        else:
            accepted = [i for i in waiting if i.project_id in moved]
            most = 4 if r.decide else 6  # the next review: every project waiting
            accepted += [i for i in waiting if i.project_id not in moved][: most - len(accepted)]
            accepted += [i for i in behind if i.project_id not in {a.project_id for a in accepted}][
                :1
            ]
        dropped = [i for i in items if i not in accepted][:2]
        t = self.later(t, 3)
        proposed = [i for i in accepted if i.status == ItemStatus.PROPOSED]
        for item, call in [(i, M.agenda_item_accept) for i in proposed] + [
            (i, M.agenda_item_drop) for i in dropped
        ]:
            call(
                actor=officer,
                meeting_id=meeting_id,
                version=self._version(meeting_id),
                item=item.pk,
                at=t,
            )
            t = self.later(t, 2)
        if not accepted and not moved:  # no project waits: the secretary's own item
            M.agenda_item_add(
                actor=officer,
                meeting_id=meeting_id,
                version=self._version(meeting_id),
                title=mt.LAND_PLAN_ITEM,
                at=t,
            )
        # a project the rules did not list: the secretary adds it
        on_agenda = {i.project_id for i in accepted}
        for pk in sorted(moved - on_agenda):
            project = Project.objects.get(pk=pk)
            M.agenda_item_add(
                actor=officer,
                meeting_id=meeting_id,
                version=self._version(meeting_id),
                title=f"{project.number} {project.name}",
                project=project.number,
                at=t,
            )
            t = self.later(t, 2)

    def _land_decide(
        self, meeting_id: int, r: LandReview, t: datetime, project_id: Callable[[int], int]
    ) -> None:
        officer = self.user("officer")
        roles = {
            project_id(p.index): role
            for role, p in (("approve", r.approve), ("escalate", r.escalate), ("defer", r.defer))
            if p is not None
        }
        for item in self._accepted(meeting_id):
            name = item.project.name if item.project_id else item.title
            ctx = {"project": name, "days": 15}
            role = roles.get(item.project_id)
            moves: list[dict[str, str]] = []
            work: Sequence[mt.PlannedWork] = ()
            if r.kind == Kind.LAND_DIFFICULT and role == "escalate":
                text, work = mt.LAND_DIFFICULT, mt.LAND_DIFFICULT_WORK
            elif role == "approve":
                text, moves = mt.LAND_APPROVE, [{"outcome": "approve"}]
            elif role == "escalate":
                text, moves = mt.LAND_ESCALATE, [{"outcome": "escalate"}]
            elif role == "defer":
                text, moves = mt.LAND_DEFER, [{"outcome": "defer", "reason": mt.DEFER_REASON}]
            elif item.project_id is None:
                text = mt.LAND_PLAN
            elif item.source == Source.KEY_PROJECT_BEHIND:
                text, work = mt.KEY_BEHIND, (mt.KEY_BEHIND_WORK,)
            else:
                text, work = mt.LAND_PENDING, (mt.LAND_PENDING_WORK,)
            M.item_decide(
                actor=officer,
                meeting_id=meeting_id,
                version=self._version(meeting_id),
                item=item.pk,
                decision=text.format(**ctx),
                action_items=[
                    {
                        "title": w.title.format(**ctx)[:200],
                        "lead_unit": w.lead,
                        "co_units": list(w.co),
                        "working_days": w.working_days,
                        "closing_rule": mt.CLOSING_RULES["land"],
                    }
                    for w in work
                ],
                project_moves=moves,
                at=t,
            )
            t = self.later(t, 12)
        M.meeting_hold(
            actor=officer, meeting_id=meeting_id, version=self._version(meeting_id), at=t
        )

    def _resume(self, project: ProjectPlan, project_id: Callable[[int], int], at: datetime) -> None:
        """The investor met the conditions the review deferred the project for: its officer
        resumes it, back at land review, for the next review."""
        pk = project_id(project.index)
        projects.project_transition(
            actor=self.user(project.officer),
            project_id=pk,
            version=Project.objects.values_list("version", flat=True).get(pk=pk),
            action=ProjectAction.RESUME,
            reason=mt.RESUME_REASON,
            at=at,
        )

    # --- what was made ------------------------------------------------------------------------

    def payload(self) -> dict[str, object]:
        """For the demo's marker."""
        ids = list(self.meeting_ids.values())
        return {
            "meetings": len(ids),
            "action_items": ActionItem.objects.filter(
                item__meeting_id__in=ids, demand__isnull=False
            ).count(),
        }


def _position(item: AgendaItem) -> int:
    return item.position


def _enterprise_name(pk: int) -> str:
    return Enterprise.objects.values_list("name", flat=True).get(pk=pk)


def _run_through(course: Acts, horizon: datetime) -> None:
    """Play a course of acts at once (beside the demand player): its acts before ``horizon``."""
    result: Any = None
    try:
        act = next(course)
        while act.at < horizon:
            try:
                result = act.run()
            except Exception as exc:
                raise DemoError(f"demo {act.label} at {act.at} failed: {exc}") from exc
            act = course.send(result)
    except StopIteration:
        return
    course.close()


# --- wiping ----------------------------------------------------------------------------------


def demo_meetings_wipe() -> int:
    """Delete the meetings the demo's staff called, the action items they opened (with their
    events and assignments) and the meetings' events and messages; call it before the demo's
    demands and projects are wiped (an agenda item refers to them). The number of meetings."""
    staff = [name for name, *_ in ref.STAFF_USERS]
    ids = sorted(
        Meeting.objects.filter(created_by__username__in=staff).values_list("pk", flat=True)
    )
    items = sorted(
        ActionItem.objects.filter(item__meeting_id__in=ids, demand__isnull=False).values_list(
            "demand_id", flat=True
        )
    )
    Notification.objects.filter(
        kind__startswith="meeting.", link__in=[f"/meetings/{pk}/" for pk in ids]
    ).delete()
    Event.objects.filter(subject_type="meeting", subject_id__in=ids).delete()
    Event.objects.filter(
        subject_type=M.CATEGORY_SUBJECT, action=M.RULE_CHANGE, payload__meeting_id__in=ids
    ).delete()
    Meeting.objects.filter(pk__in=ids).delete()
    Event.objects.filter(subject_type="demand", subject_id__in=items).delete()
    Assignment.objects.filter(demand_id__in=items).delete()
    demo_notices_wipe(items)  # the notices the replayed sweep raised on them
    Demand.objects.filter(pk__in=items, kind=DemandKind.ACTION_ITEM).delete()
    numbers_continue(MeetingSequence, Meeting)
    numbers_continue(ActionItemSequence, Demand)
    return len(ids)
