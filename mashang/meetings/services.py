"""Every write to a review meeting: one function per move of ``transitions.MOVES`` (and planning).

Each goes through :func:`_transition`, which locks the meeting, checks its version (409 on a
stale one), the actor's part and the move, applies the change, bumps the version and records
the one event, in one transaction. Approving the minutes applies what the meeting decided in
that same transaction: the rule changes (an event on each category), the action items (opened
as tracked demands) and the project moves — all of them or none.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from mashang.audit.services import event_record, versioned_save
from mashang.core.errors import (
    ApplicationError,
    Conflict,
    NotFound,
    PermissionDenied,
    ValidationFailed,
)
from mashang.core.numbering import number_next
from mashang.demands.models import Demand
from mashang.demands.services.action_items import action_item_open
from mashang.meetings import agenda as rules
from mashang.meetings.models import (
    LAND_KINDS,
    ActionItem,
    AgendaItem,
    ItemStatus,
    Kind,
    Meeting,
    MeetingSequence,
    ProjectMove,
    ProjectOutcome,
    RuleChange,
    RuleField,
    Source,
)
from mashang.meetings.transitions import Action, can_plan, check_move
from mashang.notify.recipients import Audience
from mashang.notify.services import notification_enqueue
from mashang.org.models import Category, Unit, User
from mashang.projects.models import Project
from mashang.projects.services import project_review_decide
from mashang.projects.services.land import REVIEW_OUTCOMES
from mashang.projects.transitions import target_of
from mashang.workcal.selectors import calendar_get

SUBJECT = "meeting"
CATEGORY_SUBJECT = "category"
RULE_CHANGE = "rule-change"

MSG_NOT_FOUND = _("No such meeting.")
MSG_STALE = _(
    "This meeting was changed by someone else since you opened it (your version {given}, now {current}). "
    "Reload it and try again."
)
MSG_MAY_NOT_PLAN = _(
    "Only the supervision office, the service team or a leader may call a review meeting."
)
MSG_REQUIRED = _("This field is required.")
MSG_TOO_LONG = _("At most {n} characters.")
MSG_BAD_KIND = _("Choose one of: {choices}.")
MSG_BAD_TIME = _("Give a date and time, e.g. 2026-12-10T09:30.")
MSG_BAD_PERIOD = _("The reviewed period ends after it starts.")
MSG_BAD_PERSON = _("There is no active person {username} who may take this part.")
MSG_UNKNOWN_UNIT = _("There is no active unit with the code {code}.")
MSG_UNKNOWN_CATEGORY = _("There is no active category with this code.")
MSG_UNKNOWN_DEMAND = _("There is no demand with this number.")
MSG_UNKNOWN_PROJECT = _("There is no project with this number.")
MSG_NO_SUCH_ITEM = _("This meeting has no agenda item {id}.")
MSG_ITEM_NOT_ACCEPTED = _("Only an accepted agenda item gets a decision.")
MSG_NOTHING_ACCEPTED = _("Accept or add at least one agenda item before freezing the agenda.")
MSG_UNDECIDED = _("Record a decision on every item before closing the meeting record: {items}.")
MSG_BAD_DAYS = _("Give between 1 and 90 working days.")
MSG_LEAD_AMONG_CO = _("The lead unit cannot also be a co-unit.")
MSG_BAD_RULE = _("Choose one of: {choices}.")
MSG_BAD_LIMIT = _("Give a number of at least 0.25 and at most 999.")
MSG_BAD_OUTCOME = _("Choose one of: {choices}.")
MSG_PROJECT_NOT_AT_REVIEW = _("Only a land-supply review decides on a project.")
MSG_ITEM_ALREADY = _("This agenda item is already {status}.")
MSG_ALREADY_ON_AGENDA = _("This is already on the agenda.")
MSG_APPLY_FAILED = _("The minutes could not be approved: {problem}")

#: Who may chair (leaders, the supervision office) and who may keep the minutes.
CHAIRS = (User.Role.LEADER, User.Role.SUPERVISOR)
SECRETARIES = (User.Role.SUPERVISOR, User.Role.OFFICER, User.Role.LEADER)


@dataclass
class Change:
    fields: dict[str, Any] = field(default_factory=dict)
    reason: str = ""
    payload: dict[str, Any] = field(default_factory=dict)


# --- input -------------------------------------------------------------------------------------


def _text(
    value: Any, name: str, errors: dict[str, str], *, required: bool = True, limit: int = 200
) -> str:
    text = str(value or "").strip()
    if required and not text:
        errors[name] = str(MSG_REQUIRED)
    elif len(text) > limit:
        errors[name] = str(MSG_TOO_LONG).format(n=limit)
    return text


def _when(value: Any, name: str, errors: dict[str, str]) -> datetime | None:
    if isinstance(value, datetime):
        moment = value
    else:
        moment = parse_datetime(str(value or "").strip()) if value else None
    if moment is None:
        errors[name] = str(MSG_BAD_TIME)
        return None
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def _day(value: Any, name: str, errors: dict[str, str]) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        errors[name] = str(_("Give a date, e.g. 2026-11-01."))
        return None


def _person(value: Any, roles: Sequence[str], name: str, errors: dict[str, str]) -> User | None:
    username = str(getattr(value, "username", value) or "").strip()
    if not username:
        errors[name] = str(MSG_REQUIRED)
        return None
    person = User.objects.filter(username=username, is_active=True, role__in=roles).first()
    if person is None:
        errors[name] = str(MSG_BAD_PERSON).format(username=username)
    return person


def _people(values: Iterable[Any], name: str, errors: dict[str, str]) -> list[User]:
    names = [
        str(getattr(v, "username", v)).strip()
        for v in values or ()
        if str(getattr(v, "username", v)).strip()
    ]
    found = {
        u.username: u
        for u in User.objects.filter(username__in=names, is_active=True).exclude(
            role=User.Role.ENTERPRISE
        )
    }
    missing = [n for n in names if n not in found]
    if missing:
        errors[name] = str(MSG_BAD_PERSON).format(username="、".join(missing))
    return list(dict.fromkeys(found[n] for n in names if n in found))


def _units(codes: Iterable[Any], name: str, errors: dict[str, str]) -> list[Unit]:
    wanted = [
        str(getattr(c, "code", c)).strip()
        for c in codes or ()
        if str(getattr(c, "code", c)).strip()
    ]
    found = {u.code: u for u in Unit.objects.filter(code__in=wanted, is_active=True)}
    missing = [c for c in wanted if c not in found]
    if missing:
        errors[name] = str(MSG_UNKNOWN_UNIT).format(code="、".join(missing))
    return list(dict.fromkeys(found[c] for c in wanted if c in found))


def _raise(errors: dict[str, str]) -> None:
    if errors:
        first = next(iter(errors.values()))
        raise ValidationFailed(first, fields=errors)


# --- the one transition function ------------------------------------------------------------


def _transition(
    *,
    actor: User,
    meeting_id: int,
    version: int,
    action: str,
    at: datetime | None,
    change: Callable[[Meeting, datetime], Change],
) -> Meeting:
    at = at or timezone.now()
    with transaction.atomic():
        meeting = Meeting.objects.select_for_update().filter(pk=meeting_id).first()
        if meeting is None or actor.role == User.Role.ENTERPRISE:
            raise NotFound(MSG_NOT_FOUND)
        if version != meeting.version:
            raise Conflict(str(MSG_STALE).format(given=version, current=meeting.version))
        move = check_move(actor, meeting, action)
        from_status = meeting.status
        result = change(meeting, at)
        for name, value in result.fields.items():
            setattr(meeting, name, value)
        if move.target:
            meeting.status = move.target
        versioned_save(
            meeting,
            fields={*result.fields, "status"},
            subject_type=SUBJECT,
            action=action,
            actor=actor,
            at=at,
            from_state=from_status,
            to_state=meeting.status,
            reason=result.reason,
            payload=result.payload,
        )
    return meeting


# --- planning ---------------------------------------------------------------------------------


def meeting_plan(
    *,
    actor: User,
    kind: str = Kind.DEMAND_REVIEW,
    title: str,
    starts_at: Any,
    place: str = "",
    chair: Any,
    secretary: Any,
    participants: Iterable[Any] = (),
    units: Iterable[Any] = (),
    period_start: Any = None,
    period_end: Any = None,
    note: str = "",
    at: datetime | None = None,
) -> Meeting:
    """Call a meeting and propose its agenda from the data. Without a period, a demand review
    reviews the calendar month before the meeting's month."""
    at = at or timezone.now()
    if not can_plan(actor):
        raise PermissionDenied(MSG_MAY_NOT_PLAN)
    errors: dict[str, str] = {}
    if kind not in Kind.values:
        errors["kind"] = str(MSG_BAD_KIND).format(choices=", ".join(Kind.values))
    title = _text(title, "title", errors)
    place = _text(place, "place", errors, required=False)
    note = _text(note, "note", errors, required=False, limit=2000)
    starts = _when(starts_at, "starts_at", errors)
    chair_person = _person(chair, CHAIRS, "chair", errors)
    secretary_person = _person(secretary, SECRETARIES, "secretary", errors)
    people = _people(participants, "participants", errors)
    unit_rows = _units(units, "units", errors)
    start, end = _day(period_start, "period_start", errors), _day(period_end, "period_end", errors)
    if starts and not errors.get("period_start") and not errors.get("period_end"):
        if start is None or end is None:
            first_of_month = timezone.localtime(starts).date().replace(day=1)
            default_start, default_end = rules.month_of(first_of_month - timedelta(days=1))
            start, end = start or default_start, end or default_end
        if end <= start:
            errors["period_end"] = str(MSG_BAD_PERIOD)
    _raise(errors)
    with transaction.atomic():
        meeting = Meeting.objects.create(
            number=number_next(MeetingSequence, year=timezone.localtime(starts).year),
            kind=kind,
            title=title,
            starts_at=starts,
            place=place,
            chair=chair_person,
            secretary=secretary_person,
            period_start=start,
            period_end=end,
            note=note,
            created_by=actor,
            created_at=at,
        )
        meeting.participants.set(people)
        meeting.units.set(unit_rows)
        event_record(
            subject_type=SUBJECT,
            subject_id=meeting.pk,
            action=Action.PLAN,
            actor=actor,
            at=at,
            to_state=meeting.status,
            payload={
                "number": meeting.number,
                "kind": kind,
                "period": [start.isoformat(), end.isoformat()],
            },
        )
        added = _propose(meeting, at)
        if added:
            # The proposal is the meeting's second change: its own version and event.
            versioned_save(
                meeting,
                subject_type=SUBJECT,
                action=Action.PROPOSE,
                actor=actor,
                at=at,
                from_state=meeting.status,
                to_state=meeting.status,
                payload={"proposed": added},
            )
    return meeting


