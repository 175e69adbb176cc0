"""The project ledger (项目台账) as an Excel workbook, formatted for printing.

Sheet 1: one row per project with every field, its milestones planned and actual, and the
funds in place; its header row is what the import reads, so an exported ledger re-imports.
Sheet 2: the pipeline summary — by stage, type and industry, the four rates with their
definitions, and the key projects behind plan.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from mashang.core.spreadsheet import workbook_bytes
from mashang.org.models import User
from mashang.projects import stats as st
from mashang.projects.ledger.columns import COLUMNS
from mashang.projects.models import Industry, Milestone, Project, ProjectType, Stage
from mashang.projects.selectors import ProjectFilters, funds_totals, project_list

HEADER_ROW = 4
MONEY = "#,##0.00"
AREA = "#,##0.00"
DAY = "yyyy-mm-dd"
PCT = "0.00%"

TITLE = _("Investment project ledger")
SUMMARY_TITLE = _("Pipeline summary")

_THIN = Side(style="thin", color="999999")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="DCE6F2")


def export_filename(today: date) -> str:
    return f"projects-{today.isoformat()}.xlsx"


def officer_cell(user: User | None) -> str:
    """How the ledger names an officer; the import reads it back by the login in brackets."""
    if user is None:
        return ""
    return f"{user.display_name} ({user.username})" if user.display_name else user.username


def _yes_no(value: bool) -> str:
    return gettext("yes") if value else gettext("no")


def row_of(project: Project, milestones: dict[str, Milestone], funds: Decimal | None) -> dict[str, object]:
    values: dict[str, object] = {
        "number": project.number,
        "name": project.name,
        "investor_name": project.investor_name,
        "investor_credit_code": project.investor.credit_code if project.investor else "",
        "project_type": str(ProjectType(project.project_type).label),
        "industry": str(Industry(project.industry).label),
        "planned_investment": project.planned_investment,
        "land_area_mu": project.land_area_mu,
        "land_area_m2": project.land_area_m2,
        "service_officer": officer_cell(project.service_officer),
        "is_key": _yes_no(project.is_key),
        "is_city_key": _yes_no(project.is_city_key),
        "stage": str(Stage(project.stage).label),
        "stage_before_pause": str(Stage(project.stage_before_pause).label) if project.stage_before_pause else "",
        "stage_reason": project.stage_reason,
        "behind_plan_reason": project.behind_plan_reason,
        "funds": funds or Decimal("0.00"),
    }
    for stage, m in milestones.items():
        values[f"planned:{stage}"] = m.planned_on
        values[f"reached:{stage}"] = m.reached_on
    return values


def _heading(ws: Worksheet, title: str, subtitle: str, width: int) -> None:
    ws.cell(1, 1, title).font = Font(size=14, bold=True)
    ws.cell(2, 1, subtitle).font = Font(size=10, color="555555")
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=max(width, 1))


def _header(ws: Worksheet, row: int, titles: list[str]) -> None:
    for i, title in enumerate(titles, start=1):
        cell = ws.cell(row, i, title)
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        cell.border = _BORDER
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")


def _print_setup(ws: Worksheet, header_row: int) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.freeze_panes = ws.cell(header_row + 1, 1)


def _ledger_sheet(ws: Worksheet, projects: list[Project], today: date) -> None:
    ws.title = gettext("Ledger")
    _heading(
        ws, str(TITLE),
        gettext("As of %(date)s — %(count)d projects") % {"date": today.isoformat(), "count": len(projects)},
        len(COLUMNS),
    )
    _header(ws, HEADER_ROW, [c.heading() for c in COLUMNS])
    ids = [p.pk for p in projects]
    milestones: dict[int, dict[str, Milestone]] = defaultdict(dict)
    for m in Milestone.objects.filter(project_id__in=ids):
        milestones[m.project_id][m.stage] = m
    funds = funds_totals(ids)
    for r, project in enumerate(projects, start=HEADER_ROW + 1):
        values = row_of(project, milestones.get(project.pk, {}), funds.get(project.pk))
        for c_index, column in enumerate(COLUMNS, start=1):
            cell = ws.cell(r, c_index, values.get(column.key))
            cell.border = _BORDER
            if column.kind == "money":
                cell.number_format = MONEY
            elif column.kind == "date":
                cell.number_format = DAY
    for c_index, column in enumerate(COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(c_index)].width = column.width
    ws.row_dimensions[HEADER_ROW].height = 45
    _print_setup(ws, HEADER_ROW)


def _table(ws: Worksheet, row: int, title: str, titles: list[str], rows: list[list[object]],
           formats: dict[int, str] | None = None) -> int:
    ws.cell(row, 1, title).font = Font(bold=True, size=12)
    _header(ws, row + 1, titles)
    for r, values in enumerate(rows, start=row + 2):
        for c, value in enumerate(values, start=1):
            cell = ws.cell(r, c, value)
            cell.border = _BORDER
            if formats and c in formats:
                cell.number_format = formats[c]
            if isinstance(value, str) and len(value) > 40:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    return row + 2 + len(rows) + 1


def _summary_sheet(ws: Worksheet, figures: dict, today: date) -> None:
    ws.title = gettext("Summary")
    _heading(ws, str(SUMMARY_TITLE), gettext("As of %(date)s") % {"date": today.isoformat()}, 6)
    count, investment = gettext("Projects"), gettext("Planned investment (yuan)")
    row = _table(
        ws, 4, gettext("By stage"), [gettext("Stage"), count, investment],
        [[str(Stage(k).label), v["count"], v["investment"]] for k, v in figures["by_stage"].items()],
        {3: MONEY},
    )
    row = _table(
        ws, row, gettext("By type"), [gettext("Project type"), count, investment],
        [[str(ProjectType(k).label), v["count"], v["investment"]] for k, v in figures["by_type"].items()],
        {3: MONEY},
    )
    row = _table(
        ws, row, gettext("By industry"), [gettext("Industry"), count, investment],
        [[str(Industry(k).label), v["count"], v["investment"]] for k, v in figures["by_industry"].items()],
        {3: MONEY},
    )
    totals = figures["totals"]
    ws.cell(row, 1, str(st.TOTALS_DEFINITION))
    row = _table(
        ws, row + 1, gettext("Totals"), [gettext("Figure"), gettext("Value")],
        [[gettext("Projects (not dropped)"), totals["count"]],
         [gettext("Planned investment (yuan)"), totals["investment"]],
         [gettext("Signed or further"), totals["signed_count"]],
         [gettext("Planned investment of signed projects (yuan)"), totals["signed_investment"]],
         [gettext("Funds in place of signed projects (yuan)"), totals["funds_in_place"]]],
        {2: MONEY},
    )
    rate_rows = []
    for key, rate in figures["rates"].items():
        pct = rate.percent
        rate_rows.append([
            str(st.RATE_NAMES[key]), rate.numerator, rate.denominator,
            None if pct is None else float(pct) / 100, str(st.RATE_DEFINITIONS[key]),
        ])
    row = _table(
        ws, row, gettext("Rates"), [gettext("Indicator"), gettext("Numerator"), gettext("Denominator"), gettext("Rate"), gettext("Definition")],
        rate_rows, {4: PCT},
    )
    ws.cell(row, 1, str(st.BEHIND_PLAN_DEFINITION))
    _table(
        ws, row + 1, gettext("Key projects behind plan"),
        [gettext("Project"), gettext("Stage"), gettext("Late milestone"), gettext("Planned"), gettext("Days late"), gettext("Why behind plan")],
        [[f"{b['project'].number} {b['project'].name}", str(Stage(b["project"].stage).label),
          str(Stage(b["milestone"]).label), b["planned_on"], b["days_late"], b["project"].behind_plan_reason]
         for b in figures["behind_plan"]],
        {4: DAY},
    )
    for letter, width in zip("ABCDEF", (36, 16, 20, 14, 60, 30), strict=True):
        ws.column_dimensions[letter].width = width
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def ledger_workbook(*, actor: User, filters: ProjectFilters | None = None, today: date | None = None) -> bytes:
    """The ledger of the projects the actor may see (and the filters keep), as .xlsx bytes."""
    today = today or timezone.localdate()
    projects = list(project_list(actor=actor, filters=filters, today=today).order_by("number"))
    wb = Workbook()
    _ledger_sheet(wb.active, projects, today)
    _summary_sheet(wb.create_sheet(), st.pipeline_stats(actor=actor, today=today), today)
    return workbook_bytes(wb)
