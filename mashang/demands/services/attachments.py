"""Files filed with a demand (the limits on number, size and type: :mod:`mashang.core.files`).

The enterprise adds files with its demand and later (supplementary material, its answer to a
unit's question); the service team adds what it receives; the lead unit and the co-units
dispatched to now attach their written replies, permits and opinions. Each file keeps the
step it came with and, for a unit's member, the unit.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mashang.audit.services import versioned_save
from mashang.core.errors import NotFound, PermissionDenied, ValidationFailed
from mashang.core.files import attachments_check, files_store
from mashang.demands.models import OPEN_STATUSES, Assignment, Attachment, Demand
from mashang.demands.permissions import can_attach, visibility_filter
from mashang.org.models import User

MSG_MAY_NOT_ATTACH = _(
    "Only the enterprise, the service team and the units the demand is dispatched to add files to it."
)
MSG_NOT_FOUND = _("No such demand.")
MSG_CLOSED = _("This demand is {status}: no more files can be added to it.")

ATTACH_ACTION = "attach"
#: The step of the files filed with the demand itself.
SUBMIT_STEP = "submit"


def demand_attach(
    *,
    actor: User,
    demand_id: int,
    files: Sequence[File],
    step: str = ATTACH_ACTION,
    at: datetime | None = None,
) -> list[Attachment]:
    """Add files to an open demand: all of them or, if one is refused, none.

    ``step`` is the step they came with: ``attach`` (added on their own), ``submit``, or the
    action whose form carried them (``respond``, ``assess``, ``reply``, ``resume``…). Records
    one ``attach`` event naming the files and the step, and bumps the version, like every
    change. Called inside a move's transaction, a refusal undoes the move too.
    """
    at = at or timezone.now()
    if not files:
        return []
    problems = attachments_check(files)
    if problems:
        raise ValidationFailed(problems[0], fields={"attachments": problems})
    with transaction.atomic():
        demand = (
            Demand.objects.select_for_update(of=("self",))
            .filter(visibility_filter(actor), pk=demand_id)
            .first()
        )
        if demand is None:
            raise NotFound(MSG_NOT_FOUND)
        assignments = list(Assignment.objects.filter(demand=demand))
        if not can_attach(actor, demand, assignments):
            raise PermissionDenied(MSG_MAY_NOT_ATTACH)
        if demand.status not in OPEN_STATUSES:
            message = str(MSG_CLOSED).format(status=demand.get_status_display())
            raise ValidationFailed(message, fields={"attachments": message})
        created = files_store(
            Attachment,
            files,
            demand=demand,
            uploaded_by=actor,
            uploaded_at=at,
            step=step[:20],
            unit_id=actor.unit_id if actor.is_unit_member else None,
        )
        versioned_save(
            demand,
            subject_type="demand",
            action=ATTACH_ACTION,
            actor=actor,
            at=at,
            from_state=demand.status,
            to_state=demand.status,
            payload={
                "files": [a.original_name for a in created],
                "attachments": [a.pk for a in created],
                "step": step,
            },
        )
    return created
