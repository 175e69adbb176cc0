"""The pipeline figures leaders ask for: counts and investment by stage, type and industry,
the four rates zones report, and the key projects behind plan.

Counts and sums are grouped in the database; the rates and the behind-plan list need each
signed or key project's milestones, read in two queries and worked out by pure functions
(:func:`rates_of`, :func:`late_milestone`) that the tests check by hand.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mashang.org.models import User
from mashang.projects.models import (
    PIPELINE,
    FundsReceipt,
    Industry,
    Milestone,
    Project,
    ProjectType,
    Stage,
)
from mashang.projects.permissions import visibility_filter
from mashang.projects.transitions import NEEDS_LAND

ZERO = Decimal("0.00")
CENT = Decimal("0.01")


def cents(value: Decimal | None) -> Decimal:
    """Yuan to the fen, as the ledger writes them (SQLite's sums come back as 500, not 500.00)."""
    return (value or ZERO).quantize(CENT)

RATE_DEFINITIONS = {
    "contract_fulfilment": _(
        "Of the signed projects (signed or any later stage, paused ones included, dropped ones not), the share "
        "that kept every milestone due by today: each stage planned on or before today was reached on or before "
        "its planned date. A project with no milestone due counts as keeping its plan."
    ),
    "landing": _(
        "Of the signed projects, the share whose land is secured: new-land-supply projects that reached "
        "“land awarded” or a later stage; lease and expansion projects, which need no new land, once they "
        "reached “construction started”."
    ),
    "start": _(
        "Of the signed projects, the share that reached “construction started” or “in production”."
    ),
    "funds_in_place": _(
        "Of the signed projects, the funds received (到资) as a share of the planned investment."
    ),
}
RATE_NAMES = {
    "contract_fulfilment": _("Contract fulfilment rate"),
    "landing": _("Landing rate"),
    "start": _("Start rate"),
    "funds_in_place": _("Funds-in-place rate"),
}
BEHIND_PLAN_DEFINITION = _(
    "Key projects and projects on the city's key schedule, not dropped, with a milestone whose planned date "
    "has passed while the project has not reached that stage."
)
TOTALS_DEFINITION = _("Totals, by type and by industry count every project that is not dropped.")


@dataclass(frozen=True)
class ProjectFacts:
    """What the rates need to know of one project."""

    id: int
    stage: str
    stage_before_pause: str
    project_type: str
    planned_investment: Decimal
    funds: Decimal
    #: (stage, planned_on, reached_on) of each milestone.
    milestones: tuple[tuple[str, date | None, date | None], ...] = ()

    @property
    def standing(self) -> str:
        return self.stage_before_pause if self.stage == Stage.PAUSED else self.stage

    def passed(self, stage: str) -> bool:
        s = self.standing
        return s in PIPELINE and PIPELINE.index(s) >= PIPELINE.index(stage)

    @property
    def is_signed(self) -> bool:
        return self.stage != Stage.DROPPED and self.passed(Stage.SIGNED)


@dataclass(frozen=True)
class Rate:
    numerator: int | Decimal
    denominator: int | Decimal

    @property
    def percent(self) -> Decimal | None:
        if not self.denominator:
            return None
        return (Decimal(self.numerator) * 100 / Decimal(self.denominator)).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP
        )


def keeps_plan(p: ProjectFacts, today: date) -> bool:
    """Every milestone planned on or before today was reached by its planned date.

    A stage the project went past without a recorded date (an imported ledger) counts as reached.
    """
    for stage, planned, reached in p.milestones:
        if planned is None or planned > today:
            continue
        if reached is not None:
            if reached > planned:
                return False
        elif not p.passed(stage):
            return False
    return True


def has_landed(p: ProjectFacts) -> bool:
    return p.passed(Stage.AWARDED if p.project_type in NEEDS_LAND else Stage.STARTED)


def rates_of(projects: list[ProjectFacts], today: date) -> dict[str, Rate]:
    signed = [p for p in projects if p.is_signed]
    return {
        "contract_fulfilment": Rate(sum(keeps_plan(p, today) for p in signed), len(signed)),
        "landing": Rate(sum(has_landed(p) for p in signed), len(signed)),
        "start": Rate(sum(p.passed(Stage.STARTED) for p in signed), len(signed)),
        "funds_in_place": Rate(
            cents(sum((p.funds for p in signed), ZERO)), cents(sum((p.planned_investment for p in signed), ZERO))
        ),
    }


