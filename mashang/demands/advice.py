"""What a higher app advises when a demand is triaged and dispatched, for the triage form to
start from. demands knows no routing: the routing app registers its advisor here in its
``AppConfig.ready`` (a matching rule first, else the classifier's confident suggestion)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from mashang.demands.models import Demand


@dataclass(frozen=True)
class Advice:
    category: str = ""  # category code
    lead_unit: str = ""  # unit code
    co_units: tuple[str, ...] = field(default_factory=tuple)
    urgency: str = ""


_advisors: list[Callable[[Demand], Advice | None]] = []


def advice_register(advisor: Callable[[Demand], Advice | None]) -> None:
    """Have the triage form start from ``advisor(demand)`` (registering again replaces it)."""
    _advisors[:] = [advisor]


def advice_for(demand: Demand) -> Advice | None:
    """The registered advisor's advice for ``demand``, or None."""
    return _advisors[0](demand) if _advisors else None

