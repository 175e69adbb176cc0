"""The pipeline page draws its charts; the ledger import lists the bad rows in place."""

from __future__ import annotations

from io import BytesIO

import pytest
from openpyxl import Workbook
from playwright.sync_api import expect

from mashang.projects.models import Project
from mashang.projects.services import project_create
from mashang.projects.services import validate as v
from tests.browser.pages import DESKTOP, PHONE, assert_fits_width

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_pipeline_page_draws_its_charts_on_a_phone(zone, page_as):
    for stage in ("negotiating", "signed", "started"):
        project_create(actor=zone.officer, name=f"{stage}项目", investor_name="某集团", project_type="lease",
                       industry="logistics", planned_investment="250000000", stage=stage, is_key=True)
    page = page_as("leader", PHONE)
    page.goto("/projects/")
    expect(page.locator("#pipeline-charts")).to_have_attribute("data-state", "drawn")
    expect(page.locator('[data-chart="stages"]')).to_have_attribute("data-drawn", "true")
    expect(page.locator("#rate-start .stat")).to_have_text("50.00%")
    assert_fits_width(page)


def test_the_import_lists_bad_rows_without_a_reload(zone, page_as, tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["项目名称", "投资方", "项目类型", "产业", "计划投资额（元）"])
    ws.append(["好项目", "甲", "lease", "other", 1])
    ws.append(["坏项目", "乙", "lease", "other", "一千万"])
    path = tmp_path / "台账.xlsx"
    out = BytesIO()
    wb.save(out)
    path.write_bytes(out.getvalue())
    page = page_as("officer", DESKTOP)
    page.goto("/projects/import/")
    page.evaluate("window.__marker = 1")
    page.locator("input[type=file]").set_input_files(str(path))
    page.locator("#import-page button[type=submit]").click()
    expect(page.locator("#import-problems li")).to_have_count(1)
    expect(page.locator("#import-problems li")).to_contain_text(str(v.MSG_INVESTMENT_NOT_NUMBER))
    assert page.evaluate("window.__marker") == 1  # the same page, updated in place
    assert not Project.objects.exists()
