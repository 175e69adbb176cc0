"""Reads of commitments (documents promised in place of missing papers), by actor.

The list of commitments is the service team's, the supervisors' and the leaders' (all of
them) and a unit's (those of its own steps); a project's commitments and one commitment are
read through the run's visibility, so whoever follows the run sees what was promised on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mashang.core.errors import NotFound
from mashang.landstart.models import Commitment, CommitmentState, Run
from mashang.landstart.permissions import ZONE_WIDE_ROLES, visibility_filter
from mashang.org.models import User

MSG_NOT_FOUND = _("No such commitment.")
MSG_MAY_NOT_LIST = _("The list of commitments is for the service team, supervisors, leaders and units.")

#: The states in words (the model's own label “Open” reads as a button's in Chinese).


def state_label(value: str) -> str:
    return str(CommitmentState(value).label) if value in CommitmentState.values else value


ORDERS = {"due": ("due_at", "id"), "-due": ("-due_at", "-id")}


@dataclass(frozen=True)
class CommitmentFilters:
    open: bool | None = True  # True: open only; False: fulfilled or cancelled; None: all
    unit: str | None = None  # the code of the unit whose steps they are
    overdue: bool | None = None  # True: open and past due; False: not overdue
    project: int | None = None
    order: str = "due"  # "due" (soonest first) or "-due"


def can_list(actor: User) -> bool:
    """Who has the page of commitments: the zone-wide roles, and unit people (their own)."""
    return actor.is_active and (
        actor.role in ZONE_WIDE_ROLES or (actor.is_unit_member and actor.unit_id is not None)
    )


def _base() -> QuerySet[Commitment]:
    return Commitment.objects.select_related(
        "step", "step__unit", "step__run", "step__run__project", "made_by", "fulfilled_by"
    )


def commitment_list(
    *, actor: User, filters: CommitmentFilters | None = None, now: datetime | None = None
) -> QuerySet[Commitment]:
    """The commitments the actor's list shows, filtered, soonest due first."""
    f = filters or CommitmentFilters()
    now = now or timezone.now()
    if not actor.is_active:
        return Commitment.objects.none()
    qs = _base()
    if actor.role in ZONE_WIDE_ROLES:
        pass
    elif actor.is_unit_member and actor.unit_id:
        qs = qs.filter(step__unit_id=actor.unit_id)
    else:
        return Commitment.objects.none()
    if f.open is True:
        qs = qs.filter(state=CommitmentState.OPEN)
    elif f.open is False:
        qs = qs.exclude(state=CommitmentState.OPEN)
    if f.unit:
        qs = qs.filter(step__unit__code=f.unit)
    if f.project is not None:
        qs = qs.filter(step__run__project_id=f.project)
    overdue = Q(state=CommitmentState.OPEN, due_at__lte=now)
    if f.overdue is True:
        qs = qs.filter(overdue)
    elif f.overdue is False:
        qs = qs.exclude(overdue)
    return qs.order_by(*ORDERS.get(f.order, ORDERS["due"]))


def _seen(actor: User) -> Q:
    return Q(step__run__in=Run.objects.filter(visibility_filter(actor)))


def commitment_get(*, actor: User, commitment_id: int) -> Commitment:
    """One commitment on a run the actor may see (404 otherwise)."""
    commitment = _base().filter(_seen(actor), pk=commitment_id).first()
    if commitment is None:
        raise NotFound(MSG_NOT_FOUND)
    return commitment


def project_commitments(*, actor: User, project_id: int) -> list[Commitment]:
    """The project's open and fulfilled commitments on runs the actor may see: open ones
    first, soonest due first; then fulfilled ones, the latest first."""
    rows = list(
        _base()
        .filter(_seen(actor), step__run__project_id=project_id)
        .filter(state__in=[CommitmentState.OPEN, CommitmentState.FULFILLED])
        .order_by("due_at", "id")
    )
    open_ = [c for c in rows if c.state == CommitmentState.OPEN]
    done = sorted(
        (c for c in rows if c.state == CommitmentState.FULFILLED),
        key=lambda c: (c.fulfilled_at, c.pk),
        reverse=True,
    )
    return open_ + done


def run_open_commitments(run: Run) -> dict[int, list[Commitment]]:
    """The open commitments of a run's steps, by step id (one query; for the board)."""
    by_step: dict[int, list[Commitment]] = {}
    for c in Commitment.objects.filter(step__run=run, state=CommitmentState.OPEN).order_by("due_at", "id"):
        by_step.setdefault(c.step_id, []).append(c)
    return by_step


def is_overdue(commitment: Commitment, now: datetime) -> bool:
    return commitment.state == CommitmentState.OPEN and commitment.due_at <= now
