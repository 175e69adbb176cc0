"""Who sees supervision notices, who issues them by hand, and who acknowledges them."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q

from mashang.demands.deadlines import DeadlineKind
from mashang.org.models import User
from mashang.supervision.models import SupervisionNotice

R = User.Role

#: Roles that see every notice of the zone.
ALL_NOTICES_ROLES = frozenset({R.SUPERVISOR, R.LEADER, R.ADMIN})


def can_view_notices(actor: User) -> bool:
    """Everyone of the zone's staff has a notice list; enterprises never see supervision."""
    return bool(actor.is_active and actor.role != R.ENTERPRISE)


def notice_visibility(actor: User) -> Q:
    """A filter on SupervisionNotice that keeps what ``actor`` may see.

    Supervisors, leaders and administrators see all; a unit its own (where it is the
    responsible unit); service officers the triage ones; and anyone a notice is addressed to
    sees it. Enterprises see none.
    """
    if not can_view_notices(actor):
        return Q(pk__in=[])
    if actor.role in ALL_NOTICES_ROLES:
        return Q()
    addressed = Q(
        Exists(
            SupervisionNotice.addressed_to.through.objects.filter(
                supervisionnotice_id=OuterRef("pk"), user_id=actor.pk
            )
        )
    )
    if actor.role == R.OFFICER:
        return Q(kind=DeadlineKind.TRIAGE) | addressed
    if actor.is_unit_member and actor.unit_id:
        return Q(unit_id=actor.unit_id) | addressed
    return addressed


def can_issue(actor: User) -> bool:
    """Only supervisors issue notices by hand."""
    return bool(actor.is_active and actor.role == R.SUPERVISOR)


def can_acknowledge(actor: User, notice: SupervisionNotice) -> bool:
    """Someone of the responsible unit (its members or its head); an officer for a triage notice."""
    if not actor.is_active or notice.acknowledged_at is not None:
        return False
    if notice.kind == DeadlineKind.TRIAGE and actor.role == R.OFFICER:
        return True
    if notice.unit_id is None:
        return False
    if actor.is_unit_member and actor.unit_id == notice.unit_id:
        return True
    return notice.unit is not None and notice.unit.head_id == actor.pk
