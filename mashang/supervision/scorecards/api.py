"""The scorecard endpoints: the ranking as JSON, its Excel export, and publishing."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Query, Router, Schema
from ninja import Status as Respond
from pydantic import ConfigDict, Field

from mashang.core.bounds import date_problem
from mashang.core.errors import ValidationFailed
from mashang.core.files import export_response
from mashang.demands.selectors.dashboard import MAX_PERIOD_MONTHS
from mashang.supervision.scorecards import definitions as defs
from mashang.supervision.scorecards import formulas as sc
from mashang.supervision.scorecards import selectors as sel
from mashang.supervision.scorecards.definitions import AXIS_LABELS
from mashang.supervision.scorecards.export import export_filename, scorecard_workbook
from mashang.supervision.scorecards.services import scorecard_publish

router = Router(tags=["scorecards"])

MSG_PERIOD_ORDER = _("The end of the period must be after its start.")
MSG_PERIOD_LONG = _("Choose a period of at most %(months)d months.")


class PeriodQuery(Schema):
    """``from`` and ``to`` are local dates; ``to`` is the first day AFTER the period.

    Without them: the last complete month.
    """

    model_config = ConfigDict(populate_by_name=True)

    from_: date | None = Field(default=None, alias="from")
    to: date | None = None


def period_of(start: date | None, end: date | None, *, today: date | None = None) -> sc.Period:
    """The period asked for (default: last month), checked."""
    today = today or timezone.localdate()
    if start is None and end is None:
        return sc.month_of(sc.add_months(today, -1))
    if start is None or end is None:
        field = "from" if start is None else "to"
        raise ValidationFailed(str(MSG_PERIOD_ORDER), fields={field: str(_("This field is required."))})
    for field, day in (("from", start), ("to", end)):
        problem = date_problem(day)
        if problem:
            raise ValidationFailed(problem, fields={field: problem})
    if end <= start:
        raise ValidationFailed(str(MSG_PERIOD_ORDER), fields={"to": str(MSG_PERIOD_ORDER)})
    if sc.add_months(start.replace(day=1), MAX_PERIOD_MONTHS) < end.replace(day=1):
        message = str(MSG_PERIOD_LONG) % {"months": MAX_PERIOD_MONTHS}
        raise ValidationFailed(message, fields={"from": message})
    return sc.Period(start, end)


class Notices(Schema):
    reminder: int
    yellow: int
    red: int


class Axes(Schema):
    quantity: float | None
    efficiency: float | None
    quality: float | None
    satisfaction: float | None


class ScorecardEntry(Schema):
    unit: str
    unit_name: str
    lead: int
    co: int
    led: int
    response_rate: float | None
    on_time_rate: float | None
    resolution_rate: float | None
    satisfaction_rate: float | None
    reopen_rate: float | None
    return_rate: float | None
    difficult_rate: float | None
    axes: Axes = Field(description="The four axes' scores out of 100 (two decimals).")
    scores: dict[str, float | None] = Field(description="Each indicator's score out of 100, by measure.")
    composite: float | None
    standing: str = Field(description='"red" on the red list (best places), "black" on the black list, else "".')
    rank: int | None
    previous_rank: int | None
    rank_change: int | None
    composite_change: float | None
    response_hours_median: float | None
    response_hours_p90: float | None
    reply_hours_median: float | None
    reply_hours_p90: float | None
    response_hours_mean: float | None
    reply_hours_mean: float | None
    notices: Notices
    counts: dict[str, int]
    published: bool
    published_at: datetime | None


def entry(u: sc.UnitScore, card: sel.Scorecard) -> dict[str, Any]:
    """One unit's figures in the API's shape (rates in %, one decimal; hours one decimal)."""
    pub = card.publication
    return {
        "unit": u.code,
        "unit_name": u.name,
        "lead": u.counts.get("lead", 0),
        "co": u.counts.get("co", 0),
        "led": u.counts.get("led", 0),
        **{f"{name}_rate": sc.rounded(u.rates.get(name), 1) for name, *_ in sc.RATES},
        "axes": {axis: sc.rounded(u.axes.get(axis), sc.COMPOSITE_DECIMALS) for axis in AXIS_LABELS},
        "scores": {name: sc.rounded(value, sc.COMPOSITE_DECIMALS) for name, value in u.scores.items()},
        "composite": u.composite,
        "standing": u.standing,
        "rank": u.rank,
        "previous_rank": u.previous_rank,
        "rank_change": u.rank_change,
        "composite_change": u.composite_change,
        **{name: sc.rounded(u.hours.get(name), 1) for name, *_ in sc.HOURS},
        "notices": {level: u.notices.get(level, 0) for level in sel.NOTICE_LEVELS},
        "counts": {key: u.counts.get(key, 0) for key in sc.COUNTS},
        "published": pub is not None,
        "published_at": timezone.localtime(pub.published_at) if pub else None,
    }


@router.get("/scorecards", response=list[ScorecardEntry])
def scorecard_index(request: HttpRequest, q: Query[PeriodQuery]):
    """Every unit's scorecard for the period `[from, to)` (dates; `to` excluded), best rank first.

    Published periods answer with the published figures (`published: true`). A unit's staff
    get their own row only until the period is published.
    """
    card = sel.scorecard_get(actor=request.user, period=period_of(q.from_, q.to))
    return [entry(u, card) for u in card.units]


class IndicatorOut(Schema):
    measure: str
    label: str
    axis: str
    axis_label: str
    direction: str
    normalisation: str
    weight: float
    definition: str


class SchemeOut(Schema):
    name: str
    version: int
    published: bool
    urgent_weight: float
    critical_weight: float
    co_unit_weight: float
    list_size: int
    axis_weights: dict[str, float]
    indicators: list[IndicatorOut]


@router.get("/scorecards/scheme", response=SchemeOut)
def scorecard_scheme(request: HttpRequest, q: Query[PeriodQuery]):
    """The assessment scheme of the period: the one it was published with, else the one in use."""
    card = sel.scorecard_get(actor=request.user, period=period_of(q.from_, q.to))
    scheme = card.scheme
    return {
        "name": scheme.name,
        "version": scheme.version,
        "published": card.published,
        "urgent_weight": scheme.urgent_weight,
        "critical_weight": scheme.critical_weight,
        "co_unit_weight": scheme.co_unit_weight,
        "list_size": scheme.list_size,
        "axis_weights": scheme.axis_weights,
        "indicators": defs.indicator_rows(scheme, basic_weight=card.basic_weight),
    }


@router.get("/scorecards/export", response={200: None})
def scorecard_export(request: HttpRequest, q: Query[PeriodQuery]):
    """The scorecard as an Excel workbook for printing: ranking, volumes, timeliness, definitions."""
    period = period_of(q.from_, q.to)
    card = sel.scorecard_get(actor=request.user, period=period)
    content = scorecard_workbook(card)
    return export_response(content, filename=export_filename(period))


class PublishIn(Schema):
    model_config = ConfigDict(populate_by_name=True)

    from_: date = Field(alias="from")
    to: date


class PublicationOut(Schema):
    id: int
    period_from: date
    period_to: date
    version: int
    published_at: datetime
    units: int


@router.post("/scorecards/publish", response={201: PublicationOut})
def scorecard_publish_endpoint(request: HttpRequest, payload: PublishIn):
    """Freeze the period's figures as published (supervisors). Publishing again adds a version."""
    period = period_of(payload.from_, payload.to)
    pub = scorecard_publish(actor=request.user, period_from=period.start, period_to=period.end)
    return Respond(
        201,
        {
            "id": pub.pk,
            "period_from": pub.period_from,
            "period_to": pub.period_to,
            "version": pub.version,
            "published_at": timezone.localtime(pub.published_at),
            "units": pub.rows.count(),
        },
    )
