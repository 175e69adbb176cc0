"""Defects of issue 13 seen in a browser: the scorecard export from the page."""

from __future__ import annotations

from io import BytesIO

import pytest
import time_machine
from openpyxl import load_workbook

from mashang.supervision.scorecards import selectors as sel
from mashang.supervision.tests.scorecards.scenario import NOVEMBER, NOW, build
from tests.browser.pages import DESKTOP

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_supervisor_exports_the_scorecards_from_the_page_and_the_file_opens_with_the_right_rates(
    zone, page_as
):
    with time_machine.travel(NOW, tick=False):
        build(zone)
    card = sel.scorecard_get(actor=zone.supervisor, period=NOVEMBER)
    land = card.unit("zrzy")

    page = page_as("supervisor", DESKTOP)
    page.goto("/supervision/scorecards/?from=2026-11-01&to=2026-12-01")
    with page.expect_download() as info:
        page.locator("#export").click()
    download = info.value
    assert download.suggested_filename == "scorecards-2026-11-01-2026-11-30.xlsx"
    wb = load_workbook(BytesIO(open(download.path(), "rb").read()))
    ranking = wb.worksheets[0]
    rows = {row[1].value: row for row in ranking.iter_rows(min_row=6)}
    row = rows[land.name]
    # rank, unit, composite, list, four axes, rank change, score change, then the rates
    assert row[0].value == land.rank and row[2].value == land.composite
    assert round(row[10].value * 100, 1) == round(land.rates["response"], 1)
