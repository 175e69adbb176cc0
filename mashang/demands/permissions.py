"""How a person stands to a demand, and which demands a person may see."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q

from mashang.demands.models import Assignment, Demand
from mashang.demands.transitions import Party
from mashang.org.models import User

R = User.Role

# Roles that see every demand of the zone.
ZONE_WIDE_ROLES = frozenset({R.OFFICER, R.SUPERVISOR, R.LEADER, R.ADMIN})


def visibility_filter(actor: User) -> Q:
    """A filter on Demand that keeps what ``actor`` may see (nothing for an unknown role)."""
    if not actor.is_active:
        return Q(pk__in=[])
    if actor.role in ZONE_WIDE_ROLES:
        return Q()
    if actor.role == R.ENTERPRISE and actor.enterprise_id:
        return Q(enterprise_id=actor.enterprise_id)
    if actor.is_unit_member and actor.unit_id:
        return Q(Exists(Assignment.objects.filter(demand=OuterRef("pk"), unit_id=actor.unit_id)))
    return Q(pk__in=[])


def parties_of(actor: User, demand: Demand, assignments: list[Assignment]) -> frozenset[str]:
    """Every part ``actor`` plays in ``demand`` (a person may play none)."""
    parties: set[str] = set()
    if actor.role == R.ENTERPRISE and actor.enterprise_id and actor.enterprise_id == demand.enterprise_id:
        parties.add(Party.ENTERPRISE)
    elif actor.role == R.OFFICER:
        parties.add(Party.SERVICE_TEAM)
    elif actor.role == R.SUPERVISOR:
        parties.add(Party.SUPERVISOR)
    elif actor.role == R.LEADER:
        parties.add(Party.LEADER)
    elif actor.is_unit_member and actor.unit_id:
        for a in assignments:
            if a.unit_id == actor.unit_id and a.is_current:
                lead = a.role == Assignment.Role.LEAD
                parties.add(Party.LEAD_UNIT if lead else Party.CO_UNIT)
                if lead and actor.role == R.UNIT_HEAD:
                    parties.add(Party.LEAD_UNIT_HEAD)
    return frozenset(parties)


def can_submit_for_any_enterprise(actor: User) -> bool:
    """Officers log phone calls, visits and chats on behalf of any enterprise."""
    return actor.is_active and actor.role == R.OFFICER


def can_submit(actor: User) -> bool:
    return actor.is_active and (
        (actor.role == R.ENTERPRISE and actor.enterprise_id is not None)
        or can_submit_for_any_enterprise(actor)
    )


def can_watch(actor: User) -> bool:
    """Supervisors, leaders and service officers see the overdue and at-risk lists."""
    return bool(actor.is_active and actor.role in (R.SUPERVISOR, R.LEADER, R.OFFICER))


def can_view_dashboard(actor: User) -> bool:
    """Leaders and supervisors see the dashboard."""
    return bool(actor.is_active and actor.role in (R.SUPERVISOR, R.LEADER))
