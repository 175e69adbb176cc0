"""Sign-in through the real form, its throttling, and the language switch (the fixtures check
the CSP header of every page visited and fail on any CSP violation in the console)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from mashang.org.signin import signin_refused_message
from tests.browser.pages import HAN, screenshot, sign_in
from tests.kit.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MSG_WRONG = "用户名或密码错误。"


def test_wrong_password_shows_the_message_and_stays_signed_out(zone, new_page):
    page = new_page()
    page.goto("/login/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    page.locator("#id_username").fill("ent-a")
    page.locator("#id_password").fill("not-the-password")
    with page.expect_response(lambda r: r.url.endswith("/login/") and r.request.method == "POST") as posted:
        page.locator("form:has(#id_password) button[type=submit]").click()
    assert posted.value.status == 401
    expect(page.get_by_role("alert")).to_have_text(MSG_WRONG)
    expect(page.locator("#id_username")).to_have_value("ent-a")
    expect(page.locator("#id_password")).to_have_value("")
    screenshot(page, "login-wrong-password")
    # Still signed out: the front door sends the visitor back to the sign-in page.
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login/$"))


def test_too_many_wrong_passwords_lock_the_username(zone, new_page, settings):
    UserFactory(username="guessed")
    page = new_page()
    page.goto("/login/")

    def attempt(password: str) -> int:
        page.locator("#id_username").fill("guessed")
        page.locator("#id_password").fill(password)
        with page.expect_response(lambda r: r.url.endswith("/login/") and r.request.method == "POST") as posted:
            page.locator("form:has(#id_password) button[type=submit]").click()
        return posted.value.status

    for _ in range(settings.MASHANG_SIGNIN_MAX_FAILURES - 1):
        assert attempt("wrong") == 401
    # The failure that reaches the limit locks this username from this browser's address …
    assert attempt("wrong") == 429
    # … and even the right password is refused now, with the wait in the zone's language.
    assert attempt("pw") == 429
    expect(page.get_by_role("alert")).to_have_text(signin_refused_message())
    expect(page).to_have_url(re.compile(r"/login/$"))


@pytest.mark.parametrize(
    ("username", "home"),
    [
        ("ent-a", "demands:my"),
        ("officer", "demands:team"),
        ("unit-zrzy", "demands:unit"),
        ("supervisor", "demands:watch"),
        ("leader", "demands:dashboard"),
    ],
)
def test_right_password_lands_on_the_roles_home(zone, new_page, username, home):
    page = new_page()
    with page.expect_response(lambda r: r.url.endswith(reverse(home))) as landed:
        sign_in(page, username)
    expect(page).to_have_url(re.compile(re.escape(reverse(home)) + "$"))
    assert landed.value.status == 200, f"{reverse(home)} answered {landed.value.status}"
    # The role's navigation, in Chinese, with its home marked as the current page.
    current = page.locator("nav.topnav a[aria-current=page]")
    expect(current).to_have_attribute("href", reverse(home))
    expect(current).to_have_text(HAN)


def test_language_switch_to_english_and_back(zone, new_page):
    page = new_page()
    page.goto("/login/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.locator("h1")).to_have_text(HAN)

    page.locator("#lang-select").select_option("en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(re.compile(r"/login/$"))
    expect(page.locator("h1")).to_have_text("Sign in to mashang")
    expect(page.locator("#lang-select")).to_have_value("en")

    # The choice sticks across pages and sign-in …
    sign_in(page, "officer")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("nav.topnav")).to_contain_text("Triage queue")

    # … and switching back brings Chinese on the page the person is on.
    here = page.url
    page.locator("#lang-select").select_option("zh-hans")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page).to_have_url(here)
    expect(page.locator("nav.topnav a").first).to_have_text(HAN)
    expect(page.locator("nav.topnav")).not_to_contain_text("Triage queue")
