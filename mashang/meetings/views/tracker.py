"""Following up: the action items of every meeting (open, due soon, overdue, closed) with a
summary per unit and an Excel export, and the difficult cases as a leader sees them."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from mashang.core.errors import ApplicationError
from mashang.core.files import export_response
from mashang.core.views import or_404, page_raise
from mashang.demands.models import OPEN_STATUSES
from mashang.meetings import selectors as sel
from mashang.meetings.export import action_item_workbook, export_filename
from mashang.meetings.forms import UnitFilterForm
from mashang.org.models import User

PAGE_SIZE = 50
#: The tracker's tabs, in order (``selectors.TRACKER_STATES``).
STATE_LABELS = {
    "open": _("Not closed"),
    "due_soon": _("Due within a week"),
    "overdue": _("Overdue"),
    "closed": _("Closed"),
    "all": _("All"),
}


def _filters(request: HttpRequest) -> tuple[sel.ActionItemFilters, UnitFilterForm]:
    state = request.GET.get("state", "open")
    if state not in sel.TRACKER_STATES:
        state = "open"
    form = UnitFilterForm(request.GET or None, label_suffix="")
    return sel.ActionItemFilters(state=state, unit=form.selected_unit()), form


def _items(request: HttpRequest, filters: sel.ActionItemFilters, now):
    return or_404(
        sel.action_item_list, actor=request.user, filters=filters, now=now
    ).prefetch_related("co_units")


@require_GET
@login_required
def action_item_index(request: HttpRequest) -> HttpResponse:
    """The tracker: a tab per state, a filter by lead unit, a summary per unit."""
    now = timezone.now()
    filters, form = _filters(request)
    items = _items(request, filters, now)
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    unit_query = {"unit": filters.unit} if filters.unit else {}
    tabs = [
        {
            "state": state,
            "label": label,
            "query": urlencode({"state": state, **unit_query}),
            "current": state == filters.state,
            "count": _items(request, sel.ActionItemFilters(state=state, unit=filters.unit), now)
            .order_by()
            .count(),
        }
        for state, label in STATE_LABELS.items()
    ]
    rows = [
        {
            "a": a,
            "d": a.demand,
            "open": a.demand.status in OPEN_STATUSES,
            "late": a.demand.status in OPEN_STATUSES
            and a.demand.next_due_at is not None
            and a.demand.next_due_at < now,
        }
        for a in page.object_list
    ]
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "meetings/action_items.html",
        {
            "form": form,
            "filters": filters,
            "tabs": tabs,
            "page": page,
            "rows": rows,
            "counts": sel.action_item_counts(actor=request.user, now=now),
            "query": params.urlencode(),
            "export_query": urlencode({"state": filters.state, **unit_query}),
        },
    )


@require_GET
@login_required
def action_item_export(request: HttpRequest) -> HttpResponse:
    """The current list of the tracker (its tab and unit) as an Excel workbook."""
    now = timezone.now()
    filters, form = _filters(request)
    items = _items(request, filters, now)
    unit_label = dict(form.fields["unit"].choices).get(filters.unit or "", "")
    content = action_item_workbook(
        items,
        list_label=str(STATE_LABELS[filters.state]),
        unit_label=str(unit_label),
        now=now,
    )
    return export_response(content, filename=export_filename(filters.state, now))


@require_GET
@login_required
def difficult_cases(request: HttpRequest) -> HttpResponse:
    """Escalations waiting for a leader (with why and since when), and the open cases with their
    coordinator and deadline. A leader assigns a case on the demand's own page."""
    try:
        cases = sel.difficult_case_list(actor=request.user)
    except ApplicationError as exc:
        page_raise(exc, forbidden=True)
        raise
    reasons = sel.escalation_reasons(demand_ids=[d.pk for d in cases["waiting"]])
    now = timezone.now()
    context: dict[str, Any] = {
        "waiting": [{"d": d, "reason": reasons.get(d.pk, "")} for d in cases["waiting"]],
        "open": [
            {
                "d": d,
                "late": d.resolution_due_at is not None and d.resolution_due_at < now,
            }
            for d in cases["open"]
        ],
        "may_assign": request.user.role == User.Role.LEADER,
    }
    return render(request, "meetings/difficult_cases.html", context)
