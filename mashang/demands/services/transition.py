"""The one transition function every move of a demand goes through, and what a move says it
changes (:class:`Change`).

:func:`_transition` locks the row, checks visibility, version, the actor's part and the move
against the table in ``transitions.py``, applies the change, recomputes the next deadline,
bumps the version, records the event and writes the messages, all in one transaction.
"""

from __future__ import annotations

from collections.abc import Callable
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
from mashang.demands.models import OPEN_STATUSES, Assignment, Demand
from mashang.demands.permissions import parties_of, visibility_filter
from mashang.demands.transitions import check_guards, check_move, check_target, move_target
from mashang.demands.working_hours import FIELDS as WORKING_TIME_FIELDS
from mashang.demands.working_hours import working_times_of
from mashang.org.models import Unit, User
from mashang.workcal.calendar import WorkCalendar
from mashang.workcal.selectors import calendar_get

MSG_NOT_FOUND = _("No such demand.")
MSG_STALE = _(
    "This demand was changed by someone else since you opened it (your version {given}, now {current}). "
    "Reload it and try again."
)
MSG_TEXT_REQUIRED = _("This field is required.")
MSG_REASON_REQUIRED = _("Please give a reason.")


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