def _propose(meeting: Meeting, at: datetime) -> int:
    """Add the items the rules call for that the agenda does not hold yet; how many were added."""
    proposals = rules.agenda_propose(
        kind=meeting.kind, start=meeting.period_start, end=meeting.period_end, at=at
    )
    known = set(AgendaItem.objects.filter(meeting=meeting).values_list("key", flat=True))
    position = AgendaItem.objects.filter(meeting=meeting).aggregate(m=Max("position"))["m"] or 0
    rows = []
    for p in proposals:
        if p.key in known:
            continue
        position += 1
        rows.append(
            AgendaItem(
                meeting=meeting,
                position=position,
                source=p.source,
                key=p.key,
                title=p.title[:300],
                # A difficult case goes on the agenda by itself; the other proposals wait for
                # the secretary.
                status=ItemStatus.ACCEPTED if p.source == Source.DIFFICULT else ItemStatus.PROPOSED,
                evidence=p.evidence,
                figures=p.figures,
                demand_id=p.demand_id,
                project_id=p.project_id,
                unit_id=p.unit_id,
                category_id=p.category_id,
            )
        )
    AgendaItem.objects.bulk_create(rows)
    return len(rows)


def meeting_propose(
    *, actor: User, meeting_id: int, version: int, at: datetime | None = None
) -> Meeting:
    """Run the rules again (the data moved since): new items are added, decided ones kept."""

    def change(meeting: Meeting, now: datetime) -> Change:
        return Change(payload={"proposed": _propose(meeting, now)})

    return _transition(
        actor=actor,
        meeting_id=meeting_id,
        version=version,
        action=Action.PROPOSE,
        at=at,
        change=change,
    )


