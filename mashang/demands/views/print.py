"""A demand printed as the office's form (诉求办理单), as a page to print and as a PDF.

Whoever may see the demand gets it (404 otherwise), with what they may read only: the
timeline and the answer come from the selector's ``DemandDetail``, cut by
``demands.disclosure``. The page has a print stylesheet (no navigation, no buttons).
"""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.views.decorators.http import require_GET

from mashang.core.views import or_404
from mashang.demands.deadlines import DeadlineKind, deadline_rows
from mashang.demands.models import Assignment, Demand
from mashang.demands.printform import (
    PRINTED_AT,
    DeadlineLine,
    PrintRecord,
    TimelineLine,
    form_filename,
    form_pdf,
)
from mashang.demands.selectors import DemandDetail, demand_get
from mashang.demands.views.detail import action_label, status_label


def _when(at: datetime | None) -> str:
    return date_format(timezone.localtime(at), "Y-m-d H:i") if at else "—"


def _done_at(demand: Demand, kind: str) -> datetime | None:
    """When the step a deadline holds the demand to was done (shown once the row has a result)."""
    if kind == DeadlineKind.TRIAGE:
        return demand.dispatched_at
    if kind == DeadlineKind.FIRST_CONTACT:
        return demand.first_responded_at
    if kind == DeadlineKind.INTERIM_REPLY:
        return demand.assessed_at or demand.replied_at
    return demand.replied_at


def _deadlines(demand: Demand) -> list[DeadlineLine]:
    results = {"met": gettext("on time"), "missed": gettext("late")}
    lines = []
    for row in deadline_rows(demand):
        if row.due is None:
            continue
        done = _done_at(demand, row.kind) if row.outcome else None
        result = results.get(row.outcome, gettext("running") if row.current else "")
        lines.append(DeadlineLine(str(DeadlineKind(row.kind).label), _when(row.due), _when(done) if done else "", result))
    return lines


def _timeline(detail: DemandDetail) -> list[TimelineLine]:
    lines = []
    for e in detail.events:
        what = action_label(e.action)
        if e.from_state != e.to_state:
            what = f"{what}（{status_label(e.from_state)} → {status_label(e.to_state)}）" if e.from_state else what
        lines.append(
            TimelineLine(
                at=_when(e.at),
                who=str(e.actor) if e.actor else gettext("the system"),
                what=what,
                note=e.reason,
            )
        )
    return lines


def print_record(request: HttpRequest, detail: DemandDetail) -> PrintRecord:
    d = detail.demand
    current = [a for a in detail.assignments if a.is_current]
    lead = [a.unit.name for a in current if a.role == Assignment.Role.LEAD]
    co = [a.unit.name for a in current if a.role == Assignment.Role.CO]
    channel = d.get_channel_display()
    if d.external_number:
        channel = f"{channel} · {gettext('12345 order')} {d.external_number}"
    contact = " · ".join(v for v in (d.contact_name, detail.contact_phone()) if v)
    facts = [
        (gettext("Number"), d.number),
        (gettext("Title"), d.title),
        (gettext("Enterprise"), d.enterprise.name if d.enterprise else ""),
        (gettext("Contact"), contact),
        (gettext("Channel"), channel),
        (gettext("Filed at"), _when(d.submitted_at)),
        (gettext("Category"), d.category.name if d.category else gettext("not yet classified")),
        (gettext("Urgency"), d.get_urgency_display()),
        (gettext("Status"), d.get_status_display()),
    ]
    answer = [
        (label, text)
        for label, text in (
            (gettext("Assessment and decision reference"), detail.readable("assessment")),
            (gettext("Reply"), detail.readable("reply")),
        )
        if text
    ]
    printed = str(PRINTED_AT) % {"at": _when(timezone.now()), "who": str(request.user)}
    return PrintRecord(
        number=d.number,
        title=d.title,
        facts=[(label, value or "—") for label, value in facts],
        description=d.description,
        units=[(gettext("Lead unit"), "、".join(lead) or "—"), (gettext("Co-units"), "、".join(co) or "—")],
        deadlines=_deadlines(d),
        answer=answer,
        timeline=_timeline(detail),
        printed=printed,
    )


@require_GET
@login_required
def demand_print(request: HttpRequest, demand_id: int) -> HttpResponse:
    """The form as a page, laid out to print (its stylesheet hides everything else)."""
    detail = or_404(demand_get, actor=request.user, demand_id=demand_id)
    return render(
        request,
        "demands/print.html",
        {"demand": detail.demand, "record": print_record(request, detail)},
    )


@require_GET
@login_required
def demand_print_pdf(request: HttpRequest, demand_id: int) -> HttpResponse:
    """The form as a PDF download."""
    detail = or_404(demand_get, actor=request.user, demand_id=demand_id)
    record = print_record(request, detail)
    response = HttpResponse(form_pdf(record), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{form_filename(record)}"'
    response["Cache-Control"] = "private, no-store"
    return response
