"""The demand endpoints: file, list, read, and one POST per transition."""

from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import File, Header, Query, Router, Schema, UploadedFile
from pydantic import Field

from mashang.core.bounds import BoundedDateTime
from mashang.core.idempotency import answer_once
from mashang.demands import services
from mashang.demands.models import Channel, ContactMethod, Demand, Rating, Status, Urgency
from mashang.demands.selectors import (
    DemandDetail,
    DemandFilters,
    demand_count,
    demand_detail_of,
    demand_get,
    demand_list,
)
from mashang.demands.selectors.opinions import demand_opinions
from mashang.demands.services.attachments import demand_attach

router = Router(tags=["demands"])

ChannelName = Literal[tuple(Channel.values)]  # type: ignore[valid-type]
StatusName = Literal[tuple(Status.values)]  # type: ignore[valid-type]
UrgencyName = Literal[tuple(Urgency.values)]  # type: ignore[valid-type]
RatingName = Literal[tuple(Rating.values)]  # type: ignore[valid-type]
ContactMethodName = Literal[tuple(ContactMethod.values)]  # type: ignore[valid-type]


class DemandIn(Schema):
    title: str = Field(min_length=1, max_length=200)
    description: str = Field(min_length=1, max_length=5000)
    category: str | None = Field(default=None, max_length=32)
    channel: ChannelName = Channel.API  # type: ignore[valid-type]
    enterprise_credit_code: str | None = Field(default=None, max_length=40)
    enterprise_name: str = Field(default="", max_length=200)
    contact_name: str = Field(default="", max_length=50)
    contact_phone: str = Field(default="", max_length=30)
    external_number: str = Field(
        default="",
        max_length=40,
        description='The order number of a 12345 transfer (channel "hotline", required there); '
        "an order is registered once: a repeat is refused (409) naming the demand it became.",
    )
    external_due_at: BoundedDateTime | None = Field(
        default=None,
        description='The deadline the 12345 hotline set on the order (channel "hotline", required there, '
        "in the future); the lead unit's resolution deadline is no later.",
    )


class DemandCodeRef(Schema):
    code: str
    name: str


class Deadlines(Schema):
    triage: datetime | None
    first_response: datetime | None
    interim_reply: datetime | None
    resolution: datetime | None
    next: datetime | None
    overdue: bool


class DemandSummary(Schema):
    id: int
    number: str
    title: str
    status: str
    status_label: str
    channel: str
    urgency: str
    kind: str = Field(description='"demand", or "action_item" for an action item of a review meeting.')
    enterprise: DemandCodeRef | None = Field(description="Empty only for an action item that concerns no enterprise.")
    category: DemandCodeRef | None
    lead_unit: DemandCodeRef | None
    submitted_at: datetime
    next_due_at: datetime | None
    version: int


class DemandEventOut(Schema):
    action: str
    actor: str | None
    actor_role: str | None
    at: datetime
    from_status: str
    to_status: str
    reason: str
    payload: dict[str, Any]
    text_withheld: bool = Field(
        default=False,
        description="The event's text (its reason and the text of its payload) is internal and withheld from you.",
    )


class OpinionOut(Schema):
    unit: str = Field(description="The co-unit's code.")
    unit_name: str
    by: str
    at: datetime
    text: str


class AssignmentOut(Schema):
    unit: DemandCodeRef
    role: str
    is_current: bool


class DemandOut(DemandSummary):
    description: str
    contact_name: str
    contact_phone: str = Field(
        description="In full for those who handle the demand (its enterprise, the service team, its "
        "current units); masked (138****8000) for everyone else."
    )
    external_number: str = Field(description="The 12345 order number of a transferred demand, else empty.")
    external_due_at: datetime | None = Field(description="The 12345 hotline's deadline of a transferred demand.")
    intake_unit: DemandCodeRef | None = Field(description="The unit that registered the demand for an enterprise that came to it.")
    round: int
    deadlines: Deadlines
    units: list[AssignmentOut]
    assessment: str
    reply: str
    resolved: bool | None
    rating: str
    rating_comment: str
    extension_requested_days: int | None
    first_responded_at: datetime | None = Field(description="When the lead unit first contacted the enterprise.")
    first_contact_method: str = Field(description='"phone", "visit" or "message"; empty before the first contact.')
    first_contact_with: str = Field(description="Whom the lead unit spoke with at the first contact.")
    co_opinions: list[OpinionOut] = Field(
        description="The co-units' opinions of this round, the latest of each; empty for the enterprise."
    )
    merged_into: str | None
    allowed_actions: list[str]
    events: list[DemandEventOut]


class DemandPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[DemandSummary]


def _local(value: datetime | None) -> datetime | None:
    """Times are given in the zone's time zone (+08:00), as people there read them."""
    return timezone.localtime(value) if value is not None else None


def _ref(obj, code_attr: str = "code") -> dict | None:
    if obj is None:
        return None
    return {"code": getattr(obj, code_attr), "name": obj.name}


def _summary(d: Demand) -> dict[str, Any]:
    return {
        "id": d.pk,
        "number": d.number,
        "title": d.title,
        "status": d.status,
        "status_label": str(Status(d.status).label),
        "channel": d.channel,
        "urgency": d.urgency,
        "kind": d.kind,
        "enterprise": _ref(d.enterprise, "credit_code"),
        "category": _ref(d.category),
        "lead_unit": _ref(d.lead_unit),
        "submitted_at": _local(d.submitted_at),
        "next_due_at": _local(d.next_due_at),
        "version": d.version,
    }


def _detail(detail: DemandDetail) -> dict[str, Any]:
    d = detail.demand
    return {
        **_summary(d),
        "description": d.description,
        "contact_name": d.contact_name,
        "contact_phone": detail.contact_phone(),
        "external_number": d.external_number,
        "external_due_at": _local(d.external_due_at),
        "intake_unit": _ref(d.intake_unit),
        "round": d.round,
        "deadlines": {
            "triage": _local(d.triage_due_at),
            "first_response": _local(d.first_response_due_at),
            "interim_reply": _local(d.interim_reply_due_at),
            "resolution": _local(d.resolution_due_at),
            "next": _local(d.next_due_at),
            "overdue": bool(d.next_due_at and d.next_due_at < timezone.now()),
        },
        "units": [
            {"unit": _ref(a.unit), "role": a.role, "is_current": a.is_current}
            for a in detail.assignments
        ],
        # Internal text reads empty to a party the rule keeps it from (demands.disclosure).
        "assessment": detail.readable("assessment"),
        "reply": d.reply,
        "resolved": d.resolved,
        "rating": d.rating,
        "rating_comment": d.rating_comment,
        "extension_requested_days": d.extension_requested_days,
        "first_responded_at": _local(d.first_responded_at),
        "first_contact_method": d.first_contact_method,
        "first_contact_with": d.first_contact_with,
        "co_opinions": [
            {"unit": o.unit_code, "unit_name": o.unit, "by": o.by, "at": _local(o.at), "text": o.text}
            for o in demand_opinions(detail=detail)
        ],
        "merged_into": d.merged_into.number if d.merged_into else None,
        "allowed_actions": detail.allowed_actions,
        "events": [
            {
                "action": e.action,
                "actor": str(e.actor) if e.actor else None,
                "actor_role": e.actor.role if e.actor else None,
                "at": _local(e.at),
                "from_status": e.from_state,
                "to_status": e.to_state,
                "reason": e.reason,
                "payload": e.payload,
                "text_withheld": getattr(e, "withheld", False),
            }
            for e in detail.events
        ],
    }


@router.post("/demands", response={201: DemandOut, 200: DemandOut})
def demand_create(
    request: HttpRequest,
    payload: DemandIn,
    idempotency_key: str | None = Header(default=None, alias="Idempotency-Key"),
):
    """File a demand. Send an Idempotency-Key header to make a retry safe: the same key
    returns the first demand and never creates a second one."""

    def work() -> tuple[int, dict[str, Any]]:
        demand = services.demand_submit(
            actor=request.user,
            title=payload.title,
            description=payload.description,
            channel=payload.channel,
            category_code=payload.category,
            enterprise_credit_code=payload.enterprise_credit_code,
            enterprise_name=payload.enterprise_name,
            contact_name=payload.contact_name,
            contact_phone=payload.contact_phone,
            external_number=payload.external_number,
            external_due_at=payload.external_due_at,
        )
        # A new demand has no units yet and one event: answer from what is in hand.
        detail = demand_detail_of(
            actor=request.user, demand=demand, assignments=[], events=demand.recorded_events
        )
        return 201, DemandOut(**_detail(detail)).model_dump(mode="json")

    return answer_once(request=request, key=idempotency_key, work=work)


