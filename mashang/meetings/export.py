"""The action-item tracker as an Excel workbook an office hands round, formatted for printing:
a title, what the list is (tab and unit) and when it was taken, a frozen header row repeated on
every printed page, column widths, date formats, landscape, fit to the width."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from mashang.core.spreadsheet import workbook_bytes
from mashang.demands.models import OPEN_STATUSES
from mashang.meetings.models import ActionItem

HEADER_ROW = 5
WHEN = "yyyy-mm-dd hh:mm"

_THIN = Side(style="thin", color="999999")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="DCE6F2")
_LATE_FONT = Font(color="B3261E", bold=True)


def export_filename(state: str, now: datetime) -> str:
    return f"action-items-{state}-{timezone.localtime(now).strftime('%Y-%m-%d')}.xlsx"


def _local(at: datetime | None) -> datetime | None:
    """An aware moment as the naive local time Excel shows."""
    return timezone.localtime(at).replace(tzinfo=None) if at else None


def action_item_workbook(
    items: Iterable[ActionItem], *, list_label: str, unit_label: str, now: datetime
) -> bytes:
    """The action items (with their tracked demands, meetings and co-units loaded) as .xlsx."""
    wb = Workbook()
    ws = wb.active
    ws.title = _("Action items")[:31]
    headers = [
        (_("Number"), 16, None),
        (_("Matter"), 36, None),
        (_("Meeting"), 30, None),
        (_("Decision"), 40, None),
        (_("Lead unit"), 18, None),
        (_("Co-units"), 22, None),
        (_("Owner"), 12, None),
        (_("Status"), 12, None),
        (_("Due by"), 17, WHEN),
        (_("Overdue"), 8, None),
        (_("Closing rule"), 30, None),
    ]
    ws.cell(1, 1, _("Action items of the review meetings")).font = Font(size=14, bold=True)
    ws.cell(2, 1, _("List: %(list)s; unit: %(unit)s") % {"list": list_label, "unit": unit_label})
    ws.cell(3, 1, _("As of %(at)s") % {"at": timezone.localtime(now).strftime("%Y-%m-%d %H:%M")})
    for row in (1, 2, 3):
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=len(headers))
    for col, (text, width, _fmt) in enumerate(headers, start=1):
        cell = ws.cell(HEADER_ROW, col, text)
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        cell.border = _BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.row_dimensions[HEADER_ROW].height = 24
    r = HEADER_ROW
    for r, a in enumerate(items, start=HEADER_ROW + 1):
        d = a.demand
        meeting = a.item.meeting
        late = d.status in OPEN_STATUSES and d.next_due_at is not None and d.next_due_at < now
        values = [
            d.number,
            a.title,
            f"{meeting.number} {meeting.title}",
            a.item.decision,
            a.lead_unit.name,
            "、".join(u.name for u in a.co_units.all()),
            str(a.owner) if a.owner_id else "",
            str(d.get_status_display()),
            _local(d.resolution_due_at),
            _("yes") if late else "",
            a.closing_rule,
        ]
        for col, value in enumerate(values, start=1):
            cell = ws.cell(r, col, value)
            cell.border = _BORDER
            cell.alignment = Alignment(vertical="top", wrap_text=col in (2, 3, 4, 11))
            if headers[col - 1][2]:
                cell.number_format = headers[col - 1][2]
            if late and col in (9, 10):
                cell.font = _LATE_FONT
    ws.freeze_panes = ws.cell(HEADER_ROW + 1, 1)
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(len(headers))}{max(r, HEADER_ROW)}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.oddFooter.center.text = "&P / &N"
    wb.properties.title = _("Action items of the review meetings")
    return workbook_bytes(wb)
