"""Reads for the workbench queues, beside ``selectors.py``: hints a queue row shows.

Each takes the demands of one page and answers in one query, through the actor's visibility.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from mashang.audit.models import Event
from mashang.demands.models import Assignment, Demand
from mashang.demands.similarity import Similar, similar_demands_batch
from mashang.org.models import User

DUPLICATE_WINDOW = timedelta(days=30)


def demand_possible_duplicates(
    *, actor: User, demands: Sequence[Demand], window: timedelta = DUPLICATE_WINDOW
) -> dict[int, list[Similar]]:
    """For each demand, the demands of the same enterprise saying much the same (open ones, or
    others filed within ``window`` of it), the most similar first: likely duplicates to merge,
    classified or not (``demands.similarity``; one query and one vectorizer for the page)."""
    return similar_demands_batch(
        actor=actor, demands=demands, window=window, limit=3, same_enterprise_only=True
    )


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
