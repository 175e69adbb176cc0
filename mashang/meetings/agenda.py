"""The agenda a review meeting is proposed, built from the data: one rule per reason for listing,
each item with the evidence behind it.

A demand review looks at the demands and units; a land-supply review at the projects. The
rules, for a meeting reviewing the local dates ``[start, end)`` and proposed at ``at``:

- ``difficult``: a demand waiting for a leader at difficult-case handling, or an open case;
- ``overdue``: an open enterprise demand whose next deadline passed more than
  ``overdue_days`` calendar days before ``at`` (the most overdue first, ``limit`` of them);
- ``reopened``: an open demand in a second or later round (重办) that is not settled yet;
- ``disputed_return``: an open demand returned more than once (units dispute whose it is);
- ``action_item_overdue``: an open action item of an earlier meeting past its deadline;
- ``repeat``: one enterprise filing ``repeat_min`` or more demands of one category in the period;
  and ``repeat_min`` or more that say much the same (text similarity), whatever their category;
- ``volume_rise``: a category with at least ``volume_min`` demands in the period and at least
  ``1 + volume_rise`` times the mean of the ``volume_periods`` periods of the same length before;
- ``assessment_fall``: a unit whose composite assessment score fell by ``assessment_fall``
  points or more against the period before;
- ``hot_topic``: a rising hot topic (未诉先办) of the latest computation before ``at``: many
  enterprises suddenly asking about the same thing (:mod:`mashang.routing.topics`);
- ``land_waiting``: a project at land-supply review, with its open blockers (for the
  difficult-case form of review: the projects an earlier review escalated);
- ``key_project_behind``: a key project with a milestone past its planned date.

A demand that several rules call for is one item: its first reason, with the evidence of all.
"""

from __future__ import annotations

import calendar as month_calendar
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from mashang.audit.models import Event
from mashang.demands.models import OPEN_STATUSES, Demand, Kind, Status
from mashang.demands.similarity import score_groups, text_vectors
from mashang.meetings.models import LAND_KINDS, Source
from mashang.meetings.models import Kind as MeetingKind
from mashang.org.models import Category, Enterprise, Unit
from mashang.projects.models import Milestone, Project, Stage
from mashang.projects.selectors import behind_plan_filter, standing_rank
from mashang.projects.transitions import Record
from mashang.routing.topics import hot_topics as latest_hot_topics
from mashang.supervision.scorecards import formulas as sc
from mashang.supervision.scorecards.selectors import scorecard_compute

#: A repeat item's evidence names the first this many demands of the enterprise and category.
REPEAT_NUMBERS_LISTED = 20
#: A hot topic's evidence names its first this many demands.
TOPIC_NUMBERS_LISTED = 10
#: Near-duplicate repeats compare the period's demands of at most this many enterprises (those
#: filing the most), at most this many demands in all.
REPEAT_ENTERPRISES_COMPARED = 500
REPEAT_TEXTS_COMPARED = 10000


@dataclass(frozen=True)
class Thresholds:
    overdue_days: int = 5
    repeat_min: int = 3
    volume_min: int = 10
    volume_rise: float = 0.5
    volume_periods: int = 3
    assessment_fall: float = 10.0
    #: At most this many items per rule (the most pressing first); the evidence says how many more.
    limit: int = 30

    @classmethod
    def configured(cls) -> Thresholds:
        return cls(**getattr(settings, "MASHANG_AGENDA", {}))


@dataclass
class Proposal:
    source: str
    key: str
    title: str
    evidence: list[str] = field(default_factory=list)
    figures: dict[str, Any] = field(default_factory=dict)
    demand_id: int | None = None
    project_id: int | None = None
    unit_id: int | None = None
    category_id: int | None = None


def _local(at: datetime | None) -> str:
    return date_format(timezone.localtime(at), "Y-m-d H:i") if at else "—"


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    tz = timezone.get_default_timezone()
    return datetime.combine(start, time(), tzinfo=tz), datetime.combine(end, time(), tzinfo=tz)


