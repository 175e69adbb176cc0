"""Reads of demands, always through the actor's visibility, so API, pages and CLI agree."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import F, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mashang.audit.models import Event
from mashang.audit.selectors import event_timeline
from mashang.core.errors import NotFound
from mashang.core.masking import phone_shown
from mashang.demands import disclosure
from mashang.demands.models import OPEN_STATUSES, Assignment, Attachment, Demand
from mashang.demands.permissions import (
    ZONE_WIDE_ROLES,
    parties_of,
    sees_contact_phone,
    visibility_filter,
)
from mashang.demands.transitions import allowed_actions
from mashang.org.models import Unit, User

MSG_NOT_FOUND = _("No such demand.")


@dataclass(frozen=True)
class DemandFilters:
    status: list[str] | None = None
    unit: str | None = None
    category: str | None = None
    enterprise: str | None = None
    overdue: bool | None = None
    open: bool | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None


def _unit_id(code: str) -> Subquery:
    # A subquery rather than a join on the code, so the planner can walk the queue index in order.
    return Subquery(Unit.objects.filter(code=code).values("id")[:1])


def _is_unit_queue(f: DemandFilters) -> bool:
    """Only a unit and open=True: the unit's queue, one range of the assignment index."""
    return bool(f.unit) and f.open is True and f == DemandFilters(unit=f.unit, open=True)


def demand_list(
    *, actor: User, filters: DemandFilters | None = None, now: datetime | None = None
) -> QuerySet[Demand]:
    """Demands the actor may see, nearest deadline first (those without one last)."""
    f = filters or DemandFilters()
    now = now or timezone.now()
    qs = Demand.objects.filter(visibility_filter(actor))
    order = [F("next_due_at").asc(nulls_last=True), "id"]
    if f.unit and f.open:
        # The unit's queue: the assignment rows carry the demand's deadline, so the page is
        # read in deadline order straight from the queue index.
        qs = qs.filter(
            assignments__unit_id=_unit_id(f.unit),
            assignments__is_current=True,
            assignments__is_open=True,
        )
        order = [F("assignments__due_at").asc(nulls_last=True), "id"]
    elif f.unit:
        qs = qs.filter(
            pk__in=Assignment.objects.filter(unit_id=_unit_id(f.unit)).values("demand_id")
        )
    if f.status:
        qs = qs.filter(status__in=f.status)
    if f.open is True:
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif f.open is False:
        qs = qs.exclude(status__in=OPEN_STATUSES)
    if f.category:
        qs = qs.filter(category__code=f.category)
    if f.enterprise:
        qs = qs.filter(enterprise__credit_code=f.enterprise)
    if f.overdue is True:
        qs = qs.filter(next_due_at__lt=now)
    elif f.overdue is False:
        qs = qs.exclude(next_due_at__lt=now)
    if f.created_from:
        qs = qs.filter(submitted_at__gte=f.created_from)
    if f.created_to:
        qs = qs.filter(submitted_at__lt=f.created_to)
    return qs.select_related("enterprise", "category", "lead_unit").order_by(*order)


def demand_count(
    *, actor: User, filters: DemandFilters | None = None, now: datetime | None = None
) -> int:
    """How many demands :func:`demand_list` gives; a unit's queue is counted on its index alone."""
    f = filters or DemandFilters()
    sees_whole_queue = actor.role in ZONE_WIDE_ROLES or (
        actor.is_unit_member and actor.unit_id is not None and actor.unit.code == f.unit
    )
    if _is_unit_queue(f) and sees_whole_queue and actor.is_active:
        # Assignment.is_open mirrors the demand's open status (kept by every transition).
        return Assignment.objects.filter(
            unit_id=_unit_id(f.unit), is_current=True, is_open=True
        ).count()
    return demand_list(actor=actor, filters=f, now=now).order_by().count()


@dataclass(frozen=True)
class DemandDetail:
    demand: Demand
    assignments: list[Assignment]
    #: The events the actor sees, those whose text they may not read without it
    #: (``demands.disclosure``): every page, answer and print of the demand shows these.
    events: list[Event]
    allowed_actions: list[str]
    #: The demand's fields that hold internal text the actor may not read (the assessment …).
    hidden_fields: frozenset[str] = frozenset()
    #: How the actor stands to the demand (``demands.disclosure.standings_of``).
    standings: frozenset[str] = frozenset()
    actor: Any = None

    def files(self) -> list[Attachment]:
        """The demand's files the actor may see (``demands.disclosure.file_readable``), in order."""
        rows = Attachment.objects.filter(demand=self.demand).select_related("unit", "uploaded_by").order_by("id")
        return [
            a for a in rows
            if self.actor is None or disclosure.file_readable(a, actor=self.actor, standings=self.standings)
        ]

    def readable(self, field: str) -> str:
        """The value of the demand's text ``field`` as the actor may read it (empty if internal)."""
        return "" if field in self.hidden_fields else getattr(self.demand, field)

    def contact_phone(self) -> str:
        """The contact phone as the actor may see it: in full for those who handle the demand
        (``permissions.sees_contact_phone``), masked for everyone else (personal data minimised)."""
        full = self.actor is None or sees_contact_phone(self.actor, self.demand, self.assignments)
        return phone_shown(self.demand.contact_phone, full=full)


def demand_detail_of(
    *,
    actor: User,
    demand: Demand,
    assignments: list[Assignment] | None = None,
    events: list[Event] | None = None,
) -> DemandDetail:
    """The detail of a demand already loaded (and known to be visible to ``actor``); the
    ``assignments`` and ``events`` are read unless the caller has them in hand."""
    if assignments is None:
        assignments = list(
            Assignment.objects.filter(demand=demand)
            .select_related("unit")
            .order_by("role", "unit__code")
        )
    parties = parties_of(actor, demand, assignments)
    actions = allowed_actions(status=demand.status, parties=parties, demand=demand)
    if events is None:
        events = list(event_timeline(subject_type="demand", subject_id=demand.pk))
    standings = disclosure.standings_of(actor, demand, assignments)
    return DemandDetail(
        demand=demand,
        assignments=assignments,
        events=disclosure.events_disclosed(events, actor=actor, standings=standings),
        allowed_actions=actions,
        hidden_fields=disclosure.fields_hidden(standings),
        standings=standings,
        actor=actor,
    )


def demand_get(*, actor: User, demand_id: int) -> DemandDetail:
    """One demand with its units, its timeline and what the actor may do next; 404 if not visible."""
    demand = (
        Demand.objects.filter(visibility_filter(actor), pk=demand_id)
        .select_related("enterprise", "category", "lead_unit", "coordinator", "signed_off_by")
        .first()
    )
    if demand is None:
        raise NotFound(MSG_NOT_FOUND)
    return demand_detail_of(actor=actor, demand=demand)
