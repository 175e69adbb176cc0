"""Suggestions at triage: the classifiers' top three categories and lead units for a demand,
each with its confidence and the words that drove it, and what the triage form starts from
(a matching rule wins over a suggestion).

The first time a demand's suggestions are shown (or used for an automatic dispatch) they are
kept (:class:`~mashang.routing.models.Suggestion`), so the honesty page can count how often
officers accepted, changed or ignored them.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils import timezone

from mashang.demands.advice import Advice
from mashang.demands.models import Demand
from mashang.org.models import Category, Unit
from mashang.routing.models import Classifier, Suggestion, Target
from mashang.routing.rules import rule_matching
from mashang.routing.services.training import model_in_use

if TYPE_CHECKING:
    from mashang.routing.classifier import Choice

#: Suggestions shown per target.
TOP = 3
#: The triage form starts from a suggested category only this confident (a rule's outcome always).
PREFILL_CONFIDENCE = 0.5


@dataclass(frozen=True)
class Suggested:
    classifier: Classifier
    choices: list[Choice]


def suggestions_compute(demand: Demand) -> dict[str, Suggested]:
    """Each target's classifier in use and its top choices for ``demand`` (no classifier: no entry)."""
    result = {}
    for target in (Target.CATEGORY, Target.LEAD_UNIT):
        loaded = model_in_use(target)
        if loaded is None:
            continue
        row, model = loaded
        result[target] = Suggested(row, model.top(demand.title, demand.description, k=TOP))
    return result


def suggestion_keep(demand: Demand, suggested: dict[str, Suggested], *, automatic: bool = False, rule=None) -> None:
    """Keep what was suggested for ``demand`` the first time (later showings change nothing)."""
    at = timezone.now()
    for target, s in suggested.items():
        try:
            with transaction.atomic():
                Suggestion.objects.get_or_create(
                    demand=demand,
                    target=target,
                    defaults={
                        "classifier": s.classifier,
                        "choices": [
                            {"label": c.label, "confidence": round(c.confidence, 4), "words": c.words}
                            for c in s.choices
                        ],
                        "rule": rule,
                        "automatic": automatic,
                        "at": at,
                    },
                )
        except IntegrityError:  # shown at the same moment on another page
            pass


def _names(target: str, codes: list[str]) -> dict[str, str]:
    model = Category if target == Target.CATEGORY else Unit
    return dict(model.objects.filter(code__in=codes).values_list("code", "name"))


def suggestions_show(
    *, demand: Demand, suggested: dict[str, Suggested] | None = None, rule=None
) -> dict[str, dict]:
    """The panel's suggestions (``suggested`` and the deciding ``rule`` when the caller has
    them already): per target, the classifier's version and macro-F1 and the top choices with
    names, confidence in percent and words. Keeps them the first time."""
    if suggested is None:
        suggested = suggestions_compute(demand)
        rule = rule_deciding(demand, suggested)
    if not suggested:
        return {}
    suggestion_keep(demand, suggested, rule=rule)
    shown = {}
    for target, s in suggested.items():
        names = _names(target, [c.label for c in s.choices])
        shown[target] = {
            "classifier": s.classifier,
            "choices": [
                {
                    "code": c.label,
                    "name": names.get(c.label, c.label),
                    "percent": round(c.confidence * 100),
                    "words": c.words,
                }
                for c in s.choices
            ],
        }
    return shown


def with_category(demand: Demand, code: str) -> Demand:
    """A copy of ``demand`` as if classified ``code`` (for rules that ask the category)."""
    category = Category.objects.filter(code=code).first()
    if category is None:
        return demand
    hypothetical = copy.copy(demand)
    hypothetical.category = category
    return hypothetical


def _category_for_rules(demand: Demand, suggested: dict[str, Suggested]) -> str:
    """The category rules are judged with: the demand's own, else a confident suggestion's."""
    if demand.category_id:
        return demand.category.code
    if Target.CATEGORY in suggested:
        top = suggested[Target.CATEGORY].choices[0]
        if top.confidence >= PREFILL_CONFIDENCE:
            return top.label
    return ""


def rule_deciding(demand: Demand, suggested: dict[str, Suggested] | None = None):
    """The rule that decides ``demand``'s lead unit, judged as the triage form is: with the
    demand's category, or the suggested one when it has none yet."""
    if suggested is None:
        suggested = suggestions_compute(demand)
    category = _category_for_rules(demand, suggested)
    judged = with_category(demand, category) if category and not demand.category_id else demand
    return rule_matching(judged)


def triage_advice_for(demand: Demand) -> Advice | None:
    """What the triage form starts from: the suggested category when confident enough, and
    the lead unit, co-units and urgency of the first rule that matches (with that category),
    else the suggested lead unit when confident enough."""
    suggested = suggestions_compute(demand)
    category = _category_for_rules(demand, suggested)
    rule = rule_deciding(demand, suggested)
    if rule is not None:
        return Advice(
            category=category, lead_unit=rule.lead_unit.code, co_units=tuple(rule.co_units or ()),
            urgency=rule.urgency,
        )
    lead = ""
    if Target.LEAD_UNIT in suggested:
        top = suggested[Target.LEAD_UNIT].choices[0]
        if top.confidence >= PREFILL_CONFIDENCE:
            lead = top.label
    if not category and not lead:
        return None
    return Advice(category=category, lead_unit=lead)


def suggestion_outcomes(classifier: Classifier) -> dict[str, int]:
    """How officers answered the suggestions of ``classifier`` shown to them (automatic ones
    left out): ``accepted`` (they chose the top suggestion), ``changed`` (another of the three),
    ``ignored`` (one not suggested), ``pending`` (not decided yet)."""
    if classifier.target == Target.CATEGORY:
        field, decided_at = "demand__category__code", "demand__triaged_at"
    else:
        field, decided_at = "demand__lead_unit__code", "demand__dispatched_at"
    counts = {"accepted": 0, "changed": 0, "ignored": 0, "pending": 0}
    rows = Suggestion.objects.filter(classifier=classifier, automatic=False)
    if classifier.target == Target.LEAD_UNIT:
        rows = rows.filter(rule__isnull=True)  # a rule decided the unit, not the suggestion
    rows = rows.values_list("choices", field, decided_at)
    for choices, final, decided in rows.iterator(chunk_size=2000):
        labels = [c["label"] for c in choices]
        if not final or decided is None:  # a category filed by the enterprise is not yet a decision
            counts["pending"] += 1
        elif labels and final == labels[0]:
            counts["accepted"] += 1
        elif final in labels:
            counts["changed"] += 1
        else:
            counts["ignored"] += 1
    return counts
