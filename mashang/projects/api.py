"""The investment-project endpoints: create, list, read, edit, move, milestones, funds, blockers,
the pipeline figures and the Excel ledger (export and import)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import File, Header, Query, Router, Schema
from ninja import Status as Respond
from ninja.files import UploadedFile
from pydantic import Field

from mashang.core.bounds import BoundedDate
from mashang.core.files import export_response
from mashang.core.idempotency import answer_once
from mashang.projects import services
from mashang.projects.ledger.export import export_filename, ledger_workbook
from mashang.projects.ledger.importer import MAX_BYTES, ledger_import
from mashang.projects.models import Industry, Project, ProjectType, Stage
from mashang.projects.selectors import ProjectDetail, ProjectFilters, project_detail, project_list
from mashang.projects.stats import (
    BEHIND_PLAN_DEFINITION,
    RATE_DEFINITIONS,
    RATE_NAMES,
    pipeline_stats,
)
from mashang.projects.transitions import Action

router = Router(tags=["projects"])

StageName = Literal[tuple(Stage.values)]  # type: ignore[valid-type]
TypeName = Literal[tuple(ProjectType.values)]  # type: ignore[valid-type]
IndustryName = Literal[tuple(Industry.values)]  # type: ignore[valid-type]
ActionName = Literal[tuple(Action.values)]  # type: ignore[valid-type]
#: Amounts are checked by the service (exact decimals, 2 places, per-field messages); send them as strings.
Amount = str | int | float | None


class MilestoneIn(Schema):
    stage: StageName  # type: ignore[valid-type]
    planned_on: BoundedDate | None = None
    reached_on: BoundedDate | None = None


class ProjectIn(Schema):
    name: str = Field(default="", max_length=400)
    investor_credit_code: str = Field(default="", max_length=40, description="A registered enterprise.")
    investor_name: str = Field(default="", max_length=400, description="A prospective investor, not registered.")
    project_type: str = Field(default="", max_length=40, description=" | ".join(ProjectType.values))
    industry: str = Field(default="", max_length=40, description=" | ".join(Industry.values))
    planned_investment: Amount = Field(default=None, description="Yuan, at most 2 decimals, e.g. \"1250000.50\".")
    land_area_mu: Amount = None
    land_area_m2: Amount = None
    service_officer: str = Field(default="", max_length=150, description="Login of a service officer.")
    is_key: bool = False
    is_city_key: bool = False
    behind_plan_reason: str = Field(default="", max_length=4000)
    stage: StageName = Stage.LEAD  # type: ignore[valid-type]
    stage_before_pause: str = Field(default="", max_length=20)
    stage_reason: str = Field(default="", max_length=4000)
    milestones: list[MilestoneIn] = Field(default_factory=list, max_length=20)


class ProjectPatch(Schema):
    version: int = Field(ge=1, strict=True, description="The version you read; a stale one gets 409.")
    name: str | None = Field(default=None, max_length=400)
    investor_credit_code: str | None = Field(default=None, max_length=40)
    investor_name: str | None = Field(default=None, max_length=400)
    project_type: str | None = Field(default=None, max_length=40)
    industry: str | None = Field(default=None, max_length=40)
    planned_investment: Amount = None
    land_area_mu: Amount = None
    land_area_m2: Amount = None
    service_officer: str | None = Field(default=None, max_length=150)
    is_key: bool | None = None
    is_city_key: bool | None = None
    behind_plan_reason: str | None = Field(default=None, max_length=4000)


class ActionIn(Schema):
    version: int = Field(ge=1, strict=True)
    reason: str = Field(default="", max_length=4000, description="Required to pause or drop.")
    listing_closes_on: BoundedDate | None = Field(
        default=None,
        description="list-land only: the day the listing closes, the units' pre-review deadline "
        "(default: the planned award). Listing opens the project's land-start run by itself.",
    )


class PlanIn(Schema):
    stage: StageName  # type: ignore[valid-type]
    planned_on: BoundedDate | None = None


class MilestonesIn(Schema):
    version: int | None = Field(default=None, ge=1, description="If given, a stale one gets 409.")
    milestones: list[PlanIn] = Field(max_length=20)


class FundsIn(Schema):
    version: int | None = Field(default=None, ge=1)
    amount: Amount = None
    received_on: str = Field(default="", max_length=20, description="A date such as 2026-10-09.")
    note: str = Field(default="", max_length=400)


class BlockerIn(Schema):
    title: str = Field(default="", max_length=400)
    description: str = Field(default="", max_length=10000)
    category: str | None = Field(default=None, max_length=32)


class ProjectCodeRef(Schema):
    code: str
    name: str


class ProjectSummary(Schema):
    id: int
    number: str
    name: str
    investor: ProjectCodeRef | None
    investor_name: str
    project_type: str
    project_type_label: str
    industry: str
    industry_label: str
    planned_investment: str
    land_area_mu: str | None
    land_area_m2: str | None
    service_officer: ProjectCodeRef | None
    is_key: bool
    is_city_key: bool
    stage: str
    stage_label: str
    stage_before_pause: str
    stage_reason: str
    behind_plan_reason: str
    version: int
    created_at: datetime
    updated_at: datetime


class MilestoneOut(Schema):
    stage: str
    stage_label: str
    planned_on: date | None
    reached_on: date | None
    days_late: int | None


class FundsOut(Schema):
    received_on: date
    amount: str
    note: str


class BlockerOut(Schema):
    id: int
    number: str
    title: str
    status: str
    status_label: str
    lead_unit: ProjectCodeRef | None
    next_due_at: datetime | None
    resolution_due_at: datetime | None


class ProjectEventOut(Schema):
    action: str
    actor: str | None
    at: datetime
    from_stage: str
    to_stage: str
    reason: str
    payload: dict[str, Any]


class ProjectOut(ProjectSummary):
    milestones: list[MilestoneOut]
    funds: list[FundsOut]
    funds_total: str
    blockers: list[BlockerOut]
    allowed_actions: list[str]
    events: list[ProjectEventOut]


class ProjectPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[ProjectSummary]


def _dec(value) -> str | None:
    return None if value is None else str(value)


def _local(value: datetime | None) -> datetime | None:
    return timezone.localtime(value) if value is not None else None


def summary(p: Project) -> dict[str, Any]:
    return {
        "id": p.pk,
        "number": p.number,
        "name": p.name,
        "investor": {"code": p.investor.credit_code, "name": p.investor.name} if p.investor else None,
        "investor_name": p.investor_name,
        "project_type": p.project_type,
        "project_type_label": str(ProjectType(p.project_type).label),
        "industry": p.industry,
        "industry_label": str(Industry(p.industry).label),
        "planned_investment": str(p.planned_investment),
        "land_area_mu": _dec(p.land_area_mu),
        "land_area_m2": _dec(p.land_area_m2),
        "service_officer": (
            {"code": p.service_officer.username, "name": str(p.service_officer)} if p.service_officer else None
        ),
        "is_key": p.is_key,
        "is_city_key": p.is_city_key,
        "stage": p.stage,
        "stage_label": str(Stage(p.stage).label),
        "stage_before_pause": p.stage_before_pause,
        "stage_reason": p.stage_reason,
        "behind_plan_reason": p.behind_plan_reason,
        "version": p.version,
        "created_at": _local(p.created_at),
        "updated_at": _local(p.updated_at),
    }


def detail(d: ProjectDetail) -> dict[str, Any]:
    return {
        **summary(d.project),
        "milestones": [
            {"stage": m.stage, "stage_label": str(Stage(m.stage).label), "planned_on": m.planned_on,
             "reached_on": m.reached_on, "days_late": m.days_late}
            for m in d.milestones
        ],
        "funds": [{"received_on": f.received_on, "amount": str(f.amount), "note": f.note} for f in d.funds],
        "funds_total": str(d.funds_total),
        "blockers": [
            {"id": b.pk, "number": b.number, "title": b.title, "status": b.status,
             "status_label": b.get_status_display(),
             "lead_unit": {"code": b.lead_unit.code, "name": b.lead_unit.name} if b.lead_unit else None,
             "next_due_at": _local(b.next_due_at), "resolution_due_at": _local(b.resolution_due_at)}
            for b in d.blockers
        ],
        "allowed_actions": d.allowed_actions,
        "events": [
            {"action": e.action, "actor": str(e.actor) if e.actor else None, "at": _local(e.at),
             "from_stage": e.from_state, "to_stage": e.to_state, "reason": e.reason, "payload": e.payload}
            for e in d.events
        ],
    }


def _read(request: HttpRequest, project_id: int) -> dict[str, Any]:
    return detail(project_detail(actor=request.user, project_id=project_id))


class ProjectListQuery(Schema):
    stage: list[StageName] | None = None  # type: ignore[valid-type]
    type: TypeName | None = None  # type: ignore[valid-type]
    industry: IndustryName | None = None  # type: ignore[valid-type]
    key: bool | None = None
    city_key: bool | None = None
    officer: str | None = Field(default=None, max_length=150)
    q: str | None = Field(default=None, max_length=100)
    behind_plan: bool | None = None
    page: int = Field(default=1, ge=1, le=100000)
    page_size: int = Field(default=20, ge=1, le=100)

    def filters(self) -> ProjectFilters:
        return ProjectFilters(
            stage=self.stage, project_type=self.type, industry=self.industry, key=self.key,
            city_key=self.city_key, officer=self.officer, q=self.q, behind_plan=self.behind_plan,
        )


@router.get("/projects", response=ProjectPage)
def project_index(request: HttpRequest, q: Query[ProjectListQuery]):
    """Projects you may see, newest first, with filters."""
    qs = project_list(actor=request.user, filters=q.filters())
    start = (q.page - 1) * q.page_size
    return {
        "count": qs.count(),
        "page": q.page,
        "page_size": q.page_size,
        "results": [summary(p) for p in qs[start : start + q.page_size]],
    }


@router.post("/projects", response={201: ProjectOut, 200: ProjectOut})
def project_create(
    request: HttpRequest,
    payload: ProjectIn,
    idempotency_key: str | None = Header(default=None, alias="Idempotency-Key"),
):
    """Create a project (service team and admins). Give `investor_credit_code` of a registered
    enterprise, or `investor_name` of a prospective investor. Send an Idempotency-Key header to
    make a retry safe."""

    def work() -> tuple[int, dict[str, Any]]:
        project = services.project_create(actor=request.user, **payload.dict())
        return 201, ProjectOut(**_read(request, project.pk)).model_dump(mode="json")

    return answer_once(request=request, key=idempotency_key, work=work)


@router.get("/projects/export", response={200: None})
def project_export(request: HttpRequest, q: Query[ProjectListQuery]):
    """The project ledger (项目台账) as an Excel workbook: every project you may see (and the
    filters keep), and the pipeline summary with the rate definitions."""
    today = timezone.localdate()
    return export_response(
        ledger_workbook(actor=request.user, filters=q.filters(), today=today), filename=export_filename(today)
    )


class ImportOut(Schema):
    created: int
    projects: list[ProjectSummary]


@router.post("/projects/import", response={201: ImportOut})
def project_import(request: HttpRequest, file: File[UploadedFile]):
    """Import a ledger (.xlsx, at most 5 MB, the columns of the export). Every row is checked;
    if any is bad nothing is imported and `fields.file` lists "Line N: reason" for each."""
    name = file.name or ""
    content = file.read(MAX_BYTES + 1)
    result = ledger_import(actor=request.user, content=content, filename=name)
    return Respond(201, {"created": len(result.created), "projects": [summary(p) for p in result.created]})


@router.get("/projects/{project_id}", response=ProjectOut)
def project_read(request: HttpRequest, project_id: int):
    """One project with its milestones, funds, blockers, the actions you may take and its timeline."""
    return _read(request, project_id)


@router.patch("/projects/{project_id}", response=ProjectOut)
def project_edit(request: HttpRequest, project_id: int, payload: ProjectPatch):
    """Change the fields given (with the version you read; a stale one gets 409)."""
    changes = payload.dict(exclude_unset=True)
    version = changes.pop("version")
    services.project_update(actor=request.user, project_id=project_id, version=version, **changes)
    return _read(request, project_id)


@router.post("/projects/{project_id}/actions/{action}", response=ProjectOut)
def project_act(request: HttpRequest, project_id: int, action: ActionName, payload: ActionIn):  # type: ignore[valid-type]
    """Move the project: negotiate, sign, review-land, list-land, award, start, produce,
    pause (reason), resume, drop (reason)."""
    services.project_transition(
        actor=request.user, project_id=project_id, version=payload.version, action=action, reason=payload.reason,
        listing_closes_on=payload.listing_closes_on if action == Action.LIST_LAND else None,
    )
    return _read(request, project_id)


@router.post("/projects/{project_id}/milestones", response=ProjectOut)
def project_milestones(request: HttpRequest, project_id: int, payload: MilestonesIn):
    """Plan the date of one or more stages (`planned_on: null` clears a plan)."""
    services.milestone_plan(
        actor=request.user, project_id=project_id, version=payload.version,
        plans=[(m.stage, m.planned_on) for m in payload.milestones],
    )
    return _read(request, project_id)


@router.post("/projects/{project_id}/funds", response={201: ProjectOut})
def project_funds(request: HttpRequest, project_id: int, payload: FundsIn):
    """Record funds in place (到资): amount > 0 yuan, received on a date not in the future."""
    services.funds_record(
        actor=request.user, project_id=project_id, version=payload.version, amount=payload.amount,
        received_on=payload.received_on, note=payload.note,
    )
    return Respond(201, _read(request, project_id))


@router.post("/projects/{project_id}/blockers", response={201: BlockerOut})
def project_blocker(request: HttpRequest, project_id: int, payload: BlockerIn):
    """Raise a blocker: a demand of the investor linked to the project, with the demand's deadlines
    and supervision (the investor must be a registered enterprise)."""
    demand = services.project_blocker_raise(
        actor=request.user, project_id=project_id, title=payload.title, description=payload.description,
        category_code=payload.category,
    )
    return Respond(201, {
        "id": demand.pk, "number": demand.number, "title": demand.title, "status": demand.status,
        "status_label": demand.get_status_display(), "lead_unit": None,
        "next_due_at": _local(demand.next_due_at), "resolution_due_at": _local(demand.resolution_due_at),
    })


# --- the pipeline figures ------------------------------------------------------------------


class StageFigure(Schema):
    count: int
    investment: str


class RateOut(Schema):
    name: str
    numerator: str
    denominator: str
    percent: str | None
    definition: str


class BehindOut(Schema):
    id: int
    number: str
    name: str
    stage: str
    is_key: bool
    is_city_key: bool
    service_officer: str | None
    milestone: str
    planned_on: date
    days_late: int
    behind_plan_reason: str


class Totals(Schema):
    count: int
    investment: str
    signed_count: int
    signed_investment: str
    funds_in_place: str


class PipelineOut(Schema):
    today: date
    by_stage: dict[str, StageFigure]
    by_type: dict[str, StageFigure]
    by_industry: dict[str, StageFigure]
    totals: Totals
    rates: dict[str, RateOut]
    behind_plan: list[BehindOut]
    behind_plan_definition: str


def _figures(groups: dict[str, dict]) -> dict[str, dict[str, Any]]:
    return {k: {"count": g["count"], "investment": str(g["investment"])} for k, g in groups.items()}


def pipeline_body(figures: dict[str, Any]) -> dict[str, Any]:
    totals = figures["totals"]
    return {
        "today": figures["today"],
        "by_stage": _figures(figures["by_stage"]),
        "by_type": _figures(figures["by_type"]),
        "by_industry": _figures(figures["by_industry"]),
        "totals": {k: v if isinstance(v, int) else str(v) for k, v in totals.items()},
        "rates": {
            key: {
                "name": str(RATE_NAMES[key]),
                "numerator": str(rate.numerator),
                "denominator": str(rate.denominator),
                "percent": _dec(rate.percent),
                "definition": str(RATE_DEFINITIONS[key]),
            }
            for key, rate in figures["rates"].items()
        },
        "behind_plan": [
            {
                "id": b["project"].pk, "number": b["project"].number, "name": b["project"].name,
                "stage": b["project"].stage, "is_key": b["project"].is_key, "is_city_key": b["project"].is_city_key,
                "service_officer": str(b["project"].service_officer) if b["project"].service_officer else None,
                "milestone": b["milestone"], "planned_on": b["planned_on"], "days_late": b["days_late"],
                "behind_plan_reason": b["project"].behind_plan_reason,
            }
            for b in figures["behind_plan"]
        ],
        "behind_plan_definition": str(BEHIND_PLAN_DEFINITION),
    }


@router.get("/stats/pipeline", response=PipelineOut)
def stats_pipeline(request: HttpRequest):
    """The pipeline of the projects you may see: `by_stage` keyed by every stage, each with `count`
    and `investment` (yuan, an exact decimal as a string); by type and industry; the four rates
    with numerator, denominator and definition; key projects behind plan."""
    return pipeline_body(pipeline_stats(actor=request.user))