def meeting_edit(
    *, actor: User, meeting_id: int, version: int, at: datetime | None = None, **raw: Any
) -> Meeting:
    """Change the title, time, place, note, participants or units (before the meeting is held)."""
    errors: dict[str, str] = {}
    fields: dict[str, Any] = {}
    if "title" in raw:
        fields["title"] = _text(raw["title"], "title", errors)
    if "place" in raw:
        fields["place"] = _text(raw["place"], "place", errors, required=False)
    if "note" in raw:
        fields["note"] = _text(raw["note"], "note", errors, required=False, limit=2000)
    if "starts_at" in raw:
        fields["starts_at"] = _when(raw["starts_at"], "starts_at", errors)
    people = _people(raw["participants"], "participants", errors) if "participants" in raw else None
    unit_rows = _units(raw["units"], "units", errors) if "units" in raw else None
    _raise(errors)

    def change(meeting: Meeting, now: datetime) -> Change:
        if people is not None:
            meeting.participants.set(people)
        if unit_rows is not None:
            meeting.units.set(unit_rows)
        shown = {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in fields.items()}
        if people is not None:
            shown["participants"] = [p.username for p in people]
        if unit_rows is not None:
            shown["units"] = [u.code for u in unit_rows]
        return Change(fields=fields, payload=shown)

    return _transition(
        actor=actor,
        meeting_id=meeting_id,
        version=version,
        action=Action.EDIT,
        at=at,
        change=change,
    )


