"""Who may see and who may manage an investment project.

- the service team (officers) and admins manage every project; so does the project's named
  service officer;
- supervisors and leaders read every project;
- unit staff and unit heads read the projects that concern their unit
  (:func:`unit_concern_filter`);
- an enterprise contact reads the projects whose investor is its enterprise.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Exists, OuterRef, Q

from mashang.demands.models import Assignment
from mashang.org.models import User
from mashang.projects.models import Project

R = User.Role

#: A further reason a project concerns a unit, as a filter on Project for the unit's id.
UnitConcern = Callable[[int], Q]
#: The further reasons, registered by the apps built on projects (land start registers "a step
#: of a land-start run of the project is the unit's" in its ``AppConfig.ready``).
_unit_concerns: list[UnitConcern] = []


def unit_concern_register(rule: UnitConcern) -> None:
    """Add ``rule`` to what makes a project concern a unit (once; registering again is harmless)."""
    if rule not in _unit_concerns:
        _unit_concerns.append(rule)

#: Roles that manage (create, edit, move) every project.
MANAGING_ROLES = frozenset({R.OFFICER, R.ADMIN})
#: Roles that read every project.
READING_ROLES = frozenset({R.SUPERVISOR, R.LEADER})


def unit_concern_filter(unit_id: int) -> Q:
    """A filter on Project keeping the projects that concern the unit ``unit_id``: a blocker
    (demand) of the project was dispatched to the unit, or a registered rule says so — land
    start's :func:`mashang.landstart.permissions.project_unit_concern`: a step of a land-start
    run of the project is the unit's. The one place the rule is put together.
    """
    concern = Q(Exists(Assignment.objects.filter(demand__project_id=OuterRef("pk"), unit_id=unit_id)))
    for rule in _unit_concerns:
        concern |= rule(unit_id)
    return concern


def visibility_filter(actor: User) -> Q:
    """A filter on Project that keeps what ``actor`` may see (nothing for an unknown role)."""
    if not actor.is_active:
        return Q(pk__in=[])
    if actor.role in MANAGING_ROLES or actor.role in READING_ROLES:
        return Q()
    if actor.role == R.ENTERPRISE and actor.enterprise_id:
        return Q(investor_id=actor.enterprise_id)
    if actor.is_unit_member and actor.unit_id:
        return unit_concern_filter(actor.unit_id)
    return Q(pk__in=[])


def can_create(actor: User) -> bool:
    return actor.is_active and actor.role in MANAGING_ROLES


def can_manage(actor: User, project: Project) -> bool:
    """Edit, move, plan milestones, record funds."""
    if not actor.is_active:
        return False
    return actor.role in MANAGING_ROLES or (
        project.service_officer_id is not None and project.service_officer_id == actor.pk
    )


def can_raise_blocker(actor: User, project: Project) -> bool:
    """The service team files blockers for any project; the investor's contact for its own."""
    if not actor.is_active:
        return False
    if actor.role == R.OFFICER:
        return True
    return actor.role == R.ENTERPRISE and actor.enterprise_id is not None and actor.enterprise_id == project.investor_id


def sees_all(actor: User) -> bool:
    """Whether the actor reads the whole zone's pipeline (the stats page)."""
    return actor.is_active and (actor.role in MANAGING_ROLES or actor.role in READING_ROLES)
