"""Reads of review meetings: the list and calendar, one meeting with its agenda and decisions,
the minutes as a document, the action items across meetings, a category's rule history."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mashang.audit.models import Event
from mashang.core.errors import NotFound, PermissionDenied
from mashang.demands.models import OPEN_STATUSES, Demand
from mashang.demands.models import Kind as DemandKind
from mashang.demands.models import Status as DemandStatus
from mashang.meetings.minutes import MinutesActionItem, MinutesItem, MinutesRecord
from mashang.meetings.models import (
    ActionItem,
    AgendaItem,
    ItemStatus,
    Kind,
    Meeting,
    ProjectMove,
    RuleChange,
    RuleField,
    Status,
)
from mashang.meetings.services import (
    CATEGORY_SUBJECT,
    CHAIRS,
    MSG_NOT_FOUND,
    SECRETARIES,
    SUBJECT,
)
from mashang.meetings.transitions import allowed_actions, can_plan, can_view
from mashang.org.models import Category, Unit, User

MSG_CASES_NOT_YOURS = gettext_lazy(
    "Only leaders, the supervision office and the service team see the difficult cases."
)
#: An open action item is "due soon" when its deadline is within this many days.
DUE_SOON_DAYS = 7


def _check(actor: User) -> None:
    if not can_view(actor):
        raise NotFound(MSG_NOT_FOUND)


@dataclass(frozen=True)
class MeetingFilters:
    status: str | None = None
    kind: str | None = None
    start: date | None = None  # meetings starting on or after this local date
    end: date | None = None  # … and before this one


def meeting_list(*, actor: User, filters: MeetingFilters | None = None) -> QuerySet[Meeting]:
    _check(actor)
    f = filters or MeetingFilters()
    qs = Meeting.objects.select_related("chair", "secretary")
    if f.status:
        qs = qs.filter(status=f.status)
    if f.kind:
        qs = qs.filter(kind=f.kind)
    tz = timezone.get_default_timezone()
    if f.start:
        qs = qs.filter(starts_at__gte=datetime.combine(f.start, datetime.min.time(), tzinfo=tz))
    if f.end:
        qs = qs.filter(starts_at__lt=datetime.combine(f.end, datetime.min.time(), tzinfo=tz))
    return qs.order_by("-starts_at", "-id")


@dataclass
class MeetingDetail:
    meeting: Meeting
    items: list[AgendaItem]
    participants: list[User]
    units: list[Unit]
    allowed_actions: list[str]
    events: list[Event] = field(default_factory=list)

    @property
    def accepted(self) -> list[AgendaItem]:
        return [i for i in self.items if i.status == ItemStatus.ACCEPTED]


def meeting_get(*, actor: User, meeting_id: int, with_events: bool = True) -> MeetingDetail:
    _check(actor)
    meeting = (
        Meeting.objects.select_related("chair", "secretary", "approved_by")
        .filter(pk=meeting_id)
        .first()
    )
    if meeting is None:
        raise NotFound(MSG_NOT_FOUND)
    items = list(
        AgendaItem.objects.filter(meeting=meeting)
        .select_related("demand", "project", "unit", "category")
        .prefetch_related(
            Prefetch(
                "action_items",
                queryset=ActionItem.objects.select_related(
                    "lead_unit", "owner", "demand"
                ).prefetch_related("co_units"),
            ),
            Prefetch("rule_changes", queryset=RuleChange.objects.select_related("category")),
            Prefetch("project_moves", queryset=ProjectMove.objects.select_related("project")),
        )
        .order_by("position")
    )
    events = (
        list(
            Event.objects.filter(subject_type=SUBJECT, subject_id=meeting.pk)
            .select_related("actor")
            .order_by("id")
        )
        if with_events
        else []
    )
    return MeetingDetail(
        meeting=meeting,
        items=items,
        participants=list(meeting.participants.order_by("role", "username")),
        units=list(meeting.units.order_by("code")),
        allowed_actions=allowed_actions(actor, meeting),
        events=events,
    )


def _when(at: datetime | None) -> str:
    return date_format(timezone.localtime(at), "Y-m-d H:i") if at else ""


def rule_change_text(change: RuleChange) -> str:
    label = RuleField(change.field).label
    if change.field == RuleField.DEFAULT_LEAD_UNIT:
        unit = (
            Unit.objects.filter(code=change.value).values_list("name", flat=True).first()
            or change.value
        )
        value = unit
    else:
        value = change.value
    text = _("{category}: {rule} → {value}").format(
        category=change.category.name, rule=label, value=value
    )
    if change.applied_at:
        text += _(" (applied; before: {before})").format(before=change.previous or "—")
    return text


def action_item_due_text(planned: ActionItem) -> str:
    if planned.demand_id:
        return _when(planned.demand.resolution_due_at)
    return _("{days} working days after approval").format(days=planned.working_days)


def minutes_record(detail: MeetingDetail) -> MinutesRecord:
    """The meeting's record as the minutes print it (accepted items only, in order)."""
    m = detail.meeting
    items = []
    for n, item in enumerate(detail.accepted, start=1):
        changes = [rule_change_text(c) for c in item.rule_changes.all()]
        changes += [
            _("{project}: {outcome}").format(
                project=f"{mv.project.number} {mv.project.name}", outcome=mv.get_outcome_display()
            )
            + (f"（{mv.reason}）" if mv.reason else "")
            for mv in item.project_moves.all()
        ]
        actions = tuple(
            MinutesActionItem(
                number=a.demand.number if a.demand_id else "",
                title=a.title,
                lead=a.lead_unit.name,
                co_units=tuple(u.name for u in a.co_units.all()),
                owner=str(a.owner) if a.owner_id else "",
                due=action_item_due_text(a),
                closing_rule=a.closing_rule,
            )
            for a in item.action_items.all()
        )
        items.append(
            MinutesItem(
                position=n,
                title=item.title,
                source=str(item.get_source_display()),
                evidence=tuple(item.evidence),
                decision=item.decision,
                changes=tuple(changes),
                action_items=actions,
            )
        )
    approved = (
        _("Approved by {name} on {when}").format(name=m.approved_by, when=_when(m.approved_at))
        if m.approved_at
        else ""
    )
    return MinutesRecord(
        number=m.number,
        title=m.title,
        kind=str(m.get_kind_display()),
        held_at=_when(m.held_at or m.starts_at),
        place=m.place,
        chair=str(m.chair),
        secretary=str(m.secretary),
        participants=tuple(str(p) for p in detail.participants),
        units=tuple(u.name for u in detail.units),
        items=tuple(items),
        approved=approved,
        note=m.note,
    )


