"""Unit assessment on four axes (quantity, efficiency, quality, satisfaction): pure functions.

An assessment scheme is a set of indicators. Each indicator measures one thing of a unit in
the period (a volume, a rate, a time — :data:`MEASURES`, each on its axis), says whether
higher or lower is better, how it is brought to a score out of 100 (its normalisation), and
its weight:

- ``rate``: the measure is already a percentage; higher is better → the rate, lower is
  better → 100 − the rate;
- ``best``: a share of the best unit of the period; higher is better → 100 · v / max,
  lower is better → 100 · min / v (0 counts as the best);
- ``range``: the place between the period's worst and best unit; higher is better →
  100 · (v − min) / (max − min), lower → 100 · (max − v) / (max − min); all equal → 100.

"The period's units" are the units with demands in the period (as lead unit or co-unit) and
a value for the measure. A unit's axis score is the weighted mean of the scores of its
indicators on that axis it has; its composite the weighted mean of all of them — so the
composite is also the axes' scores weighted by the sum of their indicators' weights. An
indicator a unit has no value for (nothing was due) is left out and the others carry its
weight. A unit with no demand in the period has no score and no rank.

The zone configures its schemes in the admin (``AssessmentScheme``); a published period
keeps the scheme it was computed with. Two ship: the practice's four axes (the default) and
the 12345 hotlines' "three rates" (response 10, resolution 45, satisfaction 45).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class Axis(models.TextChoices):
    QUANTITY = "quantity", _("Quantity")
    EFFICIENCY = "efficiency", _("Efficiency")
    QUALITY = "quality", _("Quality")
    SATISFACTION = "satisfaction", _("Satisfaction")


class Direction(models.TextChoices):
    HIGHER = "higher", _("Higher is better")
    LOWER = "lower", _("Lower is better")


class Normalisation(models.TextChoices):
    RATE = "rate", _("Rate (the percentage itself)")
    BEST = "best", _("Share of the period's best unit")
    RANGE = "range", _("Place between the period's worst and best unit")


@dataclass(frozen=True)
class Measure:
    name: str
    axis: str
    direction: str
    normalisation: str
    label: Any
    definition: Any


A, D, N = Axis, Direction, Normalisation

#: What an indicator can measure, with its axis and its natural direction and normalisation.
MEASURES: dict[str, Measure] = {
    m.name: m
    for m in (
        Measure(
            "handled",
            A.QUANTITY,
            D.HIGHER,
            N.BEST,
            _("Demands handled"),
            _(
                "Demands of the period the unit handled as lead unit (returned ones included) and "
                "as co-unit, each counted with its urgency's weight (normal 1, urgent {urgent}, "
                "very urgent {critical}); a co-unit's part counts {co} of a lead unit's."
            ),
        ),
        Measure(
            "response",
            A.EFFICIENCY,
            D.HIGHER,
            N.RATE,
            _("Response rate"),
            _("Of the demands whose first contact was due, the share contacted on time."),
        ),
        Measure(
            "on_time",
            A.EFFICIENCY,
            D.HIGHER,
            N.RATE,
            _("On-time resolution rate"),
            _("Of the demands whose reply was due, the share replied to on time (approved extensions included)."),
        ),
        Measure(
            "reply_hours",
            A.EFFICIENCY,
            D.LOWER,
            N.RANGE,
            _("Average working hours to reply"),
            _("The mean working hours from dispatch (or the current round's start) to the reply."),
        ),
        Measure(
            "response_hours",
            A.EFFICIENCY,
            D.LOWER,
            N.RANGE,
            _("Average working hours to first contact"),
            _("The mean working hours from dispatch (or the current round's start) to the first contact."),
        ),
        Measure(
            "resolution",
            A.QUALITY,
            D.HIGHER,
            N.RATE,
            _("Resolution rate"),
            _("Of the demands the enterprise confirmed, the share it confirmed as resolved."),
        ),
        Measure(
            "reopen",
            A.QUALITY,
            D.LOWER,
            N.RATE,
            _("Reopen rate"),
            _("Of the demands the unit replied to, the share reopened for another round."),
        ),
        Measure(
            "return",
            A.QUALITY,
            D.LOWER,
            N.RATE,
            _("Approved-return rate"),
            _("Of the unit's lead demands, the share it returned and that went to another lead unit."),
        ),
        Measure(
            "difficult",
            A.QUALITY,
            D.LOWER,
            N.RATE,
            _("Difficult-case rate"),
            _("Of the demands the unit leads, the share escalated to difficult-case handling."),
        ),
        Measure(
            "satisfaction",
            A.SATISFACTION,
            D.HIGHER,
            N.RATE,
            _("Satisfaction rate"),
            _("Of the rated demands: satisfied counts 1, basically satisfied {basic}, unsatisfied 0."),
        ),
    )
}


#: Measures computed from the lead-unit counts alone (the rest need the assignments or the
#: working hours too).
LEAD_COUNT_MEASURES = frozenset({"response", "on_time", "resolution", "satisfaction", "reopen", "difficult"})


@dataclass(frozen=True)
class Indicator:
    measure: str
    weight: float
    direction: str = ""
    normalisation: str = ""

    def __post_init__(self):
        m = MEASURES[self.measure]
        if not self.direction:
            object.__setattr__(self, "direction", m.direction)
        if not self.normalisation:
            object.__setattr__(self, "normalisation", m.normalisation)

    @property
    def axis(self) -> str:
        return MEASURES[self.measure].axis


@dataclass(frozen=True)
class Scheme:
    """An indicator set as a computation uses it (and a publication keeps it)."""

    name: str
    version: int
    indicators: tuple[Indicator, ...]
    urgent_weight: float = 1.5
    critical_weight: float = 2.0
    co_unit_weight: float = 0.5
    #: How many units the red list (best) and the black list (worst) of a period name.
    list_size: int = 3
    id: int | None = None

    @property
    def weights(self) -> dict[str, float]:
        return {i.measure: i.weight for i in self.indicators}

    @property
    def needs_all_figures(self) -> bool:
        """Whether the composite needs more than the lead-unit counts."""
        return any(i.measure not in LEAD_COUNT_MEASURES for i in self.indicators)

    @property
    def axis_weights(self) -> dict[str, float]:
        result = {axis.value: 0.0 for axis in Axis}
        for i in self.indicators:
            result[i.axis] += i.weight
        return result

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["indicators"] = [asdict(i) for i in self.indicators]
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Scheme:
        values = dict(data)
        values["indicators"] = tuple(Indicator(**i) for i in data.get("indicators", ()))
        return cls(**values)

    @classmethod
    def from_weights(cls, weights: Mapping[str, float]) -> Scheme:
        """A publication made before the schemes: its rate weights, each rate on its axis."""
        return cls(
            name="three rates",
            version=0,
            indicators=tuple(Indicator(name, float(w), D.HIGHER, N.RATE) for name, w in weights.items()),
        )


#: The practice's four axes (all four count), the default.
PRACTICE = Scheme(
    name="Four axes",
    version=1,
    indicators=(
        Indicator("handled", 20),
        Indicator("response", 10),
        Indicator("on_time", 15),
        Indicator("reply_hours", 5),
        Indicator("resolution", 15),
        Indicator("reopen", 5),
        Indicator("return", 3),
        Indicator("difficult", 2),
        Indicator("satisfaction", 25),
    ),
)
#: The 12345 hotlines' three rates.
THREE_RATES = Scheme(
    name="Three rates",
    version=1,
    indicators=(Indicator("response", 10), Indicator("resolution", 45), Indicator("satisfaction", 45)),
)


# --- a unit's measures ---------------------------------------------------------------------


def handled(counts: Mapping[str, int], scheme: Scheme) -> float:
    """Lead and co-unit demands weighted by urgency, a co-unit's part by ``co_unit_weight``."""

    def weighted(role: str) -> float:
        total = counts.get(role, 0)
        urgent = counts.get(f"{role}_urgent", 0)
        critical = counts.get(f"{role}_critical", 0)
        return total + (scheme.urgent_weight - 1) * urgent + (scheme.critical_weight - 1) * critical

    return weighted("lead") + scheme.co_unit_weight * weighted("co")