def late_milestone(p: ProjectFacts, today: date) -> tuple[str, date, int] | None:
    """The earliest milestone whose planned date has passed without the project reaching it."""
    late = [
        (planned, stage)
        for stage, planned, reached in p.milestones
        if planned is not None and planned < today and reached is None and not p.passed(stage)
    ]
    if p.stage == Stage.DROPPED or not late:
        return None
    planned, stage = min(late)
    return stage, planned, (today - planned).days


def _grouped(qs, key: str, values: list[str]) -> dict[str, dict[str, object]]:
    rows = {r[key]: r for r in qs.values(key).annotate(n=Count("id"), total=Sum("planned_investment"))}
    return {
        v: {"count": rows[v]["n"] if v in rows else 0, "investment": cents(rows[v]["total"] if v in rows else None)}
        for v in values
    }


def _facts(projects: list[Project], with_milestones: bool) -> list[ProjectFacts]:
    ids = [p.pk for p in projects]
    funds = dict(
        FundsReceipt.objects.filter(project_id__in=ids).values("project_id").annotate(t=Sum("amount"))
        .values_list("project_id", "t")
    )
    milestones: dict[int, list[tuple[str, date | None, date | None]]] = defaultdict(list)
    if with_milestones:
        for m in Milestone.objects.filter(project_id__in=ids).order_by("id"):
            milestones[m.project_id].append((m.stage, m.planned_on, m.reached_on))
    return [
        ProjectFacts(
            id=p.pk,
            stage=p.stage,
            stage_before_pause=p.stage_before_pause,
            project_type=p.project_type,
            planned_investment=p.planned_investment,
            funds=cents(funds.get(p.pk)),
            milestones=tuple(milestones.get(p.pk, ())),
        )
        for p in projects
    ]


def pipeline_stats(*, actor: User, today: date | None = None) -> dict[str, object]:
    """The pipeline as the actor may see it (the whole zone for the service team, leaders and supervisors)."""
    today = today or timezone.localdate()
    visible = Project.objects.filter(visibility_filter(actor))
    live = visible.exclude(stage=Stage.DROPPED)
    totals = live.aggregate(n=Count("id"), total=Sum("planned_investment"))

    signed_stages = [s for s in PIPELINE if PIPELINE.index(s) >= PIPELINE.index(Stage.SIGNED)]
    signed_q = Q(stage__in=signed_stages) | Q(stage=Stage.PAUSED, stage_before_pause__in=signed_stages)
    watched_q = Q(is_key=True) | Q(is_city_key=True)
    rows = list(
        live.filter(signed_q | watched_q).select_related("service_officer").only(
            "id", "number", "name", "stage", "stage_before_pause", "project_type", "planned_investment",
            "is_key", "is_city_key", "behind_plan_reason", "investor_name", "service_officer__display_name",
            "service_officer__username",
        )
    )
    facts = _facts(rows, with_milestones=True)
    rates = rates_of(facts, today)
    signed = [f for f in facts if f.is_signed]

    behind = []
    for project, fact in zip(rows, facts, strict=True):
        if not (project.is_key or project.is_city_key):
            continue
        late = late_milestone(fact, today)
        if late is None:
            continue
        stage, planned, days = late
        behind.append({"project": project, "milestone": stage, "planned_on": planned, "days_late": days})
    behind.sort(key=lambda b: (-b["days_late"], b["project"].number))

    return {
        "today": today,
        "by_stage": _grouped(visible, "stage", list(Stage.values)),
        "by_type": _grouped(live, "project_type", list(ProjectType.values)),
        "by_industry": _grouped(live, "industry", list(Industry.values)),
        "totals": {
            "count": totals["n"] or 0,
            "investment": cents(totals["total"]),
            "signed_count": len(signed),
            "signed_investment": cents(sum((f.planned_investment for f in signed), ZERO)),
            "funds_in_place": cents(sum((f.funds for f in signed), ZERO)),
        },
        "rates": rates,
        "behind_plan": behind,
    }