# --- action items across meetings ------------------------------------------------------------

TRACKER_STATES = ("open", "due_soon", "overdue", "closed", "all")


@dataclass(frozen=True)
class ActionItemFilters:
    state: str = "open"
    unit: str | None = None  # a unit code: items it leads
    meeting: int | None = None


def action_item_list(
    *, actor: User, filters: ActionItemFilters | None = None, now: datetime | None = None
) -> QuerySet[ActionItem]:
    """The action items of every meeting, with their tracked demand: open ones nearest deadline
    first. A unit member sees the items of the unit; enterprise contacts none."""
    _check(actor)
    f = filters or ActionItemFilters()
    now = now or timezone.now()
    qs = ActionItem.objects.filter(demand__isnull=False).select_related(
        "demand", "demand__lead_unit", "lead_unit", "owner", "item__meeting"
    )
    if actor.is_unit_member:
        qs = qs.filter(Q(lead_unit_id=actor.unit_id) | Q(co_units=actor.unit_id)).distinct()
    if f.unit:
        qs = qs.filter(demand__lead_unit__code=f.unit)
    if f.meeting:
        qs = qs.filter(item__meeting_id=f.meeting)
    open_q = Q(demand__status__in=OPEN_STATUSES)
    if f.state == "open":
        qs = qs.filter(open_q)
    elif f.state == "overdue":
        qs = qs.filter(open_q, demand__next_due_at__lt=now)
    elif f.state == "due_soon":
        soon = now + timedelta(days=DUE_SOON_DAYS)
        qs = qs.filter(
            # Not already overdue on an earlier deadline (that is the "overdue" tab).
            open_q,
            demand__next_due_at__gte=now,
            demand__resolution_due_at__lt=soon,
        )
    elif f.state == "closed":
        qs = qs.filter(~open_q)
    return qs.order_by("demand__next_due_at", "demand__resolution_due_at", "id")


