"""Browser tests: Playwright drives Debian's Chromium against a live server of mashang.

Every page a test opens is watched: each HTML document must carry a strict
Content-Security-Policy header, and the console must report no CSP violation and the
page no script error. A test fails at teardown when one was seen.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from playwright.sync_api import Browser, Page, expect, sync_playwright

# The live server listens on loopback only (pytest-django's default is "localhost").
os.environ.setdefault("DJANGO_LIVE_TEST_SERVER_ADDRESS", "127.0.0.1")

#: Debian's Chromium (``make browser`` installs it); Playwright downloads no browser of its own.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]
#: Where the tests leave a picture of each role's main page (the README names this folder).
SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
#: Explicit waits are short: every page is served by a local server with a handful of rows.
TIMEOUT_MS = 5_000

PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
HAN = re.compile(r"[\u4e00-\u9fff]")

expect.set_options(timeout=TIMEOUT_MS)


@pytest.fixture(scope="package")
def browser() -> Browser:
    """One headless Chromium for all browser tests (they run one after the other, last).

    While Playwright's sync API lives it keeps an event loop marked running in this thread;
    the tests' own ORM calls (making their data) are synchronous all the same, so Django's
    async guard is lifted for exactly that time, and Playwright stops with the package.
    """
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"Chromium not found at {CHROMIUM}: run `make browser` (apt-get install chromium)")
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as p:
            b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            yield b
            b.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


LAX_SOURCES = {"'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "*", "data:", "blob:", "http:", "https:"}


def csp_weakness(policy: str) -> str | None:
    """Why ``policy`` is not strict (None when it is): scripts and styles from mashang only,
    no plugins, no framing, no foreign base URL."""
    directives: dict[str, list[str]] = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            directives.setdefault(words[0].lower(), words[1:])
    default = directives.get("default-src")
    for name in ("script-src", "style-src"):
        sources = directives.get(name, default)
        if sources is None:
            return f"no {name}"
        lax = sorted(set(sources) & LAX_SOURCES) + [s for s in sources if "://" in s]
        if lax:
            return f"{name} allows {' '.join(lax)}"
    if directives.get("object-src", default) != ["'none'"]:
        return "object-src is not 'none'"
    if directives.get("frame-ancestors") != ["'none'"]:
        return "frame-ancestors is not 'none'"
    if "base-uri" not in directives:
        return "no base-uri"
    return None


@dataclass
class Watch:
    """What went wrong on the pages of one test: documents without CSP, CSP reports, errors."""

    documents: list[str] = field(default_factory=list)
    policies: dict[str, str] = field(default_factory=dict)
    missing_csp: list[str] = field(default_factory=list)
    weak_csp: list[str] = field(default_factory=list)
    csp_violations: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    foreign_requests: list[str] = field(default_factory=list)

    def on_request(self, request) -> None:
        """Everything a page loads comes from mashang itself (nothing from a CDN)."""
        host = urlsplit(request.url).hostname
        if request.url.startswith(("http:", "https:")) and host not in LOOPBACK:
            self.foreign_requests.append(request.url)

    def on_response(self, response) -> None:
        if response.request.resource_type != "document":
            return
        self.documents.append(f"{response.status} {response.url}")
        policy = response.headers.get("content-security-policy")
        self.policies[response.url] = policy or ""
        if not policy:
            self.missing_csp.append(response.url)
        elif weakness := csp_weakness(policy):
            self.weak_csp.append(f"{response.url}: {weakness} in {policy!r}")

    def on_console(self, message) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.csp_violations.append(f"{message.page.url if message.page else '?'}: {message.text}")

    def on_page_error(self, error) -> None:
        self.page_errors.append(str(error))

    def problems(self) -> list[str]:
        return (
            [f"no Content-Security-Policy header: {u}" for u in self.missing_csp]
            + [f"Content-Security-Policy not strict: {u}" for u in self.weak_csp]
            + [f"CSP violation reported: {m}" for m in self.csp_violations]
            + [f"script error on page: {m}" for m in self.page_errors]
            + [f"request to another host: {u}" for u in self.foreign_requests]
        )


@pytest.fixture
def watch() -> Watch:
    return Watch()


@pytest.fixture
def new_page(browser, live_server, watch):
    """``new_page(viewport=…)``: a fresh signed-out page on its own browser context."""
    contexts = []

    def make(viewport: dict | None = None) -> Page:
        # A Chinese browser: mashang answers in zh-Hans unless the person switches.
        context = browser.new_context(base_url=live_server.url, viewport=viewport or DESKTOP, locale="zh-CN")
        context.set_default_timeout(TIMEOUT_MS)
        context.set_default_navigation_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        page.on("request", watch.on_request)
        page.on("response", watch.on_response)
        page.on("console", watch.on_console)
        page.on("pageerror", watch.on_page_error)
        return page

    yield make
    for context in contexts:
        context.close()
    problems = watch.problems()
    assert not problems, "\n".join(problems)


def sign_in(page: Page, username: str, password: str = "pw") -> None:
    """Sign in through the real form at /login/ and wait to land off it."""
    page.goto("/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    page.locator("form:has(#id_password) button[type=submit]").click()
    page.wait_for_url(lambda url: "/login/" not in url)


@pytest.fixture
def page_as(new_page):
    """``page_as(username, viewport)``: a page signed in as ``username`` (password ``pw``)."""

    def make(username: str, viewport: dict | None = None) -> Page:
        page = new_page(viewport)
        sign_in(page, username)
        return page

    return make


def screenshot(page: Page, name: str) -> Path:
    """Save the whole page as ``var/screenshots/<name>.png`` for a person to look at."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / (name if name.endswith(".png") else f"{name}.png")
    page.screenshot(path=str(path), full_page=True, animations="disabled")
    return path


def assert_fits_width(page: Page) -> None:
    """Nothing sticks out sideways: the page needs no horizontal scrolling at its viewport."""
    width = page.viewport_size["width"]
    scroll = page.evaluate("document.documentElement.scrollWidth")
    wide = page.evaluate(
        """(width) => [...document.querySelectorAll('body *')]
            .filter(el => { const r = el.getBoundingClientRect(); return r.width > 0 && r.right > width + 1; })
            .slice(0, 5).map(el => el.tagName.toLowerCase() + ' ' + (el.getAttribute('class') || '')
                + ' right=' + Math.round(el.getBoundingClientRect().right))""",
        width,
    )
    assert scroll <= width, f"{page.url} is {scroll}px wide at a {width}px viewport: {wide}"


def open_action(page: Page, action: str):
    """The action form ``action`` on a demand's page, unfolded; it must be offered."""
    box = page.locator(f"#action-{action}")
    expect(box).to_be_attached()
    if box.get_attribute("open") is None:
        box.locator("summary").click()
    expect(box.locator("form")).to_be_visible()
    return box
