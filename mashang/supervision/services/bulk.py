"""Notices issued and acknowledged several at once, each in its own transaction.

A supervisor issues a notice to several overdue demands from the watch list; a unit
acknowledges several of its notices from its list. Each item goes through the one-item
service (:func:`notice_issue`, :func:`notice_acknowledge`): one refused leaves the others
done, and the result says what came of each. A repeated request is harmless: a notice
already issued changed its demand's version (409), a notice already acknowledged says so
(409); both are reported as already done.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from django.utils import timezone

from mashang.audit.models import Event
from mashang.core.bulk import BulkResult, ItemResult, Outcome
from mashang.core.errors import ApplicationError, Conflict
from mashang.demands.models import Demand
from mashang.demands.permissions import visibility_filter
from mashang.org.models import User
from mashang.supervision.models import SupervisionNotice
from mashang.supervision.permissions import notice_visibility
from mashang.supervision.services.notices import (
    NOTICE_ACTION,
    notice_acknowledge,
    notice_issue,
)

#: How many items one bulk request may touch.
BULK_MAX = 100


def _unique(items: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    seen: dict[int, int] = {}
    for pk, version in items:
        seen.setdefault(int(pk), int(version))
    return list(seen.items())[:BULK_MAX]


def notices_issue_bulk(
    *,
    actor: User,
    items: Sequence[tuple[int, int]],
    level: str,
    comment: str,
    at: datetime | None = None,
) -> BulkResult:
    """A notice at ``level`` with ``comment`` on each ``(demand_id, version)``."""
    at = at or timezone.now()
    wanted = _unique(items)
    numbers = dict(
        Demand.objects.filter(visibility_filter(actor), pk__in=[pk for pk, _v in wanted]).values_list(
            "pk", "number"
        )
    )
    result = BulkResult()
    for demand_id, version in wanted:
        label = numbers.get(demand_id, f"#{demand_id}")
        try:
            notice_issue(
                actor=actor, demand_id=demand_id, version=version, level=level, comment=comment, at=at
            )
        except Conflict as exc:
            already = _noticed_since(actor, demand_id, version)
            result.add(
                ItemResult(demand_id, label, Outcome.ALREADY)
                if already
                else ItemResult(demand_id, label, Outcome.FAILED, exc.message, exc.status_code)
            )
        except ApplicationError as exc:
            result.add(ItemResult(demand_id, label, Outcome.FAILED, exc.message, exc.status_code))
        else:
            result.add(ItemResult(demand_id, label, Outcome.DONE))
    return result


def _noticed_since(actor: User, demand_id: int, version: int) -> bool:
    """The demand's move after ``version`` was a notice by ``actor``: the same request again."""
    last = (
        Event.objects.filter(subject_type="demand", subject_id=demand_id)
        .order_by("-id")
        .values("action", "actor_id")
        .first()
    )
    changed = Demand.objects.filter(pk=demand_id, version__gt=version).exists()
    return bool(changed and last and last["action"] == NOTICE_ACTION and last["actor_id"] == actor.pk)


def notices_acknowledge_bulk(
    *, actor: User, notice_ids: Sequence[int], at: datetime | None = None
) -> BulkResult:
    """Acknowledge each notice of ``notice_ids``; one of another unit is refused, alone."""
    at = at or timezone.now()
    wanted = list(dict.fromkeys(int(pk) for pk in notice_ids))[:BULK_MAX]
    labels = {
        n.pk: n.demand.number
        for n in SupervisionNotice.objects.filter(notice_visibility(actor), pk__in=wanted).select_related(
            "demand"
        )
    }
    result = BulkResult()
    for notice_id in wanted:
        label = labels.get(notice_id, f"#{notice_id}")
        try:
            notice_acknowledge(actor=actor, notice_id=notice_id, at=at)
        except Conflict:
            # The one conflict of an acknowledgement: acknowledged already.
            result.add(ItemResult(notice_id, label, Outcome.ALREADY))
        except ApplicationError as exc:
            result.add(ItemResult(notice_id, label, Outcome.FAILED, exc.message, exc.status_code))
        else:
            result.add(ItemResult(notice_id, label, Outcome.DONE))
    return result
