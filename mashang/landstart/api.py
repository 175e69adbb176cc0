"""The land-start endpoints: runs (open, list, read, award, cancel), their steps (complete,
send back, stage, documents) and bundle templates."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import File, Header, Query, Router, Schema
from ninja import Status as Respond
from ninja.files import UploadedFile
from pydantic import Field

from mashang.core.bounds import BoundedDateTime
from mashang.core.errors import NotFound
from mashang.core.files import stored_file_response
from mashang.core.idempotency import answer_once
from mashang.landstart import services
from mashang.landstart.commitments_api import CommitmentIn, commitment_terms
from mashang.landstart.models import Run, RunState, StepDocument
from mashang.landstart.selectors import (
    Board,
    RunFilters,
    TemplateDetail,
    elapsed_minutes,
    run_board,
    run_get,
    run_list,
    template_get,
    template_list,
)
from mashang.landstart.selectors.workgroup import run_work_group
from mashang.landstart.specs import StepSpec
from mashang.projects.models import ProjectType

router = Router(tags=["landstart"])

MSG_NO_DOCUMENT = _("No such document.")

RunStateName = Literal[tuple(RunState.values)]  # type: ignore[valid-type]
ProjectTypeName = Literal[tuple(ProjectType.values)]  # type: ignore[valid-type]


def _local(value: datetime | None) -> datetime | None:
    """Times are given in the zone's time zone (+08:00), as people there read them."""
    return timezone.localtime(value) if value is not None else None


# --- schemas --------------------------------------------------------------------------------


class TemplateRef(Schema):
    code: str
    version: int
    name: str


class DocumentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    uploaded_at: datetime
    url: str


class StepOut(Schema):
    code: str
    name: str
    unit: str = Field(description="The code of the unit that completes the step.")
    unit_name: str
    state: str = Field(description="waiting / active / done / returned")
    prerequisites: list[str]
    expected_minutes: int
    pre_reviewable: bool
    document: str
    staged: bool
    staged_at: datetime | None
    started_at: datetime | None
    completed_at: datetime | None
    completed_by: str | None
    return_reason: str
    minutes: float | None = Field(description="Working minutes so far (active) or in all (done).")
    late: bool = Field(description="Active longer than expected, or done later than expected.")
    waiting_minutes: float
    working_minutes: float
    on_critical_path: bool
    column: int
    row: int
    documents: list[DocumentOut]
    actions: list[str] = Field(description="What you may do now: complete, stage, return, attach.")
    version: int


class UnitShareOut(Schema):
    unit: str
    unit_name: str
    minutes: float
    share: float


class RunSummary(Schema):
    id: int
    project: int
    project_number: str
    project_name: str
    template: TemplateRef
    state: str = Field(description="listed / running / completed / cancelled")
    opened_at: datetime
    opened_automatically: bool = Field(description="Opened by itself when the land was listed.")
    listing_closes_at: datetime | None = Field(
        description="The end of the listing period: the deadline of every pre-review step."
    )
    awarded_at: datetime | None
    completed_at: datetime | None
    elapsed_minutes: float | None = Field(
        description="From the award to the construction permit, or to now; null before the award."
    )
    version: int


class WorkGroupOut(Schema):
    robot: int
    name: str
    platform: str = Field(description="wecom / dingtalk / feishu")
    active: bool
    source: str = Field(description="run: the run's own robot; batch: its batch's.")


class RunOut(RunSummary):
    elapsed_seconds: int | None
    expected_minutes: float
    planned_critical_path: list[str]
    projected_minutes: float
    critical_path: list[str] = Field(
        description="Step codes from the first step to the final one: projected while running, real when done."
    )
    steps: list[StepOut]
    unit_shares: list[UnitShareOut]
    can_award: bool
    can_cancel: bool
    work_group: WorkGroupOut | None = Field(
        default=None, description="The chat robot that follows the run: its own, or its batch's; null: none."
    )


class RunPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[RunSummary]


def _summary(run: Run, now: datetime) -> dict[str, Any]:
    return {
        "id": run.pk,
        "project": run.project_id,
        "project_number": run.project.number,
        "project_name": run.project.name,
        "template": {"code": run.template.code, "version": run.template.version, "name": run.template.name},
        "state": run.state,
        "opened_at": _local(run.opened_at),
        "opened_automatically": run.opened_automatically,
        "listing_closes_at": _local(run.listing_closes_at),
        "awarded_at": _local(run.awarded_at),
        "completed_at": _local(run.completed_at),
        "elapsed_minutes": elapsed_minutes(run, now),
        "version": run.version,
    }


