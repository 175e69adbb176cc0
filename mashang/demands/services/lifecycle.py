"""Every move of a demand after it is filed: one function per transition.

Each goes through :func:`~mashang.demands.services.transition._transition` (the shared
engine in ``services/transition.py``), which locks the row, checks visibility, version,
the actor's part and the move against the table in ``transitions.py``, applies the
change, recomputes the next deadline, bumps the version and records the event, all in
one transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mashang.core.errors import ValidationFailed
from mashang.demands import deadlines
from mashang.demands.models import (
    OPEN_STATUSES,
    Assignment,
    ContactMethod,
    Demand,
    Kind,
    Rating,
    Status,
    Urgency,
)
from mashang.demands.permissions import visibility_filter
from mashang.demands.services.transition import (  # noqa: F401 (MSG_STALE, MSG_NOT_FOUND: their old home)
    MSG_NOT_FOUND,
    MSG_REASON_REQUIRED,
    MSG_STALE,
    MSG_TEXT_REQUIRED,
    Change,
    Context,
    _required,
    _transition,
)
from mashang.demands.transitions import Action
from mashang.org.models import Category, Unit, User

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
            # A 12345 order is resolved by the hotline's deadline when that comes first.
            **deadlines.held_to_hotline(
                deadlines.unit_deadlines(ctx.cal, deadlines.Policy.of(demand.category), ctx.at),
                demand.external_due_at,
            ),
        }
        return Change(
            fields=fields,
            reason=note.strip(),
            payload={"lead_unit": lead.code, "co_units": [u.code for u in co]},
            units=(lead, list(co)),
        )

    return _transition(actor=actor, demand_id=demand_id, version=version, action=Action.DISPATCH, at=at, change=change)


MSG_CONTACT_METHOD = _("Choose how the enterprise was contacted: phone call, visit or message.")
MSG_CONTACT_WITH = _("Say whom you spoke with (at most 100 characters).")
MSG_CONTACT_FUTURE = _("The first contact cannot be in the future.")
MSG_CONTACT_BEFORE_DISPATCH = _("The first contact cannot be before the dispatch ({when}).")


def demand_respond(
    *, actor: User, demand_id: int, version: int, method: str = "", contact_with: str = "",
    contacted_at: datetime | None = None, note: str = "", at: datetime | None = None,
) -> Demand:
    """The lead unit has contacted the enterprise (first response): how, with whom and when
    (``contacted_at``, now unless given: not in the future, not before the dispatch)."""
    if method not in ContactMethod.values:
        raise ValidationFailed(MSG_CONTACT_METHOD, fields={"method": MSG_CONTACT_METHOD})
    person = _required(contact_with, "contact_with", MSG_CONTACT_WITH)
    if len(person) > 100:
        raise ValidationFailed(MSG_CONTACT_WITH, fields={"contact_with": MSG_CONTACT_WITH})

    def change(demand: Demand, ctx: Context) -> Change:
        when = contacted_at or ctx.at
        when = timezone.make_aware(when) if timezone.is_naive(when) else when
        if when > ctx.at:
            raise ValidationFailed(MSG_CONTACT_FUTURE, fields={"contacted_at": MSG_CONTACT_FUTURE})
        if demand.dispatched_at and when == demand.dispatched_at.replace(second=0, microsecond=0):
            when = demand.dispatched_at  # said to the minute (a page's field), in the dispatch's minute
        if demand.dispatched_at and when < demand.dispatched_at:
            message = str(MSG_CONTACT_BEFORE_DISPATCH).format(
                when=timezone.localtime(demand.dispatched_at).strftime("%Y-%m-%d %H:%M")
            )
            raise ValidationFailed(message, fields={"contacted_at": message})
        return Change(
            fields={"first_responded_at": when, "first_contact_method": method, "first_contact_with": person},
            reason=note.strip(),
            payload={"method": method, "with": person, "contacted_at": when.isoformat()},
        )

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


MSG_APPROVED_DAYS = _("Approve between 1 and the {requested} working days asked for.")


def _decide_extension(
    *, approve: bool, actor: User, demand_id: int, version: int, note: str, at, days: int | None = None
) -> Demand:
    def change(demand: Demand, ctx: Context) -> Change:
        requested = demand.extension_requested_days
        approved = requested if days is None else days
        if approve and (not isinstance(approved, int) or not 1 <= approved <= requested):
            message = str(MSG_APPROVED_DAYS).format(requested=requested)
            raise ValidationFailed(message, fields={"days": message})
        fields: dict[str, Any] = {"extension_requested_days": None}
        if approve and demand.resolution_due_at is not None:
            fields["resolution_due_at"] = ctx.cal.add_working_time(
                demand.resolution_due_at, ctx.cal.day_length * approved
            )
        # "days": the days decided on (approved, or asked for and refused).
        payload: dict[str, Any] = {"days": approved if approve else requested}
        if approve:
            payload.update(requested_days=requested, approved_days=approved)
        return Change(fields=fields, reason=note.strip(), payload=payload)

    action = Action.APPROVE_EXTENSION if approve else Action.REFUSE_EXTENSION
    return _transition(actor=actor, demand_id=demand_id, version=version, action=action, at=at, change=change)


def demand_approve_extension(
    *, actor: User, demand_id: int, version: int, days: int | None = None, note: str = "", at=None
) -> Demand:
    """A supervisor grants the extension: the days asked for, or fewer (``days``)."""
    return _decide_extension(
        approve=True, actor=actor, demand_id=demand_id, version=version, note=note, at=at, days=days
    )


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


def demand_withdraw(*, actor: User, demand_id: int, version: int, reason: str, at: datetime | None = None) -> Demand:
    """The enterprise no longer needs the demand handled, and says why."""
    why = _required(reason, "reason", MSG_REASON_REQUIRED)

    def change(demand: Demand, ctx: Context) -> Change:
        return Change(fields={"closed_at": ctx.at}, reason=why)

    return _transition(actor=actor, demand_id=demand_id, version=version, action=Action.WITHDRAW, at=at, change=change)