def _item(meeting: Meeting, item_id: Any) -> AgendaItem:
    item = (
        AgendaItem.objects.filter(meeting=meeting, pk=item_id).first()
        if str(item_id).isdigit()
        else None
    )
    if item is None:
        message = str(MSG_NO_SUCH_ITEM).format(id=item_id)
        raise ValidationFailed(message, fields={"item": message})
    return item


def _item_status(
    actor: User, meeting_id: int, version: int, item_id: Any, status: str, action: str, at
) -> Meeting:
    def change(meeting: Meeting, now: datetime) -> Change:
        item = _item(meeting, item_id)
        before = item.status
        if before == status:
            message = str(MSG_ITEM_ALREADY).format(status=ItemStatus(status).label)
            raise ValidationFailed(message, fields={"item": message})
        item.status = status
        item.save(update_fields=["status"])
        return Change(payload={"item": item.pk, "key": item.key, "from": before, "to": status})

    return _transition(
        actor=actor, meeting_id=meeting_id, version=version, action=action, at=at, change=change
    )


def agenda_item_accept(
    *, actor: User, meeting_id: int, version: int, item: Any, at: datetime | None = None
) -> Meeting:
    return _item_status(
        actor, meeting_id, version, item, ItemStatus.ACCEPTED, Action.ACCEPT_ITEM, at
    )


def agenda_item_drop(
    *, actor: User, meeting_id: int, version: int, item: Any, at: datetime | None = None
) -> Meeting:
    return _item_status(actor, meeting_id, version, item, ItemStatus.DROPPED, Action.DROP_ITEM, at)


def agenda_item_add(
    *,
    actor: User,
    meeting_id: int,
    version: int,
    title: str,
    evidence: str = "",
    demand: str = "",
    project: str = "",
    at: datetime | None = None,
) -> Meeting:
    """The secretary adds an item of their own (accepted), about a demand or project if named."""
    errors: dict[str, str] = {}
    title = _text(title, "title", errors, limit=300)
    evidence = _text(evidence, "evidence", errors, required=False, limit=2000)
    demand_row = project_row = None
    if (demand or "").strip():
        demand_row = Demand.objects.filter(number=demand.strip()).first()
        if demand_row is None:
            errors["demand"] = str(MSG_UNKNOWN_DEMAND)
    if (project or "").strip():
        project_row = Project.objects.filter(number=project.strip()).first()
        if project_row is None:
            errors["project"] = str(MSG_UNKNOWN_PROJECT)
    _raise(errors)

    def change(meeting: Meeting, now: datetime) -> Change:
        position = (
            AgendaItem.objects.filter(meeting=meeting).aggregate(m=Max("position"))["m"] or 0
        ) + 1
        # About a demand or project: the same key as the rules give it, so it is on the agenda once.
        key = (
            f"demand:{demand_row.pk}"
            if demand_row
            else f"project:{project_row.pk}"
            if project_row
            else f"manual:{position}"
        )
        if AgendaItem.objects.filter(meeting=meeting, key=key).exists():
            field = "demand" if demand_row else "project"
            raise ValidationFailed(MSG_ALREADY_ON_AGENDA, fields={field: MSG_ALREADY_ON_AGENDA})
        item = AgendaItem.objects.create(
            meeting=meeting,
            position=position,
            source=Source.MANUAL,
            key=key,
            status=ItemStatus.ACCEPTED,
            title=title,
            evidence=[line for line in evidence.splitlines() if line.strip()],
            demand=demand_row,
            project=project_row,
            unit_id=demand_row.lead_unit_id if demand_row else None,
            category_id=demand_row.category_id if demand_row else None,
        )
        return Change(payload={"item": item.pk, "title": title})

    return _transition(
        actor=actor,
        meeting_id=meeting_id,
        version=version,
        action=Action.ADD_ITEM,
        at=at,
        change=change,
    )


