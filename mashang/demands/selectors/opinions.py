"""The co-units' opinions (协办意见) the lead unit reads before it replies."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from mashang.demands import disclosure
from mashang.demands.selectors import DemandDetail
from mashang.demands.transitions import Action

#: The moves that start a round of handling: the opinions given before them are of an earlier one.
ROUND_STARTS = frozenset({Action.DISPATCH, Action.REOPEN, Action.ASSIGN_CASE})


@dataclass(frozen=True)
class Opinion:
    unit_code: str
    unit: str
    by: str
    at: datetime
    text: str
    #: How many earlier opinions of the same unit in this round it supersedes.
    supersedes: int = 0


def demand_opinions(*, detail: DemandDetail) -> list[Opinion]:
    """The opinions of the current round, the latest of each co-unit, oldest first; only those
    whose text the reader of ``detail`` may read (``demands.disclosure``: not the enterprise).

    Reads nothing more: the detail's events and assignments are in hand.
    """
    start = max((i for i, e in enumerate(detail.events) if e.action in ROUND_STARTS), default=-1)
    names = {a.unit.code: a.unit.name for a in detail.assignments}
    latest: dict[str, Opinion] = {}
    for event in detail.events[start + 1 :]:
        if event.action != Action.OPINION or getattr(event, "withheld", False) or not event.reason:
            continue
        code = (event.payload or {}).get("unit", "")
        earlier = latest.pop(code, None)
        latest[code] = Opinion(
            unit_code=code,
            unit=names.get(code, code),
            by=str(event.actor) if event.actor else "",
            at=event.at,
            text=event.reason,
            supersedes=earlier.supersedes + 1 if earlier else 0,
        )
    return sorted(latest.values(), key=lambda o: o.at)


def opinions_readable(*, actor, detail: DemandDetail) -> bool:
    """Whether ``actor`` reads the co-units' opinions of this demand (the panel is theirs)."""
    standings = disclosure.standings_of(actor, detail.demand, detail.assignments)
    return disclosure.text_readable(Action.OPINION, standings)
