"""The review-meeting endpoints: meetings, their agenda and decisions, the minutes as .docx or
PDF, the action-item tracker, the difficult cases and a category's rule history."""


from datetime import date, datetime
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Header, Query, Router, Schema
from pydantic import Field

from mashang.core.bounds import BoundedDate, BoundedDateTime
from mashang.core.errors import NotFound
from mashang.core.idempotency import answer_once
from mashang.meetings import minutes as doc
from mashang.meetings import selectors as sel
from mashang.meetings import services
from mashang.meetings.models import Kind, ProjectOutcome, RuleField, Status
from mashang.org.models import Category

router = Router(tags=["meetings"])

KindName = Literal[tuple(Kind.values)]  # type: ignore[valid-type]
StatusName = Literal[tuple(Status.values)]  # type: ignore[valid-type]


class MeetingCodeRef(Schema):
    code: str
    name: str


class MeetingPersonRef(Schema):
    username: str
    name: str


class MeetingDemandRef(Schema):
    id: int
    number: str
    title: str
    status: str
    status_label: str
    due_at: datetime | None
    overdue: bool


class ProjectRef(Schema):
    id: int
    number: str
    name: str
    stage: str


class ActionItemOut(Schema):
    id: int
    title: str
    lead_unit: MeetingCodeRef
    co_units: list[MeetingCodeRef]
    owner: MeetingPersonRef | None
    working_days: int
    closing_rule: str
    tracked_as: MeetingDemandRef | None = Field(
        description="The tracked action item, once the minutes are approved."
    )


class RuleChangeOut(Schema):
    category: MeetingCodeRef
    field: str
    value: str
    previous: str
    applied_at: datetime | None


class ProjectMoveOut(Schema):
    project: ProjectRef
    outcome: str
    reason: str
    applied_at: datetime | None


class AgendaItemOut(Schema):
    id: int
    position: int
    source: str
    source_label: str
    status: str
    title: str
    evidence: list[str]
    figures: dict[str, Any]
    demand: MeetingDemandRef | None
    project: ProjectRef | None
    unit: MeetingCodeRef | None
    category: MeetingCodeRef | None
    decision: str
    decided_at: datetime | None
    action_items: list[ActionItemOut]
    rule_changes: list[RuleChangeOut]
    project_moves: list[ProjectMoveOut]


class MeetingSummary(Schema):
    id: int
    number: str
    kind: str
    kind_label: str
    title: str
    status: str
    status_label: str
    starts_at: datetime
    place: str
    chair: MeetingPersonRef
    secretary: MeetingPersonRef
    version: int


class MeetingOut(MeetingSummary):
    period_start: date
    period_end: date
    note: str
    participants: list[MeetingPersonRef]
    units: list[MeetingCodeRef]
    frozen_at: datetime | None
    held_at: datetime | None
    approved_at: datetime | None
    approved_by: MeetingPersonRef | None
    cancel_reason: str
    allowed_actions: list[str]
    items: list[AgendaItemOut]


def _person(u) -> dict[str, str] | None:
    return {"username": u.username, "name": str(u)} if u else None


def _ref(x) -> dict[str, str] | None:
    return {"code": x.code, "name": x.name} if x else None


def _demand(d, now: datetime) -> dict[str, Any] | None:
    if d is None:
        return None
    return {
        "id": d.pk,
        "number": d.number,
        "title": d.title,
        "status": d.status,
        "status_label": str(d.get_status_display()),
        "due_at": d.next_due_at,
        "overdue": bool(d.next_due_at and d.next_due_at < now),
    }


def _project(p) -> dict[str, Any] | None:
    return {"id": p.pk, "number": p.number, "name": p.name, "stage": p.stage} if p else None


def _action_item(a, now: datetime) -> dict[str, Any]:
    return {
        "id": a.pk,
        "title": a.title,
        "lead_unit": _ref(a.lead_unit),
        "co_units": [_ref(u) for u in a.co_units.all()],
        "owner": _person(a.owner),
        "working_days": a.working_days,
        "closing_rule": a.closing_rule,
        "tracked_as": _demand(a.demand, now),
    }


def _summary(m) -> dict[str, Any]:
    return {
        "id": m.pk,
        "number": m.number,
        "kind": m.kind,
        "kind_label": str(m.get_kind_display()),
        "title": m.title,
        "status": m.status,
        "status_label": str(m.get_status_display()),
        "starts_at": m.starts_at,
        "place": m.place,
        "chair": _person(m.chair),
        "secretary": _person(m.secretary),
        "version": m.version,
    }