def measure_value(
    measure: str,
    *,
    counts: Mapping[str, int],
    rates: Mapping[str, float | None],
    hours: Mapping[str, float | None],
    scheme: Scheme,
) -> float | None:
    if measure == "handled":
        return handled(counts, scheme)
    if measure == "reply_hours":
        return hours.get("reply_hours_mean")
    if measure == "response_hours":
        return hours.get("response_hours_mean")
    return rates.get(measure)


def normalise(value: float | None, peers: Sequence[float], *, direction: str, normalisation: str) -> float | None:
    """A unit's value as a score out of 100 among ``peers`` (every value of the period)."""
    if value is None:
        return None
    if normalisation == N.RATE:
        score = value if direction == D.HIGHER else 100.0 - value
    elif normalisation == N.BEST:
        if direction == D.HIGHER:
            best = max(peers)
            score = 100.0 * value / best if best > 0 else 100.0
        else:
            best = min(peers)
            score = 100.0 * best / value if value > 0 else 100.0
    else:
        low, high = min(peers), max(peers)
        if high == low:
            score = 100.0
        elif direction == D.HIGHER:
            score = 100.0 * (value - low) / (high - low)
        else:
            score = 100.0 * (high - value) / (high - low)
    return min(100.0, max(0.0, score))


def weighted_mean(scores: Iterable[tuple[float | None, float]]) -> float | None:
    num = den = 0.0
    for score, weight in scores:
        if score is None or weight <= 0:
            continue
        num += weight * score
        den += weight
    return num / den if den else None


