"""A blocker on a project is a demand linked to it: it gets the demand's deadlines and supervision."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mashang.core.errors import PermissionDenied, ValidationFailed
from mashang.demands.models import Channel, Demand
from mashang.demands.services.submit import demand_submit
from mashang.org.models import User
from mashang.projects.permissions import can_raise_blocker
from mashang.projects.services.common import lock_project, save_and_record
from mashang.projects.transitions import Record

MSG_MAY_NOT_RAISE = _("Only the service team or the investor's contact may raise a blocker on a project.")
MSG_INVESTOR_NOT_REGISTERED = _(
    "A blocker is filed as a demand of the investor, and this project's investor is not a registered "
    "enterprise yet: register the enterprise and link it to the project first."
)


def project_blocker_raise(
    *,
    actor: User,
    project_id: int,
    title: str,
    description: str,
    category_code: str | None = None,
    channel: str | None = None,
    at: datetime | None = None,
) -> Demand:
    """File a demand for the project's investor through ``demand_submit`` and link it to the project.

    The demand is triaged, dispatched, supervised and rated like any other; the project
    records a "blocker" event naming it.
    """
    at = at or timezone.now()
    with transaction.atomic():
        project = lock_project(actor=actor, project_id=project_id, version=None, manage=False)
        if not can_raise_blocker(actor, project):
            raise PermissionDenied(MSG_MAY_NOT_RAISE)
        if project.investor_id is None:
            raise ValidationFailed(MSG_INVESTOR_NOT_REGISTERED, fields={"investor": MSG_INVESTOR_NOT_REGISTERED})
        officer = actor.role == User.Role.OFFICER
        demand = demand_submit(
            actor=actor,
            title=title,
            description=description,
            channel=channel or (Channel.VISIT if officer else Channel.WEB),
            category_code=category_code,
            enterprise_credit_code=project.investor.credit_code if officer else None,
            at=at,
        )
        Demand.objects.filter(pk=demand.pk).update(project=project)
        demand.project = project
        save_and_record(
            project, actor=actor, at=at, action=Record.BLOCKER, fields=(), from_state=project.stage,
            payload={"demand": demand.number, "demand_id": demand.pk, "title": demand.title},
        )
    return demand
