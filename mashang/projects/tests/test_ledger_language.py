"""The ledger export is in the reader's language: every sheet name, heading, header and label
goes through the translations.

Needs the zh-Hans catalogue compiled with this change's messages (the lead merges and compiles
them before the suite runs): under zh-Hans no label may be left in English.
"""

from __future__ import annotations

import re
from datetime import date
from io import BytesIO

from django.utils import translation
from openpyxl import load_workbook

from mashang.projects.ledger.export import ledger_workbook

TODAY = date(2026, 6, 30)
HEADER_FILL = "DCE6F2"


def _labels(wb) -> list[str]:
    """Sheet names, titles and subtitles, table titles, header cells and the totals' names."""
    labels = list(wb.sheetnames)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if not isinstance(cell.value, str):
                    continue
                header = (cell.fill.fgColor.rgb or "").endswith(HEADER_FILL)
                if header or cell.font.bold or cell.row <= 2:
                    labels.append(cell.value)
    totals = wb.worksheets[1]
    for row in totals.iter_rows(min_col=1, max_col=2):
        if row[0].value and isinstance(row[1].value, int | float) and isinstance(row[0].value, str):
            labels.append(row[0].value)
    return labels


def test_every_label_of_the_ledger_is_in_chinese(zone, make_project):
    make_project(name="电池项目", stage="signed", is_key=True)
    with translation.override("zh-hans"):
        wb = load_workbook(BytesIO(ledger_workbook(actor=zone.leader, today=TODAY)))
    english = [text for text in _labels(wb) if not re.search(r"[^\x00-\x7f]", text)]
    assert english == []
    assert wb.sheetnames[0] != "Ledger"
