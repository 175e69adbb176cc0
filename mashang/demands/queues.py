"""Reads for the workbench queues, beside ``selectors.py``: hints a queue row shows.

Each takes the demands of one page and answers in one query, through the actor's visibility.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from mashang.audit.models import Event
from mashang.demands.models import OPEN_STATUSES, Assignment, Demand
from mashang.demands.permissions import visibility_filter
from mashang.org.models import User

DUPLICATE_WINDOW = timedelta(days=30)


def demand_possible_duplicates(
    *, actor: User, demands: Sequence[Demand], window: timedelta = DUPLICATE_WINDOW
) -> dict[int, list[Demand]]:
    """For each demand, the other open demands of the same enterprise and category filed within
    ``window`` of it: likely duplicates to merge. Unclassified demands have no category to share."""
    if not demands:
        return {}
    earliest = min(d.submitted_at for d in demands) - window
    latest = max(d.submitted_at for d in demands) + window
    others = list(
        Demand.objects.filter(
            visibility_filter(actor),
            enterprise_id__in={d.enterprise_id for d in demands},
            status__in=OPEN_STATUSES,
            submitted_at__gte=earliest,
            submitted_at__lte=latest,
        )
        .only("id", "number", "title", "enterprise_id", "category_id", "submitted_at")
        .order_by("submitted_at")[:500]
    )
    result: dict[int, list[Demand]] = {}
    for d in demands:
        result[d.pk] = [
            o
            for o in others
            if o.pk != d.pk
            and o.enterprise_id == d.enterprise_id
            and d.category_id is not None
            and o.category_id == d.category_id
            and abs(o.submitted_at - d.submitted_at) <= window
        ]
    return result


def demand_return_reasons(*, demand_ids: Sequence[int]) -> dict[int, str]:
    """The reason of the latest return of each demand (for re-dispatching returned demands)."""
    reasons: dict[int, str] = {}
    events = Event.objects.filter(
        subject_type="demand", subject_id__in=list(demand_ids), action="return"
    ).order_by("id")
    for e in events.only("subject_id", "reason"):
        reasons[e.subject_id] = e.reason
    return reasons


def unit_roles(*, unit_id: int, demand_ids: Sequence[int]) -> dict[int, str]:
    """The unit's part (lead or co) in each demand."""
    rows = Assignment.objects.filter(unit_id=unit_id, demand_id__in=list(demand_ids))
    return dict(rows.values_list("demand_id", "role"))


def deadline_counts(qs: QuerySet[Demand], *, now: datetime | None = None) -> dict[str, int]:
    """How many demands of a list are overdue, due today, on time, or without a running clock."""
    now = now or timezone.now()
    local = timezone.localtime(now)
    end_of_today = local.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=1)
    return qs.order_by().aggregate(
        late=Count("id", filter=Q(next_due_at__lt=now)),
        due=Count("id", filter=Q(next_due_at__gte=now, next_due_at__lt=end_of_today)),
        ok=Count("id", filter=Q(next_due_at__gte=end_of_today)),
        none=Count("id", filter=Q(next_due_at__isnull=True)),
    )
