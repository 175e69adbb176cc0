"""Unit scorecards read from the database: counts per unit, working hours, published figures.

The period is a range of local dates ``[from, to)``; a demand belongs to the period in which
it was FILED (``submitted_at``, the zone's time zone) — the dashboard's rule, indexed, and
stable: a demand never moves to another period when it is returned, re-dispatched or
reopened. Merged duplicates are left out. Every count is one ``Count`` with a condition,
grouped by unit (lead-unit figures, assignments, notices); the working-hour quantiles come
from the times stored on each demand. What is computed from the demands is kept as a
snapshot (:mod:`.snapshot`) and read back while it is still exactly what a
computation would give.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from django.db import connection
from django.db.models import (
    Count,
    DateTimeField,
    Exists,
    F,
    Func,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.fields.json import KT
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mashang.audit.models import Event
from mashang.core.errors import NotFound, PermissionDenied
from mashang.demands import rates
from mashang.demands.deadlines import UNIT_STATUSES
from mashang.demands.models import Assignment, Demand, Status, Urgency
from mashang.demands.permissions import visibility_filter
from mashang.demands.transitions import Action
from mashang.org.models import Unit, User
from mashang.supervision.scorecards import formulas as sc
from mashang.supervision.scorecards.assessment import PRACTICE, Scheme
from mashang.supervision.scorecards.definitions import FIGURE_LABELS
from mashang.supervision.scorecards.models import AssessmentScheme, ScorecardPublication
from mashang.supervision.scorecards.period import (  # noqa: F401  (part of this module's interface)
    _analytic,
    _hour_quantiles_sql,
    _hour_samples,
    bounds,
    filed_in,
)
from mashang.supervision.scorecards.snapshot import DayCounts, days_of, scorecard_figures

R = User.Role

MSG_NO_ACCESS = _("Scorecards are for supervisors, leaders, the service team and the units.")
MSG_NO_UNIT = _("No such unit.")
MSG_UNKNOWN_FIGURE = _("No such figure.")

#: Roles that see every unit's scorecard, published or not.
ALL_UNITS_ROLES = frozenset({R.SUPERVISOR, R.LEADER, R.OFFICER, R.ADMIN})
#: Kinds of unit that handle demands and are scored.
SCORED_KINDS = (Unit.Kind.DEPARTMENT, Unit.Kind.PARTNER)
#: Notice levels, lowest first (the notice model's own choices when it is there).
NOTICE_LEVELS = ("reminder", "yellow", "red")
#: How many periods the trend charts show.
TREND_PERIODS = 6
#: What the trend charts draw per unit.
TREND_FIGURES = ("composite", "response", "resolution", "satisfaction")


def can_view(actor: User) -> bool:
    return bool(actor.is_active and (actor.role in ALL_UNITS_ROLES or (actor.is_unit_member and actor.unit_id)))


def can_view_all(actor: User) -> bool:
    return bool(actor.is_active and actor.role in ALL_UNITS_ROLES)


def can_publish(actor: User) -> bool:
    return bool(actor.is_active and actor.role == R.SUPERVISOR)


def scheme_in_use() -> Scheme:
    """The assessment scheme the zone uses now (set in the admin); the built-in four axes when
    none is marked in use."""
    scheme = AssessmentScheme.objects.filter(in_use=True).prefetch_related("indicators").first()
    if scheme is None or not scheme.indicators.all():
        return replace(PRACTICE, name=str(_("Four axes (built in)")))
    return scheme.as_scheme()


def scheme_of(publication: ScorecardPublication) -> Scheme:
    """The scheme a publication was computed with."""
    if publication.scheme_used:
        return Scheme.from_dict(publication.scheme_used)
    return Scheme.from_weights(publication.weights)


# --- the counts ----------------------------------------------------------------------------


def lead_conditions(now: datetime) -> dict[str, Q]:
    """The conditions on a unit's led demands behind each count (the dashboard's where shared)."""
    return {
        **rates.rate_conditions(now),
        "confirmed": Q(resolved__isnull=False),
        "resolved": Q(resolved=True),
        "replied": Q(replied_at__isnull=False) | Q(round__gt=1),
        "reopened": Q(round__gt=1),
        "escalated": Q(escalated_at__isnull=False),
    }


def _approved_return() -> Q:
    """On an assignment: the unit was lead, returned the demand, and it now has another lead."""
    # The unit's code as a subquery (run only for the rare candidates), not a join of every row.
    code = Unit.objects.filter(pk=OuterRef(OuterRef("unit_id"))).values("code")[:1]
    returned = Event.objects.filter(
        subject_type="demand", subject_id=OuterRef("demand_id"), action=Action.RETURN
    ).annotate(unit_code=KT("payload__unit")).filter(unit_code=Subquery(code))
    return (
        Q(role=Assignment.Role.LEAD, is_current=False, demand__lead_unit__isnull=False)
        & ~Q(demand__lead_unit_id=F("unit_id"))
        & Q(Exists(returned))
    )


def _lead_counts(period: sc.Period, now: datetime, *, day: Func | None = None) -> dict[Any, dict[str, Any]]:
    """Counts per lead unit id — or per (day number, unit id) with ``day``, an expression
    numbering the days (:func:`_day_number`) — with (``_lo``, ``_hi``) the least and greatest
    demand id among them, and (``_next_contact``, ``_next_reply``) the earliest deadline after
    ``now`` whose passing would change a count."""
    running = Q(status__in=UNIT_STATUSES)
    counts: dict[str, Any] = {"led": Count("pk")}
    counts.update({name: Count("pk", filter=q) for name, q in lead_conditions(now).items()})
    counts.update(
        _lo=Min(F("id") + 0),
        _hi=Max(F("id") + 0),
        _next_contact=Min(
            "first_response_due_at",
            filter=running & Q(first_responded_at__isnull=True, first_response_due_at__gte=now),
        ),
        _next_reply=Min(
            "resolution_due_at", filter=running & Q(replied_at__isnull=True, resolution_due_at__gte=now)
        ),
    )
    return _grouped(filed_in(period).filter(lead_unit__isnull=False), "lead_unit_id", day, counts)


def _grouped(qs: QuerySet, unit: str, day: Func | None, aggregates: dict[str, Any]) -> dict[Any, dict[str, Any]]:
    """``aggregates`` of ``qs`` per ``unit`` (a field), or per (day number, unit) with ``day``."""
    if day is None:
        return {row.pop(unit): row for row in qs.values(unit).annotate(**aggregates).order_by()}
    rows = qs.annotate(day=day).values("day", unit).annotate(**aggregates).order_by()
    return {(row.pop("day"), row.pop(unit)): row for row in rows}


class _WidthBucket(Func):
    function = "width_bucket"
    output_field = IntegerField()


def _day_number(field: str, span: sc.Period) -> Func:
    """PostgreSQL: which day of ``span`` (1, 2, …) the instant ``field`` falls on, found by a
    binary search among the days' first instants — no time-zone arithmetic per row."""
    from django.contrib.postgres.fields import ArrayField

    edges = [bounds(day)[0] for day in days_of(span)] + [bounds(span)[1]]
    return _WidthBucket(F(field), Value(edges, output_field=ArrayField(DateTimeField())))


