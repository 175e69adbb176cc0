"""The workbenches: the service team's triage queue and a unit's queue (the list of everything
a member of staff may see is ``views/search.py``)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from mashang.demands.forms import BulkDispatchForm
from mashang.demands.models import Status
from mashang.demands.queues import (
    deadline_counts,
    demand_possible_duplicates,
    demand_return_reasons,
    unit_roles,
)
from mashang.demands.selectors import DemandFilters, demand_list
from mashang.org.models import User

PAGE_SIZE = 25
R = User.Role
TEAM_STATUSES = [Status.SUBMITTED, Status.TRIAGED, Status.RETURNED, Status.UNRESOLVED]
BULK_DISPATCH_STATUSES = frozenset({Status.TRIAGED, Status.RETURNED})
MSG_TEAM_ONLY = _("This page is for the service team.")
MSG_UNIT_ONLY = _("This page is for the staff of a unit.")


def _page(request: HttpRequest, qs):
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


def _query_without_page(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


@require_GET
@login_required
def team_queue(request: HttpRequest) -> HttpResponse:
    """Demands waiting for the service team, nearest deadline first."""
    if request.user.role != R.OFFICER:
        raise PermissionDenied(MSG_TEAM_ONLY)
    status = request.GET.get("status", "")
    statuses = [status] if status in TEAM_STATUSES else TEAM_STATUSES
    qs = demand_list(actor=request.user, filters=DemandFilters(status=statuses))
    page = _page(request, qs)
    rows = list(page.object_list)
    reasons = demand_return_reasons(demand_ids=[d.pk for d in rows if d.status == Status.RETURNED])
    duplicates = demand_possible_duplicates(actor=request.user, demands=rows)
    return render(
        request,
        "demands/team.html",
        {
            "page": page,
            "rows": [
                {
                    "demand": d,
                    "return_reason": reasons.get(d.pk, ""),
                    "duplicates": duplicates.get(d.pk, []),
                    # Dispatched together: classified demands waiting for dispatch only.
                    "bulk": d.status in BULK_DISPATCH_STATUSES and d.category_id is not None,
                }
                for d in rows
            ],
            "bulk_form": BulkDispatchForm(),
            "status": status if status in TEAM_STATUSES else "",
            "statuses": [(s, Status(s).label) for s in TEAM_STATUSES],
            "counts": deadline_counts(qs),
            "query": _query_without_page(request),
        },
    )


@require_GET
@login_required
def unit_queue(request: HttpRequest) -> HttpResponse:
    """The unit's open demands (lead and co), nearest deadline first, coloured by deadline state."""
    user = request.user
    if not user.is_unit_member or user.unit_id is None:
        raise PermissionDenied(MSG_UNIT_ONLY)
    qs = demand_list(actor=user, filters=DemandFilters(unit=user.unit.code, open=True))
    page = _page(request, qs)
    rows = list(page.object_list)
    roles = unit_roles(unit_id=user.unit_id, demand_ids=[d.pk for d in rows])
    return render(
        request,
        "demands/unit.html",
        {
            "page": page,
            "unit": user.unit,
            "rows": [{"demand": d, "role": roles.get(d.pk, "")} for d in rows],
            "counts": deadline_counts(qs),
            "query": _query_without_page(request),
        },
    )
