"""Importing a project ledger (.xlsx): every row is checked, and nothing is imported if any is bad.

The columns are those of the export (recognised by their Chinese or English titles, or a
title other ledgers use); each bad row is reported with its line in the sheet and the
reason, "Line 7: The planned investment is not a number.". A good file creates every
project with its milestones (and one funds receipt for the funds in place it lists), each
with an "import" event, in one transaction.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from io import BytesIO
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy
from openpyxl import load_workbook

from mashang.core.errors import PermissionDenied, ValidationFailed
from mashang.org.models import User
from mashang.projects.ledger.columns import BY_KEY, normalise, titles_index
from mashang.projects.models import FundsReceipt, Project
from mashang.projects.permissions import can_create
from mashang.projects.services import validate as v
from mashang.projects.services.common import local_date
from mashang.projects.services.create import project_fields_clean, project_insert
from mashang.projects.transitions import Record

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
#: The header row is looked for in the first rows of the first sheet.
HEADER_SEARCH_ROWS = 20
REQUIRED_COLUMNS = ("name", "project_type", "industry", "planned_investment")

MSG_MAY_NOT_IMPORT = _("Only the service team or an admin may import a ledger.")
MSG_NO_FILE = _("Choose the ledger file (.xlsx) to import.")
MSG_TOO_LARGE = _("The file is larger than 5 MB; split the ledger into smaller files.")
MSG_NOT_XLSX = _("This is not an Excel workbook (.xlsx); save the ledger as .xlsx and try again.")
MSG_NO_HEADER = _(
    "No header row found: the first sheet needs a row with the ledger's column titles, such as “{title}”."
)
MSG_MISSING_COLUMNS = _("The ledger lacks these columns: {columns}.")
MSG_NO_ROWS = _("The ledger has no project rows.")
MSG_TOO_MANY_ROWS = _("The ledger has more than {max} rows; split it into smaller files.")
MSG_LINE = _("Line {line}: {message}")
MSG_REJECTED = ngettext_lazy(
    "%(count)d row of the ledger is not right; nothing was imported. Correct it and import the file again.",
    "%(count)d rows of the ledger are not right; nothing was imported. Correct them and import the file again.",
    "count",
)
MSG_DUPLICATE_NUMBER = _("The project number {number} appears more than once in the file (also on line {other}).")
MSG_FUNDS_NOT_NUMBER = _("The funds in place are not a number.")
MSG_FUNDS_NEGATIVE = _("The funds in place cannot be negative.")
MSG_FUNDS_PLACES = _("The funds in place have at most 2 decimal places.")
MSG_FUNDS_TOO_LARGE = _("The funds in place are too large.")
FUNDS_NOTE = _("Funds in place as listed in the imported ledger")

FUNDS_MESSAGES = {
    "required": "", "nan": MSG_FUNDS_NOT_NUMBER, "neg": MSG_FUNDS_NEGATIVE, "places": MSG_FUNDS_PLACES,
    "large": MSG_FUNDS_TOO_LARGE,
}


class LedgerRejected(ValidationFailed):
    """The file or some of its rows are not right; ``problems`` lists (line, message) for each."""

    def __init__(self, message: Any, *, problems: list[tuple[int, str]]):
        self.problems = problems
        super().__init__(message, fields={"file": [text for _line, text in problems]})


@dataclass
class ImportResult:
    created: list[Project] = field(default_factory=list)
    filename: str = ""


def _open(content: bytes, filename: str):
    if not content:
        raise ValidationFailed(MSG_NO_FILE, fields={"file": MSG_NO_FILE})
    if len(content) > MAX_BYTES:
        raise ValidationFailed(MSG_TOO_LARGE, fields={"file": MSG_TOO_LARGE})
    if not filename.lower().endswith(".xlsx") or not zipfile.is_zipfile(BytesIO(content)):
        raise ValidationFailed(MSG_NOT_XLSX, fields={"file": MSG_NOT_XLSX})
    try:
        return load_workbook(BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        raise ValidationFailed(MSG_NOT_XLSX, fields={"file": MSG_NOT_XLSX}) from None


def _header(rows: list[tuple]) -> tuple[int, dict[int, str]]:
    """(index of the header row, column position -> key)."""
    index = titles_index()
    for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        found = {}
        for pos, cell in enumerate(row):
            key = index.get(normalise(cell)) if cell is not None else None
            if key and key not in found.values():
                found[pos] = key
        if "name" in found.values() and len(found) >= 3:
            return i, found
    message = str(MSG_NO_HEADER).format(title=BY_KEY["name"].heading())
    raise ValidationFailed(message, fields={"file": message})


def _raw(row: tuple, positions: dict[int, str]) -> dict[str, Any]:
    raw: dict[str, Any] = {}
    milestones: dict[str, dict[str, Any]] = {}
    for pos, key in positions.items():
        value = row[pos] if pos < len(row) else None
        if isinstance(value, str):
            value = value.strip()
        if key.startswith(("planned:", "reached:")):
            kind, stage = key.split(":", 1)
            if value not in (None, ""):
                milestones.setdefault(stage, {"stage": stage})[f"{kind}_on"] = value
        else:
            raw[key] = value
    raw["milestones"] = list(milestones.values())
    return raw


def ledger_import(*, actor: User, content: bytes, filename: str, at: datetime | None = None) -> ImportResult:
    """Import the projects of a ledger file, all or none."""
    at = at or timezone.now()
    if not can_create(actor):
        raise PermissionDenied(MSG_MAY_NOT_IMPORT)
    wb = _open(content, filename)
    try:
        ws = wb.worksheets[0]
        rows = []
        for row in ws.iter_rows(min_row=1, values_only=True):
            rows.append(tuple(row))
            if len(rows) > MAX_ROWS + HEADER_SEARCH_ROWS:
                break
    finally:
        wb.close()
    header_at, positions = _header(rows)
    missing = [k for k in REQUIRED_COLUMNS if k not in positions.values()]
    if "investor_name" not in positions.values() and "investor_credit_code" not in positions.values():
        missing.append("investor_name")
    if missing:
        message = str(MSG_MISSING_COLUMNS).format(columns="、".join(BY_KEY[k].heading() for k in missing))
        raise ValidationFailed(message, fields={"file": message})
    body = [
        (header_at + 2 + i, row) for i, row in enumerate(rows[header_at + 1 :])
        if any(c not in (None, "") for c in row)
    ]
    if not body:
        raise ValidationFailed(MSG_NO_ROWS, fields={"file": MSG_NO_ROWS})
    if len(body) > MAX_ROWS:
        message = str(MSG_TOO_MANY_ROWS).format(max=MAX_ROWS)
        raise ValidationFailed(message, fields={"file": message})

    today = local_date(at)
    problems: list[tuple[int, str]] = []
    good = []
    seen_numbers: dict[str, int] = {}
    with transaction.atomic():
        for line, row in body:
            raw = _raw(row, positions)
            row_errors: list[str] = []
            number = v.text(raw.get("number"))
            if number and number in seen_numbers:
                row_errors.append(str(MSG_DUPLICATE_NUMBER).format(number=number, other=seen_numbers[number]))
            elif number:
                seen_numbers[number] = line
            funds = None
            try:
                funds = v.money(raw.pop("funds", None), required=False, messages=FUNDS_MESSAGES)
            except v.BadValue as e:
                row_errors.append(e.message)
            try:
                fields = project_fields_clean(raw, today=today)
            except ValidationFailed as e:
                row_errors = [m for msgs in e.fields.values() for m in msgs] + row_errors
                fields = None
            if row_errors:
                problems.extend((line, str(MSG_LINE).format(line=line, message=m)) for m in row_errors)
            else:
                good.append((line, fields, funds))
        if problems:
            lines = len({line for line, _m in problems})
            raise LedgerRejected(MSG_REJECTED % {"count": lines}, problems=problems)
        result = ImportResult(filename=filename)
        for _line, fields, funds in good:
            project = project_insert(actor=actor, fields=fields, at=at, action=Record.IMPORT)
            if funds:
                FundsReceipt.objects.create(
                    project=project, received_on=today, amount=funds, note=str(FUNDS_NOTE)[:200],
                    recorded_by=actor, recorded_at=at,
                )
            result.created.append(project)
    return result
