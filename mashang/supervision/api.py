"""The supervision notice endpoints: list, issue by hand, acknowledge."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema
from ninja import Status as Respond
from pydantic import Field

from mashang.demands.deadlines import DeadlineKind
from mashang.supervision import services
from mashang.supervision.models import Level, SupervisionNotice
from mashang.supervision.selectors import NoticeFilters, notice_get, notice_list, with_permissions

router = Router(tags=["supervision"])

LevelName = Literal[tuple(Level.values)]  # type: ignore[valid-type]


class NoticeCodeRef(Schema):
    code: str
    name: str


class NoticeDemandRef(Schema):
    id: int
    number: str
    title: str
    status: str


class NoticePersonRef(Schema):
    username: str
    name: str


class NoticeOut(Schema):
    id: int
    demand: NoticeDemandRef
    kind: str = Field(
        description="The deadline: triage, first_contact, interim_reply, resolution; empty for a manual notice while the clock is paused."
    )
    kind_label: str
    due_at: datetime | None
    level: str
    level_label: str
    raised_at: datetime
    raised_by: NoticePersonRef | None = Field(
        description="The supervisor; null when raised by the deadline sweep."
    )
    comment: str
    unit: NoticeCodeRef | None
    addressed_to: list[NoticePersonRef]
    acknowledged_at: datetime | None
    acknowledged_by: NoticePersonRef | None
    can_acknowledge: bool


class NoticePage(Schema):
    count: int
    page: int
    page_size: int
    results: list[NoticeOut]


def _local(value: datetime | None) -> datetime | None:
    return timezone.localtime(value) if value is not None else None


def _person(user) -> dict[str, str] | None:
    return {"username": user.username, "name": str(user)} if user is not None else None


def notice_out(n: SupervisionNotice) -> dict[str, Any]:
    return {
        "id": n.pk,
        "demand": {
            "id": n.demand.pk,
            "number": n.demand.number,
            "title": n.demand.title,
            "status": n.demand.status,
        },
        "kind": n.kind,
        "kind_label": str(DeadlineKind(n.kind).label) if n.kind else "",
        "due_at": _local(n.due_at),
        "level": n.level,
        "level_label": str(Level(n.level).label),
        "raised_at": _local(n.raised_at),
        "raised_by": _person(n.raised_by),
        "comment": n.comment,
        "unit": {"code": n.unit.code, "name": n.unit.name} if n.unit else None,
        "addressed_to": [
            _person(u) for u in sorted(n.addressed_to.all(), key=lambda u: u.username)
        ],
        "acknowledged_at": _local(n.acknowledged_at),
        "acknowledged_by": _person(n.acknowledged_by),
        "can_acknowledge": bool(getattr(n, "can_acknowledge", False)),
    }


class NoticeQuery(Schema):
    unit: str | None = Field(
        default=None, max_length=32, description="The responsible unit's code."
    )
    level: LevelName | None = None  # type: ignore[valid-type]
    acknowledged: bool | None = None
    page: int = Field(default=1, ge=1, le=100000)
    page_size: int = Field(default=20, ge=1, le=100)


@router.get("/notices", response=NoticePage)
def notice_index(request: HttpRequest, q: Query[NoticeQuery]):
    """Supervision notices you may see, newest first: supervisors and leaders all, a unit its
    own, service officers the triage ones."""
    qs = notice_list(
        actor=request.user,
        filters=NoticeFilters(unit=q.unit, level=q.level, acknowledged=q.acknowledged),
    )
    start = (q.page - 1) * q.page_size
    rows = with_permissions(request.user, qs[start : start + q.page_size])
    return {
        "count": qs.order_by().count(),
        "page": q.page,
        "page_size": q.page_size,
        "results": [notice_out(n) for n in rows],
    }


class NoticeIn(Schema):
    level: LevelName  # type: ignore[valid-type]
    comment: str = Field(min_length=1, max_length=2000)


@router.post("/demands/{demand_id}/notices", response={201: NoticeOut})
def notice_create(request: HttpRequest, demand_id: int, payload: NoticeIn):
    """Issue a supervision notice on an open demand, with a comment (supervisor)."""
    notice = services.notice_issue(
        actor=request.user, demand_id=demand_id, level=payload.level, comment=payload.comment
    )
    shown = with_permissions(request.user, [notice_get(actor=request.user, notice_id=notice.pk)])[0]
    return Respond(201, notice_out(shown))


@router.post("/notices/{notice_id}/acknowledge", response=NoticeOut)
def notice_acknowledge(request: HttpRequest, notice_id: int):
    """Acknowledge a notice (the responsible unit; an officer for a triage notice)."""
    services.notice_acknowledge(actor=request.user, notice_id=notice_id)
    return notice_out(
        with_permissions(request.user, [notice_get(actor=request.user, notice_id=notice_id)])[0]
    )
