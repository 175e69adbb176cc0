"""Opening an action item (督办事项): work a review meeting decided, tracked as a demand is.

An action item is a row of the demand table of kind ``action_item``, numbered DB-YYYY-NNNNN,
dispatched at once to its lead unit (and co-units) with the deadline the meeting set. From
there it moves as any dispatched demand: the unit signs for it (first contact), reports its
progress every month (each assessment sets the next report's deadline a month on), replies;
the service team confirms it closed. Its deadlines are swept,
its lateness raises the same reminder, yellow and red notices, and it counts in its units'
assessment. Whoever opens it (the meetings app, on approving the minutes) says what it
concerns; this module knows nothing of meetings.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mashang.audit.services import event_record
from mashang.core.errors import ValidationFailed
from mashang.core.numbering import number_next
from mashang.demands.deadlines import Policy, next_due, progress_report_due, unit_deadlines
from mashang.demands.messages import demand_notify
from mashang.demands.models import ActionItemSequence, Assignment, Channel, Demand, Kind, Status
from mashang.demands.transitions import Action
from mashang.org.models import Category, Enterprise, Unit, User
from mashang.workcal.selectors import calendar_get

MSG_DUE_AFTER = _("The deadline must be after the moment the item is opened.")
MSG_LEAD_AMONG_CO = _("The lead unit cannot also be a co-unit.")


def action_item_open(
    *,
    actor: User,
    title: str,
    description: str,
    lead_unit: Unit,
    co_units: Sequence[Unit] = (),
    due_at: datetime,
    enterprise: Enterprise | None = None,
    category: Category | None = None,
    origin: dict | None = None,
    at: datetime | None = None,
) -> Demand:
    """Open an action item dispatched to ``lead_unit`` (and ``co_units``), due at ``due_at``.

    ``origin`` goes into its first event (the meeting and decision it came from). Runs in the
    caller's transaction when there is one.
    """
    at = at or timezone.now()
    if due_at <= at:
        raise ValidationFailed(MSG_DUE_AFTER, fields={"due_at": MSG_DUE_AFTER})
    if any(u.pk == lead_unit.pk for u in co_units):
        raise ValidationFailed(MSG_LEAD_AMONG_CO, fields={"co_units": MSG_LEAD_AMONG_CO})
    cal = calendar_get()
    unit_due = unit_deadlines(cal, Policy.of(category), at)
    with transaction.atomic():
        item = Demand(
            number=number_next(ActionItemSequence, year=timezone.localtime(at).year),
            kind=Kind.ACTION_ITEM,
            enterprise=enterprise,
            submitted_by=actor,
            channel=Channel.MEETING,
            title=title.strip()[:200],
            description=description.strip()[:5000] or title.strip()[:200],
            category=category,
            status=Status.DISPATCHED,
            lead_unit=lead_unit,
            submitted_at=at,
            triaged_at=at,
            dispatched_at=at,
            first_response_due_at=min(unit_due["first_response_due_at"], due_at),
            # Its progress is reported monthly (the interim reply of an action item).
            interim_reply_due_at=progress_report_due(at, due_at),
            resolution_due_at=due_at,
        )
        item.next_due_at = next_due(item)
        item.save(force_insert=True)
        Assignment.objects.bulk_create(
            [
                Assignment(
                    demand=item,
                    unit=unit,
                    role=Assignment.Role.LEAD if unit.pk == lead_unit.pk else Assignment.Role.CO,
                    is_current=True,
                    is_open=True,
                    due_at=item.next_due_at,
                    assigned_at=at,
                )
                for unit in [lead_unit, *co_units]
            ]
        )
        event_record(
            subject_type="demand",
            subject_id=item.pk,
            action="open",
            actor=actor,
            at=at,
            to_state=Status.DISPATCHED,
            payload={
                "kind": Kind.ACTION_ITEM,
                "lead_unit": lead_unit.code,
                "co_units": [u.code for u in co_units],
                "due": due_at.isoformat(),
                **(origin or {}),
            },
        )
        # The units hear of it as of a dispatch.
        demand_notify(item, Action.DISPATCH, at, actor=actor, units=(lead_unit, list(co_units)))
    return item