def action_item_counts(*, actor: User, now: datetime | None = None) -> list[dict[str, Any]]:
    """Per lead unit: open, overdue and closed action items (the tracker's summary)."""
    now = now or timezone.now()
    rows: dict[str, dict[str, Any]] = {}
    for planned in action_item_list(actor=actor, filters=ActionItemFilters(state="all"), now=now):
        d = planned.demand
        unit = d.lead_unit
        row = rows.setdefault(unit.code, {"unit": unit, "open": 0, "overdue": 0, "closed": 0})
        if d.status in OPEN_STATUSES:
            row["open"] += 1
            if d.next_due_at and d.next_due_at < now:
                row["overdue"] += 1
        else:
            row["closed"] += 1
    return sorted(rows.values(), key=lambda r: (-r["overdue"], -r["open"], r["unit"].code))


# --- difficult cases, as a leader sees them ---------------------------------------------------


#: Who sees the difficult cases: the leaders who decide them, the supervision office and the
#: service team.
CASE_ROLES = (User.Role.LEADER, User.Role.SUPERVISOR, User.Role.OFFICER)


def can_view_cases(actor: User) -> bool:
    return actor.is_active and actor.role in CASE_ROLES


def difficult_case_list(*, actor: User) -> dict[str, list[Demand]]:
    """Escalations waiting for a leader, and the open cases with their coordinator and deadline."""
    if not can_view_cases(actor):
        raise PermissionDenied(MSG_CASES_NOT_YOURS)
    base = Demand.objects.filter(kind=DemandKind.DEMAND).select_related(
        "enterprise", "lead_unit", "coordinator", "category"
    )
    return {
        "waiting": list(base.filter(status=DemandStatus.DIFFICULT).order_by("escalated_at", "id")),
        "open": list(
            base.filter(
                coordinator__isnull=False, status__in=OPEN_STATUSES - {DemandStatus.DIFFICULT}
            ).order_by("resolution_due_at", "id")
        ),
    }


def escalation_reasons(*, demand_ids: list[int]) -> dict[int, str]:
    """Why each demand was (last) escalated to difficult-case handling: the reason of its latest
    escalation event, in one query."""
    reasons: dict[int, str] = {}
    events = Event.objects.filter(
        subject_type="demand", subject_id__in=demand_ids, action="escalate"
    ).order_by("subject_id", "-id")
    for subject_id, reason in events.values_list("subject_id", "reason"):
        reasons.setdefault(subject_id, reason)
    return reasons


# --- who may take which part, as a form's choices ------------------------------------------


def _people_choices(roles) -> list[tuple[str, str]]:
    people = User.objects.filter(is_active=True, role__in=roles).order_by("role", "username")
    return [(p.username, f"{p} · {p.get_role_display()}") for p in people]


def chair_choices() -> list[tuple[str, str]]:
    """Who may chair a meeting (leaders, the supervision office): (username, name and role)."""
    return _people_choices(CHAIRS)


def secretary_choices() -> list[tuple[str, str]]:
    """Who may keep a meeting's minutes: (username, name and role)."""
    return _people_choices(SECRETARIES)


def participant_choices() -> list[tuple[str, str]]:
    """Who may take part in a meeting or own an action item: the zone's people, not enterprise
    contacts."""
    return _people_choices([r for r in User.Role.values if r != User.Role.ENTERPRISE])


def category_history(*, category: Category) -> list[Event]:
    """The changes the review meetings made to a category's routing default and limits."""
    return list(
        Event.objects.filter(subject_type=CATEGORY_SUBJECT, subject_id=category.pk)
        .select_related("actor")
        .order_by("-id")
    )


def meeting_calendar(*, actor: User, year: int, month: int) -> list[Meeting]:
    first = date(year, month, 1)
    after = date(year + (month == 12), month % 12 + 1, 1)
    return list(
        meeting_list(actor=actor, filters=MeetingFilters(start=first, end=after)).order_by(
            "starts_at"
        )
    )


__all__ = [
    "ActionItemFilters",
    "Kind",
    "MeetingDetail",
    "MeetingFilters",
    "Status",
    "TRACKER_STATES",
    "action_item_counts",
    "action_item_list",
    "can_plan",
    "can_view_cases",
    "category_history",
    "chair_choices",
    "difficult_case_list",
    "escalation_reasons",
    "meeting_calendar",
    "meeting_get",
    "meeting_list",
    "minutes_record",
    "participant_choices",
    "secretary_choices",
]
