"""Files filed with a demand (the limits on number, size and type: :mod:`mashang.core.files`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mashang.audit.services import versioned_save
from mashang.core.errors import NotFound, PermissionDenied, ValidationFailed
from mashang.core.files import attachments_check, files_store
from mashang.demands.models import Attachment, Demand
from mashang.demands.permissions import visibility_filter
from mashang.org.models import User

MSG_MAY_NOT_ATTACH = _("Only the enterprise and the service team add files to a demand.")
MSG_NOT_FOUND = _("No such demand.")

ATTACH_ACTION = "attach"


def demand_attach(
    *, actor: User, demand_id: int, files: Sequence[UploadedFile], at: datetime | None = None
) -> list[Attachment]:
    """Add files to a demand: all of them or, if one is refused, none.

    Records one ``attach`` event naming the files and bumps the version, like every change.
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
        own = actor.role == User.Role.ENTERPRISE and actor.enterprise_id == demand.enterprise_id
        if not (own or actor.role == User.Role.OFFICER):
            raise PermissionDenied(MSG_MAY_NOT_ATTACH)
        created = files_store(Attachment, files, demand=demand, uploaded_by=actor, uploaded_at=at)
        versioned_save(
            demand,
            subject_type="demand",
            action=ATTACH_ACTION,
            actor=actor,
            at=at,
            from_state=demand.status,
            to_state=demand.status,
            payload={"files": [a.original_name for a in created]},
        )
    return created