# --- freezing, deciding, holding ---------------------------------------------------------------


def _audience(meeting: Meeting) -> Audience:
    people = [
        meeting.chair_id,
        meeting.secretary_id,
        *meeting.participants.values_list("pk", flat=True),
    ]
    return Audience(users=tuple(dict.fromkeys(people))) | Audience.of_units(
        meeting.units.values_list("pk", flat=True), robots=False
    )


def meeting_freeze(
    *, actor: User, meeting_id: int, version: int, at: datetime | None = None
) -> Meeting:
    """Fix the agenda (items still only proposed are left out) and send it to the participants."""

    def change(meeting: Meeting, now: datetime) -> Change:
        accepted = list(
            AgendaItem.objects.filter(meeting=meeting, status=ItemStatus.ACCEPTED).order_by(
                "position"
            )
        )
        if not accepted:
            raise ValidationFailed(MSG_NOTHING_ACCEPTED, fields={"items": MSG_NOTHING_ACCEPTED})
        left_out = AgendaItem.objects.filter(meeting=meeting, status=ItemStatus.PROPOSED).update(
            status=ItemStatus.DROPPED
        )
        lines = [
            gettext("{when}, {place}").format(
                when=timezone.localtime(meeting.starts_at).strftime("%Y-%m-%d %H:%M"),
                place=meeting.place or "—",
            ),
            gettext("Agenda:"),
            *(f"{n}. {item.title}" for n, item in enumerate(accepted, start=1)),
        ]
        notification_enqueue(
            kind="meeting.agenda",
            subject=gettext("Agenda of {number} {title}").format(
                number=meeting.number, title=meeting.title
            ),
            body="\n".join(lines),
            link=f"/meetings/{meeting.pk}/",
            audience=_audience(meeting),
            dedupe_key=f"meeting:{meeting.pk}:agenda:{meeting.version + 1}",
            payload={"meeting": meeting.pk, "number": meeting.number},
            at=now,
        )
        return Change(
            fields={"frozen_at": now}, payload={"accepted": len(accepted), "left_out": left_out}
        )

    return _transition(
        actor=actor,
        meeting_id=meeting_id,
        version=version,
        action=Action.FREEZE,
        at=at,
        change=change,
    )


@dataclass
class _Plan:
    action_items: list[tuple[dict[str, Any], list[Unit]]]
    rule_changes: list[dict[str, Any]]
    project_moves: list[dict[str, Any]]


