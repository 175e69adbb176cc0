"""Scorecard formulas: pure functions of counts, schemes and periods — no database, no settings.

A unit's rates are fractions of counts the database gives (``selectors``); its axis scores
and composite come from the assessment scheme (:mod:`.assessment`); units are ranked by
the composite, ties sharing a rank. Rates are percentages (0–100) kept exact here and rounded only for display
(one decimal) and for ranking (the composite to two decimals, so units that show the same
score share the rank).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from mashang.supervision.scorecards.assessment import Scheme, assess, honour_lists

#: Decimals of the composite (and of the axis scores) used for ranking and display.
COMPOSITE_DECIMALS = 2


# --- rates ---------------------------------------------------------------------------------


def rate(part: float, whole: int) -> float | None:
    """``part`` over ``whole`` as a percentage; None when there is nothing to count."""
    return 100.0 * part / whole if whole else None


def satisfaction_rate(*, satisfied: int, basic: int, rated: int, basic_weight: float) -> float | None:
    return rate(satisfied + basic_weight * basic, rated)


def rounded(value: float | None, decimals: int) -> float | None:
    """Round half away from zero (as an office rounds by hand), None stays None."""
    if value is None:
        return None
    scale = 10**decimals
    return math.floor(abs(value) * scale + 0.5) / scale * (1 if value >= 0 else -1)


def rank(scores: Mapping[Any, float | None]) -> dict[Any, int | None]:
    """Competition ranking ("1224"): higher first, equal scores share a rank, None unranked."""
    present = sorted((s for s in scores.values() if s is not None), reverse=True)
    first: dict[float, int] = {}
    for position, score in enumerate(present, start=1):
        first.setdefault(score, position)
    return {key: (first[s] if s is not None else None) for key, s in scores.items()}


def rank_change(previous: int | None, current: int | None) -> int | None:
    """Places gained since the previous period (positive: moved up ▲); None without both."""
    if previous is None or current is None:
        return None
    return previous - current


def percentile(values: Sequence[float], q: float | None) -> float | None:
    """The q-quantile (0 ≤ q ≤ 1) of ``values`` by linear interpolation between closest ranks;
    with ``q`` None, their mean.

    The same definition as PostgreSQL's ``percentile_cont``: on sorted x₀…xₙ₋₁ the position
    is q·(n−1); between two values it interpolates. ``values`` need not be sorted.
    """
    if not values:
        return None
    if q is None:
        return math.fsum(values) / len(values)
    ordered = sorted(values)
    position = q * (len(ordered) - 1)
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    fraction = position - low
    return ordered[low] + (ordered[high] - ordered[low]) * fraction


# --- periods -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """Local dates ``[start, end)``: ``end`` is the first day after the period."""

    start: date
    end: date

    def __post_init__(self):
        if self.end <= self.start:
            raise ValueError("a period ends after it starts")

    @property
    def last_day(self) -> date:
        return self.end - timedelta(days=1)

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    @property
    def kind(self) -> str:
        """``month``, ``quarter``, ``year`` when the period is exactly one, else ``range``."""
        s = self.start
        if s.day != 1:
            return "range"
        for kind, months in (("month", 1), ("quarter", 3), ("year", 12)):
            if kind == "quarter" and (s.month - 1) % 3:
                continue
            if kind == "year" and s.month != 1:
                continue
            if add_months(s, months) == self.end:
                return kind
        return "range"

    def previous(self) -> Period:
        """The period of the same length just before: the previous month, quarter or year for
        those, else the same number of days."""
        months = {"month": 1, "quarter": 3, "year": 12}.get(self.kind)
        if months:
            return Period(add_months(self.start, -months), self.start)
        return Period(self.start - timedelta(days=self.days), self.start)


def add_months(d: date, months: int) -> date:
    """The first day of the month ``months`` after ``d``'s month."""
    index = d.year * 12 + d.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def month_of(d: date) -> Period:
    first = d.replace(day=1)
    return Period(first, add_months(first, 1))