def _document(run_id: int, d: StepDocument) -> dict[str, Any]:
    return {
        "id": d.pk,
        "name": d.original_name,
        "content_type": d.content_type,
        "size": d.size,
        "uploaded_at": _local(d.uploaded_at),
        "url": f"/api/v1/landstarts/{run_id}/documents/{d.pk}",
    }


def _detail(board: Board) -> dict[str, Any]:
    run = board.run
    return {
        **_summary(run, board.now),
        "elapsed_seconds": board.elapsed_seconds,
        "expected_minutes": board.expected_minutes,
        "planned_critical_path": list(board.planned_critical_path),
        "projected_minutes": board.projected_minutes,
        "critical_path": list(board.critical_path),
        "steps": [
            {
                "code": s.code,
                "name": s.name,
                "unit": s.unit_code,
                "unit_name": s.unit_name,
                "state": s.state,
                "prerequisites": list(s.prerequisites),
                "expected_minutes": s.expected_minutes,
                "pre_reviewable": s.pre_reviewable,
                "document": s.document,
                "staged": s.staged,
                "staged_at": _local(s.staged_at),
                "started_at": _local(s.started_at),
                "completed_at": _local(s.completed_at),
                "completed_by": s.completed_by,
                "return_reason": s.return_reason,
                "minutes": s.minutes,
                "late": s.late,
                "waiting_minutes": s.waiting_minutes,
                "working_minutes": s.working_minutes,
                "on_critical_path": s.on_critical_path,
                "column": s.column,
                "row": s.row,
                "documents": [_document(run.pk, d) for d in s.documents],
                "actions": list(s.actions),
                "version": s.version,
            }
            for s in board.steps
        ],
        "unit_shares": [
            {"unit": u.unit_code, "unit_name": u.unit_name, "minutes": u.minutes, "share": u.share}
            for u in board.unit_shares
        ],
        "can_award": board.can_award,
        "can_cancel": board.can_cancel,
        "work_group": _work_group(run),
    }


def _work_group(run: Run) -> dict[str, Any] | None:
    group = run_work_group(run)
    if group is None:
        return None
    robot = group.robot
    return {
        "robot": robot.pk,
        "name": robot.name,
        "platform": robot.platform,
        "active": robot.is_active and robot.receives_messages,
        "source": group.source,
    }


def _answer(request: HttpRequest, run_id: int) -> dict[str, Any]:
    """The run as the actor sees it after a change."""
    return _detail(run_board(actor=request.user, run_id=run_id))


# --- runs ----------------------------------------------------------------------------------------


class RunIn(Schema):
    project: int = Field(ge=1, description="The project's id; its land must be listed.")
    template: str = Field(default="default", min_length=1, max_length=40, description="Template code.")


@router.post("/landstarts", response={201: RunOut, 200: RunOut})
def landstart_create(
    request: HttpRequest,
    payload: RunIn,
    idempotency_key: str | None = Header(default=None, alias="Idempotency-Key"),
):
    """Open a land-start run for a project whose land is listed (service team). Send an
    Idempotency-Key header to make a retry safe: the same key returns the first run."""

    def work() -> tuple[int, dict[str, Any]]:
        run = services.landstart_open(
            actor=request.user, project_id=payload.project, template_code=payload.template
        )
        return 201, RunOut(**_answer(request, run.pk)).model_dump(mode="json")

    return answer_once(request=request, key=idempotency_key, work=work)


class RunQuery(Schema):
    state: list[RunStateName] | None = None  # type: ignore[valid-type]
    project: int | None = None
    page: int = Field(default=1, ge=1, le=100000)
    page_size: int = Field(default=20, ge=1, le=100)


@router.get("/landstarts", response=RunPage)
def landstart_index(request: HttpRequest, q: Query[RunQuery]):
    """Runs you may see, the latest opened first, with the minutes since the award."""
    qs = run_list(actor=request.user, filters=RunFilters(state=q.state, project=q.project))
    start = (q.page - 1) * q.page_size
    now = timezone.now()
    return {
        "count": qs.count(),
        "page": q.page,
        "page_size": q.page_size,
        "results": [_summary(r, now) for r in qs[start : start + q.page_size]],
    }


@router.get("/landstarts/{run_id}", response=RunOut)
def landstart_read(request: HttpRequest, run_id: int):
    """One run: its steps with their state and times, the critical path and the elapsed time."""
    return _answer(request, run_id)


class AwardIn(Schema):
    awarded_at: BoundedDateTime = Field(description="The time the trading centre recorded; not later than now.")
    version: int | None = Field(default=None, ge=1, description="The run's version you read; stale gets 409.")


@router.post("/landstarts/{run_id}/award", response=RunOut)
def landstart_award(request: HttpRequest, run_id: int, payload: AwardIn):
    """Record the award: the clock starts and every step without prerequisites becomes active."""
    services.landstart_award(
        actor=request.user, run_id=run_id, awarded_at=payload.awarded_at, version=payload.version
    )
    return _answer(request, run_id)