def _id_range(lead: dict[Any, dict[str, Any]]) -> tuple[int, int] | None:
    """The ids of the period's dispatched demands lie in this range (every demand with an
    assignment has a lead unit, so the lead counts know them all)."""
    if not lead:
        return None
    return min(r["_lo"] for r in lead.values()), max(r["_hi"] for r in lead.values())


def _assignment_counts(
    period: sc.Period, id_range: tuple[int, int] | None, *, day: Func | None = None
) -> dict[Any, dict[str, int]]:
    """Lead and co volumes and approved returns per unit id (or per day number and unit id
    with ``day``, an expression numbering the days of the demands' filing).

    ``id_range`` (from :func:`_id_range`): the period's dispatched demands have ids in it — a
    redundant condition that lets the database read the assignments as one range of their
    (demand, unit) index instead of all of them; the join on the filing time keeps it exact.
    (The ids are read with ``id + 0``: otherwise PostgreSQL walks the primary key from one
    end for MIN/MAX.)
    """
    if id_range is None:
        return {}
    start, end = bounds(period)
    assigned = Assignment.objects.filter(
        demand_id__gte=id_range[0],
        demand_id__lte=id_range[1],
        demand__submitted_at__gte=start,
        demand__submitted_at__lt=end,
    ).exclude(demand__status=Status.MERGED)
    lead, co = Q(role=Assignment.Role.LEAD), Q(role=Assignment.Role.CO)
    urgent, critical = Q(demand__urgency=Urgency.URGENT), Q(demand__urgency=Urgency.CRITICAL)
    counts = {
        "lead": Count("pk", filter=lead),
        "co": Count("pk", filter=co),
        "lead_urgent": Count("pk", filter=lead & urgent),
        "lead_critical": Count("pk", filter=lead & critical),
        "co_urgent": Count("pk", filter=co & urgent),
        "co_critical": Count("pk", filter=co & critical),
    }
    result: dict[Any, dict[str, int]] = {
        key: {**row, "returned": 0} for key, row in _grouped(assigned, "unit_id", day, counts).items()
    }
    # The returns in a query of their own: the event lookup would keep the counts above from
    # being aggregated in parallel, and only the few assignments no longer current need it.
    returns = _grouped(assigned.filter(_approved_return()), "unit_id", day, {"n": Count("pk")})
    for key, row in returns.items():
        result.setdefault(key, {name: 0 for name in counts})["returned"] = row["n"]
    return result


