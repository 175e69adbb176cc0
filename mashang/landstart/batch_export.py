"""The batch board as an Excel workbook: a sheet of the runs (stopwatch, state, progress) with
the batch's record under a title, and a sheet of every unit's queue across the runs (each step,
its state, when it started and ended and in how many minutes)."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from mashang.core.spreadsheet import WHEN, local, workbook_bytes
from mashang.landstart.models import RunState, StepState
from mashang.landstart.selectors.batches import BatchBoard

_HEADER_FILL = PatternFill("solid", fgColor="DCE6F2")


def _put(ws, row: int, col: int, value):
    """A cell (its text is kept text when the workbook is saved by ``workbook_bytes``)."""
    return ws.cell(row, col, value)


def _label(choices, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def _sheet(wb: Workbook, *, name: str, title: str, notes: list[str], columns: list[tuple[str, int, str | None]], rows):
    ws = wb.create_sheet(name[:31])
    _put(ws, 1, 1, title).font = Font(size=14, bold=True)
    for i, note in enumerate(notes, start=2):
        _put(ws, i, 1, note)
    header = len(notes) + 3
    for col, (text, width, _fmt) in enumerate(columns, start=1):
        cell = ws.cell(header, col, text)
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = f"A{header + 1}"
    r = header
    for r, values in enumerate(rows, start=header + 1):
        for col, ((_h, _w, fmt), value) in enumerate(zip(columns, values, strict=True), start=1):
            if hasattr(value, "tzinfo") and getattr(value, "tzinfo", None) is not None:
                value = local(value)
            cell = _put(ws, r, col, value)
            if fmt:
                cell.number_format = fmt
    if r > header:
        ws.auto_filter.ref = f"A{header}:{get_column_letter(len(columns))}{r}"
    ws.page_setup.orientation = "landscape"
    return ws


def batch_workbook(board: BatchBoard) -> bytes:
    batch, record = board.batch, board.record
    as_of = _("As of %(at)s") % {"at": timezone.localtime(board.now).strftime("%Y-%m-%d %H:%M")}
    days = _("Award days: %(start)s – %(end)s") % {"start": batch.award_from, "end": batch.award_to}
    record_notes = []
    if record.completed:
        record_notes.append(
            _("Completed runs: %(n)s; median %(median)s minutes; fastest %(fastest)s, slowest %(slowest)s")
            % {
                "n": record.completed,
                "median": record.median_minutes,
                "fastest": f"{record.fastest.project_number} ({record.fastest.elapsed_minutes})",
                "slowest": f"{record.slowest.project_number} ({record.slowest.elapsed_minutes})",
            }
        )
    wb = Workbook()
    wb.remove(wb.active)
    _sheet(
        wb,
        name=_("Runs"),
        title=f"{batch.number} {batch.name}",
        notes=[days, as_of, *record_notes],
        columns=[
            (_("Project number"), 16, None),
            (_("Project"), 30, None),
            (_("State"), 12, None),
            (_("Awarded at"), 18, WHEN),
            (_("Construction permit at"), 18, WHEN),
            (_("Minutes since the award"), 14, "0.00"),
            (_("Steps done"), 10, None),
            (_("Steps"), 8, None),
            (_("Active steps"), 40, None),
        ],
        rows=(
            [
                r.project_number,
                r.project_name,
                _label(RunState, r.state),
                r.awarded_at,
                r.completed_at,
                r.elapsed_minutes,
                r.done,
                r.total,
                "、".join(a.name for a in r.active),
            ]
            for r in board.runs
        ),
    )
    _sheet(
        wb,
        name=_("Units"),
        title=f"{batch.number} {batch.name}",
        notes=[_("Each unit's steps across the runs of the batch"), as_of],
        columns=[
            (_("Unit"), 20, None),
            (_("Project number"), 16, None),
            (_("Project"), 30, None),
            (_("Step"), 24, None),
            (_("State"), 10, None),
            (_("Started at"), 18, WHEN),
            (_("Done at"), 18, WHEN),
            (_("Minutes"), 10, "0.00"),
            (_("Waiting on"), 30, None),
        ],
        rows=(
            [
                u.unit_name,
                i.project_number,
                i.project_name,
                i.name,
                _label(StepState, i.state),
                i.started_at,
                i.completed_at,
                i.minutes,
                "、".join(i.waiting_on),
            ]
            for u in board.units
            for i in u.items
        ),
    )
    wb.properties.title = f"{batch.number} {batch.name}"
    return workbook_bytes(wb)
