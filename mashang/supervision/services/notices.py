"""Supervision notices by hand, their acknowledgement, and whom a notice is addressed to.

A notice is recorded as a ``notice`` event on its demand and bumps the demand's version in
the same transaction, under the demand's row lock, like every change to a demand (its
version always equals the number of its events). The acknowledgement is an event of the
notice itself and leaves the demand alone.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mashang.audit.services import event_record, versioned_save
from mashang.core.errors import (
    Conflict,
    NotFound,
    PermissionDenied,
    TransitionNotAllowed,
    ValidationFailed,
)
from mashang.demands.deadlines import TRIAGE_STATUSES, DeadlineKind, deadline_kind
from mashang.demands.models import OPEN_STATUSES, Demand
from mashang.demands.permissions import visibility_filter
from mashang.org.models import Unit, User
from mashang.supervision.messages import notices_notify
from mashang.supervision.models import LEVEL_RANK, Level, SupervisionNotice
from mashang.supervision.permissions import can_acknowledge, can_issue, notice_visibility

R = User.Role

#: The action of the demand event that records a notice, and of the notice's acknowledgement.
NOTICE_ACTION = "notice"
ACKNOWLEDGE_ACTION = "acknowledge"
NOTICE_SUBJECT = "supervision_notice"

MSG_DEMAND_NOT_FOUND = _("No such demand.")
MSG_NOTICE_NOT_FOUND = _("No such supervision notice.")
MSG_MAY_NOT_ISSUE = _("Only supervisors issue supervision notices.")
MSG_MAY_NOT_ACKNOWLEDGE = _("Only the responsible unit acknowledges this notice.")
MSG_ALREADY_ACKNOWLEDGED = _("This notice was already acknowledged.")
MSG_DEMAND_CLOSED = _("The demand is no longer open: there is nothing to supervise.")
MSG_COMMENT_REQUIRED = _("Say what the unit should do.")
MSG_BAD_LEVEL = _("Choose one of: reminder, yellow, red.")
MSG_STALE = _(
    "This demand was changed by someone else since you opened it (your version {given}, now {current}). "
    "Reload it and try again."
)

UNIT_MEMBER_ROLES = (R.UNIT_STAFF, R.UNIT_HEAD)


class Addressing:
    """Whom notices go to; loads each group once and keeps it for the operation.

    * triage notices: the service officers and the head of the service team (the unit of
      kind ``service_team``, if there is one);
    * every other notice: the active staff and head of the responsible (lead) unit;
    * from yellow up, also every active supervisor.
    """

    def __init__(self) -> None:
        self._officers: list[int] | None = None
        self._supervisors: list[int] | None = None
        self._team: tuple[Unit | None] | None = None  # loaded once, may hold None
        self._units: dict[int, list[int]] = {}

    @property
    def service_team(self) -> Unit | None:
        if self._team is None:
            team = (
                Unit.objects.filter(kind=Unit.Kind.SERVICE_TEAM, is_active=True)
                .order_by("code")
                .first()
            )
            self._team = (team,)
        return self._team[0]

    def unit_id_of(self, demand: Demand, kind: str) -> int | None:
        """The responsible unit's id: the service team's for triage, else the lead unit's."""
        team = self.service_team
        if kind == DeadlineKind.TRIAGE or (not kind and demand.status in TRIAGE_STATUSES):
            return team.pk if team else None
        return demand.lead_unit_id or (team.pk if team else None)

    def _users(self, role: str) -> list[int]:
        return list(User.objects.filter(is_active=True, role=role).values_list("pk", flat=True))

    def load_units(self, unit_ids) -> None:
        wanted = {u for u in unit_ids if u is not None and u not in self._units}
        if not wanted:
            return
        for unit_id in wanted:
            self._units[unit_id] = []
        members = User.objects.filter(
            is_active=True, role__in=UNIT_MEMBER_ROLES, unit_id__in=wanted
        ).values_list("unit_id", "pk")
        for unit_id, pk in members:
            self._units[unit_id].append(pk)
        heads = Unit.objects.filter(pk__in=wanted, head__isnull=False, head__is_active=True)
        for unit_id, head_id in heads.values_list("pk", "head_id"):
            if head_id not in self._units[unit_id]:
                self._units[unit_id].append(head_id)

    def people(self, *, kind: str, unit_id: int | None, level: str) -> list[int]:
        """Ids of the people a notice of ``kind`` and ``level`` for ``unit_id`` goes to."""
        found: list[int] = []
        if kind == DeadlineKind.TRIAGE:
            if self._officers is None:
                self._officers = self._users(R.OFFICER)
            found.extend(self._officers)
        if unit_id is not None:
            self.load_units([unit_id])
            found.extend(self._units[unit_id])
        if LEVEL_RANK[Level(level)] >= LEVEL_RANK[Level.YELLOW]:
            if self._supervisors is None:
                self._supervisors = self._users(R.SUPERVISOR)
            found.extend(self._supervisors)
        return list(dict.fromkeys(found))


