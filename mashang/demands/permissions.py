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
    unit_id = reading_unit(actor)
    if unit_id:
        # What was dispatched to the unit, and what the unit registered for an enterprise.
        return Q(Exists(Assignment.objects.filter(demand=OuterRef("pk"), unit_id=unit_id))) | Q(
            intake_unit_id=unit_id
        )
    return Q(pk__in=[])


def reading_unit(actor: User) -> int | None:
    """The unit whose demands ``actor`` reads (every demand ever dispatched to it, as lead or
    co-unit, and every one it registered), for a unit's member; None for everyone else. The
    search reads the same set from ``visible_unit_ids`` on PostgreSQL (migration 0014)."""
    if not actor.is_active or actor.role in ZONE_WIDE_ROLES or actor.role == R.ENTERPRISE:
        return None
    return actor.unit_id if actor.is_unit_member and actor.unit_id else None


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


#: Who adds files to a demand: the enterprise (supplementary material), the service team,
#: and the units it is dispatched to now (their written replies, permits and opinions).
ATTACHING_PARTIES = frozenset({Party.ENTERPRISE, Party.SERVICE_TEAM, Party.LEAD_UNIT, Party.CO_UNIT})


def can_attach(actor: User, demand: Demand, assignments: list[Assignment]) -> bool:
    """Whether ``actor`` may add files to ``demand`` (whatever its status)."""
    return actor.is_active and bool(parties_of(actor, demand, assignments) & ATTACHING_PARTIES)


def can_submit_for_any_enterprise(actor: User) -> bool:
    """Officers log phone calls, visits, chats and 12345 transfers on behalf of any enterprise;
    a unit's members register an enterprise that comes to them (the unit receives it)."""
    return actor.is_active and (actor.role == R.OFFICER or (actor.is_unit_member and actor.unit_id is not None))


def can_triage_on_intake(actor: User) -> bool:
    """Only the service team triages and dispatches, also in the form that registers a demand."""
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


def sees_contact_phone(actor: User, demand: Demand, assignments: list[Assignment]) -> bool:
    """Whether ``actor`` sees the demand's contact phone in full (personal data minimised):
    those who handle it — its enterprise, the service team, its current units; everyone
    else (supervisors, leaders, former units) sees it masked (``mashang.core.masking``)."""
    return actor.is_active and bool(parties_of(actor, demand, assignments) & ATTACHING_PARTIES)


def contact_phone_demand_ids(actor: User) -> set[int] | None:
    """The demands whose contact phone ``actor`` sees in full in a list or an export (as
    :func:`sees_contact_phone`; one query at most): None means every demand they see."""
    if not actor.is_active:
        return set()
    if actor.role == R.OFFICER or actor.role == R.ENTERPRISE:
        return None  # the service team handles every demand; an enterprise lists only its own
    if actor.is_unit_member and actor.unit_id:
        return set(
            Assignment.objects.filter(unit_id=actor.unit_id, is_current=True).values_list(
                "demand_id", flat=True
            )
        )
    return set()
