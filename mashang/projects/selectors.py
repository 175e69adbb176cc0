"""Reads of projects, always through the actor's visibility, so the API, the pages and the ledger agree."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Case, Exists, IntegerField, OuterRef, Q, QuerySet, Sum, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mashang.audit.models import Event
from mashang.audit.selectors import event_timeline
from mashang.core.errors import NotFound
from mashang.demands.models import Demand
from mashang.org.models import User
from mashang.projects.models import PIPELINE, FundsReceipt, Milestone, Project, Stage
from mashang.projects.permissions import can_manage, can_raise_blocker, visibility_filter
from mashang.projects.transitions import allowed_actions, stages_for

MSG_NOT_FOUND = _("No such project.")
#: Rank of a stage that is past the whole pipeline (dropped): no milestone is still ahead of it.
_BEYOND = len(PIPELINE) + 1


@dataclass(frozen=True)
class ProjectFilters:
    stage: list[str] | None = None
    project_type: str | None = None
    industry: str | None = None
    key: bool | None = None
    city_key: bool | None = None
    officer: str | None = None
    q: str | None = None
    behind_plan: bool | None = None


def _rank(field: str) -> Case:
    return Case(
        *[When(**{field: s}, then=Value(i)) for i, s in enumerate(PIPELINE)],
        default=Value(_BEYOND),
        output_field=IntegerField(),
    )


def standing_rank() -> Case:
    """The pipeline position a project stands at (a paused project where it paused; dropped: beyond)."""
    return Case(
        When(stage=Stage.PAUSED, then=_rank("stage_before_pause")),
        default=_rank("stage"),
        output_field=IntegerField(),
    )


def behind_plan_filter(today: date) -> Q:
    """A milestone whose planned date has passed and whose stage the project has not reached."""
    overdue = (
        Milestone.objects.filter(project=OuterRef("pk"), planned_on__lt=today, reached_on__isnull=True)
        .annotate(rank=_rank("stage"))
        .filter(rank__gt=OuterRef("standing"))
    )
    return Q(Exists(overdue))


def project_list(
    *, actor: User, filters: ProjectFilters | None = None, today: date | None = None
) -> QuerySet[Project]:
    """Projects the actor may see, newest first."""
    f = filters or ProjectFilters()
    today = today or timezone.localdate()
    qs = Project.objects.filter(visibility_filter(actor)).select_related("investor", "service_officer")
    if f.stage:
        qs = qs.filter(stage__in=f.stage)
    if f.project_type:
        qs = qs.filter(project_type=f.project_type)
    if f.industry:
        qs = qs.filter(industry=f.industry)
    if f.key is not None:
        qs = qs.filter(is_key=f.key)
    if f.city_key is not None:
        qs = qs.filter(is_city_key=f.city_key)
    if f.officer:
        qs = qs.filter(service_officer__username=f.officer)
    if f.q and f.q.strip():
        word = f.q.strip()
        qs = qs.filter(Q(name__icontains=word) | Q(number__icontains=word) | Q(investor_name__icontains=word))
    if f.behind_plan is not None:
        qs = qs.annotate(standing=standing_rank())
        condition = behind_plan_filter(today)
        qs = qs.filter(condition) if f.behind_plan else qs.exclude(condition)
    return qs.order_by("-created_at", "-id")


def project_get(*, actor: User, project_id: int) -> Project:
    """The project, or NotFound when it does not exist or the actor may not see it."""
    project = (
        Project.objects.filter(visibility_filter(actor), pk=project_id)
        .select_related("investor", "service_officer")
        .first()
    )
    if project is None:
        raise NotFound(MSG_NOT_FOUND)
    return project


@dataclass(frozen=True)
class MilestoneRow:
    stage: str
    planned_on: date | None
    reached_on: date | None
    #: Days past the plan: for a reached stage, how late it was reached; for one not reached, how late it is now.
    days_late: int | None

    @property
    def stage_label(self) -> str:
        return str(Stage(self.stage).label)


@dataclass(frozen=True)
class ProjectDetail:
    project: Project
    milestones: list[MilestoneRow]
    funds: list[FundsReceipt]
    funds_total: Decimal
    blockers: list[Demand]
    events: list[Event]
    allowed_actions: list[str]
    may_manage: bool
    may_raise_blocker: bool


def milestone_rows(project: Project, milestones: list[Milestone], today: date) -> list[MilestoneRow]:
    """One row per stage of the project's type, in pipeline order, with any plan and actual date."""
    by_stage = {m.stage: m for m in milestones}
    rows = []
    for stage in stages_for(project.project_type):
        m = by_stage.get(stage)
        planned, reached = (m.planned_on, m.reached_on) if m else (None, None)
        late = None
        if planned is not None:
            if reached is not None:
                late = max((reached - planned).days, 0)
            elif today > planned and not stage_passed(project, stage):
                late = (today - planned).days
        rows.append(MilestoneRow(stage, planned, reached, late))
    return rows


def stage_passed(project: Project, stage: str) -> bool:
    """Whether the project stands at or beyond ``stage`` (a dropped project has passed every stage)."""
    standing = project.stage_before_pause if project.stage == Stage.PAUSED else project.stage
    if standing == Stage.DROPPED:
        return True
    return standing in PIPELINE and PIPELINE.index(standing) >= PIPELINE.index(stage)


def project_detail(*, actor: User, project_id: int, today: date | None = None) -> ProjectDetail:
    today = today or timezone.localdate()
    project = project_get(actor=actor, project_id=project_id)
    funds = list(project.funds.order_by("received_on", "id"))
    manage = can_manage(actor, project)
    blockers = list(
        Demand.objects.filter(project=project).select_related("lead_unit", "category").order_by("-submitted_at")
    )
    return ProjectDetail(
        project=project,
        milestones=milestone_rows(project, list(project.milestones.all()), today),
        funds=funds,
        funds_total=sum((f.amount for f in funds), Decimal("0.00")).quantize(Decimal("0.01")),
        blockers=blockers,
        events=list(event_timeline(subject_type="project", subject_id=project.pk)),
        allowed_actions=allowed_actions(stage=project.stage, project_type=project.project_type) if manage else [],
        may_manage=manage,
        may_raise_blocker=can_raise_blocker(actor, project),
    )


def funds_totals(project_ids: list[int]) -> dict[int, Decimal]:
    rows = (
        FundsReceipt.objects.filter(project_id__in=project_ids)
        .values("project_id")
        .annotate(total=Sum("amount"))
    )
    return {r["project_id"]: (r["total"] or Decimal("0")).quantize(Decimal("0.01")) for r in rows}
