"""Finding demands on the "All demands" page, in a real browser: a piece of an enterprise's name
typed in the search box finds its demands, the query stays in the URL, and the Excel export
downloads the list shown."""

from __future__ import annotations

import re
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from playwright.sync_api import expect

from mashang.org.models import User
from tests.browser.pages import DESKTOP, PHONE, assert_fits_width
from tests.kit.factories import EnterpriseFactory, UserFactory
from tests.kit.walk import submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_piece_of_an_enterprise_name_finds_its_demands(zone, page_as):
    ent = EnterpriseFactory(name="佛山万顺达精密制造有限公司")
    contact = UserFactory(username="ent-ws", role=User.Role.ENTERPRISE, enterprise=ent)
    first = submit(zone, actor=contact, title="车间停电影响生产")
    second = submit(zone, actor=contact, title="货车进出道路积水")
    elsewhere = submit(zone, title="厂房用地红线需要复核")

    page = page_as("officer", DESKTOP)
    page.goto(reverse("demands:all"))
    rows = page.locator("#search-results tbody tr")
    expect(rows).to_have_count(3)

    page.get_by_role("searchbox").fill("万顺")
    page.locator("form[role=search] button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"[?&]q=%E4%B8%87%E9%A1%BA"))
    expect(rows).to_have_count(2)
    # Newest first, each with its enterprise; the other enterprise's demand is not listed.
    expect(rows.nth(0)).to_contain_text(second.number)
    expect(rows.nth(1)).to_contain_text(first.number)
    expect(rows.nth(0)).to_contain_text("佛山万顺达精密制造有限公司")
    expect(page.locator("#search-results")).not_to_contain_text(elsewhere.number)
    expect(page.get_by_role("searchbox")).to_have_value("万顺")

    with page.expect_download() as download:
        page.locator("#export-xlsx").click()
    content = open(download.value.path(), "rb").read()
    sheet = load_workbook(BytesIO(content)).active
    numbers = {row[0] for row in sheet.iter_rows(values_only=True)}
    assert {first.number, second.number} <= numbers
    assert elsewhere.number not in numbers


def test_the_search_page_fits_a_phone(zone, page_as):
    submit(zone, title="车间停电影响生产")
    page = page_as("supervisor", PHONE)
    page.goto(reverse("demands:all") + "?q=停电")
    expect(page.locator("#search-results tbody tr")).to_have_count(1)
    assert_fits_width(page)
