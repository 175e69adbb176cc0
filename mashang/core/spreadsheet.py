"""A list as an Excel sheet: a title, what the list is, a bold frozen header row with column
widths, then the rows; written with openpyxl's write-only mode, so tens of thousands of rows
take little memory.

Every workbook mashang hands out goes through :func:`cell_neutralise` (the write-only sheets
here cell by cell, the formatted exports through :func:`workbook_bytes`), so text a person
typed never becomes a formula (CSV/formula injection).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter as _letter

WHEN = "yyyy-mm-dd hh:mm"
_HEADER_FILL = PatternFill("solid", fgColor="DCE6F2")


#: What a spreadsheet program reads as the start of a formula when it parses a typed value:
#: "=", "+", "-", "@", and the tab and carriage return that hide one in a pasted or CSV value.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell_neutralise(cell):
    """Keep a cell's text text: a string starting with one of :data:`FORMULA_STARTS` is
    written as an explicit string (``data_type`` "s") with the cell's *quote prefix* set.

    Why this way and not by prefixing a single quote: a quote written into an .xlsx is part
    of the text (Excel shows it, the ledger import reads it back), while a string cell is
    never evaluated, and the quote-prefix flag is what Excel itself sets when a person types
    '=…: the cell shows exactly the text, and editing it (F2, Enter) keeps it text instead of
    turning it into a live formula. Numbers are left alone (a negative amount stays a number);
    only strings are neutralised. Works on ordinary and write-only cells; returns the cell.
    """
    value = cell.value
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def workbook_bytes(wb: Workbook) -> bytes:
    """The .xlsx bytes of an ordinary (not write-only) workbook, every cell of every sheet
    passed through :func:`cell_neutralise` first: the one way a formatted export is saved."""
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    cell_neutralise(cell)
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


@dataclass(frozen=True)
class Column:
    header: str
    width: int = 14
    number_format: str | None = None


def local(at: datetime | None) -> datetime | None:
    """An aware moment as the naive local time a spreadsheet shows."""
    return timezone.localtime(at).replace(tzinfo=None) if at else None


@dataclass(frozen=True)
class Sheet:
    """One sheet of a workbook: see :func:`sheet_workbook` for how it is laid out."""

    title: str
    columns: Sequence[Column]
    rows: Iterable[Sequence[object]]
    notes: Sequence[str] = ()
    name: str | None = None  # the tab's name (at most 31 characters); the title by default


def sheet_workbook(
    *,
    title: str,
    columns: Sequence[Column],
    rows: Iterable[Sequence[object]],
    notes: Sequence[str] = (),
    sheet_name: str | None = None,
) -> bytes:
    """One sheet: ``title`` in bold, each of ``notes`` on its own line, a blank line, the
    header row (frozen, with an auto-filter) and ``rows`` (values in the columns' order;
    aware datetimes are written in local time). Returns the .xlsx bytes."""
    return sheets_workbook(title=title, sheets=[Sheet(title, columns, rows, notes, sheet_name)])


def sheets_workbook(*, title: str, sheets: Sequence[Sheet]) -> bytes:
    """Several sheets, each laid out as :func:`sheet_workbook` lays out its one, in the order
    given; ``title`` is the workbook's. Returns the .xlsx bytes."""
    wb = Workbook(write_only=True)
    for sheet in sheets:
        _sheet_write(wb, sheet)
    wb.properties.title = title
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _sheet_write(wb: Workbook, sheet: Sheet) -> None:
    title, columns, rows, notes = sheet.title, sheet.columns, sheet.rows, sheet.notes
    ws = wb.create_sheet((sheet.name or title)[:31])
    for col, column in enumerate(columns, start=1):
        ws.column_dimensions[_letter(col)].width = column.width
    header_row = len(notes) + 3
    ws.freeze_panes = f"A{header_row + 1}"
    ws.auto_filter.ref = f"A{header_row}:{_letter(len(columns))}{header_row}"
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.page_setup.orientation = "landscape"

    def cell(value, *, font=None, fill=None, fmt=None):
        c = cell_neutralise(WriteOnlyCell(ws, value=value))
        if font:
            c.font = font
        if fill:
            c.fill = fill
        if fmt:
            c.number_format = fmt
        return c

    ws.append([cell(title, font=Font(size=14, bold=True))])
    for note in notes:
        text = WriteOnlyCell(ws, value=note)
        text.data_type = "s"
        ws.append([cell_neutralise(text)])
    ws.append([])
    ws.append([cell(c.header, font=Font(bold=True), fill=_HEADER_FILL) for c in columns])
    for values in rows:
        out = []
        for column, value in zip(columns, values, strict=True):
            if isinstance(value, datetime) and timezone.is_aware(value):
                value = local(value)
            if isinstance(value, str) and value.startswith(FORMULA_STARTS):
                out.append(cell(value))  # text a person typed is never a formula
            elif column.number_format:
                out.append(cell(value, fmt=column.number_format))
            else:
                out.append(value)
        ws.append(out)