def _decision_clean(
    item: AgendaItem,
    meeting: Meeting,
    action_items: Sequence[Mapping[str, Any]],
    rule_changes: Sequence[Mapping[str, Any]],
    project_moves: Sequence[Mapping[str, Any]],
) -> _Plan:
    errors: dict[str, str] = {}
    plan = _Plan([], [], [])
    for n, raw in enumerate(action_items or ()):
        at = f"action_items.{n}."
        title = _text(raw.get("title"), at + "title", errors)
        lead = _units(
            [raw.get("lead_unit")] if raw.get("lead_unit") else [], at + "lead_unit", errors
        )
        if not raw.get("lead_unit"):
            errors[at + "lead_unit"] = str(MSG_REQUIRED)
        co = _units(raw.get("co_units") or (), at + "co_units", errors)
        if lead and any(u.pk == lead[0].pk for u in co):
            errors[at + "co_units"] = str(MSG_LEAD_AMONG_CO)
        owner = None
        if raw.get("owner"):
            owner = _person(
                raw["owner"],
                [r for r in User.Role.values if r != User.Role.ENTERPRISE],
                at + "owner",
                errors,
            )
        days = raw.get("working_days")
        if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= 90:
            try:
                days = int(str(days))
            except ValueError:
                days = 0
            if not 1 <= days <= 90:
                errors[at + "working_days"] = str(MSG_BAD_DAYS)
        closing = _text(raw.get("closing_rule"), at + "closing_rule", errors, limit=300)
        if lead:
            plan.action_items.append(
                (
                    {
                        "title": title,
                        "lead_unit": lead[0],
                        "owner": owner,
                        "working_days": days,
                        "closing_rule": closing,
                    },
                    co,
                )
            )
    for n, raw in enumerate(rule_changes or ()):
        at = f"rule_changes.{n}."
        category = Category.objects.filter(
            code=str(raw.get("category") or "").strip(), is_active=True
        ).first()
        if category is None:
            errors[at + "category"] = str(MSG_UNKNOWN_CATEGORY)
        rule = str(raw.get("field") or "")
        value = str(raw.get("value") or "").strip()
        if rule not in RuleField.values:
            errors[at + "field"] = str(MSG_BAD_RULE).format(choices=", ".join(RuleField.values))
        elif rule == RuleField.DEFAULT_LEAD_UNIT:
            _units([value], at + "value", errors) if value else errors.__setitem__(
                at + "value", str(MSG_REQUIRED)
            )
        else:
            try:
                number = Decimal(value)
            except InvalidOperation:
                number = Decimal(-1)
            if not Decimal("0.25") <= number <= Decimal("999"):
                errors[at + "value"] = str(MSG_BAD_LIMIT)
            else:
                value = str(number.quantize(Decimal("0.01")))
        plan.rule_changes.append({"category": category, "field": rule, "value": value})
    for n, raw in enumerate(project_moves or ()):
        at = f"project_moves.{n}."
        if meeting.kind not in LAND_KINDS:
            errors[at + "project"] = str(MSG_PROJECT_NOT_AT_REVIEW)
            continue
        number = str(raw.get("project") or "").strip() or (
            item.project.number if item.project_id else ""
        )
        project = Project.objects.filter(number=number).first() if number else None
        if project is None:
            errors[at + "project"] = str(MSG_UNKNOWN_PROJECT)
        outcome = str(raw.get("outcome") or "")
        if outcome not in ProjectOutcome.values:
            errors[at + "outcome"] = str(MSG_BAD_OUTCOME).format(
                choices=", ".join(ProjectOutcome.values)
            )
        reason = _text(
            raw.get("reason"),
            at + "reason",
            errors,
            required=outcome == ProjectOutcome.DEFER,
            limit=500,
        )
        if project is not None and outcome in (ProjectOutcome.APPROVE, ProjectOutcome.DEFER):
            try:  # refused now, not only when the minutes are approved
                target_of(
                    action=REVIEW_OUTCOMES[outcome],
                    stage=project.stage,
                    project_type=project.project_type,
                    stage_before_pause=project.stage_before_pause,
                )
            except ApplicationError as refused:
                errors[at + "outcome"] = refused.message
        plan.project_moves.append({"project": project, "outcome": outcome, "reason": reason})
    _raise(errors)
    return plan


