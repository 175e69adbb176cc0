"""Who sees which land-start runs, and who may do what to them."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Exists, OuterRef, Q

from mashang.landstart.models import Run, RunStep
from mashang.org.models import User

R = User.Role

#: Roles that see every run of the zone.
ZONE_WIDE_ROLES = frozenset({R.OFFICER, R.SUPERVISOR, R.LEADER, R.ADMIN})
#: Roles that open and cancel runs and write templates.
MANAGER_ROLES = frozenset({R.OFFICER, R.ADMIN})


def visibility_filter(actor: User) -> Q:
    """A filter on Run that keeps what ``actor`` may see (nothing for an unknown role).

    Zone-wide roles see all; unit staff and heads the runs where their unit has a step or
    records the award; an enterprise contact the runs of its enterprise's projects.
    """
    if not actor.is_active:
        return Q(pk__in=[])
    if actor.role in ZONE_WIDE_ROLES:
        return Q()
    if actor.role == R.ENTERPRISE and actor.enterprise_id:
        return Q(project__investor_id=actor.enterprise_id)
    if actor.is_unit_member and actor.unit_id:
        return Q(template__award_unit_id=actor.unit_id) | Q(
            Exists(RunStep.objects.filter(run=OuterRef("pk"), unit_id=actor.unit_id))
        )
    return Q(pk__in=[])


def can_manage(actor: User) -> bool:
    """Open and cancel runs, write bundle templates: the service team and administrators."""
    return actor.is_active and actor.role in MANAGER_ROLES


def is_member_of(actor: User, unit_id: int | None) -> bool:
    return actor.is_active and actor.is_unit_member and unit_id is not None and actor.unit_id == unit_id


def can_award(actor: User, run: Run) -> bool:
    """Record the award: the award unit's people, or the service team and administrators."""
    return can_manage(actor) or is_member_of(actor, run.template.award_unit_id)


def can_work_on(actor: User, step: RunStep) -> bool:
    """Complete, stage and attach documents to a step: only the people of the step's unit."""
    return is_member_of(actor, step.unit_id)


def can_send_back(actor: User, dependents: Iterable[RunStep]) -> bool:
    """Send a done step back: the unit of a step that depends on it, or the service team."""
    return can_manage(actor) or any(is_member_of(actor, d.unit_id) for d in dependents)


def project_unit_concern(unit_id: int) -> Q:
    """A filter on Project keeping the projects whose land-start run concerns the unit: one of
    the run's steps is the unit's, or the unit records the award (the projects app's
    visibility of projects for unit people adds this)."""
    return Q(Exists(RunStep.objects.filter(run__project_id=OuterRef("pk"), unit_id=unit_id))) | Q(
        Exists(Run.objects.filter(project_id=OuterRef("pk"), template__award_unit_id=unit_id))
    )
