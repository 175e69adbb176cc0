"""Commitments (容缺受理 / 告知承诺制): the list, one commitment, fulfil it with the promised
document, cancel it. Making one is part of completing a step (``commitment`` in the body of
POST /landstarts/{run_id}/steps/{step}/complete)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import File, Query, Router, Schema
from ninja.files import UploadedFile
from pydantic import Field

from mashang.core.bounds import BoundedDateTime
from mashang.core.errors import PermissionDenied
from mashang.landstart.models import Commitment
from mashang.landstart.selectors.commitments import (
    MSG_MAY_NOT_LIST,
    CommitmentFilters,
    can_list,
    commitment_get,
    commitment_list,
    is_overdue,
)
from mashang.landstart.services.commitments import (
    CommitmentTerms,
    commitment_cancel,
    commitment_fulfil,
)

router = Router(tags=["landstart"])


class CommitmentIn(Schema):
    promised_by: str = Field(min_length=1, max_length=200, description="Who promised the document.")
    due_at: BoundedDateTime | None = Field(
        default=None, description="By when; at most the step's longest promise in working days."
    )
    working_days: int | None = Field(
        default=None, ge=1, le=365, description="Or: by the end of this many working days from now."
    )
    document: str = Field(default="", max_length=200, description="Empty: the step's document.")
    note: str = Field(default="", max_length=2000)


def commitment_terms(payload: CommitmentIn | None) -> CommitmentTerms | None:
    if payload is None:
        return None
    return CommitmentTerms(
        promised_by=payload.promised_by,
        due_at=payload.due_at,
        working_days=payload.working_days,
        document=payload.document,
        note=payload.note,
    )


class CommitmentOut(Schema):
    id: int
    run: int
    project: int
    project_number: str
    project_name: str
    step: str
    step_name: str
    unit: str
    unit_name: str
    document: str
    promised_by: str
    due_at: datetime
    state: str = Field(description="open / fulfilled / cancelled")
    overdue: bool
    notice_level: str = Field(description="The last notice raised: '', reminder, yellow, red.")
    made_at: datetime
    made_by: str
    fulfilled_at: datetime | None
    fulfilled_by: str | None
    fulfilled_document: str | None = Field(description="The download address of the document.")
    note: str
    version: int


class CommitmentPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[CommitmentOut]


def _local(value: datetime | None) -> datetime | None:
    return timezone.localtime(value) if value is not None else None


def commitment_out(c: Commitment, now: datetime) -> dict[str, Any]:
    step, run = c.step, c.step.run
    return {
        "id": c.pk,
        "run": run.pk,
        "project": run.project_id,
        "project_number": run.project.number,
        "project_name": run.project.name,
        "step": step.code,
        "step_name": step.name,
        "unit": step.unit.code,
        "unit_name": step.unit.name,
        "document": c.document,
        "promised_by": c.promised_by,
        "due_at": _local(c.due_at),
        "state": c.state,
        "overdue": is_overdue(c, now),
        "notice_level": c.notice_level,
        "made_at": _local(c.made_at),
        "made_by": str(c.made_by),
        "fulfilled_at": _local(c.fulfilled_at),
        "fulfilled_by": str(c.fulfilled_by) if c.fulfilled_by else None,
        "fulfilled_document": (
            f"/api/v1/landstarts/{run.pk}/documents/{c.fulfilled_document_id}"
            if c.fulfilled_document_id
            else None
        ),
        "note": c.note,
        "version": c.version,
    }


class CommitmentQuery(Schema):
    open: bool | None = Field(default=True, description="true: open only (default); false: closed ones.")
    unit: str | None = Field(default=None, max_length=32, description="A unit's code.")
    overdue: bool | None = None
    project: int | None = None
    order: str = Field(default="due", pattern=r"^-?due$", description="due (soonest first) or -due.")
    page: int = Field(default=1, ge=1, le=100000)
    page_size: int = Field(default=50, ge=1, le=200)


@router.get("/landstart-commitments", response=CommitmentPage)
def commitment_index(request: HttpRequest, q: Query[CommitmentQuery]):
    """Commitments you may see (the service team, supervisors and leaders all; a unit its own),
    open ones by default, soonest due first."""
    if not can_list(request.user):
        raise PermissionDenied(MSG_MAY_NOT_LIST)
    now = timezone.now()
    qs = commitment_list(
        actor=request.user,
        filters=CommitmentFilters(
            open=q.open, unit=q.unit, overdue=q.overdue, project=q.project, order=q.order
        ),
        now=now,
    )
    start = (q.page - 1) * q.page_size
    return {
        "count": qs.count(),
        "page": q.page,
        "page_size": q.page_size,
        "results": [commitment_out(c, now) for c in qs[start : start + q.page_size]],
    }


@router.get("/landstart-commitments/{commitment_id}", response=CommitmentOut)
def commitment_read(request: HttpRequest, commitment_id: int):
    """One commitment on a run you may see."""
    return commitment_out(commitment_get(actor=request.user, commitment_id=commitment_id), timezone.now())


@router.post("/landstart-commitments/{commitment_id}/fulfil", response=CommitmentOut)
def commitment_fulfil_endpoint(
    request: HttpRequest, commitment_id: int, files: File[list[UploadedFile]], version: int | None = None
):
    """The promised document arrived: attach it (multipart, field ``files``) and the commitment
    is fulfilled (the step's unit, or the service team). ``?version=`` guards against a stale
    read (409)."""
    commitment_fulfil(actor=request.user, commitment_id=commitment_id, files=files, version=version)
    return commitment_out(commitment_get(actor=request.user, commitment_id=commitment_id), timezone.now())


class CommitmentCancelIn(Schema):
    reason: str = Field(min_length=1, max_length=2000)
    version: int | None = Field(default=None, ge=1)


@router.post("/landstart-commitments/{commitment_id}/cancel", response=CommitmentOut)
def commitment_cancel_endpoint(request: HttpRequest, commitment_id: int, payload: CommitmentCancelIn):
    """Withdraw an open commitment with a reason (the service team)."""
    commitment_cancel(
        actor=request.user, commitment_id=commitment_id, reason=payload.reason, version=payload.version
    )
    return commitment_out(commitment_get(actor=request.user, commitment_id=commitment_id), timezone.now())
