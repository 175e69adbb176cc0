"""Every move of a demand after it is filed: one function per transition.

Each goes through :func:`_transition`, which locks the row, checks visibility, version,
the actor's part and the move against the table in ``transitions.py``, applies the
change, recomputes the next deadline, bumps the version and records the event, all in
one transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mashang.audit.services import event_record, version_bump
from mashang.core.errors import Conflict, NotFound, ValidationFailed
from mashang.demands import deadlines
from mashang.demands.messages import current_units, demand_notify
from mashang.demands.models import OPEN_STATUSES, Assignment, Demand, Kind, Rating, Status, Urgency
from mashang.demands.permissions import parties_of, visibility_filter
from mashang.demands.transitions import (
    Action,
    check_guards,
    check_move,
    check_target,
    move_target,
)
from mashang.demands.working_hours import FIELDS as WORKING_TIME_FIELDS
from mashang.demands.working_hours import working_times_of
from mashang.org.models import Category, Unit, User
from mashang.workcal.calendar import WorkCalendar
from mashang.workcal.selectors import calendar_get

MSG_NOT_FOUND = _("No such demand.")
MSG_STALE = _(
    "This demand was changed by someone else since you opened it (your version {given}, now {current}). "
    "Reload it and try again."
)
MSG_TEXT_REQUIRED = _("This field is required.")
MSG_REASON_REQUIRED = _("Please give a reason.")
MSG_UNKNOWN_CATEGORY = _("There is no active category with this code.")
MSG_UNKNOWN_UNIT = _("There is no active unit with the code {code}.")
MSG_LEAD_AMONG_CO = _("The lead unit cannot also be a co-unit.")
MSG_NO_LEAD = _("Name the lead unit: this category has no default lead unit.")
MSG_BAD_URGENCY = _("Choose one of: {choices}.")
MSG_BAD_RATING = _("Choose one of: satisfied, basic, unsatisfied.")
MSG_NEEDS_CATEGORY = _("Classify the demand before dispatching it.")
MSG_EXTENSION_DAYS = _("Ask for between 1 and 30 working days.")
MSG_MERGE_SELF = _("A demand cannot be merged into itself.")
MSG_MERGE_TARGET_CLOSED = _("Merge into a demand that is still open.")


@dataclass
class Change:
    """What one transition does to a demand, beyond the bookkeeping every transition shares."""

    #: Where the move leads, when the table (``transitions.MOVES``) gives a choice (confirm);
    #: otherwise the table's one target, or the status stays.
    to_status: str | None = None
    fields: dict[str, Any] = field(default_factory=dict)
    reason: str = ""
    payload: dict[str, Any] = field(default_factory=dict)
    #: The lead unit and co-units the move leaves current, when it changed them (dispatch,
    #: reopen, return); otherwise they are the ones the transition loaded. The messages use
    #: them instead of reading the assignments again.
    units: tuple[Unit | None, list[Unit]] | None = None


@dataclass(frozen=True)
class Context:
    actor: User
    at: datetime
    cal: WorkCalendar
    #: The demand's assignments as the transition loaded them (before the change), with
    #: their units, by id.
    assignments: list[Assignment] = field(default_factory=list)


def _required(value: str | None, name: str, message=MSG_TEXT_REQUIRED) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationFailed(message, fields={name: message})
    return text


def _transition(
    *,
    actor: User,
    demand_id: int,
    version: int,
    action: str,
    at: datetime | None,
    change: Callable[[Demand, Context], Change],
) -> Demand:
    at = at or timezone.now()
    cal = calendar_get()
    with transaction.atomic():
        demand = (
            Demand.objects.select_for_update(of=("self",))
            .select_related("enterprise", "category", "lead_unit")
            .filter(visibility_filter(actor), pk=demand_id)
            .first()
        )
        if demand is None:
            raise NotFound(MSG_NOT_FOUND)
        if version != demand.version:
            raise Conflict(str(MSG_STALE).format(given=version, current=demand.version))
        assignments = list(Assignment.objects.filter(demand=demand).select_related("unit").order_by("id"))
        check_move(action=action, status=demand.status, parties=parties_of(actor, demand, assignments))
        check_guards(action=action, demand=demand)

        from_status = demand.status
        result = change(demand, Context(actor=actor, at=at, cal=cal, assignments=assignments))
        to_status = result.to_status or move_target(action, from_status)
        check_target(action=action, from_status=from_status, to_status=to_status)
        for name, value in result.fields.items():
            setattr(demand, name, value)
        demand.status = to_status
        demand.next_due_at = deadlines.next_due(demand)
        for name, value in working_times_of(cal, demand).items():
            setattr(demand, name, value)
        version_bump(demand, fields={"status", "next_due_at", *WORKING_TIME_FIELDS, *result.fields})
        Assignment.objects.filter(demand=demand).update(
            is_open=demand.status in OPEN_STATUSES, due_at=demand.next_due_at
        )
        event_record(
            subject_type="demand",
            subject_id=demand.pk,
            action=action,
            actor=actor,
            at=at,
            from_state=from_status,
            to_state=demand.status,
            reason=result.reason,
            payload=result.payload,
        )
        # Messages about the move go to the outbox in this same transaction (mashang.notify).
        units = result.units if result.units is not None else current_units(assignments)
        demand_notify(demand, action, at, actor=actor, reason=result.reason, units=units)
    return demand


def demand_triage(
    *, actor: User, demand_id: int, version: int, category: str, urgency: str = Urgency.NORMAL,
    note: str = "", at: datetime | None = None,
) -> Demand:
    """The service team accepts the demand, classifies it and sets its urgency."""
    if urgency not in Urgency.values:
        message = str(MSG_BAD_URGENCY).format(choices=", ".join(Urgency.values))
        raise ValidationFailed(message, fields={"urgency": message})
    found = Category.objects.filter(code=category, is_active=True).first()
    if found is None:
        raise ValidationFailed(MSG_UNKNOWN_CATEGORY, fields={"category": MSG_UNKNOWN_CATEGORY})

    def change(demand: Demand, ctx: Context) -> Change:
        return Change(
            fields={
                "category": found,
                "urgency": urgency,
                "triaged_at": ctx.at,
                # The triage limit runs from submission and now covers dispatch too; a new
                # category may set a different limit.
                "triage_due_at": deadlines.triage_due(ctx.cal, deadlines.Policy.of(found), demand.submitted_at),
            },
            reason=note.strip(),
            payload={"category": found.code, "urgency": urgency},
        )

    return _transition(actor=actor, demand_id=demand_id, version=version, action=Action.TRIAGE, at=at, change=change)


def _codes(codes: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(c.strip() for c in codes if (c or "").strip()))


def _units_by_code(codes: Sequence[str], field_name: str, found: dict[str, Unit]) -> list[Unit]:
    wanted = _codes(codes)
    missing = [c for c in wanted if c not in found]
    if missing:
        message = str(MSG_UNKNOWN_UNIT).format(code="、".join(missing))
        raise ValidationFailed(message, fields={field_name: message})
    return [found[c] for c in wanted]


def _assign(demand: Demand, ctx: Context, lead: Unit, co: Sequence[Unit]) -> None:
    """Make ``lead`` the demand's current lead unit and ``co`` its current co-units; the
    units it had before keep their rows, no longer current."""
    wanted = {lead.pk: Assignment.Role.LEAD, **{u.pk: Assignment.Role.CO for u in co}}
    existing = {a.unit_id: a for a in ctx.assignments}
    for unit_id, assignment in existing.items():
        if unit_id not in wanted and assignment.is_current:
            assignment.is_current = False
            assignment.save(update_fields=["is_current"])
    for unit_id, role in wanted.items():
        if unit_id in existing:
            Assignment.objects.filter(pk=existing[unit_id].pk).update(
                role=role, is_current=True, assigned_at=ctx.at
            )
    Assignment.objects.bulk_create(
        [
            Assignment(demand=demand, unit_id=unit_id, role=role, is_current=True, assigned_at=ctx.at)
            for unit_id, role in wanted.items()
            if unit_id not in existing
        ]
    )


def demand_dispatch(
    *, actor: User, demand_id: int, version: int, lead_unit: str = "", co_units: Sequence[str] = (),
    note: str = "", at: datetime | None = None,
) -> Demand:
    """Send the demand to one lead unit and any co-units; their clocks start now.

    Without ``lead_unit`` the category's default lead unit (the routing rule) is used.
    """
    codes = _codes([lead_unit, *co_units])
    found = {u.code: u for u in Unit.objects.filter(code__in=codes, is_active=True)} if codes else {}
    chosen = _units_by_code([lead_unit], "lead_unit", found)[0] if (lead_unit or "").strip() else None
    co = _units_by_code(co_units, "co_units", found)

    def change(demand: Demand, ctx: Context) -> Change:
        if demand.category is None:
            raise ValidationFailed(MSG_NEEDS_CATEGORY, fields={"category": MSG_NEEDS_CATEGORY})
        lead = chosen or demand.category.default_lead_unit
        if lead is None or not lead.is_active:
            raise ValidationFailed(MSG_NO_LEAD, fields={"lead_unit": MSG_NO_LEAD})
        if any(u.pk == lead.pk for u in co):
            raise ValidationFailed(MSG_LEAD_AMONG_CO, fields={"co_units": MSG_LEAD_AMONG_CO})
        _assign(demand, ctx, lead, co)
        fields: dict[str, Any] = {
            "lead_unit": lead,
            "dispatched_at": ctx.at,
            "first_responded_at": None,
            "assessed_at": None,
            "replied_at": None,
            "resolved": None,
            "rating": "",
            "extension_requested_days": None,
            **deadlines.unit_deadlines(ctx.cal, deadlines.Policy.of(demand.category), ctx.at),
        }
        return Change(
            fields=fields,
            reason=note.strip(),
            payload={"lead_unit": lead.code, "co_units": [u.code for u in co]},
            units=(lead, list(co)),
        )

    return _transition(actor=actor, demand_id=demand_id, version=version, action=Action.DISPATCH, at=at, change=change)


def demand_respond(*, actor: User, demand_id: int, version: int, note: str = "", at: datetime | None = None) -> Demand:
    """The lead unit has contacted the enterprise (first response)."""

    def change(demand: Demand, ctx: Context) -> Change:
        return Change(fields={"first_responded_at": ctx.at}, reason=note.strip())

    return _transition(actor=actor, demand_id=demand_id, version=version, action=Action.RESPOND, at=at, change=change)


def demand_assess(*, actor: User, demand_id: int, version: int, assessment: str, at: datetime | None = None) -> Demand:
    """The lead unit records its assessment and decision reference; it counts as the interim reply."""
    text = _required(assessment, "assessment")

    def change(demand: Demand, ctx: Context) -> Change:
        fields: dict[str, Any] = {"assessment": text, "assessed_at": ctx.at}
        if demand.kind == Kind.ACTION_ITEM:
            # An action item's progress report: the next one is due a month later.
            fields["interim_reply_due_at"] = deadlines.progress_report_due(ctx.at, demand.resolution_due_at)
        return Change(fields=fields, payload={"assessment": text})

    return _transition(actor=actor, demand_id=demand_id, version=version, action=Action.ASSESS, at=at, change=change)


def demand_reply(*, actor: User, demand_id: int, version: int, reply: str, at: datetime | None = None) -> Demand:
    """The lead unit gives its answer; the enterprise is asked to confirm and rate."""
    text = _required(reply, "reply")

    def change(demand: Demand, ctx: Context) -> Change:
        # A pending extension request lapses with the reply: the unit has answered.
        return Change(
            fields={
                "reply": text,
                "replied_at": ctx.at,
                "extension_requested_days": None,
                # A new reply to a difficult case (after a reopen) is signed off anew.
                "signed_off_at": None,
                "signed_off_by": None,
            },
            payload={"reply": text},
        )

    return _transition(actor=actor, demand_id=demand_id, version=version, action=Action.REPLY, at=at, change=change)


def demand_confirm(
    *, actor: User, demand_id: int, version: int, resolved: bool, rating: str, comment: str = "",
    at: datetime | None = None,
) -> Demand:
    """The enterprise says whether it was resolved and rates; a no or an unsatisfied closes nothing."""
    if rating not in Rating.values:
        raise ValidationFailed(MSG_BAD_RATING, fields={"rating": MSG_BAD_RATING})

    def change(demand: Demand, ctx: Context) -> Change:
        settled = resolved and rating != Rating.UNSATISFIED
        fields: dict[str, Any] = {"resolved": resolved, "rating": rating, "rating_comment": comment.strip()}
        if settled:
            fields["closed_at"] = ctx.at
        else:
            fields["triage_due_at"] = deadlines.triage_due(ctx.cal, deadlines.Policy.of(demand.category), ctx.at)
        return Change(
            to_status=Status.CLOSED if settled else Status.UNRESOLVED,
            fields=fields,
            reason=comment.strip(),
            payload={"resolved": resolved, "rating": rating},
        )

    return _transition(actor=actor, demand_id=demand_id, version=version, action=Action.CONFIRM, at=at, change=change)


def demand_return(*, actor: User, demand_id: int, version: int, reason: str, at: datetime | None = None) -> Demand:
    """The lead unit sends back a wrongly dispatched demand; the service team re-dispatches it."""
    why = _required(reason, "reason", MSG_REASON_REQUIRED)

    def change(demand: Demand, ctx: Context) -> Change:
        Assignment.objects.filter(demand=demand, is_current=True).update(is_current=False)
        return Change(
            units=(None, []),
            fields={
                "triage_due_at": deadlines.triage_due(ctx.cal, deadlines.Policy.of(demand.category), ctx.at),
                "extension_requested_days": None,
                "return_count": demand.return_count + 1,
            },
            reason=why,
            payload={"unit": demand.lead_unit.code if demand.lead_unit else ""},
        )

    return _transition(actor=actor, demand_id=demand_id, version=version, action=Action.RETURN, at=at, change=change)


def demand_request_extension(
    *, actor: User, demand_id: int, version: int, days: int, reason: str, at: datetime | None = None
) -> Demand:
    """The lead unit asks for more working days; a supervisor decides."""
    why = _required(reason, "reason", MSG_REASON_REQUIRED)
    if not 1 <= days <= 30:
        raise ValidationFailed(MSG_EXTENSION_DAYS, fields={"days": MSG_EXTENSION_DAYS})

    def change(demand: Demand, ctx: Context) -> Change:
        return Change(
            fields={"extension_requested_days": days, "extension_reason": why}, reason=why, payload={"days": days}
        )

    return _transition(actor=actor, demand_id=demand_id, version=version, action=Action.EXTEND, at=at, change=change)


def _decide_extension(*, approve: bool, actor: User, demand_id: int, version: int, note: str, at) -> Demand:
    def change(demand: Demand, ctx: Context) -> Change:
        days = demand.extension_requested_days
        fields: dict[str, Any] = {"extension_requested_days": None}
        if approve and demand.resolution_due_at is not None:
            fields["resolution_due_at"] = ctx.cal.add_working_time(demand.resolution_due_at, ctx.cal.day_length * days)
        return Change(fields=fields, reason=note.strip(), payload={"days": days})

    action = Action.APPROVE_EXTENSION if approve else Action.REFUSE_EXTENSION
    return _transition(actor=actor, demand_id=demand_id, version=version, action=action, at=at, change=change)


def demand_approve_extension(*, actor: User, demand_id: int, version: int, note: str = "", at=None) -> Demand:
    return _decide_extension(approve=True, actor=actor, demand_id=demand_id, version=version, note=note, at=at)


def demand_refuse_extension(*, actor: User, demand_id: int, version: int, note: str = "", at=None) -> Demand:
    return _decide_extension(approve=False, actor=actor, demand_id=demand_id, version=version, note=note, at=at)


def demand_wait(*, actor: User, demand_id: int, version: int, question: str, at: datetime | None = None) -> Demand:
    """The lead unit asks the enterprise something; the clock pauses until the answer."""
    text = _required(question, "question")

    def change(demand: Demand, ctx: Context) -> Change:
        return Change(
            fields={"status_before_wait": demand.status, "paused_at": ctx.at},
            reason=text,
            payload={"question": text},
        )

    return _transition(actor=actor, demand_id=demand_id, version=version, action=Action.WAIT, at=at, change=change)


def demand_resume(*, actor: User, demand_id: int, version: int, answer: str = "", at: datetime | None = None) -> Demand:
    """The enterprise answered (or the unit resumes): the clock runs again with the time it had left."""

    def change(demand: Demand, ctx: Context) -> Change:
        paused_at = demand.paused_at or ctx.at
        fields = {
            name: deadlines.shift_after_pause(ctx.cal, getattr(demand, name), paused_at, ctx.at)
            for name in ("first_response_due_at", "interim_reply_due_at", "resolution_due_at")
        }
        fields.update(status_before_wait="", paused_at=None)
        paused = ctx.cal.working_time_between(paused_at, ctx.at)
        return Change(
            fields=fields,
            reason=answer.strip(),
            payload={"answer": answer.strip(), "paused_working_minutes": int(paused.total_seconds() // 60)},
        )

    return _transition(actor=actor, demand_id=demand_id, version=version, action=Action.RESUME, at=at, change=change)


def demand_reopen(*, actor: User, demand_id: int, version: int, reason: str, at: datetime | None = None) -> Demand:
    """A second round (重办) with the same lead unit, its clocks started anew."""
    why = _required(reason, "reason", MSG_REASON_REQUIRED)

    def change(demand: Demand, ctx: Context) -> Change:
        fields: dict[str, Any] = {
            "round": demand.round + 1,
            "dispatched_at": ctx.at,
            "first_responded_at": None,
            "assessed_at": None,
            "replied_at": None,
            "resolved": None,
            "rating": "",
            **deadlines.unit_deadlines(ctx.cal, deadlines.Policy.of(demand.category), ctx.at),
        }
        Assignment.objects.filter(demand=demand, unit_id=demand.lead_unit_id).update(is_current=True)
        # The lead unit is current again, beside the co-units that still are.
        co = [a.unit for a in ctx.assignments if a.is_current and a.role == Assignment.Role.CO]
        return Change(
            fields=fields,
            reason=why,
            payload={"round": demand.round + 1},
            units=(demand.lead_unit, co),
        )

    return _transition(actor=actor, demand_id=demand_id, version=version, action=Action.REOPEN, at=at, change=change)


def demand_escalate(*, actor: User, demand_id: int, version: int, reason: str, at: datetime | None = None) -> Demand:
    """Hand the demand to difficult-case handling (难题专办)."""
    why = _required(reason, "reason", MSG_REASON_REQUIRED)

    def change(demand: Demand, ctx: Context) -> Change:
        # The first escalation is what the unit's assessment counts (difficult cases raised).
        fields = {} if demand.escalated_at else {"escalated_at": ctx.at}
        return Change(reason=why, fields=fields)

    return _transition(actor=actor, demand_id=demand_id, version=version, action=Action.ESCALATE, at=at, change=change)


MSG_COORDINATOR = _("Name the coordinator: a leader, supervisor or service officer of the zone.")
MSG_CASE_DAYS = _("Give the case between 1 and 90 working days.")


def demand_assign_case(
    *, actor: User, demand_id: int, version: int, coordinator: str, lead_unit: str,
    co_units: Sequence[str] = (), working_days: int, note: str = "", at: datetime | None = None,
) -> Demand:
    """The leader takes a difficult case on: a coordinator who follows it, a lead unit and
    co-units, and a deadline in working days of the zone's calendar. From here it is handled,
    swept, noticed and scored as any dispatched demand; its reply needs the lead unit head's
    sign-off before the enterprise's confirmation closes it."""
    person = (
        User.objects.filter(
            username=(coordinator or "").strip(),
            is_active=True,
            role__in=(User.Role.LEADER, User.Role.SUPERVISOR, User.Role.OFFICER),
        ).first()
        if (coordinator or "").strip()
        else None
    )
    if person is None:
        raise ValidationFailed(MSG_COORDINATOR, fields={"coordinator": MSG_COORDINATOR})
    if not isinstance(working_days, int) or not 1 <= working_days <= 90:
        raise ValidationFailed(MSG_CASE_DAYS, fields={"working_days": MSG_CASE_DAYS})
    codes = _codes([lead_unit, *co_units])
    found = {u.code: u for u in Unit.objects.filter(code__in=codes, is_active=True)} if codes else {}
    if not (lead_unit or "").strip():
        raise ValidationFailed(MSG_TEXT_REQUIRED, fields={"lead_unit": MSG_TEXT_REQUIRED})
    lead = _units_by_code([lead_unit], "lead_unit", found)[0]
    co = _units_by_code(co_units, "co_units", found)
    if any(u.pk == lead.pk for u in co):
        raise ValidationFailed(MSG_LEAD_AMONG_CO, fields={"co_units": MSG_LEAD_AMONG_CO})

    def change(demand: Demand, ctx: Context) -> Change:
        _assign(demand, ctx, lead, co)
        unit_due = deadlines.unit_deadlines(ctx.cal, deadlines.Policy.of(demand.category), ctx.at)
        resolution_due = ctx.cal.add_working_time(ctx.at, ctx.cal.day_length * working_days)
        fields: dict[str, Any] = {
            "lead_unit": lead,
            "coordinator": person,
            "dispatched_at": ctx.at,
            "first_responded_at": None,
            "assessed_at": None,
            "replied_at": None,
            "resolved": None,
            "rating": "",
            "extension_requested_days": None,
            "signed_off_at": None,
            "signed_off_by": None,
            **unit_due,
            "interim_reply_due_at": min(unit_due["interim_reply_due_at"], resolution_due),
            "resolution_due_at": resolution_due,
        }
        return Change(
            fields=fields,
            reason=note.strip(),
            payload={
                "coordinator": person.username,
                "lead_unit": lead.code,
                "co_units": [u.code for u in co],
                "working_days": working_days,
                "due": resolution_due.isoformat(),
            },
            units=(lead, list(co)),
        )

    return _transition(
        actor=actor, demand_id=demand_id, version=version, action=Action.ASSIGN_CASE, at=at, change=change
    )