def quarter_of(d: date) -> Period:
    first = date(d.year, (d.month - 1) // 3 * 3 + 1, 1)
    return Period(first, add_months(first, 3))


def year_of(d: date) -> Period:
    return Period(date(d.year, 1, 1), date(d.year + 1, 1, 1))


def trend_periods(period: Period, count: int) -> list[Period]:
    """``count`` consecutive periods of the same kind ending with ``period`` (oldest first)."""
    result = [period]
    while len(result) < count:
        result.append(result[-1].previous())
    return list(reversed(result))


# --- a unit's figures ----------------------------------------------------------------------

#: Integer counts behind the rates, as the database gives them (0 when absent).
COUNTS = (
    "lead",  # demands of the period on which the unit is (or was, until it returned them) lead
    "co",  # … co-unit
    "led",  # demands of the period the unit leads now: the population of the rates
    "first_contact_due",
    "first_contact_on_time",
    "resolution_due",
    "resolution_on_time",
    "confirmed",
    "resolved",
    "rated",
    "satisfied",
    "basic",
    "unsatisfied",
    "replied",
    "reopened",
    "returned",
    "lead_urgent",  # … of them urgent, and very urgent (the quantity axis weighs them)
    "lead_critical",
    "co_urgent",
    "co_critical",
    "escalated",  # led demands escalated to difficult-case handling at least once
)
#: The rates shown for a unit, in order; (name, numerator, denominator).
RATES = (
    ("response", "first_contact_on_time", "first_contact_due"),
    ("on_time", "resolution_on_time", "resolution_due"),
    ("resolution", "resolved", "confirmed"),
    ("satisfaction", None, "rated"),
    ("reopen", "reopened", "replied"),
    ("return", "returned", "lead"),
    ("difficult", "escalated", "led"),
)
#: Rates where lower is better (shown, not weighed).
LOWER_IS_BETTER = frozenset({"reopen", "return", "difficult"})
#: Working-hour figures: (name, samples, quantile — None for the mean).
HOURS = (
    ("response_hours_median", "response", 0.5),
    ("response_hours_p90", "response", 0.9),
    ("reply_hours_median", "reply", 0.5),
    ("reply_hours_p90", "reply", 0.9),
    ("response_hours_mean", "response", None),
    ("reply_hours_mean", "reply", None),
)


def rates_of(counts: Mapping[str, int], *, basic_weight: float) -> dict[str, float | None]:
    """Every rate of :data:`RATES` from a unit's counts."""
    result: dict[str, float | None] = {}
    for name, part, whole in RATES:
        if name == "satisfaction":
            result[name] = satisfaction_rate(
                satisfied=counts.get("satisfied", 0),
                basic=counts.get("basic", 0),
                rated=counts.get("rated", 0),
                basic_weight=basic_weight,
            )
        else:
            result[name] = rate(counts.get(part, 0), counts.get(whole, 0))
    return result


def hours_of(samples: Mapping[str, Sequence[float]]) -> dict[str, float | None]:
    """Median, 90th percentile and mean of the working-hour samples (``response``, ``reply``)."""
    return {name: percentile(samples.get(kind, ()), q) for name, kind, q in HOURS}


@dataclass
class UnitScore:
    """One unit's row of a scorecard. ``figures`` is what a publication freezes."""

    code: str
    name: str
    counts: dict[str, int] = field(default_factory=dict)
    rates: dict[str, float | None] = field(default_factory=dict)
    hours: dict[str, float | None] = field(default_factory=dict)
    notices: dict[str, int] = field(default_factory=dict)
    #: The assessment: each indicator's score, each axis's score (out of 100, unrounded).
    scores: dict[str, float | None] = field(default_factory=dict)
    axes: dict[str, float | None] = field(default_factory=dict)
    composite: float | None = None
    rank: int | None = None
    #: "red" (红榜) or "black" (黑榜) when the unit is on one of the period's lists.
    standing: str = ""
    previous_rank: int | None = None
    previous_composite: float | None = None

    @property
    def rank_change(self) -> int | None:
        return rank_change(self.previous_rank, self.rank)

    @property
    def composite_change(self) -> float | None:
        if self.composite is None or self.previous_composite is None:
            return None
        return rounded(self.composite - self.previous_composite, COMPOSITE_DECIMALS)

    def figures(self) -> dict[str, Any]:
        return {
            "counts": dict(self.counts),
            "rates": dict(self.rates),
            "hours": dict(self.hours),
            "notices": dict(self.notices),
            "scores": dict(self.scores),
            "axes": dict(self.axes),
            "composite": self.composite,
            "rank": self.rank,
            "standing": self.standing,
            "previous_rank": self.previous_rank,
            "previous_composite": self.previous_composite,
        }

    @classmethod
    def from_figures(cls, code: str, name: str, figures: Mapping[str, Any]) -> UnitScore:
        return cls(
            code=code,
            name=name,
            counts=dict(figures.get("counts", {})),
            rates=dict(figures.get("rates", {})),
            hours=dict(figures.get("hours", {})),
            notices=dict(figures.get("notices", {})),
            scores=dict(figures.get("scores", {})),
            axes=dict(figures.get("axes", {})),
            composite=figures.get("composite"),
            rank=figures.get("rank"),
            standing=figures.get("standing", ""),
            previous_rank=figures.get("previous_rank"),
            previous_composite=figures.get("previous_composite"),
        )


def score_units(
    units: Iterable[UnitScore],
    *,
    scheme: Scheme,
    basic_weight: float,
    samples: Mapping[str, Mapping[str, Sequence[float]]] | None = None,
    hours: Mapping[str, Mapping[str, float | None]] | None = None,
) -> list[UnitScore]:
    """Fill each unit's rates, hours and assessment from its counts, rank them, best first,
    and mark the period's red and black lists.

    The working hours come as ``samples`` (``response``/``reply`` lists per unit, reduced
    here) or already reduced to the figures of :data:`HOURS` (``hours``, from the database).
    """
    units = list(units)
    for u in units:
        u.rates = rates_of(u.counts, basic_weight=basic_weight)
        if hours is not None:
            given = hours.get(u.code, {})
            u.hours = {name: given.get(name) for name, *_ in HOURS}
        else:
            u.hours = hours_of((samples or {}).get(u.code, {}))
    results = assess({u.code: (u.counts, u.rates, u.hours) for u in units}, scheme)
    for u in units:
        result = results[u.code]
        u.scores = result.scores
        u.axes = result.axes
        u.composite = rounded(result.composite, COMPOSITE_DECIMALS)
    ranks = rank({u.code: u.composite for u in units})
    lists = honour_lists(ranks, scheme.list_size)
    for u in units:
        u.rank = ranks[u.code]
        u.standing = lists.get(u.code, "")
    units.sort(key=lambda u: (u.rank is None, u.rank or 0, u.name, u.code))
    return units


def differences(published: Sequence[UnitScore], current: Sequence[UnitScore]) -> list[dict[str, Any]]:
    """What changed between a published scorecard and a recomputation: one entry per figure."""
    now = {u.code: u for u in current}
    result: list[dict[str, Any]] = []

    def cmp(code, name, figure, old, new):
        if isinstance(old, float) or isinstance(new, float):
            same = old is not None and new is not None and abs(old - new) < 1e-9
            same = same or (old is None and new is None)
        else:
            same = old == new
        if not same:
            result.append({"unit": code, "unit_name": name, "figure": figure, "published": old, "now": new})

    for p in published:
        c = now.pop(p.code, None)
        if c is None:
            continue
        for key in COUNTS:
            cmp(p.code, p.name, key, p.counts.get(key, 0), c.counts.get(key, 0))
        for key, *_ in RATES:
            cmp(p.code, p.name, key, p.rates.get(key), c.rates.get(key))
        for key, *_ in HOURS:
            cmp(p.code, p.name, key, p.hours.get(key), c.hours.get(key))
        for key in p.axes:
            cmp(p.code, p.name, f"axis_{key}", p.axes.get(key), c.axes.get(key))
        cmp(p.code, p.name, "composite", p.composite, c.composite)
        cmp(p.code, p.name, "rank", p.rank, c.rank)
    return result
