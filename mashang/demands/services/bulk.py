"""Several demands moved at once: the service team dispatches a batch from its queue.

Each demand goes through its own move (:func:`demand_dispatch`), in its own transaction and
with its own event: one refused (a stale version, no default lead unit) leaves the others
dispatched. The version each demand was read at makes a repeated request harmless: the
second time a demand already dispatched answers 409, reported as already done.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from django.utils import timezone

from mashang.core.bulk import BulkResult, ItemResult, Outcome
from mashang.core.errors import ApplicationError, Conflict
from mashang.demands.models import Demand, Status
from mashang.demands.permissions import visibility_filter
from mashang.demands.services.lifecycle import demand_dispatch
from mashang.org.models import User

#: How many demands one bulk request may move.
BULK_MAX = 100


def _unique(items: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Each demand once, with the first version given for it."""
    seen: dict[int, int] = {}
    for demand_id, version in items:
        seen.setdefault(int(demand_id), int(version))
    return list(seen.items())


def demands_dispatch_bulk(
    *,
    actor: User,
    items: Sequence[tuple[int, int]],
    lead_unit: str = "",
    co_units: Sequence[str] = (),
    note: str = "",
    at: datetime | None = None,
) -> BulkResult:
    """Dispatch each ``(demand_id, version)`` to ``lead_unit`` (empty: each demand's category
    default lead unit) with ``co_units``; the result says, demand by demand, what came of it."""
    at = at or timezone.now()
    wanted = _unique(items)[:BULK_MAX]
    numbers = dict(
        Demand.objects.filter(visibility_filter(actor), pk__in=[pk for pk, _v in wanted]).values_list(
            "pk", "number"
        )
    )
    result = BulkResult()
    for demand_id, version in wanted:
        label = numbers.get(demand_id, f"#{demand_id}")
        try:
            demand_dispatch(
                actor=actor,
                demand_id=demand_id,
                version=version,
                lead_unit=lead_unit,
                co_units=co_units,
                note=note,
                at=at,
            )
        except Conflict as exc:
            result.add(_conflict(actor, demand_id, version, label, exc))
        except ApplicationError as exc:
            result.add(
                ItemResult(demand_id, label, Outcome.FAILED, exc.message, exc.status_code)
            )
        else:
            result.add(ItemResult(demand_id, label, Outcome.DONE))
    return result


def _conflict(
    actor: User, demand_id: int, version: int, label: str, exc: Conflict
) -> ItemResult:
    """A stale version on a demand dispatched since it was read is a repeated request: already done."""
    now = (
        Demand.objects.filter(visibility_filter(actor), pk=demand_id)
        .values("status", "version")
        .first()
    )
    if now and now["status"] == Status.DISPATCHED and now["version"] > version:
        return ItemResult(demand_id, label, Outcome.ALREADY)
    return ItemResult(demand_id, label, Outcome.FAILED, exc.message, exc.status_code)