def demand_decline_case(
    *, actor: User, demand_id: int, version: int, reason: str, at: datetime | None = None
) -> Demand:
    """The leader sends an escalation back to the service team, with the reason: it is
    handled as a demand (dispatched again), with a new triage clock."""
    why = _required(reason, "reason", MSG_REASON_REQUIRED)

    def change(demand: Demand, ctx: Context) -> Change:
        policy = deadlines.Policy.of(demand.category)
        # No longer a difficult case: no coordinator follows it, no sign-off is needed.
        return Change(
            reason=why,
            fields={"triage_due_at": deadlines.triage_due(ctx.cal, policy, ctx.at), "coordinator": None},
        )

    return _transition(
        actor=actor, demand_id=demand_id, version=version, action=Action.DECLINE_CASE, at=at, change=change
    )


def demand_sign_off(*, actor: User, demand_id: int, version: int, note: str = "", at: datetime | None = None) -> Demand:
    """The lead unit's head signs off the reply to a difficult case (the enterprise then confirms)."""

    def change(demand: Demand, ctx: Context) -> Change:
        return Change(fields={"signed_off_at": ctx.at, "signed_off_by": ctx.actor}, reason=note.strip())

    return _transition(actor=actor, demand_id=demand_id, version=version, action=Action.SIGN_OFF, at=at, change=change)