def _detail(detail: sel.MeetingDetail) -> dict[str, Any]:
    m, now = detail.meeting, timezone.now()
    return {
        **_summary(m),
        "period_start": m.period_start,
        "period_end": m.period_end,
        "note": m.note,
        "participants": [_person(p) for p in detail.participants],
        "units": [_ref(u) for u in detail.units],
        "frozen_at": m.frozen_at,
        "held_at": m.held_at,
        "approved_at": m.approved_at,
        "approved_by": _person(m.approved_by),
        "cancel_reason": m.cancel_reason,
        "allowed_actions": detail.allowed_actions,
        "items": [
            {
                "id": i.pk,
                "position": i.position,
                "source": i.source,
                "source_label": str(i.get_source_display()),
                "status": i.status,
                "title": i.title,
                "evidence": i.evidence,
                "figures": i.figures,
                "demand": _demand(i.demand, now),
                "project": _project(i.project),
                "unit": _ref(i.unit),
                "category": _ref(i.category),
                "decision": i.decision,
                "decided_at": i.decided_at,
                "action_items": [_action_item(a, now) for a in i.action_items.all()],
                "rule_changes": [
                    {
                        "category": _ref(c.category),
                        "field": c.field,
                        "value": c.value,
                        "previous": c.previous,
                        "applied_at": c.applied_at,
                    }
                    for c in i.rule_changes.all()
                ],
                "project_moves": [
                    {
                        "project": _project(mv.project),
                        "outcome": mv.outcome,
                        "reason": mv.reason,
                        "applied_at": mv.applied_at,
                    }
                    for mv in i.project_moves.all()
                ],
            }
            for i in detail.items
        ],
    }


def _read(request: HttpRequest, meeting_id: int) -> dict[str, Any]:
    return _detail(sel.meeting_get(actor=request.user, meeting_id=meeting_id, with_events=False))


# --- meetings ---------------------------------------------------------------------------------


class MeetingIn(Schema):
    kind: KindName = Kind.DEMAND_REVIEW  # type: ignore[valid-type]
    title: str = Field(min_length=1, max_length=200)
    starts_at: BoundedDateTime
    place: str = Field(default="", max_length=200)
    chair: str = Field(description="Username of a leader or supervisor.", max_length=150)
    secretary: str = Field(
        description="Username of the person keeping the minutes.", max_length=150
    )
    participants: list[str] = Field(default_factory=list, max_length=200)
    units: list[str] = Field(default_factory=list, max_length=200, description="Unit codes.")
    period_start: BoundedDate | None = Field(
        default=None, description="Default: the month before the meeting."
    )
    period_end: BoundedDate | None = Field(default=None, description="Exclusive.")
    note: str = Field(default="", max_length=2000)


class MeetingQuery(Schema):
    status: StatusName | None = None  # type: ignore[valid-type]
    kind: KindName | None = None  # type: ignore[valid-type]
    starts_from: BoundedDate | None = None
    starts_before: BoundedDate | None = None
    page: int = Field(default=1, ge=1, le=100000)
    page_size: int = Field(default=20, ge=1, le=100)


class MeetingPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[MeetingSummary]


@router.get("/meetings", response=MeetingPage)
def meeting_index(request: HttpRequest, q: Query[MeetingQuery]):
    """Review meetings, latest first."""
    qs = sel.meeting_list(
        actor=request.user,
        filters=sel.MeetingFilters(
            status=q.status, kind=q.kind, start=q.starts_from, end=q.starts_before
        ),
    )
    start = (q.page - 1) * q.page_size
    return {
        "count": qs.count(),
        "page": q.page,
        "page_size": q.page_size,
        "results": [_summary(m) for m in qs[start : start + q.page_size]],
    }


@router.post("/meetings", response={201: MeetingOut, 200: MeetingOut})
def meeting_create(
    request: HttpRequest,
    payload: MeetingIn,
    idempotency_key: str | None = Header(default=None, alias="Idempotency-Key"),
):
    """Call a meeting; its agenda is proposed from the data at once. Send an Idempotency-Key to
    make a retry safe."""

    def work() -> tuple[int, dict[str, Any]]:
        meeting = services.meeting_plan(actor=request.user, **payload.model_dump())
        return 201, MeetingOut(**_read(request, meeting.pk)).model_dump(mode="json")

    return answer_once(request=request, key=idempotency_key, work=work)