class RunCancelIn(Schema):
    reason: str = Field(min_length=1, max_length=2000)
    version: int | None = Field(default=None, ge=1)


@router.post("/landstarts/{run_id}/cancel", response=RunOut)
def landstart_cancel(request: HttpRequest, run_id: int, payload: RunCancelIn):
    """Cancel an open run with a reason (service team)."""
    services.landstart_cancel(actor=request.user, run_id=run_id, reason=payload.reason, version=payload.version)
    return _answer(request, run_id)


class WorkGroupIn(Schema):
    robot: int | None = Field(description="The chat robot's id; null: none of its own (its batch's, if any).")
    version: int | None = Field(default=None, ge=1, description="The run's version you read; stale gets 409.")


@router.post("/landstarts/{run_id}/work-group", response=RunOut)
def landstart_work_group(request: HttpRequest, run_id: int, payload: WorkGroupIn):
    """Choose the chat robot whose group follows the run: every award, step completion, send-back
    and the final permit goes there (service team, administrators)."""
    services.landstart_work_group_set(
        actor=request.user, run_id=run_id, robot_id=payload.robot, version=payload.version
    )
    return _answer(request, run_id)


# --- steps -----------------------------------------------------------------------------------------


class StepIn(Schema):
    version: int | None = Field(
        default=None, ge=1, description="The step's version you read (optional); stale gets 409."
    )


class ReturnIn(StepIn):
    reason: str = Field(min_length=1, max_length=2000)


class CompleteIn(StepIn):
    commitment: CommitmentIn | None = Field(
        default=None,
        description="Complete without the step's document, under a commitment (where the template allows).",
    )


@router.post("/landstarts/{run_id}/steps/{step}/complete", response=RunOut)
def landstart_step_complete(
    request: HttpRequest,
    run_id: int,
    step: str,
    payload: CompleteIn | None = None,
    idempotency_key: str | None = Header(default=None, alias="Idempotency-Key"),
):
    """Complete your unit's step; its dependents whose prerequisites are all done become active.
    A step that names a document needs it attached first, or a ``commitment``: who promised the
    document and by when (``due_at``, or ``working_days``), within the template's limit.
    Send an Idempotency-Key header to make a retry safe: the same key returns the first answer."""

    def work() -> tuple[int, dict[str, Any]]:
        services.landstart_step_complete(
            actor=request.user,
            run_id=run_id,
            step_code=step,
            version=payload.version if payload else None,
            commitment=commitment_terms(payload.commitment) if payload else None,
        )
        return 200, RunOut(**_answer(request, run_id)).model_dump(mode="json")

    return answer_once(request=request, key=idempotency_key, work=work)


@router.post("/landstarts/{run_id}/steps/{step}/return", response=RunOut)
def landstart_step_return(request: HttpRequest, run_id: int, step: str, payload: ReturnIn):
    """Send a done step back with a reason (the unit of a dependent step, or the service team)."""
    services.landstart_step_return(
        actor=request.user, run_id=run_id, step_code=step, reason=payload.reason, version=payload.version
    )
    return _answer(request, run_id)


@router.post("/landstarts/{run_id}/steps/{step}/stage", response=RunOut)
def landstart_step_stage(request: HttpRequest, run_id: int, step: str, payload: StepIn | None = None):
    """While the land is listed, mark your unit's pre-reviewed step ready."""
    services.landstart_step_stage(
        actor=request.user, run_id=run_id, step_code=step, version=payload.version if payload else None
    )
    return _answer(request, run_id)


@router.post("/landstarts/{run_id}/steps/{step}/documents", response=RunOut)
def landstart_step_documents(
    request: HttpRequest, run_id: int, step: str, files: File[list[UploadedFile]]
):
    """Attach your step's documents (multipart, field ``files``: PDF, images, Word or Excel)."""
    services.landstart_document_attach(actor=request.user, run_id=run_id, step_code=step, files=files)
    return _answer(request, run_id)


@router.get("/landstarts/{run_id}/documents/{document_id}", response={200: None})
def landstart_document(request: HttpRequest, run_id: int, document_id: int):
    """A step's document, only to someone who may see the run, as a download that never renders."""
    run = run_get(actor=request.user, run_id=run_id)
    document = StepDocument.objects.filter(step__run=run, pk=document_id).first()
    if document is None:
        raise NotFound(MSG_NO_DOCUMENT)
    return stored_file_response(document, stem="document", missing=NotFound(MSG_NO_DOCUMENT))


# --- templates ---------------------------------------------------------------------------------


