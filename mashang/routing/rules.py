"""Routing rules: matching a demand and replaying the rule set over past demands (the preview).

A rule's conditions and outcome are read into a :class:`RuleSpec` (plain values), from a saved
``Rule`` or from a form not yet saved, so that the same pure :func:`spec_matches` decides both
what the panel shows and what an edit would change.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import time
from typing import Any

from django.utils import timezone

from mashang.demands.models import Demand, Kind
from mashang.org.models import Unit
from mashang.routing.models import Rule

#: How many of the latest dispatched demands a preview replays unless told otherwise.
PREVIEW_LAST = 500


@dataclass(frozen=True)
class RuleSpec:
    """A rule as plain values: its conditions (an empty one matches anything), what it decides,
    and where it stands. ``position`` is the rule's rank in the set (1 is tried first); None
    keeps a saved rule where it is and puts a new one last."""

    name: str = ""
    is_active: bool = True
    position: int | None = None
    categories: tuple[str, ...] = ()
    words: tuple[str, ...] = ()
    industries: tuple[str, ...] = ()
    sub_districts: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    filed_from: time | None = None
    filed_until: time | None = None
    lead_unit: str = ""  # unit code
    co_units: tuple[str, ...] = ()
    urgency: str = ""
    basis: str = ""

    @classmethod
    def of(cls, rule: Rule, *, lead_code: str | None = None) -> RuleSpec:
        """The spec of a saved rule (``lead_code`` spares the query for its lead unit)."""
        return cls(
            name=rule.name,
            is_active=rule.is_active,
            position=rule.position,
            categories=tuple(rule.categories or ()),
            words=tuple(rule.words or ()),
            industries=tuple(rule.industries or ()),
            sub_districts=tuple(rule.sub_districts or ()),
            channels=tuple(rule.channels or ()),
            filed_from=rule.filed_from,
            filed_until=rule.filed_until,
            lead_unit=lead_code if lead_code is not None else rule.lead_unit.code,
            co_units=tuple(rule.co_units or ()),
            urgency=rule.urgency or "",
            basis=rule.basis or "",
        )

    @classmethod
    def build(cls, **values: Any) -> RuleSpec:
        """A spec from form data: lists become tuples, blanks are dropped, text is trimmed."""

        def clean(items: Iterable[str] | None) -> tuple[str, ...]:
            seen: dict[str, None] = {}
            for item in items or ():
                text = str(item).strip()
                if text:
                    seen.setdefault(text, None)
            return tuple(seen)

        lists = ("categories", "words", "industries", "sub_districts", "channels", "co_units")
        out: dict[str, Any] = {}
        for key, value in values.items():
            if key in lists:
                out[key] = clean(value)
            elif key in ("name", "lead_unit", "urgency", "basis"):
                out[key] = (value or "").strip()
            else:
                out[key] = value
        return cls(**out)

    @property
    def has_conditions(self) -> bool:
        return bool(
            self.categories
            or self.words
            or self.industries
            or self.sub_districts
            or self.channels
            or self.filed_from is not None
            or self.filed_until is not None
        )

    def snapshot(self) -> dict[str, Any]:
        """The spec as JSON (a revision's snapshot)."""
        return {
            "name": self.name,
            "is_active": self.is_active,
            "position": self.position,
            "categories": list(self.categories),
            "words": list(self.words),
            "industries": list(self.industries),
            "sub_districts": list(self.sub_districts),
            "channels": list(self.channels),
            "filed_from": self.filed_from.strftime("%H:%M") if self.filed_from else None,
            "filed_until": self.filed_until.strftime("%H:%M") if self.filed_until else None,
            "lead_unit": self.lead_unit,
            "co_units": list(self.co_units),
            "urgency": self.urgency,
            "basis": self.basis,
        }


def in_window(moment: time, start: time | None, until: time | None) -> bool:
    """Whether ``moment`` is in [start, until); a window whose start is later than its end
    crosses midnight (22:00–06:00 is the night)."""
    if start is None and until is None:
        return True
    if until is None:
        return moment >= start
    if start is None:
        return moment < until
    if start < until:
        return start <= moment < until
    return moment >= start or moment < until


def spec_matches(spec: RuleSpec, demand: Demand) -> bool:
    """Whether every non-empty condition of ``spec`` holds for ``demand`` (within a list, any
    value matches). Reads the demand's category and enterprise only when a condition asks."""
    if spec.categories:
        category = demand.category if demand.category_id else None
        if category is None or category.code not in spec.categories:
            return False
    if spec.channels and demand.channel not in spec.channels:
        return False
    if spec.industries or spec.sub_districts:
        enterprise = demand.enterprise if demand.enterprise_id else None
        if spec.industries and (enterprise is None or enterprise.industry not in spec.industries):
            return False
        if spec.sub_districts and (
            enterprise is None or enterprise.sub_district not in spec.sub_districts
        ):
            return False
    if spec.words:
        text = _text(demand)
        if not any(word.casefold() in text for word in spec.words):
            return False
    if spec.filed_from is not None or spec.filed_until is not None:
        if not in_window(_filed(demand), spec.filed_from, spec.filed_until):
            return False
    return True


def _text(demand: Demand) -> str:
    """The demand's title and description in one case, worked out once per demand object (a
    preview asks every rule of two rule sets about each demand)."""
    key = (demand.title, demand.description)
    cached = demand.__dict__.get("_routing_text")
    if cached is None or cached[0] != key:
        cached = (key, f"{demand.title}\n{demand.description}".casefold())
        demand.__dict__["_routing_text"] = cached
    return cached[1]


def _filed(demand: Demand) -> time:
    """The local time of day the demand was filed (once per demand object)."""
    cached = demand.__dict__.get("_routing_filed")
    if cached is None or cached[0] != demand.submitted_at:
        cached = (demand.submitted_at, timezone.localtime(demand.submitted_at).time())
        demand.__dict__["_routing_filed"] = cached
    return cached[1]


def _rules() -> list[Rule]:
    return list(Rule.objects.select_related("lead_unit").order_by("position", "id"))


def rule_matching(demand: Demand) -> Rule | None:
    """The first active rule (in order) whose conditions ``demand`` meets, or None; the rules
    are read in one query."""
    for rule in Rule.objects.filter(is_active=True).select_related("lead_unit").order_by(
        "position", "id"
    ):
        if spec_matches(RuleSpec.of(rule), demand):
            return rule
    return None


def decide(specs: Sequence[RuleSpec], demand: Demand) -> str:
    """The lead unit (code) the rule set ``specs`` gives ``demand``: the first active matching
    rule's, else the category's default lead unit ("" when there is none)."""
    for spec in specs:
        if spec.is_active and spec_matches(spec, demand):
            return spec.lead_unit
    category = demand.category if demand.category_id else None
    if category is not None and category.default_lead_unit_id:
        return category.default_lead_unit.code
    return ""


def rule_set_with(
    rules: Sequence[Rule], *, spec: RuleSpec, rule_id: int | None = None
) -> tuple[list[RuleSpec], list[RuleSpec]]:
    """The rule set as it is, and as it would be with ``spec`` saved (as rule ``rule_id``, or as a
    new rule): in order, ``spec`` at its ``position`` (1 first), else where the rule stood, else
    last."""
    before = [RuleSpec.of(r) for r in rules]
    others = [RuleSpec.of(r) for r in rules if r.pk != rule_id]
    index = len(others)
    if spec.position is not None:
        index = min(max(spec.position - 1, 0), len(others))
    elif rule_id is not None:
        ids = [r.pk for r in rules]
        if rule_id in ids:
            index = ids.index(rule_id)
    after = [*others[:index], spec, *others[index:]]
    return before, after


@dataclass(frozen=True)
class PreviewRow:
    demand_id: int
    number: str
    title: str
    before: str  # unit code ("" = no unit)
    after: str
    before_name: str
    after_name: str


@dataclass(frozen=True)
class Preview:
    count: int  # demands whose lead unit would change
    checked: int  # demands replayed
    rows: list[PreviewRow]


def rule_preview(*, spec: RuleSpec, rule_id: int | None = None, last: int = PREVIEW_LAST) -> Preview:
    """Replay the rule set with ``spec`` saved (a new rule, or rule ``rule_id`` changed, moved
    or switched off) over the ``last`` demands dispatched most recently, and list those whose
    lead unit would change: the set as it is gives one unit, the set after the edit another.

    The demands are taken by their current ``dispatched_at`` (a re-dispatch counts as the
    latest); both sides are decided by the rule sets, not by the unit the demand went to."""
    rules = _rules()
    before, after = rule_set_with(rules, spec=spec, rule_id=rule_id)
    demands = list(
        Demand.objects.filter(kind=Kind.DEMAND, dispatched_at__isnull=False)
        .select_related("category__default_lead_unit", "enterprise")
        .only(
            "id", "number", "title", "description", "channel", "submitted_at", "dispatched_at",
            "category__code", "category__default_lead_unit__code",
            "enterprise__industry", "enterprise__sub_district",
        )
        .order_by("-dispatched_at", "-id")[: max(last, 0)]
    )
    changed: list[tuple[Demand, str, str]] = []
    for demand in demands:
        was, will = decide(before, demand), decide(after, demand)
        if was != will:
            changed.append((demand, was, will))
    codes = {c for _d, was, will in changed for c in (was, will) if c}
    names = dict(Unit.objects.filter(code__in=codes).values_list("code", "name")) if codes else {}
    rows = [
        PreviewRow(
            demand_id=d.pk,
            number=d.number,
            title=d.title,
            before=was,
            after=will,
            before_name=names.get(was, was),
            after_name=names.get(will, will),
        )
        for d, was, will in changed
    ]
    return Preview(count=len(rows), checked=len(demands), rows=rows)