@router.get("/meetings/{meeting_id}", response=MeetingOut)
def meeting_read(request: HttpRequest, meeting_id: int):
    """One meeting with its agenda, evidence, decisions and what they planned or applied."""
    return _read(request, meeting_id)


class Versioned(Schema):
    version: int = Field(
        ge=1, strict=True, description="The version you read; a stale one gets 409."
    )


class EditIn(Versioned):
    title: str | None = Field(default=None, max_length=200)
    starts_at: BoundedDateTime | None = None
    place: str | None = Field(default=None, max_length=200)
    note: str | None = Field(default=None, max_length=2000)
    participants: list[str] | None = Field(default=None, max_length=200)
    units: list[str] | None = Field(default=None, max_length=200)


class ItemIn(Versioned):
    item: int = Field(description="The agenda item's id.")


class AddItemIn(Versioned):
    title: str = Field(min_length=1, max_length=300)
    evidence: str = Field(default="", max_length=2000)
    demand: str = Field(default="", max_length=20, description="A demand number the item is about.")
    project: str = Field(
        default="", max_length=20, description="A project number the item is about."
    )


class ActionItemIn(Schema):
    title: str = Field(max_length=200)
    lead_unit: str = Field(max_length=32)
    co_units: list[str] = Field(default_factory=list, max_length=50)
    owner: str = Field(default="", max_length=150)
    working_days: int = Field(ge=1, le=90)
    closing_rule: str = Field(max_length=300)


class RuleChangeIn(Schema):
    category: str = Field(max_length=32)
    field: Literal[tuple(RuleField.values)]  # type: ignore[valid-type]
    value: str = Field(
        max_length=40, description="A unit code for default_lead_unit, else a number."
    )


class ProjectMoveIn(Schema):
    project: str = Field(default="", max_length=20, description="Default: the item's project.")
    outcome: Literal[tuple(ProjectOutcome.values)]  # type: ignore[valid-type]
    reason: str = Field(default="", max_length=500)


class DecideIn(Versioned):
    item: int
    decision: str = Field(max_length=5000)
    action_items: list[ActionItemIn] = Field(default_factory=list, max_length=20)
    rule_changes: list[RuleChangeIn] = Field(default_factory=list, max_length=20)
    project_moves: list[ProjectMoveIn] = Field(default_factory=list, max_length=20)


class MeetingReasonIn(Versioned):
    reason: str = Field(max_length=2000)


INPUTS: dict[str, tuple[type[Versioned], str]] = {
    "edit": (EditIn, "Change the title, time, place, note, participants or units."),
    "propose": (Versioned, "Run the agenda rules again; new items are added, decided ones kept."),
    "accept-item": (ItemIn, "Accept a proposed agenda item."),
    "drop-item": (ItemIn, "Drop an agenda item."),
    "add-item": (AddItemIn, "Add an item of your own (accepted)."),
    "freeze": (Versioned, "Freeze the agenda and send it to the participants."),
    "decide": (DecideIn, "Record or correct the decision on an accepted item, with what it plans."),
    "hold": (Versioned, "Close the record of the meeting (every accepted item decided)."),
    "approve": (
        Versioned,
        "Approve the minutes: rule changes, action items and project moves apply.",
    ),
    "cancel": (MeetingReasonIn, "Cancel the meeting, with the reason."),
}


def _register(action: str, schema: type[Versioned], summary: str) -> None:
    service = services.ACTIONS[action]

    def handler(request: HttpRequest, meeting_id: int, payload: schema):  # type: ignore[valid-type]
        data = payload.model_dump(exclude_none=action == "edit")
        service(actor=request.user, meeting_id=meeting_id, **data)
        return _read(request, meeting_id)

    handler.__name__ = f"meeting_{action.replace('-', '_')}"
    router.post(
        f"/meetings/{{meeting_id}}/actions/{action}",
        response=MeetingOut,
        summary=summary,
        operation_id=handler.__name__,
    )(handler)


for _action, (_schema, _summary_text) in INPUTS.items():
    _register(_action, _schema, _summary_text)


