"""Reads for the routing panel at triage: one entry point that gathers the matching rule, the
suggestions and the similar demands (each from its own module)."""

from __future__ import annotations

from typing import Any

from mashang.demands.models import Demand
from mashang.org.models import User


def triage_advice(*, demand: Demand, actor: User | None) -> dict[str, Any]:
    """What the panel shows: ``rule`` (the first active rule that matches, or None),
    ``suggestions`` (per target, the top three with confidence and words; empty without a
    classifier in use) and ``similar`` (similar demands the actor may see)."""
    from mashang.routing.similar import similar_demands
    from mashang.routing.suggest import rule_deciding, suggestions_compute, suggestions_show

    suggested = suggestions_compute(demand)  # once, for the rule's category and the panel
    rule = rule_deciding(demand, suggested)
    return {
        "rule": rule,
        "suggestions": suggestions_show(demand=demand, suggested=suggested, rule=rule),
        "similar": similar_demands(demand=demand, actor=actor) if actor is not None else [],
    }