def notice_payload(notice: SupervisionNotice) -> dict[str, Any]:
    """What the demand's ``notice`` event says about the notice."""
    return {
        "notice": notice.pk,
        "level": notice.level,
        "kind": notice.kind,
        "due_at": timezone.localtime(notice.due_at).isoformat() if notice.due_at else None,
        "unit": notice.unit_id,
    }


def notice_issue(
    *,
    actor: User,
    demand_id: int,
    level: str,
    comment: str,
    version: int | None = None,
    at: datetime | None = None,
) -> SupervisionNotice:
    """A supervisor's notice on an open demand, at the level they choose, with a comment.

    It is about the deadline the demand is held to now (none while the clock is paused) and
    goes to the same people as an automatic notice of that level. With ``version`` (the one
    the supervisor read) a demand changed since — by this very notice sent twice — is a 409.
    """
    at = at or timezone.now()
    if level not in Level.values:
        raise ValidationFailed(MSG_BAD_LEVEL, fields={"level": MSG_BAD_LEVEL})
    text = (comment or "").strip()
    if not text:
        raise ValidationFailed(MSG_COMMENT_REQUIRED, fields={"comment": MSG_COMMENT_REQUIRED})
    addressing = Addressing()
    with transaction.atomic():
        demand = (
            Demand.objects.select_for_update(of=("self",))
            .filter(visibility_filter(actor), pk=demand_id)
            .first()
        )
        if demand is None:
            raise NotFound(MSG_DEMAND_NOT_FOUND)
        if not can_issue(actor):
            raise PermissionDenied(MSG_MAY_NOT_ISSUE)
        if version is not None and version != demand.version:
            raise Conflict(str(MSG_STALE).format(given=version, current=demand.version))
        if demand.status not in OPEN_STATUSES:
            raise TransitionNotAllowed(MSG_DEMAND_CLOSED)
        kind = deadline_kind(demand) or ""
        unit_id = addressing.unit_id_of(demand, kind)
        notice = SupervisionNotice.objects.create(
            demand=demand,
            kind=kind,
            due_at=demand.next_due_at if kind else None,
            level=level,
            raised_at=at,
            raised_by=actor,
            comment=text,
            unit_id=unit_id,
        )
        addressees = addressing.people(kind=kind, unit_id=unit_id, level=level)
        notice.addressed_to.set(addressees)
        # The supervisor who issued it is not told of their own notice.
        notices_notify([notice], {notice.pk: [uid for uid in addressees if uid != actor.pk]})
        versioned_save(
            demand,
            subject_type="demand",
            action=NOTICE_ACTION,
            actor=actor,
            at=at,
            from_state=demand.status,
            to_state=demand.status,
            reason=text,
            payload=notice_payload(notice),
        )
    return notice


def notice_acknowledge(
    *, actor: User, notice_id: int, at: datetime | None = None
) -> SupervisionNotice:
    """The responsible unit (or, for triage, an officer) confirms it has seen the notice."""
    at = at or timezone.now()
    with transaction.atomic():
        notice = (
            SupervisionNotice.objects.select_for_update(of=("self",))
            .select_related("unit", "demand")
            .filter(notice_visibility(actor), pk=notice_id)
            .first()
        )
        if notice is None:
            raise NotFound(MSG_NOTICE_NOT_FOUND)
        if notice.acknowledged_at is not None:
            raise Conflict(MSG_ALREADY_ACKNOWLEDGED)
        if not can_acknowledge(actor, notice):
            raise PermissionDenied(MSG_MAY_NOT_ACKNOWLEDGE)
        notice.acknowledged_at = at
        notice.acknowledged_by = actor
        notice.save(update_fields=["acknowledged_at", "acknowledged_by"])
        event_record(
            subject_type=NOTICE_SUBJECT,
            subject_id=notice.pk,
            action=ACKNOWLEDGE_ACTION,
            actor=actor,
            at=at,
            payload={"demand": notice.demand_id, "level": notice.level},
        )
    return notice
