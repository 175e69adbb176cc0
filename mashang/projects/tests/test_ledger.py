"""The Excel ledger: export, re-import, and the all-or-nothing import of a ledger with a bad row."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import Workbook, load_workbook

from mashang.audit.models import Event
from mashang.core.errors import PermissionDenied, ValidationFailed
from mashang.projects.ledger.columns import BY_KEY, COLUMNS
from mashang.projects.ledger.export import HEADER_ROW, ledger_workbook
from mashang.projects.ledger.importer import (
    MSG_DUPLICATE_NUMBER,
    MSG_LINE,
    MSG_NO_HEADER,
    MSG_NOT_XLSX,
    MSG_REJECTED,
    MSG_TOO_LARGE,
    LedgerRejected,
    ledger_import,
)
from mashang.projects.models import FundsReceipt, Milestone, Project
from mashang.projects.services import funds_record
from mashang.projects.services import validate as v
from mashang.projects.stats import RATE_DEFINITIONS
from tests.kit.clocks import CST as TZ

NOW = datetime(2026, 6, 30, 10, 0, tzinfo=TZ)
TODAY = NOW.date()
FIELDS = ("number", "name", "investor_id", "investor_name", "project_type", "industry", "planned_investment",
          "land_area_mu", "land_area_m2", "service_officer_id", "is_key", "is_city_key", "stage",
          "stage_before_pause", "stage_reason", "behind_plan_reason")


def line(number: int, message) -> str:
    return str(MSG_LINE).format(line=number, message=str(message))


def _snapshot():
    projects = {}
    for p in Project.objects.order_by("number"):
        projects[p.number] = (
            tuple(getattr(p, f) for f in FIELDS),
            sorted(Milestone.objects.filter(project=p).values_list("stage", "planned_on", "reached_on")),
            sum((f.amount for f in FundsReceipt.objects.filter(project=p)), Decimal("0.00")),
        )
    return projects


@pytest.fixture
def ledger(zone, make_project):
    make_project(name="电池项目", stage="awarded", land_area_mu="85.5", is_key=True,
                 planned_investment="1234567890.12", behind_plan_reason="", at=NOW,
                 milestones=[{"stage": "signed", "planned_on": date(2026, 1, 10), "reached_on": date(2026, 1, 8)},
                             {"stage": "started", "planned_on": date(2026, 9, 1)}])
    make_project(name="租赁厂房项目", investor_credit_code="", investor_name="某物流集团", project_type="lease",
                 industry="logistics", stage="paused", stage_before_pause="signed", stage_reason="等待厂房腾退",
                 planned_investment="0.10", land_area_m2="1000", is_city_key=True, service_officer=None, at=NOW)
    p3 = make_project(name="增资扩产项目", project_type="expansion", stage="producing",
                      planned_investment="500000000", at=NOW)
    funds_record(actor=zone.officer, project_id=p3.pk, amount="120000000.55", received_on=TODAY, at=NOW)


def _xlsx(rows: list[list], header: list[str] | None = None) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(["项目台账"])
    ws.append([])
    ws.append(header or [c.heading() for c in COLUMNS])
    for row in rows:
        ws.append(row)
    out = BytesIO()
    wb.save(out)
    return out.getvalue()


def test_the_export_is_a_printable_ledger_with_a_summary(zone, ledger):
    wb = load_workbook(BytesIO(ledger_workbook(actor=zone.leader, today=TODAY)))
    ws = wb.worksheets[0]
    assert ws.freeze_panes == f"A{HEADER_ROW + 1}"
    assert ws.print_title_rows == f"${HEADER_ROW}:${HEADER_ROW}"
    assert ws.page_setup.orientation == "landscape"
    assert [c.value for c in ws[HEADER_ROW]][:3] == [c.heading() for c in COLUMNS[:3]]
    assert ws.max_row == HEADER_ROW + 3
    assert "2026-06-30" in ws.cell(2, 1).value
    summary = wb.worksheets[1]
    texts = [c.value for row in summary.iter_rows() for c in row if isinstance(c.value, str)]
    assert str(RATE_DEFINITIONS["funds_in_place"]) in texts


def test_an_exported_ledger_reimports_to_the_same_projects(zone, ledger):
    before = _snapshot()
    content = ledger_workbook(actor=zone.officer, today=TODAY)
    FundsReceipt.objects.all().delete()
    Milestone.objects.all().delete()
    Project.objects.all().delete()
    result = ledger_import(actor=zone.officer, content=content, filename="项目台账.xlsx", at=NOW)
    assert len(result.created) == 3
    assert _snapshot() == before
    for p in result.created:
        assert p.version == 1
        assert Event.objects.filter(subject_type="project", subject_id=p.pk).last().action == "import"


def test_one_bad_row_imports_nothing_and_names_the_line_and_reason(zone, ledger):
    content = ledger_workbook(actor=zone.officer, today=TODAY)
    wb = load_workbook(BytesIO(content))
    ws = wb.worksheets[0]
    investment = [c.heading() for c in COLUMNS].index(COLUMNS[6].heading()) + 1
    for row in range(HEADER_ROW + 1, ws.max_row + 1):
        ws.cell(row, 1).value = None  # new numbers: the rows would all be new projects
    ws.cell(HEADER_ROW + 3, investment).value = "三千万"
    out = BytesIO()
    wb.save(out)
    count = Project.objects.count()
    with pytest.raises(LedgerRejected) as e:
        ledger_import(actor=zone.officer, content=out.getvalue(), filename="ledger.xlsx", at=NOW)
    assert e.value.status_code == 422
    reason = line(HEADER_ROW + 3, v.MSG_INVESTMENT_NOT_NUMBER)
    assert e.value.problems == [(HEADER_ROW + 3, reason)]
    assert e.value.fields == {"file": [reason]}
    assert Project.objects.count() == count


def test_every_bad_row_is_reported(zone):
    header = ["项目名称", "投资方", "项目类型", "产业", "计划投资额（元）", "计划用地（亩）", "阶段"]
    rows = [
        ["好项目", "某集团", "new_land", "new_energy", "100", "10", "lead"],
        ["", "某集团", "new_land", "new_energy", "100", "", "lead"],
        ["坏面积", "某集团", "lease", "other", "100.001", "abc", "lead"],
        [None, None, None, None, None, None, None],
        ["坏阶段", "某集团", "lease", "other", "5", "", "listed"],
    ]
    with pytest.raises(LedgerRejected) as e:
        ledger_import(actor=zone.officer, content=_xlsx(rows, header), filename="a.xlsx", at=NOW)
    lines = [line for line, _m in e.value.problems]
    assert lines == [5, 6, 6, 8]
    assert e.value.problems[0][1] == line(5, v.MSG_NAME_REQUIRED)
    assert e.value.message == MSG_REJECTED % {"count": 3}
    assert not Project.objects.exists()


def test_common_chinese_titles_and_a_good_file(zone):
    header = ["项目名称", "投资方", "项目类型", "产业", "计划投资额（元）", "计划用地（亩）", "重点项目"]
    rows = [["好项目", "某集团", "new_land", "new_energy", 1234.5, 10, "是"]]
    result = ledger_import(actor=zone.officer, content=_xlsx(rows, header), filename="a.XLSX", at=NOW)
    (p,) = result.created
    assert (p.name, p.planned_investment, p.land_area_m2, p.is_key) == (
        "好项目", Decimal("1234.50"), Decimal("6666.67"), True)
    assert p.number == "XM-2026-0001"


def test_a_number_twice_in_the_file(zone):
    header = ["项目编号", "项目名称", "投资方", "项目类型", "产业", "计划投资额（元）"]
    rows = [["A-1", "一", "甲", "lease", "other", 1], ["A-1", "二", "乙", "lease", "other", 1]]
    with pytest.raises(LedgerRejected) as e:
        ledger_import(actor=zone.officer, content=_xlsx(rows, header), filename="a.xlsx", at=NOW)
    assert e.value.problems == [(5, line(5, str(MSG_DUPLICATE_NUMBER).format(number="A-1", other=4)))]


@pytest.mark.parametrize(
    ("content", "filename", "message"),
    [
        (b"name,type\n", "ledger.csv", MSG_NOT_XLSX),
        (b"PK\x03\x04 not really", "ledger.xlsx", MSG_NOT_XLSX),
        (b"x" * (5 * 1024 * 1024 + 1), "ledger.xlsx", MSG_TOO_LARGE),
    ],
)
def test_refuses_files_that_are_not_a_small_xlsx(zone, content, filename, message):
    with pytest.raises(ValidationFailed) as e:
        ledger_import(actor=zone.officer, content=content, filename=filename, at=NOW)
    assert e.value.fields == {"file": [str(message)]}


def test_a_sheet_without_the_header(zone):
    with pytest.raises(ValidationFailed) as e:
        ledger_import(actor=zone.officer, content=_xlsx([["x"]], ["甲", "乙"]), filename="a.xlsx", at=NOW)
    assert e.value.message == str(MSG_NO_HEADER).format(title=BY_KEY["name"].heading())


def test_only_the_service_team_imports(zone):
    with pytest.raises(PermissionDenied):
        ledger_import(actor=zone.supervisor, content=b"", filename="a.xlsx")