class TemplateStepOut(Schema):
    code: str
    name: str
    unit: str
    unit_name: str
    prerequisites: list[str]
    expected_minutes: int
    pre_reviewable: bool
    document: str
    allows_commitment: bool
    commitment_working_days: int
    earliest_start: float
    earliest_finish: float
    slack: float
    on_critical_path: bool
    column: int
    row: int


class TemplateOut(Schema):
    code: str
    version: int
    versions: list[int]
    name: str
    award_unit: str
    note: str
    project_types: list[str] = Field(description="The project types it opens by itself for.")
    created_at: datetime
    expected_minutes: float = Field(description="The expected total: the critical path's minutes.")
    critical_path: list[str]
    steps: list[TemplateStepOut]


def _template(detail: TemplateDetail) -> dict[str, Any]:
    t, plan = detail.template, detail.plan
    on_path = set(plan.critical_path)
    return {
        "code": t.code,
        "version": t.version,
        "versions": list(detail.versions),
        "name": t.name,
        "award_unit": t.award_unit.code,
        "note": t.note,
        "project_types": list(t.project_types or []),
        "created_at": _local(t.created_at),
        "expected_minutes": plan.total_minutes,
        "critical_path": list(plan.critical_path),
        "steps": [
            {
                "code": s.code,
                "name": s.name,
                "unit": s.unit.code,
                "unit_name": s.unit.name,
                "prerequisites": list(s.prerequisites),
                "expected_minutes": s.expected_minutes,
                "pre_reviewable": s.pre_reviewable,
                "document": s.document,
                "allows_commitment": s.allows_commitment,
                "commitment_working_days": s.commitment_working_days,
                "earliest_start": plan.earliest_start[s.code],
                "earliest_finish": plan.earliest_finish[s.code],
                "slack": plan.slack[s.code],
                "on_critical_path": s.code in on_path,
                "column": detail.layout[s.code][0],
                "row": detail.layout[s.code][1],
            }
            for s in detail.steps
        ],
    }


class StepSpecIn(Schema):
    code: str = Field(max_length=40)
    name: str = Field(max_length=200)
    unit: str = Field(max_length=32, description="Unit code.")
    prerequisites: list[str] = Field(default_factory=list, max_length=50, description="Step codes.")
    expected_minutes: int = Field(default=0, le=100000)
    pre_reviewable: bool = False
    document: str = Field(default="", max_length=200)
    allows_commitment: bool = Field(default=False, description="May complete under a commitment.")
    commitment_working_days: int = Field(default=10, ge=1, le=60, description="The longest promise.")


class TemplateIn(Schema):
    code: str = Field(min_length=1, max_length=40)
    name: str = Field(min_length=1, max_length=200)
    award_unit: str = Field(min_length=1, max_length=32, description="The unit that records the award.")
    note: str = Field(default="", max_length=2000)
    steps: list[StepSpecIn] = Field(max_length=100)
    project_types: list[ProjectTypeName] = Field(  # type: ignore[valid-type]
        default_factory=list,
        max_length=3,
        description="Project types whose listed land gets a run of this template by itself "
        "(one template per type; a type another template takes is refused, naming it).",
    )


@router.get("/landstart-templates", response=list[TemplateOut])
def landstart_template_index(request: HttpRequest):
    """The latest version of every bundle template, with its expected total and critical path."""
    return [_template(d) for d in template_list(actor=request.user)]


@router.get("/landstart-templates/{code}", response=TemplateOut)
def landstart_template_read(request: HttpRequest, code: str, version: int | None = None):
    """A bundle template (its latest version, or ?version=N) with its plan."""
    return _template(template_get(actor=request.user, code=code, version=version))


@router.post("/landstart-templates", response={201: TemplateOut})
def landstart_template_create(request: HttpRequest, payload: TemplateIn):
    """Save a bundle template (service team, administrators); an existing code gets its next
    version. Cycles, unknown units and dangling prerequisites are refused with a message each."""
    template = services.template_create(
        actor=request.user,
        code=payload.code,
        name=payload.name,
        award_unit_code=payload.award_unit,
        note=payload.note,
        project_types=list(payload.project_types),
        steps=[
            StepSpec(
                code=s.code,
                name=s.name,
                unit=s.unit,
                prerequisites=tuple(s.prerequisites),
                expected_minutes=s.expected_minutes,
                pre_reviewable=s.pre_reviewable,
                document=s.document,
                allows_commitment=s.allows_commitment,
                commitment_working_days=s.commitment_working_days,
            )
            for s in payload.steps
        ],
    )
    detail = template_get(actor=request.user, code=template.code, version=template.version)
    return Respond(201, TemplateOut(**_template(detail)).model_dump(mode="json"))