def _open_demands():
    return Demand.objects.filter(status__in=OPEN_STATUSES)


def _demand_line(d: Demand) -> str:
    return _("{number} {title} (status: {status}; lead unit: {unit})").format(
        number=d.number,
        title=d.title,
        status=d.get_status_display(),
        unit=d.lead_unit.name if d.lead_unit_id else "—",
    )


def _demand_proposal(source: str, d: Demand, *lines: str, **figures: Any) -> Proposal:
    return Proposal(
        source=source,
        key=f"demand:{d.pk}",
        title=f"{d.number} {d.title}",
        evidence=[_demand_line(d), *lines],
        figures={"number": d.number, **figures},
        demand_id=d.pk,
        unit_id=d.lead_unit_id,
        category_id=d.category_id,
    )


def _limited(qs, limit: int):
    return list(qs.select_related("lead_unit")[:limit])


def overdue(at: datetime, t: Thresholds) -> list[Proposal]:
    cutoff = at - timedelta(days=t.overdue_days)
    qs = (
        _open_demands()
        .filter(kind=Kind.DEMAND, next_due_at__lt=cutoff)
        .exclude(status=Status.DIFFICULT)
    )
    out = []
    for d in _limited(qs.order_by("next_due_at", "id"), t.limit):
        days = (at - d.next_due_at).days
        out.append(
            _demand_proposal(
                Source.OVERDUE,
                d,
                _("Due {due}, overdue by {days} days.").format(
                    due=_local(d.next_due_at), days=days
                ),
                days_overdue=days,
            )
        )
    return out


def reopened(t: Thresholds) -> list[Proposal]:
    qs = _open_demands().filter(kind=Kind.DEMAND, round__gt=1).exclude(status=Status.DIFFICULT)
    return [
        _demand_proposal(
            Source.REOPENED,
            d,
            _("Reopened: round {round}, dispatched again {when}.").format(
                round=d.round, when=_local(d.dispatched_at)
            ),
            round=d.round,
        )
        for d in _limited(qs.order_by("-round", "dispatched_at", "id"), t.limit)
    ]


def disputed_returns(t: Thresholds) -> list[Proposal]:
    qs = _open_demands().filter(kind=Kind.DEMAND, return_count__gt=1)
    demands = _limited(qs.order_by("-return_count", "id"), t.limit)
    returns = defaultdict(list)
    for e in (
        Event.objects.filter(
            subject_type="demand", subject_id__in=[d.pk for d in demands], action="return"
        )
        .select_related("actor__unit")
        .order_by("id")
    ):
        unit = e.actor.unit.name if e.actor and e.actor.unit_id else "—"
        returns[e.subject_id].append(
            _("{when} returned by {unit}: {reason}").format(
                when=_local(e.at), unit=unit, reason=e.reason
            )
        )
    return [
        _demand_proposal(
            Source.DISPUTED_RETURN,
            d,
            _("Returned {count} times.").format(count=d.return_count),
            *returns[d.pk],
            returns=d.return_count,
        )
        for d in demands
    ]


def difficult(t: Thresholds) -> list[Proposal]:
    qs = (
        _open_demands()
        .filter(kind=Kind.DEMAND)
        .filter(Q(status=Status.DIFFICULT) | Q(coordinator__isnull=False))
    )
    demands = list(
        qs.select_related("lead_unit", "coordinator").order_by("escalated_at", "id")[: t.limit]
    )
    reasons = {
        e.subject_id: e.reason
        for e in Event.objects.filter(
            subject_type="demand", subject_id__in=[d.pk for d in demands], action="escalate"
        ).order_by("id")
    }
    out = []
    for d in demands:
        lines = [
            _("Escalated {when}: {reason}").format(
                when=_local(d.escalated_at), reason=reasons.get(d.pk, "—")
            )
        ]
        if d.status == Status.DIFFICULT:
            lines.append(_("Waiting for a leader to assign it."))
        else:
            lines.append(
                _("Coordinator {who}; due {due}.").format(
                    who=d.coordinator, due=_local(d.resolution_due_at)
                )
            )
        out.append(
            _demand_proposal(Source.DIFFICULT, d, *lines, waiting=d.status == Status.DIFFICULT)
        )
    return out


