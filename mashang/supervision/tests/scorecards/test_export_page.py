"""The scorecard export from the page: the signed-in person's session, the figures in their
right columns, and the page's own words."""

from __future__ import annotations

import re
from io import BytesIO

import pytest
import time_machine
from django.test import Client
from django.utils.translation import gettext
from openpyxl import load_workbook

from mashang.supervision.tests.scorecards.scenario import NOW, build

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("three_rates")]

NOV = {"from": "2026-11-01", "to": "2026-12-01"}


@pytest.fixture
def page(zone):
    with time_machine.travel(NOW, tick=False):
        build(zone)
    with time_machine.travel(NOW, tick=False):
        client = Client()
        client.force_login(zone.supervisor)
        yield client


def _export_link(html: str) -> str:
    match = re.search(r'<a href="([^"]+)"[^>]*id="export"', html)
    assert match, "the page has an export link"
    return match.group(1).replace("&amp;", "&")


def test_the_page_export_link_downloads_the_workbook_with_the_session(page):
    html = page.get("/supervision/scorecards/", NOV).content.decode()
    link = _export_link(html)
    assert not link.startswith("/api/")
    response = page.get(link)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "scorecards-2026-11-01-2026-11-30.xlsx" in response["Content-Disposition"]
    ranking = load_workbook(BytesIO(response.content)).worksheets[0]
    assert [c.value for c in ranking[6]][:3] == [1, "自然资源分局", 95.0]


def test_an_enterprise_cannot_export_from_the_page(zone, page):
    client = Client()
    client.force_login(zone.contact)
    assert client.get("/supervision/scorecards/export.xlsx", NOV).status_code == 403
    assert Client().get("/supervision/scorecards/export.xlsx", NOV).status_code == 302  # sign in


def test_the_volumes_sheet_holds_counts_under_count_headings_and_the_pages_period_words(page):
    wb = load_workbook(BytesIO(page.get("/supervision/scorecards/export.xlsx", NOV).content))
    volumes = wb.worksheets[1]
    headers = [c.value for c in volumes[5]]
    rate_labels = {gettext(m) for m in ("First contact on time", "Response rate", "On-time resolution rate")}
    assert not rate_labels & set(headers), headers
    assert not any(h.endswith("率") for h in headers), headers
    assert all(isinstance(c.value, int) for c in volumes[6][1:])
    # The period is said as the page says it.
    words = gettext("Demands filed from %(start)s to %(end)s") % {"start": "2026-11-01", "end": "2026-11-30"}
    assert volumes["A2"].value == words
    assert words in " ".join(page.get("/supervision/scorecards/", NOV).content.decode().split())
