"""A unit's land-start capacity: the people it has on duty for the day and the steps it works
at once (the batch plan schedules by the latter; 1 for a unit that never set it)."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mashang.audit.services import event_record
from mashang.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from mashang.landstart.models import UnitCapacity
from mashang.landstart.permissions import can_manage
from mashang.org.models import Unit, User

SUBJECT = "landstart_capacity"
MOST = 99

MSG_NO_UNIT = _("No such unit.")
MSG_MAY_NOT_SET = _(
    "Only administrators, the service team and the head of {unit} may set its capacity."
)
MSG_PEOPLE_RANGE = _("The people on duty must be a whole number from 1 to {most}.")
MSG_STEPS_RANGE = _("The steps at once must be a whole number from 1 to {most}.")
MSG_CAPACITY_STALE = _(
    "The capacity of {unit} was changed by someone else since you opened the page. Reload it "
    "and try again."
)


def can_set_capacity(actor: User, unit: Unit) -> bool:
    """Administrators and the service team set any unit's capacity; a unit's head its own."""
    if not actor.is_active:
        return False
    if can_manage(actor):
        return True
    head = actor.role == User.Role.UNIT_HEAD and actor.unit_id == unit.pk
    return head or (unit.head_id is not None and unit.head_id == actor.pk)


def _whole(value: object, field: str, message) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MOST:
        text = str(message).format(most=MOST)
        raise ValidationFailed(text, fields={field: text})
    return value


def unit_capacity_set(
    *,
    actor: User,
    unit_id: int,
    people_on_duty: int,
    steps_at_once: int | None = None,
    seen_updated_at: datetime | None = None,
    at: datetime | None = None,
) -> UnitCapacity:
    """Set how many people ``unit`` has on duty and how many steps it works at once (the
    people on duty when not given). ``seen_updated_at``, when given, is the capacity's time of
    change the form was read at: a change made since then is a conflict (409)."""
    at = at or timezone.now()
    people = _whole(people_on_duty, "people_on_duty", MSG_PEOPLE_RANGE)
    steps = (
        people if steps_at_once is None else _whole(steps_at_once, "steps_at_once", MSG_STEPS_RANGE)
    )
    with transaction.atomic():
        # The unit's row is the lock: two first settings of a unit serialise.
        unit = Unit.objects.select_for_update().filter(pk=unit_id, is_active=True).first()
        if unit is None:
            raise NotFound(MSG_NO_UNIT)
        if not can_set_capacity(actor, unit):
            raise PermissionDenied(str(MSG_MAY_NOT_SET).format(unit=unit.name))
        capacity = UnitCapacity.objects.filter(unit=unit).first()
        if (
            seen_updated_at is not None
            and capacity is not None
            and capacity.updated_at != seen_updated_at
        ):
            raise Conflict(str(MSG_CAPACITY_STALE).format(unit=unit.name))
        before = (
            {"people_on_duty": capacity.people_on_duty, "steps_at_once": capacity.steps_at_once}
            if capacity is not None
            else None
        )
        if capacity is None:
            capacity = UnitCapacity(unit=unit)
        capacity.people_on_duty, capacity.steps_at_once = people, steps
        capacity.updated_at, capacity.updated_by = at, actor
        capacity.save()
        event_record(
            subject_type=SUBJECT,
            subject_id=unit.pk,
            action="capacity_set",
            actor=actor,
            at=at,
            payload={
                "unit": unit.code,
                "people_on_duty": people,
                "steps_at_once": steps,
                "before": before,
            },
        )
    return capacity
