"""Similar demands on the routing panel: what ``demands.similarity`` finds, and whether the
officer may merge the demand into each with one click."""

from __future__ import annotations

from dataclasses import dataclass

from mashang.demands.models import Demand
from mashang.demands.permissions import parties_of
from mashang.demands.similarity import Similar
from mashang.demands.similarity import similar_demands as demands_similar
from mashang.demands.transitions import Action, allowed_actions
from mashang.org.models import User


@dataclass(frozen=True)
class SimilarRow:
    similar: Similar
    #: The one-click merge is offered: the actor may merge this demand, and into this one (open,
    #: of the same enterprise: another enterprise's demand is merged by number on purpose only).
    mergeable: bool


def similar_demands(*, demand: Demand, actor: User) -> list[SimilarRow]:
    """The demands similar to ``demand`` that ``actor`` sees, the most similar first."""
    found = demands_similar(actor=actor, demand=demand)
    # Merging is the service team's: no unit's assignment gives that part, so none is read.
    may_merge = Action.MERGE in allowed_actions(
        status=demand.status, parties=parties_of(actor, demand, []), demand=demand
    )
    return [
        SimilarRow(similar=s, mergeable=may_merge and s.is_open and s.same_enterprise)
        for s in found
    ]