def item_decide(
    *,
    actor: User,
    meeting_id: int,
    version: int,
    item: Any,
    decision: str,
    action_items: Sequence[Mapping[str, Any]] = (),
    rule_changes: Sequence[Mapping[str, Any]] = (),
    project_moves: Sequence[Mapping[str, Any]] = (),
    at: datetime | None = None,
) -> Meeting:
    """Record (or correct) the decision on one accepted item, with the action items, rule
    changes and project moves it plans. They replace what the item planned before; none takes
    effect before the minutes are approved."""
    errors: dict[str, str] = {}
    text = _text(decision, "decision", errors, limit=5000)
    _raise(errors)

    def change(meeting: Meeting, now: datetime) -> Change:
        row = _item(meeting, item)
        if row.status != ItemStatus.ACCEPTED:
            raise ValidationFailed(MSG_ITEM_NOT_ACCEPTED, fields={"item": MSG_ITEM_NOT_ACCEPTED})
        plan = _decision_clean(row, meeting, action_items, rule_changes, project_moves)
        row.action_items.all().delete()
        row.rule_changes.all().delete()
        row.project_moves.all().delete()
        for fields, co in plan.action_items:
            planned = ActionItem.objects.create(item=row, **fields)
            planned.co_units.set(co)
        RuleChange.objects.bulk_create(RuleChange(item=row, **c) for c in plan.rule_changes)
        ProjectMove.objects.bulk_create(ProjectMove(item=row, **m) for m in plan.project_moves)
        row.decision, row.decided_at = text, now
        row.save(update_fields=["decision", "decided_at"])
        return Change(
            payload={
                "item": row.pk,
                "decision": text,
                "action_items": len(plan.action_items),
                "rule_changes": len(plan.rule_changes),
                "project_moves": len(plan.project_moves),
            }
        )

    return _transition(
        actor=actor,
        meeting_id=meeting_id,
        version=version,
        action=Action.DECIDE,
        at=at,
        change=change,
    )


def meeting_hold(
    *, actor: User, meeting_id: int, version: int, at: datetime | None = None
) -> Meeting:
    """Close the record of a meeting that took place: every accepted item has its decision."""

    def change(meeting: Meeting, now: datetime) -> Change:
        undecided = list(
            AgendaItem.objects.filter(
                meeting=meeting, status=ItemStatus.ACCEPTED, decided_at__isnull=True
            )
            .order_by("position")
            .values_list("position", flat=True)
        )
        if undecided:
            message = str(MSG_UNDECIDED).format(items="、".join(str(p) for p in undecided))
            raise ValidationFailed(message, fields={"items": message})
        return Change(fields={"held_at": now})

    return _transition(
        actor=actor,
        meeting_id=meeting_id,
        version=version,
        action=Action.HOLD,
        at=at,
        change=change,
    )


def _apply_rule_change(change: RuleChange, *, actor: User, meeting: Meeting, at: datetime) -> None:
    category = Category.objects.select_for_update().get(pk=change.category_id)
    if change.field == RuleField.DEFAULT_LEAD_UNIT:
        unit = Unit.objects.get(code=change.value)
        before = category.default_lead_unit.code if category.default_lead_unit_id else ""
        category.default_lead_unit = unit
        category.save(update_fields=["default_lead_unit"])
    else:
        before = str(getattr(category, change.field))
        setattr(category, change.field, Decimal(change.value))
        category.save(update_fields=[change.field])
    change.previous, change.applied_at = before, at
    change.save(update_fields=["previous", "applied_at"])
    event_record(
        subject_type=CATEGORY_SUBJECT,
        subject_id=category.pk,
        action=RULE_CHANGE,
        actor=actor,
        at=at,
        reason=change.item.decision,
        payload={
            "field": change.field,
            "from": before,
            "to": change.value,
            "meeting": meeting.number,
            "meeting_id": meeting.pk,
            "item": change.item.position,
        },
    )