def action_items_overdue(at: datetime, t: Thresholds) -> list[Proposal]:
    qs = _open_demands().filter(kind=Kind.ACTION_ITEM, next_due_at__lt=at)
    return [
        _demand_proposal(
            Source.ACTION_ITEM_OVERDUE,
            d,
            _("Due {due}, overdue by {days} days.").format(
                due=_local(d.next_due_at), days=(at - d.next_due_at).days
            ),
        )
        for d in _limited(qs.order_by("next_due_at", "id"), t.limit)
    ]


def _filed(start: date, end: date):
    lo, hi = _bounds(start, end)
    return Demand.objects.filter(
        submitted_at__gte=lo, submitted_at__lt=hi, kind=Kind.DEMAND
    ).exclude(status=Status.MERGED)


def repeats(start: date, end: date, t: Thresholds) -> list[Proposal]:
    groups = list(
        _filed(start, end)
        .filter(category__isnull=False)
        .values("enterprise", "category")
        .annotate(n=Count("id"))
        .filter(n__gte=t.repeat_min)
        .order_by("-n", "enterprise", "category")[: t.limit]
    )
    if not groups:
        return similar_repeats(start, end, t, covered=set())
    enterprises = Enterprise.objects.in_bulk({g["enterprise"] for g in groups})
    categories = Category.objects.in_bulk({g["category"] for g in groups})
    # The first numbers of each group, each group read from its own index range.
    parts = [
        _filed(start, end)
        .filter(enterprise=g["enterprise"], category=g["category"])
        .order_by("submitted_at", "id")
        .values_list("enterprise", "category", "submitted_at", "id", "number")[:REPEAT_NUMBERS_LISTED]
        for g in groups
    ]
    if connection.features.supports_slicing_ordering_in_compound and len(parts) > 1:
        rows = list(parts[0].union(*parts[1:], all=True))
    else:
        rows = [row for part in parts for row in part]
    numbers = defaultdict(list)
    for e_id, c_id, _at, _id, number in sorted(rows, key=lambda r: (r[2], r[3])):
        numbers[(e_id, c_id)].append(number)
    out = []
    for g in groups:
        enterprise, category = enterprises[g["enterprise"]], categories[g["category"]]
        out.append(
            Proposal(
                source=Source.REPEAT,
                key=f"repeat:{enterprise.pk}:{category.pk}",
                title=_("{enterprise}: {count} demands on {category}").format(
                    enterprise=enterprise.name, count=g["n"], category=category.name
                ),
                evidence=[
                    _("{count} demands filed in the period: {numbers}").format(
                        count=g["n"], numbers="、".join(numbers[(enterprise.pk, category.pk)])
                    )
                    + (
                        _(" and {more} more").format(more=g["n"] - REPEAT_NUMBERS_LISTED)
                        if g["n"] > REPEAT_NUMBERS_LISTED
                        else ""
                    )
                ],
                figures={"count": g["n"]},
                category_id=category.pk,
            )
        )
    covered = {(g["enterprise"], g["category"]) for g in groups}
    return out + similar_repeats(start, end, t, covered=covered)


@dataclass(frozen=True)
class _Filed:
    pk: int
    number: str
    title: str
    description: str
    category_id: int | None
    enterprise_id: int