class DemandListQuery(Schema):
    status: list[StatusName] | None = None  # type: ignore[valid-type]
    unit: str | None = None
    category: str | None = None
    enterprise: str | None = None
    overdue: bool | None = None
    open: bool | None = None
    created_from: BoundedDateTime | None = None
    created_to: BoundedDateTime | None = None
    page: int = Field(default=1, ge=1, le=100000)
    page_size: int = Field(default=20, ge=1, le=100)


@router.get("/demands", response=DemandPage)
def demand_index(request: HttpRequest, q: Query[DemandListQuery]):
    """Demands you may see, nearest deadline first. `unit` with `open=true` is a unit's queue."""
    filters = DemandFilters(**q.model_dump(exclude={"page", "page_size"}))
    qs = demand_list(actor=request.user, filters=filters)
    start = (q.page - 1) * q.page_size
    rows = list(qs[start : start + q.page_size])
    return {
        "count": demand_count(actor=request.user, filters=filters),
        "page": q.page,
        "page_size": q.page_size,
        "results": [_summary(d) for d in rows],
    }


@router.get("/demands/{demand_id}", response=DemandOut)
def demand_read(request: HttpRequest, demand_id: int):
    """One demand with its deadlines, units, the actions you may take, and its whole timeline."""
    return _detail(demand_get(actor=request.user, demand_id=demand_id))


# --- transitions: one endpoint per action, each with its own body schema -------------------


class Versioned(Schema):
    version: int = Field(
        ge=1, strict=True, description="The version you read; a stale one gets 409."
    )


class TriageIn(Versioned):
    category: str = Field(min_length=1, max_length=32)
    urgency: UrgencyName = Urgency.NORMAL  # type: ignore[valid-type]
    note: str = Field(default="", max_length=2000)


class DispatchIn(Versioned):
    lead_unit: str = Field(
        default="",
        max_length=32,
        description="Unit code; empty = the category's default lead unit.",
    )
    co_units: list[str] = Field(default_factory=list, max_length=20)
    note: str = Field(default="", max_length=2000)


class NoteIn(Versioned):
    note: str = Field(default="", max_length=2000)


class RespondIn(NoteIn):
    method: ContactMethodName = Field(description="How the enterprise was contacted.")  # type: ignore[valid-type]
    contact_with: str = Field(min_length=1, max_length=100, description="Whom the unit spoke with.")
    contacted_at: BoundedDateTime | None = Field(
        default=None, description="When; not in the future nor before the dispatch. Default: now."
    )


class OpinionIn(Versioned):
    opinion: str = Field(min_length=1, max_length=2000)


class ApproveExtensionIn(NoteIn):
    days: int | None = Field(
        default=None, ge=1, le=30, description="Working days approved: the days asked for (default) or fewer."
    )


class AssessIn(Versioned):
    assessment: str = Field(min_length=1, max_length=5000)


class ReplyIn(Versioned):
    reply: str = Field(min_length=1, max_length=5000)


class ConfirmIn(Versioned):
    resolved: bool
    rating: RatingName  # type: ignore[valid-type]
    comment: str = Field(default="", max_length=2000)


class DemandReasonIn(Versioned):
    reason: str = Field(min_length=1, max_length=2000)


class OptionalReasonIn(Versioned):
    reason: str = Field(default="", max_length=2000)


class ExtendIn(Versioned):
    days: int = Field(ge=1, le=30)
    reason: str = Field(min_length=1, max_length=2000)


class WaitIn(Versioned):
    question: str = Field(min_length=1, max_length=2000)


class ResumeIn(Versioned):
    answer: str = Field(default="", max_length=5000)


class MergeIn(Versioned):
    into: str = Field(
        min_length=1, max_length=20, description="Number (SQ-…) or id of the demand to keep."
    )
    reason: str = Field(default="", max_length=2000)