@router.get(
    "/meetings/{meeting_id}/minutes.{ext}",
    response={200: None},
    openapi_extra={"responses": {200: {"content": {doc.DOCX: {}, doc.PDF: {}}}}},
)
def meeting_minutes(request: HttpRequest, meeting_id: int, ext: Literal["docx", "pdf"]):
    """The minutes (会议纪要) as the document an office files: .docx or PDF (a draft until approved)."""
    record = sel.minutes_record(
        sel.meeting_get(actor=request.user, meeting_id=meeting_id, with_events=False)
    )
    body, content_type = (
        (doc.minutes_docx(record), doc.DOCX)
        if ext == "docx"
        else (doc.minutes_pdf(record), doc.PDF)
    )
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{doc.minutes_filename(record, ext)}"'
    return response


# --- the action-item tracker, the difficult cases, a category's history ----------------------


class TrackerQuery(Schema):
    state: Literal[tuple(sel.TRACKER_STATES)] = "open"  # type: ignore[valid-type]
    unit: str | None = Field(default=None, max_length=32)
    meeting: int | None = None
    page: int = Field(default=1, ge=1, le=100000)
    page_size: int = Field(default=50, ge=1, le=200)


class TrackedItemOut(ActionItemOut):
    meeting: MeetingSummary
    decision: str


class TrackerPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[TrackedItemOut]


@router.get("/action-items", response=TrackerPage)
def action_item_index(request: HttpRequest, q: Query[TrackerQuery]):
    """Action items of every meeting (open, due within a week, overdue, closed), nearest deadline first."""
    qs = sel.action_item_list(
        actor=request.user,
        filters=sel.ActionItemFilters(state=q.state, unit=q.unit, meeting=q.meeting),
    ).prefetch_related("co_units")
    now, start = timezone.now(), (q.page - 1) * q.page_size
    return {
        "count": qs.count(),
        "page": q.page,
        "page_size": q.page_size,
        "results": [
            {
                **_action_item(a, now),
                "meeting": _summary(a.item.meeting),
                "decision": a.item.decision,
            }
            for a in qs[start : start + q.page_size]
        ],
    }


class CaseOut(Schema):
    id: int
    number: str
    title: str
    enterprise: str
    status: str
    lead_unit: MeetingCodeRef | None
    coordinator: MeetingPersonRef | None
    escalated_at: datetime | None
    due_at: datetime | None
    version: int


class CasesOut(Schema):
    waiting: list[CaseOut] = Field(
        description="Escalations waiting for a leader to assign or send back."
    )
    open: list[CaseOut] = Field(description="Assigned cases not yet closed.")


@router.get("/difficult-cases", response=CasesOut)
def difficult_case_index(request: HttpRequest):
    """The difficult cases (难题专办) as a leader sees them."""
    cases = sel.difficult_case_list(actor=request.user)

    def row(d) -> dict[str, Any]:
        return {
            "id": d.pk,
            "number": d.number,
            "title": d.title,
            "enterprise": d.enterprise.name if d.enterprise_id else "",
            "status": d.status,
            "lead_unit": _ref(d.lead_unit),
            "coordinator": _person(d.coordinator),
            "escalated_at": d.escalated_at,
            "due_at": d.resolution_due_at,
            "version": d.version,
        }

    return {"waiting": [row(d) for d in cases["waiting"]], "open": [row(d) for d in cases["open"]]}


class RuleEventOut(Schema):
    at: datetime
    actor: MeetingPersonRef | None
    field: str
    before: str
    after: str
    meeting: str
    meeting_id: int | None
    decision: str


@router.get("/categories/{code}/rule-history", response=list[RuleEventOut])
def category_rule_history(request: HttpRequest, code: str):
    """The changes review meetings made to a category's routing default and time limits."""
    sel.meeting_list(actor=request.user)  # the same visibility as the meetings
    category = Category.objects.filter(code=code).first()
    if category is None:
        raise NotFound(services.MSG_UNKNOWN_CATEGORY)
    return [
        {
            "at": e.at,
            "actor": _person(e.actor),
            "field": e.payload.get("field", ""),
            "before": e.payload.get("from", ""),
            "after": e.payload.get("to", ""),
            "meeting": e.payload.get("meeting", ""),
            "meeting_id": e.payload.get("meeting_id"),
            "decision": e.reason,
        }
        for e in sel.category_history(category=category)
    ]