def similar_repeats(
    start: date, end: date, t: Thresholds, *, covered: set[tuple[int, int]]
) -> list[Proposal]:
    """One enterprise filing ``repeat_min`` or more demands in the period that say much the
    same (``demands.similarity``: each similar to another of them), across categories or
    without one. A group sharing a demand with an enterprise-and-category item of ``covered``
    is that item, not another. Three queries and one vectorizer for the period."""
    busy = list(
        _filed(start, end)
        .values("enterprise")
        .annotate(n=Count("id"))
        .filter(n__gte=t.repeat_min)
        .order_by("-n", "enterprise")
        .values_list("enterprise", flat=True)[:REPEAT_ENTERPRISES_COMPARED]
    )
    if not busy:
        return []
    rows = [
        _Filed(*row)
        for row in _filed(start, end)
        .filter(enterprise__in=busy)
        .order_by("enterprise", "submitted_at", "id")
        .values_list("id", "number", "title", "description", "category", "enterprise")[
            :REPEAT_TEXTS_COMPARED
        ]
    ]
    vectors = text_vectors([(d.title, d.description) for d in rows])
    by_enterprise: dict[int, list[int]] = defaultdict(list)
    for k, d in enumerate(rows):
        by_enterprise[d.enterprise_id].append(k)
    found = []
    for positions in by_enterprise.values():
        if len(positions) < t.repeat_min:
            continue
        block = vectors[positions]
        scores = (block @ block.T).toarray()
        for group in score_groups(scores):
            members = [rows[positions[k]] for k in group]
            if len(members) < t.repeat_min or any(
                (d.enterprise_id, d.category_id) in covered for d in members
            ):
                continue
            found.append(members)
    found.sort(key=lambda g: (-len(g), g[0].enterprise_id, g[0].pk))
    found = found[: t.limit]
    enterprises = Enterprise.objects.in_bulk({g[0].enterprise_id for g in found})
    out = []
    for members in found:
        enterprise, n = enterprises[members[0].enterprise_id], len(members)
        categories = {d.category_id for d in members}
        out.append(
            Proposal(
                source=Source.REPEAT,
                key=f"repeat:{enterprise.pk}:similar:{members[0].pk}",
                title=_("{enterprise}: {count} similar demands").format(
                    enterprise=enterprise.name, count=n
                ),
                evidence=[
                    _("{count} demands saying much the same filed in the period: {numbers}").format(
                        count=n,
                        numbers="、".join(d.number for d in members[:REPEAT_NUMBERS_LISTED]),
                    )
                    + (
                        _(" and {more} more").format(more=n - REPEAT_NUMBERS_LISTED)
                        if n > REPEAT_NUMBERS_LISTED
                        else ""
                    ),
                    _("The first: {title}").format(title=members[0].title),
                ],
                figures={"count": n, "similar": True},
                category_id=categories.pop() if len(categories) == 1 else None,
            )
        )
    return out