@dataclass
class Assessment:
    """One unit's indicator scores, axis scores and composite (unrounded)."""

    values: dict[str, float | None] = field(default_factory=dict)
    scores: dict[str, float | None] = field(default_factory=dict)
    axes: dict[str, float | None] = field(default_factory=dict)
    composite: float | None = None


def assess(
    units: Mapping[Any, tuple[Mapping[str, int], Mapping[str, float | None], Mapping[str, float | None]]],
    scheme: Scheme,
) -> dict[Any, Assessment]:
    """Every unit's assessment: ``units`` maps a key to its (counts, rates, hours)."""
    active = {
        key
        for key, (counts, _r, _h) in units.items()
        if counts.get("lead", 0) + counts.get("co", 0) + counts.get("led", 0) > 0
    }
    values: dict[Any, dict[str, float | None]] = {
        key: {
            i.measure: (
                measure_value(i.measure, counts=counts, rates=rates, hours=hours, scheme=scheme)
                if key in active
                else None
            )
            for i in scheme.indicators
        }
        for key, (counts, rates, hours) in units.items()
    }
    peers = {
        i.measure: [v[i.measure] for v in values.values() if v[i.measure] is not None] for i in scheme.indicators
    }
    result: dict[Any, Assessment] = {}
    for key, own in values.items():
        scores = {
            i.measure: normalise(
                own[i.measure], peers[i.measure], direction=i.direction, normalisation=i.normalisation
            )
            for i in scheme.indicators
        }
        axes = {
            axis.value: weighted_mean((scores[i.measure], i.weight) for i in scheme.indicators if i.axis == axis)
            for axis in Axis
        }
        composite = weighted_mean((scores[i.measure], i.weight) for i in scheme.indicators)
        result[key] = Assessment(values=own, scores=scores, axes=axes, composite=composite)
    return result


RED, BLACK = "red", "black"


def honour_lists(ranks: Mapping[Any, int | None], size: int) -> dict[Any, str]:
    """The red list (红榜: the best places) and the black list (黑榜: the worst places) of a
    ranking: ``size`` places each, but never more than half the ranked units, so that no
    list names everyone. Units sharing the last place a list reaches are all on it; a unit on
    the red list is never on the black list."""
    ranked = sorted((r, key) for key, r in ranks.items() if r is not None)
    size = min(size, len(ranked) // 2)
    if size <= 0:
        return {}
    result = {key: RED for r, key in ranked if r <= ranked[size - 1][0]}
    worst_first = sorted(ranked, reverse=True)
    threshold = worst_first[size - 1][0]
    for r, key in worst_first:
        if r >= threshold:
            result.setdefault(key, BLACK)
    return result
