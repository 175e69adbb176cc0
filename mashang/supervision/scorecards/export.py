"""The scorecard as an Excel workbook an office hands to leaders, formatted for printing.

One sheet per view — ranking, volumes, timeliness, definitions — each with a title, the
period, when the figures were computed or published, a frozen header row repeated on every
printed page, column widths, percentage and number formats, landscape, fit to the width.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from mashang.core.spreadsheet import workbook_bytes
from mashang.supervision.scorecards import definitions as defs
from mashang.supervision.scorecards import formulas as sc
from mashang.supervision.scorecards import selectors as sel

HEADER_ROW = 5
PCT = "0.0%"
SCORE = "0.00"
HOURS = "0.0"
INT = "#,##0"

_THIN = Side(style="thin", color="999999")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="DCE6F2")


def export_filename(period: sc.Period) -> str:
    return f"scorecards-{period.start.isoformat()}-{period.last_day.isoformat()}.xlsx"


def _pct(value: float | None) -> float | None:
    """A rate shown to one decimal, as the fraction Excel formats as a percentage."""
    shown = sc.rounded(value, 1)
    return None if shown is None else shown / 100


def _change(value: int | None) -> str:
    if value is None:
        return "—"
    if value > 0:
        return f"▲{value}"
    if value < 0:
        return f"▼{-value}"
    return "="


def _heading(ws: Worksheet, card: sel.Scorecard, title: str, width: int) -> None:
    period = card.period
    ws.cell(1, 1, title).font = Font(size=14, bold=True)
    ws.cell(
        2,
        1,
        # The scorecard page's own words for the period.
        _("Demands filed from %(start)s to %(end)s")
        % {"start": period.start.isoformat(), "end": period.last_day.isoformat()},
    )
    if card.publication is not None:
        stamp = _("Published %(at)s (version %(version)d); figures as of %(computed)s") % {
            "at": timezone.localtime(card.publication.published_at).strftime("%Y-%m-%d %H:%M"),
            "version": card.publication.version,
            "computed": timezone.localtime(card.computed_at).strftime("%Y-%m-%d %H:%M"),
        }
    else:
        stamp = _("Not published; computed %(at)s") % {
            "at": timezone.localtime(card.computed_at).strftime("%Y-%m-%d %H:%M")
        }
    ws.cell(3, 1, stamp)
    for row in (1, 2, 3):
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)


def _table(ws: Worksheet, headers: list[tuple[str, float, str | None]], rows: list[list]) -> None:
    """Header at HEADER_ROW, rows under it; each header is (text, column width, number format)."""
    for col, (text, width, _fmt) in enumerate(headers, start=1):
        cell = ws.cell(HEADER_ROW, col, text)
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        cell.border = _BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.row_dimensions[HEADER_ROW].height = 32
    for r, values in enumerate(rows, start=HEADER_ROW + 1):
        for col, value in enumerate(values, start=1):
            cell = ws.cell(r, col, value)
            cell.border = _BORDER
            fmt = headers[col - 1][2]
            if fmt:
                cell.number_format = fmt
    _print_setup(ws, len(headers))


def _print_setup(ws: Worksheet, width: int) -> None:
    ws.freeze_panes = ws.cell(HEADER_ROW + 1, 1)
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.oddFooter.center.text = "&P / &N"


def _ranking(ws: Worksheet, card: sel.Scorecard) -> None:
    labels = defs.RATE_LABELS
    headers = [
        (_("Rank"), 7, None),
        (_("Unit"), 24, None),
        (_("Composite score"), 11, SCORE),
        (_("Red / black list"), 9, None),
        *((str(label), 10, SCORE) for label in defs.AXIS_LABELS.values()),
        (_("Rank change"), 9, None),
        (_("Score change"), 9, SCORE),
        *((str(labels[name]), 11, PCT) for name, *_rest in sc.RATES),
    ]
    rows = [
        [
            u.rank,
            u.name,
            u.composite,
            str(defs.STANDING_LABELS[u.standing]) if u.standing else "",
            *(sc.rounded(u.axes.get(axis), sc.COMPOSITE_DECIMALS) for axis in defs.AXIS_LABELS),
            _change(u.rank_change),
            u.composite_change,
            *(_pct(u.rates.get(name)) for name, *_rest in sc.RATES),
        ]
        for u in card.units
    ]
    _heading(ws, card, _("Unit scorecards: ranking"), len(headers))
    _table(ws, headers, rows)


def _volumes(ws: Worksheet, card: sel.Scorecard) -> None:
    """Counts only, each column named as a count (the rates are on the ranking sheet)."""
    keys = (
        "lead", "co", "led", "first_contact_due", "first_contact_on_time", "resolution_due",
        "resolution_on_time", "confirmed", "resolved", "rated", "satisfied", "basic",
        "unsatisfied", "replied", "reopened", "returned", "lead_urgent", "lead_critical",
        "co_urgent", "co_critical", "escalated",
    )
    headers = [
        (_("Unit"), 24, None),
        *((str(defs.FIGURE_LABELS[k]), 9, INT) for k in keys),
        (_("Reminders"), 8, INT),
        (_("Yellow cards"), 8, INT),
        (_("Red cards"), 8, INT),
    ]
    rows = [
        [u.name, *(u.counts.get(k, 0) for k in keys), *(u.notices.get(level, 0) for level in sel.NOTICE_LEVELS)]
        for u in card.units
    ]
    _heading(ws, card, _("Unit scorecards: volumes and counts"), len(headers))
    _table(ws, headers, rows)


def _timeliness(ws: Worksheet, card: sel.Scorecard) -> None:
    headers = [(_("Unit"), 24, None), *((str(defs.FIGURE_LABELS[name]), 14, HOURS) for name, *_rest in sc.HOURS)]
    rows = [[u.name, *(sc.rounded(u.hours.get(name), 1) for name, *_ in sc.HOURS)] for u in card.units]
    _heading(ws, card, _("Unit scorecards: timeliness"), len(headers))
    _table(ws, headers, rows)


def _definitions(ws: Worksheet, card: sel.Scorecard) -> None:
    if card.publication is not None and card.publication.definitions:
        texts = dict(card.publication.definitions)
    else:
        texts = defs.definitions(scheme=card.scheme, basic_weight=card.basic_weight)
    texts.pop("indicators", None)
    names = {
        "period": _("Period"),
        "lead": _("Lead"),
        "co": _("Co-unit"),
        **{k: str(v) for k, v in defs.RATE_LABELS.items()},
        "hours": _("Working hours"),
        "notices": _("Supervision notices"),
        "axes": _("Assessment"),
        "composite": _("Composite score"),
    }
    rows = [[names.get(key, key), text] for key, text in texts.items()]
    rows.append([_("Assessment scheme"), defs.scheme_title(card.scheme)])
    rows.append([_("Weights"), defs.weights_text(card.scheme)])
    rows.append([_("Basically satisfied counts"), card.basic_weight])
    _heading(ws, card, _("Unit scorecards: definitions"), 2)
    _table(ws, [(_("Figure"), 22, None), (_("Definition"), 100, None)], rows)
    for row in ws.iter_rows(min_row=HEADER_ROW + 1, min_col=2, max_col=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")


def _indicators(ws: Worksheet, card: sel.Scorecard) -> None:
    headers = [
        (_("Axis"), 10, None),
        (_("Indicator"), 22, None),
        (_("Weight"), 8, "0.##"),
        (_("Direction"), 14, None),
        (_("Normalisation"), 22, None),
        (_("Definition"), 70, None),
    ]
    rows = [
        [r["axis_label"], r["label"], r["weight"], r["direction"], r["normalisation"], r["definition"]]
        for r in defs.indicator_rows(card.scheme, basic_weight=card.basic_weight)
    ]
    _heading(ws, card, _("Unit scorecards: indicators of %(scheme)s") % {"scheme": defs.scheme_title(card.scheme)}, 6)
    _table(ws, headers, rows)
    for row in ws.iter_rows(min_row=HEADER_ROW + 1, min_col=6, max_col=6):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")


def scorecard_workbook(card: sel.Scorecard) -> bytes:
    wb = Workbook()
    sheets = [
        (_("Ranking"), _ranking),
        (_("Volumes"), _volumes),
        (_("Timeliness"), _timeliness),
        (_("Indicators"), _indicators),
        (_("Definitions"), _definitions),
    ]
    for index, (title, build) in enumerate(sheets):
        ws = wb.active if index == 0 else wb.create_sheet()
        ws.title = title[:31]
        build(ws, card)
    wb.properties.title = _("Unit scorecards")
    return workbook_bytes(wb)