def _shift(start: date, end: date, back: int) -> tuple[date, date]:
    """The period ``back`` periods of the same length before ``[start, end)``: whole months
    when the period is whole months, else the same number of days."""
    months = (end.year - start.year) * 12 + end.month - start.month
    if start.day == 1 and end.day == 1 and months > 0:

        def minus(d: date, n: int) -> date:
            m = d.year * 12 + d.month - 1 - n
            return date(m // 12, m % 12 + 1, 1)

        return minus(start, months * back), minus(end, months * back)
    days = (end - start).days
    return start - timedelta(days=days * back), end - timedelta(days=days * back)


def _per_category(start: date, end: date) -> dict[int, int]:
    return dict(
        _filed(start, end)
        .filter(category__isnull=False)
        .values("category")
        .annotate(n=Count("id"))
        .values_list("category", "n")
    )


def volume_rises(start: date, end: date, t: Thresholds) -> list[Proposal]:
    now = _per_category(start, end)
    before = [_per_category(*_shift(start, end, k)) for k in range(1, t.volume_periods + 1)]
    risen = []
    for category_id, n in now.items():
        counts = [b.get(category_id, 0) for b in before]
        mean = sum(counts) / len(counts) if counts else 0.0
        if n >= t.volume_min and n >= (1 + t.volume_rise) * mean:
            risen.append((category_id, n, counts, mean))
    risen.sort(key=lambda r: (-(r[1] - r[3]), r[0]))
    categories = Category.objects.in_bulk([r[0] for r in risen])
    out = []
    for category_id, n, counts, mean in risen[: t.limit]:
        c = categories[category_id]
        out.append(
            Proposal(
                source=Source.VOLUME_RISE,
                key=f"category:{c.pk}",
                title=_("{category}: {count} demands, up from {mean:.1f} a period").format(
                    category=c.name, count=n, mean=mean
                ),
                evidence=[
                    _(
                        "{count} demands in the period; the {periods} periods before: {before}"
                    ).format(
                        count=n,
                        periods=len(counts),
                        before="、".join(str(x) for x in reversed(counts)),
                    )
                ],
                figures={"count": n, "before": list(reversed(counts)), "mean": round(mean, 2)},
                category_id=c.pk,
            )
        )
    return out


def assessment_falls(start: date, end: date, at: datetime, t: Thresholds) -> list[Proposal]:
    card = scorecard_compute(period=sc.Period(start, end), now=at)
    fallen = [
        u
        for u in card.units
        if u.composite is not None
        and u.previous_composite is not None
        and u.previous_composite - u.composite >= t.assessment_fall
    ]
    fallen.sort(key=lambda u: (u.composite - u.previous_composite, u.code))
    units = {u.code: u for u in Unit.objects.filter(code__in=[f.code for f in fallen])}
    return [
        Proposal(
            source=Source.ASSESSMENT_FALL,
            key=f"unit:{u.code}",
            title=_("{unit}: assessment fell {points:.2f} points").format(
                unit=u.name, points=u.previous_composite - u.composite
            ),
            evidence=[
                _(
                    "Composite {now:.2f} (rank {rank}), the period before {before:.2f} (rank {before_rank})."
                ).format(
                    now=u.composite,
                    rank=u.rank or "—",
                    before=u.previous_composite,
                    before_rank=u.previous_rank or "—",
                )
            ],
            figures={"composite": u.composite, "previous": u.previous_composite},
            unit_id=units[u.code].pk if u.code in units else None,
        )
        for u in fallen[: t.limit]
    ]


def hot_topics(at: datetime, t: Thresholds) -> list[Proposal]:
    """The rising topics of the latest hot-topic computation at or before ``at``."""
    out = []
    for topic in latest_hot_topics(at=at, rising_only=True)[: t.limit]:
        numbers = topic.numbers[:TOPIC_NUMBERS_LISTED]
        more = len(topic.numbers) - len(numbers)
        out.append(
            Proposal(
                source=Source.HOT_TOPIC,
                key=f"topic:{topic.label}"[:80],
                title=_("Hot topic: {label}").format(label=topic.label),
                evidence=[
                    _(
                        "Heat {heat:.1f}: {volume} demands from {enterprises} enterprises from "
                        "{start} to {end}, {previous} in the same time before (growth {growth:+.0%})."
                    ).format(
                        heat=topic.heat,
                        volume=topic.volume,
                        enterprises=topic.enterprises,
                        start=_local(topic.run.window_start),
                        end=_local(topic.run.window_end),
                        previous=topic.previous,
                        growth=topic.growth,
                    ),
                    _("First demands: {numbers}").format(numbers="、".join(numbers))
                    + (_(" and {more} more").format(more=more) if more > 0 else ""),
                ],
                figures={
                    "label": topic.label,
                    "heat": topic.heat,
                    "volume": topic.volume,
                    "previous": topic.previous,
                    "growth": topic.growth,
                    "enterprises": topic.enterprises,
                    "numbers": numbers,
                },
            )
        )
    return out


def _project_proposal(source: str, p: Project, lines: list[str]) -> Proposal:
    return Proposal(
        source=source,
        key=f"project:{p.pk}",
        title=f"{p.number} {p.name}",
        evidence=lines,
        figures={"number": p.number, "stage": p.stage},
        project_id=p.pk,
    )


def land_waiting(kind: str, t: Thresholds) -> list[Proposal]:
    projects = list(Project.objects.filter(stage=Stage.LAND_REVIEW).order_by("updated_at", "id"))
    escalated = set(
        Event.objects.filter(
            subject_type="project",
            subject_id__in=[p.pk for p in projects],
            action=Record.REVIEW_ESCALATE,
        ).values_list("subject_id", flat=True)
    )
    if kind == MeetingKind.LAND_DIFFICULT:
        projects = [p for p in projects if p.pk in escalated]
    since = {
        m.project_id: m.reached_on
        for m in Milestone.objects.filter(
            project__in=projects, stage=Stage.LAND_REVIEW, reached_on__isnull=False
        )
    }
    blockers = defaultdict(list)
    for d in (
        _open_demands()
        .filter(project__in=projects)
        .select_related("lead_unit")
        .order_by("submitted_at")
    ):
        blockers[d.project_id].append(_("Blocker: {line}").format(line=_demand_line(d)))
    out = []
    for p in projects[: t.limit]:
        lines = [
            _("At land-supply review since {day}.").format(day=since.get(p.pk) or "—"),
            *(blockers[p.pk] or [_("No open blockers.")]),
        ]
        if p.pk in escalated:
            lines.append(_("An earlier review escalated it to difficult-case handling."))
        out.append(_project_proposal(Source.LAND_WAITING, p, lines))
    return out


def key_projects_behind(today: date, t: Thresholds) -> list[Proposal]:
    projects = list(
        Project.objects.filter(is_key=True)
        .annotate(standing=standing_rank())
        .filter(behind_plan_filter(today))
        .order_by("id")[: t.limit]
    )
    late = defaultdict(list)
    for m in Milestone.objects.filter(
        project__in=projects, planned_on__lt=today, reached_on__isnull=True
    ).order_by("planned_on"):
        late[m.project_id].append(
            _("{stage} planned for {day}, not reached.").format(
                stage=Stage(m.stage).label, day=m.planned_on
            )
        )
    out = []
    for p in projects:
        lines = list(late[p.pk])
        if p.behind_plan_reason:
            lines.append(_("Why: {reason}").format(reason=p.behind_plan_reason))
        out.append(_project_proposal(Source.KEY_PROJECT_BEHIND, p, lines))
    return out


def agenda_propose(
    *,
    kind: str,
    start: date,
    end: date,
    at: datetime | None = None,
    thresholds: Thresholds | None = None,
) -> list[Proposal]:
    """The items the rules call for, in the order of the rules; one item per demand or project."""
    at = at or timezone.now()
    t = thresholds or Thresholds.configured()
    if kind in LAND_KINDS:
        groups = [land_waiting(kind, t), key_projects_behind(timezone.localtime(at).date(), t)]
    else:
        groups = [
            difficult(t),
            overdue(at, t),
            reopened(t),
            disputed_returns(t),
            action_items_overdue(at, t),
            repeats(start, end, t),
            volume_rises(start, end, t),
            assessment_falls(start, end, at, t),
            hot_topics(at, t),
        ]
    merged: dict[str, Proposal] = {}
    for proposals in groups:
        for p in proposals:
            if p.key in merged:
                merged[p.key].evidence.extend(
                    line for line in p.evidence[1:] if line not in merged[p.key].evidence
                )
                merged[p.key].figures.setdefault("also", []).append(p.source)
            else:
                merged[p.key] = p
    return list(merged.values())


def month_of(day: date) -> tuple[date, date]:
    """The calendar month of ``day`` as ``[start, end)``."""
    last = month_calendar.monthrange(day.year, day.month)[1]
    return day.replace(day=1), day.replace(day=last) + timedelta(days=1)
