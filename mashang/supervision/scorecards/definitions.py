"""What each scorecard figure means and is called: the definitions and labels the page, the
API, the Excel export and a publication show.

The definitions are lazy translations; :func:`definitions` gives them in the active language
with the weights filled in, and :func:`with_language` in the site's language, as a
publication freezes them.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from mashang.supervision.scorecards.assessment import (
    BLACK,
    MEASURES,
    RED,
    Axis,
    Direction,
    Normalisation,
    Scheme,
)

DEFINITIONS: dict[str, Any] = {
    "period": _(
        "A demand counts in the period in which it was filed (the zone's time zone), whatever "
        "happened to it later; the period runs from its first day to its last day included. "
        "Duplicates merged into another demand are not counted. Figures that depend on "
        "deadlines are as of the moment they were computed (or published)."
    ),
    "lead": _(
        "Demands of the period on which the unit is the lead unit, or was until it returned "
        "them; “led now” counts those it still leads, on which every rate below is computed."
    ),
    "co": _("Demands of the period on which the unit is a co-unit."),
    "response": _(
        "Response rate: of the demands whose first contact was due — the lead unit contacted "
        "the enterprise, or the deadline passed without contact — the share contacted no later "
        "than the first-contact deadline (the dashboard's “first contact on time”)."
    ),
    "on_time": _(
        "On-time resolution rate: of the demands whose reply was due — the lead unit replied, or "
        "the resolution deadline passed without a reply — the share replied to no later than the "
        "resolution deadline, extensions approved by the supervisor included (the dashboard's "
        "“resolution on time”)."
    ),
    "resolution": _(
        "Resolution rate: of the demands whose enterprise has confirmed the latest reply, the "
        "share it confirmed as resolved."
    ),
    "satisfaction": _(
        "Satisfaction rate: of the rated demands, satisfied counts 1, basically satisfied "
        "counts {basic}, unsatisfied counts 0; the rate is their sum over the rated demands."
    ),
    "reopen": _(
        "Reopen rate (lower is better): of the demands the unit replied to at least once, the "
        "share reopened for another round (重办)."
    ),
    "return": _(
        "Approved-return rate (lower is better): of the unit's lead demands, the share it "
        "returned and the service team then dispatched to another lead unit. A return the team "
        "sent back to the same unit does not count."
    ),
    "hours": _(
        "Working hours to first contact and to reply: from the moment the demand was dispatched "
        "to the unit (for a reopened demand, the start of its current round) to the first "
        "contact, or to the reply, counted in office hours on working days of the zone's "
        "calendar, time waiting on the enterprise included. Median and 90th percentile "
        "(interpolated between the two nearest demands)."
    ),
    "notices": _(
        "Supervision notices raised in the period (reminder, yellow card, red card) for which "
        "the unit is the responsible unit."
    ),
    "difficult": _(
        "Difficult-case rate (lower is better): of the demands the unit leads now, the share "
        "escalated to difficult-case handling (难题专办) at least once."
    ),
    "axes": _(
        "Assessment on four axes — quantity, efficiency, quality, satisfaction — by the scheme "
        "{scheme}: each indicator is brought to a score out of 100 (a rate as it is, or 100 minus "
        "it when lower is better; a volume or a time against the period's best and worst units), "
        "an axis scores the weighted mean of its indicators, and the composite is the weighted "
        "mean of every indicator ({weights}). An indicator with nothing due for a unit is left out "
        "and the others carry its weight; a unit with no demand in the period has no score."
    ),
    "composite": _(
        "Composite score: two decimals; equal scores share a rank. Rank change: places gained (▲) "
        "or lost (▼) since the previous period of the same length (as published, when it was). "
        "The red list names the {size} best places, the black list the {size} worst."
    ),
}

RATE_LABELS = {
    "response": _("Response rate"),
    "on_time": _("On-time resolution rate"),
    "resolution": _("Resolution rate"),
    "satisfaction": _("Satisfaction rate"),
    "reopen": _("Reopen rate"),
    "return": _("Approved-return rate"),
    "difficult": _("Difficult-case rate"),
}
AXIS_LABELS = {axis.value: axis.label for axis in Axis}


#: What each figure of a unit is called where it is shown by name (the differences a
#: recomputation finds in a published scorecard).
FIGURE_LABELS = {
    "lead": _("Lead"),
    "co": _("Co-unit"),
    "led": _("Led now"),
    "first_contact_due": _("First contact due"),
    "first_contact_on_time": _("First contacts on time"),
    "resolution_due": _("Reply due"),
    "resolution_on_time": _("Replied on time"),
    "confirmed": _("Confirmed"),
    "resolved": _("Resolved"),
    "rated": _("Rated"),
    "satisfied": _("Satisfied"),
    "basic": _("Basically satisfied"),
    "unsatisfied": _("Unsatisfied"),
    "replied": _("Replied"),
    "reopened": _("Reopened"),
    "returned": _("Returned (approved)"),
    "lead_urgent": _("Lead, urgent"),
    "lead_critical": _("Lead, very urgent"),
    "co_urgent": _("Co-unit, urgent"),
    "co_critical": _("Co-unit, very urgent"),
    "escalated": _("Escalated to difficult case"),
    **RATE_LABELS,
    **{f"axis_{name}": label for name, label in AXIS_LABELS.items()},
    "response_hours_median": _("First contact, median (working hours)"),
    "response_hours_p90": _("First contact, 90th percentile (working hours)"),
    "reply_hours_median": _("Reply, median (working hours)"),
    "reply_hours_p90": _("Reply, 90th percentile (working hours)"),
    "response_hours_mean": _("First contact, mean (working hours)"),
    "reply_hours_mean": _("Reply, mean (working hours)"),
    "composite": _("Composite score"),
    "rank": _("Rank"),
}


STANDING_LABELS = {RED: _("Red list"), BLACK: _("Black list")}


def weights_text(scheme: Scheme) -> str:
    return " / ".join(f"{MEASURES[i.measure].label} {i.weight:g}" for i in scheme.indicators)


def scheme_title(scheme: Scheme) -> str:
    return f"{scheme.name} v{scheme.version}" if scheme.version else scheme.name


def indicator_rows(scheme: Scheme, *, basic_weight: float) -> list[dict[str, Any]]:
    """The scheme's indicators as the page and the workbook list them, by axis."""
    axis_order = list(AXIS_LABELS)
    rows = []
    for i in sorted(scheme.indicators, key=lambda i: axis_order.index(i.axis)):
        m = MEASURES[i.measure]
        rows.append(
            {
                "measure": i.measure,
                "label": str(m.label),
                "axis": i.axis,
                "axis_label": str(AXIS_LABELS[i.axis]),
                "direction": str(Direction(i.direction).label),
                "normalisation": str(Normalisation(i.normalisation).label),
                "weight": i.weight,
                "definition": str(m.definition)
                .replace("{urgent}", f"{scheme.urgent_weight:g}")
                .replace("{critical}", f"{scheme.critical_weight:g}")
                .replace("{co}", f"{scheme.co_unit_weight:g}")
                .replace("{basic}", f"{basic_weight:g}"),
            }
        )
    return rows


def definitions(*, scheme: Scheme, basic_weight: float) -> dict[str, Any]:
    """The definitions in the active language, with the scheme and its weights filled in."""
    result: dict[str, Any] = {}
    for name, text in DEFINITIONS.items():
        result[name] = (
            str(text)
            .replace("{basic}", f"{basic_weight:g}")
            .replace("{weights}", weights_text(scheme))
            .replace("{scheme}", scheme_title(scheme))
            .replace("{size}", str(scheme.list_size))
        )
    result["indicators"] = indicator_rows(scheme, basic_weight=basic_weight)
    return result


def with_language(func, *args, **kwargs):
    """Run ``func`` with the site's language (definitions frozen into a publication)."""
    with translation.override(settings.LANGUAGE_CODE):
        return func(*args, **kwargs)
