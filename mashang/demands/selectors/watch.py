"""The watch list of supervisors, leaders and the service team: overdue and at-risk demands
across units, their counts per unit, and the extension requests waiting for a decision.

Read-only, always through the actor's visibility; each figure is one aggregate query.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import BigIntegerField, Case, Count, F, OuterRef, Q, QuerySet, Subquery, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mashang.audit.models import Event
from mashang.demands.deadlines import (
    RUNNING_STATUSES,
    TRIAGE_STATUSES,
    UNIT_STATUSES,
    deadline_kind,
)
from mashang.demands.models import OPEN_STATUSES, Demand
from mashang.demands.permissions import visibility_filter
from mashang.demands.transitions import Action
from mashang.org.models import Unit, User
from mashang.workcal.calendar import WorkCalendar
from mashang.workcal.selectors import calendar_get

#: A deadline at most this many working hours away is "at risk".
AT_RISK_HOURS = 4
#: How many rows a list of the watch page shows at most (the counts cover every demand).
WATCH_LIMIT = 200
#: The pseudo-unit of the watch filter and counts: demands whose triage clock runs.
SERVICE_TEAM = "team"


@dataclass(frozen=True)
class WatchFilters:
    unit: str | None = None  # a unit's code (its lead demands), or SERVICE_TEAM (triage)
    category: str | None = None  # a category's code


@dataclass(frozen=True)
class WatchCount:
    """Overdue and at-risk demands held by one unit (``code`` SERVICE_TEAM: the service team)."""

    code: str
    name: str
    overdue: int
    at_risk: int


@dataclass
class Watch:
    now: datetime
    at_risk_until: datetime
    overdue: list[Demand]
    at_risk: list[Demand]
    overdue_total: int
    at_risk_total: int
    counts: list[WatchCount]
    extensions: list[Demand]
    limit: int = WATCH_LIMIT


def _holder() -> Case:
    """Who holds the running clock: the lead unit's id, or NULL for the service team (triage)."""
    return Case(
        When(status__in=UNIT_STATUSES, then=F("lead_unit_id")),
        default=None,
        output_field=BigIntegerField(),
    )


def _watch_filter(
    qs: QuerySet[Demand], filters: WatchFilters, *, with_unit: bool
) -> QuerySet[Demand]:
    if filters.category:
        qs = qs.filter(category__code=filters.category)
    if with_unit and filters.unit == SERVICE_TEAM:
        qs = qs.filter(status__in=TRIAGE_STATUSES)
    elif with_unit and filters.unit:
        qs = qs.filter(status__in=UNIT_STATUSES, lead_unit__code=filters.unit)
    return qs


def at_risk_until(cal: WorkCalendar, now: datetime) -> datetime:
    """The last instant a deadline may fall on and still be at most AT_RISK_HOURS working hours away."""
    return cal.add_working_hours(now, AT_RISK_HOURS)


def watch_get(
    *, actor: User, filters: WatchFilters | None = None, now: datetime | None = None
) -> Watch:
    """Overdue and at-risk open demands across units, their counts per unit, pending extensions.

    Overdue: the running deadline (``next_due_at``) has passed. At risk: it falls within the
    next AT_RISK_HOURS working hours on the zone's calendar. A demand waiting on the
    enterprise or awaiting confirmation has no running deadline and is in neither list.
    The counts follow the category filter but not the unit filter (they are the overview).
    """
    f = filters or WatchFilters()
    now = now or timezone.now()
    until = at_risk_until(calendar_get(), now)
    running = Demand.objects.filter(
        visibility_filter(actor),
        status__in=RUNNING_STATUSES,
        next_due_at__isnull=False,
        next_due_at__lte=until,
    )
    late = Q(next_due_at__lt=now)
    soon = Q(next_due_at__gte=now)

    rows = (
        _watch_filter(running, f, with_unit=False)
        .annotate(holder=_holder())
        .values("holder")
        .annotate(overdue=Count("pk", filter=late), at_risk=Count("pk", filter=soon))
        .order_by()
    )
    rows = list(rows)
    units = {
        pk: (code, name)
        for pk, code, name in Unit.objects.filter(
            pk__in=[r["holder"] for r in rows if r["holder"]]
        ).values_list("pk", "code", "name")
    }
    team = (SERVICE_TEAM, str(_("Service team (triage)")))
    counts = [
        WatchCount(
            code=units.get(r["holder"], team)[0],
            name=units.get(r["holder"], team)[1],
            overdue=r["overdue"],
            at_risk=r["at_risk"],
        )
        for r in rows
    ]
    counts.sort(key=lambda c: (-c.overdue, -c.at_risk, c.name))

    listed = _watch_filter(running, f, with_unit=True).select_related(
        "enterprise", "category", "lead_unit"
    )
    totals = listed.aggregate(overdue=Count("pk", filter=late), at_risk=Count("pk", filter=soon))
    overdue = list(listed.filter(late).order_by("next_due_at", "id")[:WATCH_LIMIT])
    at_risk = list(listed.filter(soon).order_by("next_due_at", "id")[:WATCH_LIMIT])
    for demand in (*overdue, *at_risk):
        demand.deadline_kind = deadline_kind(demand)

    extensions = _watch_filter(
        Demand.objects.filter(
            visibility_filter(actor),
            status__in=OPEN_STATUSES,
            extension_requested_days__isnull=False,
        ),
        f,
        with_unit=False,
    )
    if f.unit and f.unit != SERVICE_TEAM:
        extensions = extensions.filter(lead_unit__code=f.unit)
    requested = Event.objects.filter(
        subject_type="demand", subject_id=OuterRef("pk"), action=Action.EXTEND
    ).order_by("-id")
    extensions = list(
        extensions.annotate(extension_requested_at=Subquery(requested.values("at")[:1]))
        .select_related("enterprise", "lead_unit")
        .order_by("extension_requested_at", "id")[:WATCH_LIMIT]
    )
    return Watch(
        now=now,
        at_risk_until=until,
        overdue=overdue,
        at_risk=at_risk,
        overdue_total=totals["overdue"],
        at_risk_total=totals["at_risk"],
        counts=counts,
        extensions=extensions,
    )