def _notice_counts(period: sc.Period) -> dict[int, dict[str, int]]:
    """Notices by unit and level; none while the notice model is not there."""
    try:
        from mashang.supervision.models import SupervisionNotice
    except ImportError:
        return {}
    start, end = bounds(period)
    result: dict[int, dict[str, int]] = {}
    for unit_id, level, n in (
        SupervisionNotice.objects.filter(raised_at__gte=start, raised_at__lt=end, unit__isnull=False)
        .values_list("unit_id", "level")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        result.setdefault(unit_id, {})[level] = n
    return result


@dataclass
class Scorecard:
    period: sc.Period
    computed_at: datetime
    scheme: Scheme
    basic_weight: float
    units: list[sc.UnitScore]
    publication: ScorecardPublication | None = None
    differences: list[dict[str, Any]] = field(default_factory=list)
    own_unit: str | None = None  # set when the reader sees only their unit's row

    @property
    def published(self) -> bool:
        return self.publication is not None

    def unit(self, code: str) -> sc.UnitScore | None:
        return next((u for u in self.units if u.code == code), None)

    @property
    def weights(self) -> dict[str, float]:
        return self.scheme.weights

    def listed(self, standing: str) -> list[sc.UnitScore]:
        """The units of the red or the black list, in ranking order."""
        return [u for u in self.units if u.standing == standing]


def _units_scored(extra_ids) -> dict[int, tuple[str, str]]:
    qs = Unit.objects.filter(Q(is_active=True, kind__in=SCORED_KINDS) | Q(pk__in=list(extra_ids)))
    return {pk: (code, name) for pk, code, name in qs.values_list("pk", "code", "name")}


def _day_counts(span: sc.Period, now: datetime, *, full: bool) -> DayCounts:
    """The counts of each day of ``span`` per unit id (lead-unit counts only unless ``full``),
    and per day the earliest deadline after ``now`` that would change them.

    On PostgreSQL the days of the span in one pass, numbered by :func:`_day_number`; on
    SQLite a day at a time (each a range of the filing-time index, no round trip).
    """
    days = days_of(span)
    if connection.vendor == "postgresql":
        with _analytic():
            lead = _lead_counts(span, now, day=_day_number("submitted_at", span))
            assigned = (
                _assignment_counts(span, _id_range(lead), day=_day_number("demand__submitted_at", span))
                if full
                else {}
            )
        return _by_day(
            {(days[n - 1].start, pk): row for (n, pk), row in lead.items()},
            {(days[n - 1].start, pk): row for (n, pk), row in assigned.items()},
        )
    lead, assigned = {}, {}
    for day in days:
        lead.update({(day.start, pk): row for pk, row in _lead_counts(day, now).items()})
        if full:
            ids = _id_range({k: v for k, v in lead.items() if k[0] == day.start})
            assigned.update({(day.start, pk): row for pk, row in _assignment_counts(day, ids).items()})
    return _by_day(lead, assigned)


def _by_day(lead: dict[tuple[date, int], dict], assigned: dict[tuple[date, int], dict]) -> DayCounts:
    days: dict[date, dict[int, dict[str, int]]] = {}
    valid_until: dict[date, datetime | None] = {}
    for (day, pk), row in lead.items():
        days.setdefault(day, {})[pk] = {k: v for k, v in row.items() if not k.startswith("_")}
        upcoming = [t for t in (row["_next_contact"], row["_next_reply"], valid_until.get(day)) if t is not None]
        valid_until[day] = min(upcoming, default=None)
    for (day, pk), row in assigned.items():
        days.setdefault(day, {}).setdefault(pk, {}).update(row)
    return days, valid_until


def _hours(period: sc.Period) -> dict[int, dict[str, float | None]]:
    """The working-hour quantiles per lead unit id."""
    if connection.vendor == "postgresql":
        with _analytic():
            return _hour_quantiles_sql(period)
    return {pk: sc.hours_of(samples) for pk, samples in _hour_samples(period).items()}


def _score(period: sc.Period, now: datetime, *, full: bool, scheme: Scheme) -> list[sc.UnitScore]:
    """The units' scores; ``full=False`` (the trend, the previous period's ranks) reads only
    what the scheme's composite needs — the lead-unit counts, when they are enough."""
    notices = _notice_counts(period) if full else {}
    full = full or scheme.needs_all_figures
    figures = scorecard_figures(
        period,
        now,
        full=full,
        compute_counts=lambda span: _day_counts(span, now, full=full),
        compute_hours=lambda: _hours(period),
    )
    units = _units_scored(figures)
    scores = []
    hours: dict[str, dict] = {}
    for pk, (code, name) in units.items():
        counts = {key: 0 for key in sc.COUNTS}
        counts.update(figures.get(pk, {}).get("counts", {}))
        scores.append(
            sc.UnitScore(
                code=code,
                name=name,
                counts=counts,
                notices={level: notices.get(pk, {}).get(level, 0) for level in NOTICE_LEVELS},
            )
        )
        hours[code] = figures.get(pk, {}).get("hours", {})
    return sc.score_units(scores, scheme=scheme, basic_weight=rates.basic_weight(), hours=hours)


def publication_latest(period: sc.Period) -> ScorecardPublication | None:
    return (
        ScorecardPublication.objects.filter(period_from=period.start, period_to=period.end)
        .order_by("-version")
        .first()
    )


def _published_units(publication: ScorecardPublication) -> list[sc.UnitScore]:
    rows = publication.rows.order_by(F("rank").asc(nulls_last=True), "unit_name", "unit_code")
    return [sc.UnitScore.from_figures(r.unit_code, r.unit_name, r.figures) for r in rows]


def _previous_standing(
    period: sc.Period, now: datetime, scheme: Scheme
) -> dict[str, tuple[int | None, float | None]]:
    """Each unit's rank and composite in the previous period: as published, else computed."""
    previous = period.previous()
    published = publication_latest(previous)
    if published is not None:
        return {u.code: (u.rank, u.composite) for u in _published_units(published)}
    return {u.code: (u.rank, u.composite) for u in _score(previous, now, full=False, scheme=scheme)}


def scorecard_compute(
    *, period: sc.Period, now: datetime | None = None, scheme: Scheme | None = None
) -> Scorecard:
    """Every unit's figures for ``period``, computed now with ``scheme`` (default: the one in
    use) — no visibility: callers check it."""
    now = now or timezone.now()
    scheme = scheme or scheme_in_use()
    units = _score(period, now, full=True, scheme=scheme)
    standing = _previous_standing(period, now, scheme)
    for u in units:
        u.previous_rank, u.previous_composite = standing.get(u.code, (None, None))
    return Scorecard(
        period=period, computed_at=now, scheme=scheme, basic_weight=rates.basic_weight(), units=units
    )


def _check(actor: User) -> None:
    if not can_view(actor):
        raise PermissionDenied(MSG_NO_ACCESS)


def scorecard_get(*, actor: User, period: sc.Period, now: datetime | None = None) -> Scorecard:
    """The scorecard of ``period`` as ``actor`` may see it.

    A published period shows its latest publication, with the differences a recomputation
    finds now. Supervisors, leaders, the service team and admins see every unit. A unit's
    staff see every unit of a published (public) ranking, and only their own row — with its
    rank among all — of a period not yet published.
    """
    _check(actor)
    publication = publication_latest(period)
    scheme = scheme_of(publication) if publication is not None else None
    # A published period is recomputed with the scheme it was published with.
    live = scorecard_compute(period=period, now=now, scheme=scheme)
    card = live
    if publication is not None:
        units = _published_units(publication)
        card = Scorecard(
            period=period,
            computed_at=publication.computed_at,
            scheme=live.scheme,
            basic_weight=publication.basic_weight,
            units=units,
            publication=publication,
            differences=[
                {**d, "figure_label": FIGURE_LABELS.get(d["figure"], d["figure"])}
                for d in sc.differences(units, live.units)
            ],
        )
    if not can_view_all(actor) and publication is None:
        card.units = [u for u in card.units if u.code == actor.unit.code]
        card.own_unit = actor.unit.code
    return card


def unit_get(*, actor: User, code: str) -> Unit:
    """A scored unit ``actor`` may see the page of (a unit's staff: their own)."""
    _check(actor)
    unit = Unit.objects.filter(code=code).first()
    if unit is None or (not can_view_all(actor) and unit.pk != actor.unit_id):
        raise NotFound(MSG_NO_UNIT)
    return unit


#: The demands behind each figure of a unit: (label, on the led demands or the assignments, condition).
def figure_filters(now: datetime) -> dict[str, tuple[Any, str, Q]]:
    c = lead_conditions(now)
    return {
        "led": (_("Led now"), "led", Q()),
        "first_contact_late": (
            _("First contact late or missing"),
            "led",
            c["first_contact_due"] & ~c["first_contact_on_time"],
        ),
        "reply_late": (_("Reply late or missing"), "led", c["resolution_due"] & ~c["resolution_on_time"]),
        "unresolved": (_("Confirmed not resolved"), "led", c["confirmed"] & ~c["resolved"]),
        "basic": (_("Basically satisfied"), "led", c["basic"]),
        "unsatisfied": (_("Unsatisfied"), "led", c["unsatisfied"]),
        "reopened": (_("Reopened"), "led", c["reopened"]),
        "escalated": (_("Escalated to difficult-case handling"), "led", c["escalated"]),
        "lead": (_("Lead (returned ones included)"), "assigned", Q(role=Assignment.Role.LEAD)),
        "co": (_("Co-unit"), "assigned", Q(role=Assignment.Role.CO)),
        "returned": (_("Returned and dispatched elsewhere"), "assigned", _approved_return()),
    }


def scorecard_demands(
    *, actor: User, unit: Unit, period: sc.Period, figure: str, now: datetime | None = None
) -> QuerySet[Demand]:
    """The demands behind one figure of ``unit`` in ``period`` (as ``actor`` may see them)."""
    now = now or timezone.now()
    filters = figure_filters(now)
    if figure not in filters:
        raise NotFound(MSG_UNKNOWN_FIGURE)
    _label, population, condition = filters[figure]
    qs = filed_in(period).filter(visibility_filter(actor))
    if population == "led":
        qs = qs.filter(condition, lead_unit=unit)
    else:
        assigned = Assignment.objects.filter(condition, unit=unit).values("demand_id")
        qs = qs.filter(pk__in=assigned)
    return qs.select_related("enterprise", "category", "lead_unit").order_by("submitted_at", "id")


def trend(*, actor: User, period: sc.Period, now: datetime | None = None) -> dict[str, Any]:
    """Composite and the three rates per unit over the last TREND_PERIODS periods of this kind."""
    _check(actor)
    now = now or timezone.now()
    periods = sc.trend_periods(period, TREND_PERIODS)
    scheme = scheme_in_use()
    series: dict[str, dict[str, Any]] = {}
    for i, p in enumerate(periods):
        published = publication_latest(p)
        units = _published_units(published) if published else _score(p, now, full=False, scheme=scheme)
        for u in units:
            entry = series.setdefault(
                u.code, {"name": u.name, **{k: [None] * len(periods) for k in TREND_FIGURES}}
            )
            entry["composite"][i] = u.composite
            for name in TREND_FIGURES[1:]:
                entry[name][i] = sc.rounded(u.rates.get(name), 1)
    if not can_view_all(actor):
        series = {code: e for code, e in series.items() if code == actor.unit.code}
    return {"periods": periods, "units": series}
