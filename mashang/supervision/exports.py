"""The supervision notices list as an Excel workbook: every notice the page lists (same filters,
every page), headers in the reader's language, levels and deadlines as their labels, times in
the zone's local time."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_GET

from mashang.core.files import export_response
from mashang.core.spreadsheet import WHEN, Column, sheet_workbook
from mashang.org.models import User
from mashang.supervision.permissions import can_view_notices
from mashang.supervision.selectors import notice_list
from mashang.supervision.views import MSG_NO_ACCESS, NoticeFilterForm

#: The most notices an export holds (a note says when the list had more).
EXPORT_CAP = 50_000


def _person(user: User | None) -> str:
    return (user.display_name or user.username) if user else ""


@require_GET
@login_required
def notices_export(request: HttpRequest) -> HttpResponse:
    """The notices of the actor's scope, newest first, as the list page filters them."""
    user = request.user
    if not can_view_notices(user):
        raise PermissionDenied(MSG_NO_ACCESS)
    now = timezone.now()
    form = NoticeFilterForm(request.GET or None, actor=user)
    qs = notice_list(actor=user, filters=form.filters()).prefetch_related(None)
    total = qs.order_by()[: EXPORT_CAP + 1].count()
    columns = [
        Column(gettext("Raised at"), 17, WHEN),
        Column(gettext("Level"), 10),
        Column(gettext("Demand"), 16),
        Column(gettext("Title"), 36),
        Column(gettext("Responsible unit"), 18),
        Column(gettext("Deadline"), 14),
        Column(gettext("Deadline instant"), 17, WHEN),
        Column(gettext("Raised by"), 14),
        Column(gettext("Comment"), 36),
        Column(gettext("Acknowledged at"), 17, WHEN),
        Column(gettext("Acknowledged by"), 14),
    ]
    sweep = gettext("Deadline sweep")

    def rows():
        for i, n in enumerate(qs.iterator(chunk_size=2000)):
            if i >= EXPORT_CAP:
                return
            yield [
                n.raised_at,
                str(n.get_level_display()),
                n.demand.number,
                n.demand.title,
                n.unit.name if n.unit_id else "",
                str(n.get_kind_display()) if n.kind else "",
                n.due_at,
                _person(n.raised_by) if n.raised_by_id else sweep,
                n.comment,
                n.acknowledged_at,
                _person(n.acknowledged_by),
            ]

    notes = [gettext("As of %(at)s") % {"at": timezone.localtime(now).strftime("%Y-%m-%d %H:%M")}]
    if total > EXPORT_CAP:
        notes.append(
            gettext("Only the newest %(n)s notices are listed: filter the list to see the others.")
            % {"n": f"{EXPORT_CAP:,}"}
        )
    else:
        notes.append(ngettext("%(n)d notice", "%(n)d notices", total) % {"n": total})
    content = sheet_workbook(
        title=gettext("Supervision notices"), columns=columns, rows=rows(), notes=notes
    )
    filename = f"notices-{timezone.localtime(now).strftime('%Y-%m-%d')}.xlsx"
    return export_response(content, filename=filename)
