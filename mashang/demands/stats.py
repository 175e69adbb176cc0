"""Figures for supervisors and leaders: the watch list and the dashboard, read in the database.

Read-only selectors, always through the actor's visibility. Each figure is one aggregate
query (``Count`` with a filter, grouped by unit, category or month in the zone's time zone);
nothing loops over demands in Python, and a list reads its rows with their enterprise,
category and lead unit in the same query.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.models import BigIntegerField, Case, Count, F, OuterRef, Q, QuerySet, Subquery, When
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mashang.audit.models import Event
from mashang.demands import deadlines
from mashang.demands.models import OPEN_STATUSES, Demand, Rating, Status
from mashang.demands.permissions import visibility_filter
from mashang.demands.transitions import Action
from mashang.org.models import Unit, User
from mashang.workcal.calendar import WorkCalendar
from mashang.workcal.selectors import calendar_get

R = User.Role

#: Statuses in which the service team's triage clock runs (``deadlines.next_due``).
TRIAGE_STATUSES = (Status.SUBMITTED, Status.TRIAGED, Status.RETURNED, Status.UNRESOLVED)
#: Statuses in which the lead unit's clocks run (waiting on the enterprise pauses them).
UNIT_STATUSES = (Status.DISPATCHED, Status.IN_PROGRESS, Status.DIFFICULT)
RUNNING_STATUSES = TRIAGE_STATUSES + UNIT_STATUSES

#: A deadline at most this many working hours away is "at risk".
AT_RISK_HOURS = 4
#: How many rows a list of the watch page shows at most (the counts cover every demand).
WATCH_LIMIT = 200
#: The longest period the dashboard draws, in months.
MAX_PERIOD_MONTHS = 60

#: The pseudo-unit of the watch filter and counts: demands whose triage clock runs.
SERVICE_TEAM = "team"


def basic_weight() -> float:
    """The weight of "basically satisfied" in the satisfaction rate (satisfied 1, unsatisfied 0).

    ``MASHANG_SATISFACTION_BASIC_WEIGHT``; the dashboard and the scorecards use the same.
    """
    text = settings.MASHANG_SATISFACTION_BASIC_WEIGHT
    try:
        value = float(text)
    except (TypeError, ValueError):
        value = -1.0
    if not 0 <= value <= 1:
        raise ImproperlyConfigured(
            f"MASHANG_SATISFACTION_BASIC_WEIGHT must be a number between 0 and 1; got {text!r}"
        )
    return value


def can_watch(actor: User) -> bool:
    """Supervisors, leaders and service officers see the overdue and at-risk lists."""
    return bool(actor.is_active and actor.role in (R.SUPERVISOR, R.LEADER, R.OFFICER))


def can_view_dashboard(actor: User) -> bool:
    """Leaders and supervisors see the dashboard."""
    return bool(actor.is_active and actor.role in (R.SUPERVISOR, R.LEADER))


class DeadlineKind(models.TextChoices):
    TRIAGE = "triage", _("Triage")
    FIRST_CONTACT = "first_contact", _("First contact")
    INTERIM_REPLY = "interim_reply", _("Interim reply")
    RESOLUTION = "resolution", _("Resolution")


def deadline_kind(demand: Demand) -> str | None:
    """Which deadline ``demand`` is held to now, the one :func:`deadlines.next_due` gives."""
    if demand.status in TRIAGE_STATUSES:
        return DeadlineKind.TRIAGE
    if demand.status not in UNIT_STATUSES:
        return None
    due = deadlines.next_due(demand)
    if demand.first_responded_at is None and due == demand.first_response_due_at:
        return DeadlineKind.FIRST_CONTACT
    if (
        demand.assessed_at is None
        and demand.replied_at is None
        and due == demand.interim_reply_due_at
    ):
        return DeadlineKind.INTERIM_REPLY
    return DeadlineKind.RESOLUTION


# --- the watch list ------------------------------------------------------------------------


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


# --- the dashboard -------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """From ``start`` to ``end`` (both included, local dates), optionally one lead unit."""

    start: date
    end: date
    unit: Unit | None = None


def period_default(*, today: date) -> tuple[date, date]:
    """The last 12 months: from the first day of the month eleven months back, to today."""
    months = today.year * 12 + today.month - 1 - 11
    return date(months // 12, months % 12 + 1, 1), today


def months_between(start: date, end: date) -> list[date]:
    """The first day of every month from ``start``'s to ``end``'s, both included."""
    first = start.year * 12 + start.month - 1
    last = end.year * 12 + end.month - 1
    return [date(m // 12, m % 12 + 1, 1) for m in range(first, last + 1)]


def _rate(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


@dataclass(frozen=True)
class Rates:
    """Counts behind the three rates of a group of demands, and the rates (None: nothing to rate)."""

    filed: int = 0
    first_contact_due: int = 0
    first_contact_on_time: int = 0
    resolution_due: int = 0
    resolution_on_time: int = 0
    rated: int = 0
    satisfied: int = 0
    basic: int = 0
    unsatisfied: int = 0

    @property
    def first_contact_rate(self) -> float | None:
        return _rate(self.first_contact_on_time, self.first_contact_due)

    @property
    def resolution_rate(self) -> float | None:
        return _rate(self.resolution_on_time, self.resolution_due)

    @property
    def satisfaction_rate(self) -> float | None:
        return _rate(self.satisfied + basic_weight() * self.basic, self.rated)

    def share(self, count: int) -> float | None:
        return _rate(count, self.rated)

    @property
    def satisfied_share(self) -> float | None:
        return self.share(self.satisfied)

    @property
    def basic_share(self) -> float | None:
        return self.share(self.basic)

    @property
    def unsatisfied_share(self) -> float | None:
        return self.share(self.unsatisfied)


def rate_conditions(now: datetime) -> dict[str, Q]:
    """The conditions on Demand behind :class:`Rates`, one per count (the scorecards use them too).

    First contact is due when the unit made it, or when its deadline passed while the unit's
    clock runs; it is on time when made no later than the deadline. Likewise the resolution
    (the lead unit's reply) against the resolution deadline. Only the current round counts.
    """
    running = Q(status__in=UNIT_STATUSES)
    return {
        "first_contact_due": Q(first_response_due_at__isnull=False)
        & (Q(first_responded_at__isnull=False) | (running & Q(first_response_due_at__lt=now))),
        "first_contact_on_time": Q(
            first_response_due_at__isnull=False,
            first_responded_at__lte=F("first_response_due_at"),
        ),
        "resolution_due": Q(resolution_due_at__isnull=False)
        & (Q(replied_at__isnull=False) | (running & Q(resolution_due_at__lt=now))),
        "resolution_on_time": Q(resolution_due_at__isnull=False, replied_at__lte=F("resolution_due_at")),
        "rated": ~Q(rating=""),
        "satisfied": Q(rating=Rating.SATISFIED),
        "basic": Q(rating=Rating.BASIC),
        "unsatisfied": Q(rating=Rating.UNSATISFIED),
    }


def _rate_counts(now: datetime) -> dict[str, Count]:
    """The aggregates behind :class:`Rates`, as ``Count`` with the conditions above."""
    return {
        "filed": Count("pk"),
        **{name: Count("pk", filter=q) for name, q in rate_conditions(now).items()},
    }


def _rates_of(row: dict) -> Rates:
    return Rates(**{name: row.get(name) or 0 for name in Rates.__dataclass_fields__})


@dataclass(frozen=True)
class UnitRates:
    code: str
    name: str
    rates: Rates


@dataclass(frozen=True)
class CategoryCount:
    code: str
    name: str
    count: int


@dataclass(frozen=True)
class MonthFigures:
    month: date
    closed: int
    rates: Rates


@dataclass
class Dashboard:
    period: Period
    now: datetime
    headline: Rates
    open_now: int
    overdue_now: int
    months: list[MonthFigures]
    units: list[UnitRates] = field(default_factory=list)
    categories: list[CategoryCount] = field(default_factory=list)

    @property
    def units_by_on_time(self) -> list[UnitRates]:
        """Units by resolution on-time rate, then first-contact rate, best first (no figure last)."""

        def key(u: UnitRates):
            res, first = u.rates.resolution_rate, u.rates.first_contact_rate
            return (res is None, -(res or 0), first is None, -(first or 0), u.name)

        return sorted(self.units, key=key)

    @property
    def units_rated(self) -> list[UnitRates]:
        """Units with rated demands, most satisfied first (then most fully satisfied)."""
        rated = [u for u in self.units if u.rates.rated]
        return sorted(
            rated,
            key=lambda u: (
                -(u.rates.satisfaction_rate or 0),
                -(u.rates.satisfied_share or 0),
                u.name,
            ),
        )


def dashboard_get(*, actor: User, period: Period, now: datetime | None = None) -> Dashboard:
    """Volumes, on-time rates and satisfaction of the demands filed in ``period``.

    A demand belongs to the month (in the zone's time zone) it was filed in, except for the
    "closed" volume, which counts closings in their month. Duplicates merged into another
    demand are left out. With a unit, only the demands it leads count. "Open now" and
    "overdue now" are of today, whatever the period.
    """
    now = now or timezone.now()
    tz = timezone.get_default_timezone()
    start = datetime.combine(period.start, time(), tzinfo=tz)
    end = datetime.combine(period.end + timedelta(days=1), time(), tzinfo=tz)

    base = Demand.objects.filter(visibility_filter(actor)).exclude(status=Status.MERGED)
    if period.unit is not None:
        base = base.filter(lead_unit=period.unit)
    filed = base.filter(submitted_at__gte=start, submitted_at__lt=end).order_by()
    counts = _rate_counts(now)

    headline = _rates_of(filed.aggregate(**counts))
    # A unit is overdue only on its own clocks, not on a returned demand awaiting re-dispatch.
    clocks = UNIT_STATUSES if period.unit is not None else RUNNING_STATUSES
    current = base.order_by().aggregate(
        open=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
        overdue=Count("pk", filter=Q(status__in=clocks, next_due_at__lt=now)),
    )

    by_month = {
        _month_of(row["month"], tz): _rates_of(row)
        for row in filed.annotate(month=TruncMonth("submitted_at", tzinfo=tz))
        .values("month")
        .annotate(**counts)
        .order_by("month")
    }
    closed = {
        _month_of(row["month"], tz): row["n"]
        for row in base.filter(status=Status.CLOSED, closed_at__gte=start, closed_at__lt=end)
        .annotate(month=TruncMonth("closed_at", tzinfo=tz))
        .values("month")
        .annotate(n=Count("pk"))
        .order_by("month")
    }
    months = [
        MonthFigures(month=m, closed=closed.get(m, 0), rates=by_month.get(m, Rates()))
        for m in months_between(period.start, period.end)
    ]

    units = [
        UnitRates(code=row["lead_unit__code"], name=row["lead_unit__name"], rates=_rates_of(row))
        for row in filed.filter(lead_unit__isnull=False)
        .values("lead_unit__code", "lead_unit__name")
        .annotate(**counts)
        .order_by("lead_unit__name")
    ]
    categories = [
        CategoryCount(
            code=row["category__code"] or "",
            name=row["category__name"] or str(_("Not classified yet")),
            count=row["n"],
        )
        for row in filed.values("category__code", "category__name")
        .annotate(n=Count("pk"))
        .order_by("-n", F("category__name").asc(nulls_last=True))
    ]
    return Dashboard(
        period=period,
        now=now,
        headline=headline,
        open_now=current["open"],
        overdue_now=current["overdue"],
        months=months,
        units=units,
        categories=categories,
    )


def _month_of(value: date | datetime, tz) -> date:
    """The month a truncated value stands for, as its first day (backends differ in the type)."""
    if isinstance(value, datetime):
        value = value.astimezone(tz) if timezone.is_aware(value) else value
        return value.date().replace(day=1)
    return value.replace(day=1)