def meeting_approve(
    *, actor: User, meeting_id: int, version: int, at: datetime | None = None
) -> Meeting:
    """Approve the minutes and apply what they decided: the rule changes, the action items
    (opened as tracked demands, due in working days from now) and the project moves."""

    def change(meeting: Meeting, now: datetime) -> Change:
        cal = calendar_get()
        items = list(
            AgendaItem.objects.filter(meeting=meeting, status=ItemStatus.ACCEPTED).order_by(
                "position"
            )
        )
        opened = applied = moved = 0
        for row in items:
            for rule in RuleChange.objects.filter(item=row).select_related("item").order_by("id"):
                _apply_rule_change(rule, actor=actor, meeting=meeting, at=now)
                applied += 1
            for planned in (
                ActionItem.objects.filter(item=row).select_related("lead_unit").order_by("id")
            ):
                description = "\n".join(
                    [
                        gettext("Decided at {number} {title}, item {position}: {decision}").format(
                            number=meeting.number,
                            title=meeting.title,
                            position=row.position,
                            decision=row.decision,
                        ),
                        gettext("Closing rule: {rule}").format(rule=planned.closing_rule),
                        *(
                            [gettext("Owner: {name}").format(name=planned.owner)]
                            if planned.owner_id
                            else []
                        ),
                    ]
                )
                demand = action_item_open(
                    actor=actor,
                    title=planned.title,
                    description=description,
                    lead_unit=planned.lead_unit,
                    co_units=list(planned.co_units.all()),
                    due_at=cal.add_working_days(now, planned.working_days),
                    enterprise=row.demand.enterprise if row.demand_id else None,
                    category=row.demand.category if row.demand_id else None,
                    origin={
                        "meeting": meeting.number,
                        "meeting_id": meeting.pk,
                        "item": row.position,
                    },
                    at=now,
                )
                planned.demand = demand
                planned.save(update_fields=["demand"])
                opened += 1
            for move in ProjectMove.objects.filter(item=row).order_by("id"):
                try:
                    with transaction.atomic():
                        project_review_decide(
                            actor=actor,
                            project_id=move.project_id,
                            outcome=move.outcome,
                            reason=move.reason or row.decision[:2000],
                            at=now,
                            origin={"meeting": meeting.number, "meeting_id": meeting.pk},
                        )
                except ApplicationError as problem:
                    # The project moved meanwhile: nothing of the minutes is applied.
                    raise Conflict(
                        str(MSG_APPLY_FAILED).format(problem=problem.message)
                    ) from problem
                move.applied_at = now
                move.save(update_fields=["applied_at"])
                moved += 1
        notification_enqueue(
            kind="meeting.minutes",
            subject=gettext("Minutes of {number} {title} approved").format(
                number=meeting.number, title=meeting.title
            ),
            body=gettext("{items} items decided; {opened} action items opened.").format(
                items=len(items), opened=opened
            ),
            link=f"/meetings/{meeting.pk}/",
            audience=_audience(meeting),
            dedupe_key=f"meeting:{meeting.pk}:minutes",
            payload={"meeting": meeting.pk, "number": meeting.number},
            at=now,
        )
        return Change(
            fields={"approved_at": now, "approved_by": actor},
            payload={"action_items": opened, "rule_changes": applied, "project_moves": moved},
        )

    return _transition(
        actor=actor,
        meeting_id=meeting_id,
        version=version,
        action=Action.APPROVE,
        at=at,
        change=change,
    )


def meeting_cancel(
    *, actor: User, meeting_id: int, version: int, reason: str, at: datetime | None = None
) -> Meeting:
    errors: dict[str, str] = {}
    why = _text(reason, "reason", errors, limit=2000)
    _raise(errors)

    def change(meeting: Meeting, now: datetime) -> Change:
        if meeting.frozen_at:
            notification_enqueue(
                kind="meeting.cancelled",
                subject=gettext("Cancelled: {number} {title}").format(
                    number=meeting.number, title=meeting.title
                ),
                body=why,
                link=f"/meetings/{meeting.pk}/",
                audience=_audience(meeting),
                dedupe_key=f"meeting:{meeting.pk}:cancelled",
                payload={"meeting": meeting.pk, "number": meeting.number},
                at=now,
            )
        return Change(fields={"cancel_reason": why}, reason=why)

    return _transition(
        actor=actor,
        meeting_id=meeting_id,
        version=version,
        action=Action.CANCEL,
        at=at,
        change=change,
    )


#: The service of each move, for pages and the API (planning aside).
ACTIONS: dict[str, Callable[..., Meeting]] = {
    Action.EDIT: meeting_edit,
    Action.PROPOSE: meeting_propose,
    Action.ACCEPT_ITEM: agenda_item_accept,
    Action.DROP_ITEM: agenda_item_drop,
    Action.ADD_ITEM: agenda_item_add,
    Action.FREEZE: meeting_freeze,
    Action.DECIDE: item_decide,
    Action.HOLD: meeting_hold,
    Action.APPROVE: meeting_approve,
    Action.CANCEL: meeting_cancel,
}