class AssignCaseIn(Versioned):
    coordinator: str = Field(min_length=1, max_length=150, description="Username of the coordinator.")
    lead_unit: str = Field(min_length=1, max_length=32)
    co_units: list[str] = Field(default_factory=list, max_length=20)
    working_days: int = Field(ge=1, le=90, description="The case's deadline, in working days from now.")
    note: str = Field(default="", max_length=2000)


#: The body each move takes and what its endpoint does; the service is ``services.ACTIONS[action]``.
INPUTS: dict[str, tuple[type[Versioned], str]] = {
    "triage": (TriageIn, "Accept, classify and set the urgency (service team)."),
    "dispatch": (DispatchIn, "Send to a lead unit and co-units by unit code (service team)."),
    "respond": (RespondIn, "Record the first contact with the enterprise: how, with whom, when (lead unit)."),
    "assess": (AssessIn, "Give the assessment and decision reference (lead unit)."),
    "opinion": (OpinionIn, "Give the co-unit's opinion to the lead unit (a co-unit; a later one supersedes)."),
    "reply": (ReplyIn, "Reply to the enterprise (lead unit)."),
    "confirm": (ConfirmIn, "Say whether it was resolved and rate it (enterprise)."),
    "return": (DemandReasonIn, "Return a wrongly dispatched demand with a reason (lead unit)."),
    "extend": (ExtendIn, "Ask for more working days (lead unit)."),
    "approve-extension": (ApproveExtensionIn, "Approve the pending extension, all or fewer days (supervisor)."),
    "refuse-extension": (NoteIn, "Refuse the pending extension (supervisor)."),
    "wait": (WaitIn, "Ask the enterprise a question; the clock pauses (lead unit)."),
    "resume": (ResumeIn, "Answer the question or resume; the clock runs again."),
    "reopen": (DemandReasonIn, "Start a second round after 'not resolved' or 'unsatisfied'."),
    "escalate": (DemandReasonIn, "Hand over to difficult-case handling."),
    "assign-case": (
        AssignCaseIn,
        "Take a difficult case on: coordinator, lead unit, co-units and a deadline in working days (leader).",
    ),
    "decline-case": (DemandReasonIn, "Send a difficult case back to the service team, with the reason (leader)."),
    "sign-off": (NoteIn, "Sign off the reply to a difficult case (the lead unit's head)."),
    "merge": (MergeIn, "Merge this duplicate into another demand (service team)."),
    "withdraw": (DemandReasonIn, "Withdraw the demand, with the reason (enterprise)."),
}


def _register(action: str, schema: type[Versioned], summary: str) -> None:
    service = services.ACTIONS[action]

    def handler(request: HttpRequest, demand_id: int, payload: schema):  # type: ignore[valid-type]
        data = payload.model_dump()
        demand = service(actor=request.user, demand_id=demand_id, **data)
        return _detail(demand_detail_of(actor=request.user, demand=demand))

    handler.__name__ = f"demand_{action.replace('-', '_')}"
    router.post(
        f"/demands/{{demand_id}}/actions/{action}",
        response=DemandOut,
        summary=summary,
        operation_id=handler.__name__,
    )(handler)


for _action, (_schema, _summary_text) in INPUTS.items():
    _register(_action, _schema, _summary_text)


class AttachmentOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    step: str = Field(description='"submit", "attach" (added on their own) or the action they came with.')
    unit: str | None = Field(description="The code of the unit whose member filed it.")
    uploaded_at: datetime


@router.post(
    "/demands/{demand_id}/attachments",
    response={201: list[AttachmentOut]},
    summary="Add files to an open demand (multipart, field `files`; the enterprise, the service team, "
    "the current lead unit and co-units).",
)
def demand_attachments_add(request: HttpRequest, demand_id: int, files: File[list[UploadedFile]]):
    created = demand_attach(actor=request.user, demand_id=demand_id, files=files)
    return 201, [
        {
            "id": a.pk,
            "name": a.original_name,
            "content_type": a.content_type,
            "size": a.size,
            "step": a.step,
            "unit": a.unit.code if a.unit_id else None,
            "uploaded_at": _local(a.uploaded_at),
        }
        for a in created
    ]
