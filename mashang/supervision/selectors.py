"""Reads of supervision notices, always through the actor's visibility (API, pages, CLI agree)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from mashang.core.errors import NotFound
from mashang.demands.models import Demand
from mashang.org.models import User
from mashang.supervision.models import SupervisionNotice
from mashang.supervision.permissions import can_acknowledge, can_view_notices, notice_visibility

MSG_NOTICE_NOT_FOUND = _("No such supervision notice.")


@dataclass(frozen=True)
class NoticeFilters:
    unit: str | None = None  # the responsible unit's code
    level: str | None = None
    acknowledged: bool | None = None
    demand_id: int | None = None


def notice_list(
    *, actor: User, filters: NoticeFilters | None = None
) -> QuerySet[SupervisionNotice]:
    """Notices the actor may see, newest first, with their demand, unit and people."""
    f = filters or NoticeFilters()
    qs = SupervisionNotice.objects.filter(notice_visibility(actor))
    if f.unit:
        qs = qs.filter(unit__code=f.unit)
    if f.level:
        qs = qs.filter(level=f.level)
    if f.acknowledged is True:
        qs = qs.filter(acknowledged_at__isnull=False)
    elif f.acknowledged is False:
        qs = qs.filter(acknowledged_at__isnull=True)
    if f.demand_id is not None:
        qs = qs.filter(demand_id=f.demand_id)
    return (
        qs.select_related("demand", "demand__lead_unit", "unit", "raised_by", "acknowledged_by")
        .prefetch_related("addressed_to")
        .order_by("-raised_at", "-id")
    )


def notice_get(*, actor: User, notice_id: int) -> SupervisionNotice:
    """One notice the actor may see; NotFound otherwise."""
    notice = notice_list(actor=actor).filter(pk=notice_id).first()
    if notice is None:
        raise NotFound(MSG_NOTICE_NOT_FOUND)
    return notice


def with_permissions(actor: User, notices) -> list[SupervisionNotice]:
    """The notices with ``can_acknowledge`` set for ``actor`` (for the pages and the API)."""
    rows = list(notices)
    for n in rows:
        n.can_acknowledge = can_acknowledge(actor, n)
    return rows


def notices_for_demand(*, actor: User, demand: Demand) -> list[SupervisionNotice]:
    """The notices of one demand the actor may see, newest first, each with ``can_acknowledge``.

    For the demand page (``{% include "supervision/_notices.html" %}``): empty for the
    enterprise, which does not see supervision.
    """
    if not can_view_notices(actor):
        return []
    return with_permissions(
        actor, notice_list(actor=actor, filters=NoticeFilters(demand_id=demand.pk))
    )
