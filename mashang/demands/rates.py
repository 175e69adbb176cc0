"""The three rates of a group of demands — first contact on time, resolved on time, satisfied —
with the counts behind them and the conditions that define them, for the dashboard and the
unit scorecards alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Count, F, Q

from mashang.demands.deadlines import UNIT_STATUSES
from mashang.demands.models import Rating


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


def rate_counts(now: datetime) -> dict[str, Count]:
    """The aggregates behind :class:`Rates`, as ``Count`` with the conditions above."""
    return {
        "filed": Count("pk"),
        **{name: Count("pk", filter=q) for name, q in rate_conditions(now).items()},
    }


def rates_of(row: dict) -> Rates:
    return Rates(**{name: row.get(name) or 0 for name in Rates.__dataclass_fields__})
