"""Lists of demands as Excel workbooks: the "All demands" list as found and filtered, and the
watch list (overdue and at risk). Each holds exactly what its page lists, with the headers in
the reader's language, statuses as their labels and times in the zone's local time."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_GET

from mashang.core.files import export_response
from mashang.core.masking import phone_shown
from mashang.core.spreadsheet import WHEN, Column, sheet_workbook
from mashang.demands import permissions
from mashang.demands.models import Demand
from mashang.demands.selectors import watch as watches
from mashang.demands.selectors.search import demand_search
from mashang.demands.views.oversight import WatchFilterForm, _require
from mashang.demands.views.search import MSG_BAD_FILTER, DemandSearchForm
from mashang.org.models import User

#: The most rows an export of all demands holds (a note in the workbook says when there were more).
EXPORT_CAP = 50_000


def _as_of(now) -> str:
    return gettext("As of %(at)s") % {"at": timezone.localtime(now).strftime("%Y-%m-%d %H:%M")}


def demand_columns() -> list[Column]:
    return [
        Column(gettext("Number"), 16),
        Column(gettext("Title"), 36),
        Column(gettext("Enterprise"), 28),
        Column(gettext("Unified social credit code"), 21),
        Column(gettext("Contact"), 10),
        Column(gettext("Contact phone"), 14),
        Column(gettext("Channel"), 12),
        Column(gettext("12345 order number"), 18),
        Column(gettext("Category"), 12),
        Column(gettext("Status"), 14),
        Column(gettext("Lead unit"), 18),
        Column(gettext("Submitted at"), 17, WHEN),
        Column(gettext("Next deadline"), 17, WHEN),
        Column(gettext("Closed at"), 17, WHEN),
    ]


def demand_row(d: Demand, *, full_phone: set[int] | None = None) -> list[object]:
    """One demand's row; its contact phone masked unless ``full_phone`` (None: every demand)
    holds it (``permissions.contact_phone_demand_ids``)."""
    return [
        d.number,
        d.title,
        d.enterprise.name if d.enterprise_id else "",
        d.enterprise.credit_code if d.enterprise_id else "",
        d.contact_name,
        phone_shown(d.contact_phone, full=full_phone is None or d.pk in full_phone),
        str(d.get_channel_display()),
        d.external_number,
        d.category.name if d.category_id else "",
        str(d.get_status_display()),
        d.lead_unit.name if d.lead_unit_id else "",
        d.submitted_at,
        d.next_due_at,
        d.closed_at,
    ]


def _first(
    demands: Iterable[Demand], limit: int, full_phone: set[int] | None = None
) -> Iterator[list[object]]:
    for i, d in enumerate(demands):
        if i >= limit:
            break
        yield demand_row(d, full_phone=full_phone)


@require_GET
@login_required
def all_demands_export(request: HttpRequest) -> HttpResponse:
    """The list the "All demands" page shows (same search and filters, every page) as .xlsx."""
    user = request.user
    if user.role == User.Role.ENTERPRISE:
        return redirect("demands:my")
    form = DemandSearchForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        context = {"form": form, "page": None, "error": MSG_BAD_FILTER}
        return render(request, "demands/all.html", context, status=422)
    now = timezone.now()
    q = form.query()
    qs = demand_search(actor=user, q=q, filters=form.filters(), now=now)
    total = qs.order_by()[: EXPORT_CAP + 1].count()
    notes = [_as_of(now)]
    if q:
        notes.append(gettext("Search: %(q)s") % {"q": q})
    if total > EXPORT_CAP:
        notes.append(
            gettext("Only the newest %(n)s demands are listed: narrow the search to see the others.")
            % {"n": f"{EXPORT_CAP:,}"}
        )
    else:
        notes.append(ngettext("%(n)d demand", "%(n)d demands", total) % {"n": total})
    content = sheet_workbook(
        title=gettext("All demands"),
        columns=demand_columns(),
        rows=_first(
            qs.iterator(chunk_size=2000), EXPORT_CAP, permissions.contact_phone_demand_ids(user)
        ),
        notes=notes,
    )
    filename = f"demands-{timezone.localtime(now).strftime('%Y-%m-%d')}.xlsx"
    return export_response(content, filename=filename)


@require_GET
@login_required
def watch_export(request: HttpRequest) -> HttpResponse:
    """The watch page's two lists (overdue, then at risk; same filters) as .xlsx."""
    _require(request, permissions.can_watch)
    form = WatchFilterForm(request.GET or None)
    filters = form.filters() if form.is_bound else watches.WatchFilters()
    data = watches.watch_get(actor=request.user, filters=filters)
    overdue, at_risk = gettext("Overdue"), gettext("At risk")
    columns = [
        Column(gettext("List"), 10),
        *demand_columns()[:3],
        Column(gettext("Category"), 12),
        Column(gettext("Status"), 14),
        Column(gettext("Lead unit"), 18),
        Column(gettext("Deadline"), 17, WHEN),
        Column(gettext("Which deadline"), 16),
    ]

    def rows():
        for label, demands in ((overdue, data.overdue), (at_risk, data.at_risk)):
            for d in demands:
                yield [
                    label,
                    d.number,
                    d.title,
                    d.enterprise.name if d.enterprise_id else "",
                    d.category.name if d.category_id else "",
                    str(d.get_status_display()),
                    d.lead_unit.name if d.lead_unit_id else "",
                    d.next_due_at,
                    str(d.deadline_kind.label) if d.deadline_kind else "",
                ]

    notes = [
        _as_of(data.now),
        gettext("Overdue: %(overdue)d; at risk: %(at_risk)d")
        % {"overdue": data.overdue_total, "at_risk": data.at_risk_total},
    ]
    if data.overdue_total > len(data.overdue) or data.at_risk_total > len(data.at_risk):
        notes.append(
            gettext("Each list holds its first %(n)d demands, as the page shows them.")
            % {"n": data.limit}
        )
    content = sheet_workbook(
        title=gettext("Overdue and at risk"), columns=columns, rows=rows(), notes=notes
    )
    filename = f"watch-{timezone.localtime(data.now).strftime('%Y-%m-%d-%H%M')}.xlsx"
    return export_response(content, filename=filename)
