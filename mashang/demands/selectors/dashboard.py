"""The leaders' dashboard: volumes, on-time rates and satisfaction by unit, category and month.

Read-only, always through the actor's visibility. Each figure is one aggregate query
(``Count`` with a filter, grouped by unit, category or month in the zone's time zone);
nothing loops over demands in Python.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Count, F, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mashang.demands.deadlines import RUNNING_STATUSES, UNIT_STATUSES
from mashang.demands.models import OPEN_STATUSES, Demand, Kind, Status
from mashang.demands.permissions import visibility_filter
from mashang.demands.rates import Rates, rate_counts, rates_of
from mashang.org.models import Unit, User

#: The longest period the dashboard draws, in months.
MAX_PERIOD_MONTHS = 60


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

    # Enterprise demands only: the action items of review meetings are the zone's own work.
    base = Demand.objects.filter(visibility_filter(actor), kind=Kind.DEMAND).exclude(status=Status.MERGED)
    if period.unit is not None:
        base = base.filter(lead_unit=period.unit)
    filed = base.filter(submitted_at__gte=start, submitted_at__lt=end).order_by()
    counts = rate_counts(now)

    headline = rates_of(filed.aggregate(**counts))
    # A unit is overdue only on its own clocks, not on a returned demand awaiting re-dispatch.
    clocks = UNIT_STATUSES if period.unit is not None else RUNNING_STATUSES
    current = base.order_by().aggregate(
        open=Count("pk", filter=Q(status__in=OPEN_STATUSES)),
        overdue=Count("pk", filter=Q(status__in=clocks, next_due_at__lt=now)),
    )

    by_month = {
        _month_of(row["month"], tz): rates_of(row)
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
        UnitRates(code=row["lead_unit__code"], name=row["lead_unit__name"], rates=rates_of(row))
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
