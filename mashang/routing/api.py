"""Smart dispatch over the API: what the triage panel shows for a demand — the routing rule
that decides it and the classifiers' top three categories and lead units — for a hotline or an
intake system that triages in its own screens."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Router, Schema

from mashang.core.errors import NotFound, PermissionDenied
from mashang.demands.models import Demand
from mashang.demands.permissions import visibility_filter
from mashang.org.models import Category, Unit, User
from mashang.routing.models import Target

router = Router(tags=["routing"])

R = User.Role
#: Who may read suggestions: the service team and those who oversee it.
READERS = frozenset({R.OFFICER, R.SUPERVISOR, R.LEADER, R.ADMIN})
MSG_READERS = _("Only the service team, supervisors, leaders and administrators read suggestions.")
MSG_NOT_FOUND = _("No such demand.")


class SuggestedChoice(Schema):
    code: str
    name: str
    confidence: float
    words: list[str]


class SuggestedTarget(Schema):
    classifier_version: int
    macro_f1: float | None
    choices: list[SuggestedChoice]


class DecidingRule(Schema):
    id: int
    name: str
    lead_unit: str
    co_units: list[str]
    urgency: str


class SuggestionsOut(Schema):
    demand_id: int
    rule: DecidingRule | None
    category: SuggestedTarget | None
    lead_unit: SuggestedTarget | None


@router.get("/demands/{demand_id}/suggestions", response=SuggestionsOut)
def demand_suggestions(request: HttpRequest, demand_id: int):
    """The rule that decides the demand's lead unit (it wins over a suggestion), and the top
    three categories and lead units the classifiers in use suggest, each with its confidence
    (0–1) and the words that drove it. ``null`` where no rule matches or no classifier is in
    use. Reading them records nothing."""
    from mashang.routing.suggest import rule_deciding, suggestions_compute

    actor = request.user
    if actor.role not in READERS:
        raise PermissionDenied(MSG_READERS)
    demand = (
        Demand.objects.select_related("enterprise", "category")
        .filter(visibility_filter(actor), pk=demand_id)
        .first()
    )
    if demand is None:
        raise NotFound(MSG_NOT_FOUND)
    suggested = suggestions_compute(demand)
    rule = rule_deciding(demand, suggested)
    out = {"demand_id": demand.pk, "rule": None, "category": None, "lead_unit": None}
    if rule is not None:
        out["rule"] = {
            "id": rule.pk, "name": rule.name, "lead_unit": rule.lead_unit.code,
            "co_units": list(rule.co_units or ()), "urgency": rule.urgency,
        }
    for target, model in ((Target.CATEGORY, Category), (Target.LEAD_UNIT, Unit)):
        s = suggested.get(target)
        if s is None:
            continue
        names = dict(model.objects.filter(code__in=[c.label for c in s.choices]).values_list("code", "name"))
        out[target] = {
            "classifier_version": s.classifier.version,
            "macro_f1": s.classifier.macro_f1,
            "choices": [
                {"code": c.label, "name": names.get(c.label, c.label), "confidence": round(c.confidence, 4), "words": c.words}
                for c in s.choices
            ],
        }
    return out