def demand_merge(
    *, actor: User, demand_id: int, version: int, into: str, reason: str = "", at: datetime | None = None
) -> Demand:
    """Merge a duplicate into another demand (by number or id). Nothing is deleted."""
    # Only among the demands the actor may see: an answer must not reveal whether another
    # enterprise's demand with this number exists or is still open.
    visible = Demand.objects.filter(visibility_filter(actor))
    target = visible.filter(number=into).first() if not str(into).isdigit() else visible.filter(pk=int(into)).first()
    if target is None:
        message = str(MSG_NOT_FOUND)
        raise ValidationFailed(message, fields={"into": message})
    if target.pk == demand_id:
        raise ValidationFailed(MSG_MERGE_SELF, fields={"into": MSG_MERGE_SELF})
    if target.status not in OPEN_STATUSES:
        raise ValidationFailed(MSG_MERGE_TARGET_CLOSED, fields={"into": MSG_MERGE_TARGET_CLOSED})

    def change(demand: Demand, ctx: Context) -> Change:
        return Change(
            fields={"merged_into": target, "closed_at": ctx.at},
            reason=reason.strip(),
            payload={"into": target.number},
        )

    return _transition(actor=actor, demand_id=demand_id, version=version, action=Action.MERGE, at=at, change=change)


def demand_withdraw(*, actor: User, demand_id: int, version: int, reason: str = "", at: datetime | None = None) -> Demand:
    """The enterprise no longer needs the demand handled."""

    def change(demand: Demand, ctx: Context) -> Change:
        return Change(fields={"closed_at": ctx.at}, reason=reason.strip())

    return _transition(actor=actor, demand_id=demand_id, version=version, action=Action.WITHDRAW, at=at, change=change)
