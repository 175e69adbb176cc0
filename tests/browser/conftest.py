"""Browser tests: Playwright drives Debian's Chromium against a live server of mashang.

Every page a test opens is watched: each HTML document must carry a strict
Content-Security-Policy header, and the console must report no CSP violation and the
page no script error. A test fails at teardown when one was seen.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
from django.core.servers.basehttp import WSGIServer
from django.test.testcases import LiveServerThread
from playwright.sync_api import Browser, Page, expect, sync_playwright

# The live server listens on loopback only (pytest-django's default is "localhost").
os.environ.setdefault("DJANGO_LIVE_TEST_SERVER_ADDRESS", "127.0.0.1")

# ... and answers one request at a time: on the tests' in-memory SQLite (one shared cache) two
# requests at once — a page and the data.json a page before it still fetches — can wait on
# each other's table locks for ever (seen: the dashboard's data and a meeting's page). Django
# closes each connection when its server is not threaded, so a browser's parallel requests
# simply queue.
class _OneRequestAtATime(WSGIServer):
    """The live server's WSGI server without threads (its thread already uses the test's database
    connection, which the threaded server hands to each request's thread)."""

    def __init__(self, *args, connections_override=None, **kwargs):
        super().__init__(*args, **kwargs)


LiveServerThread.server_class = _OneRequestAtATime

# The page helpers report failed asserts as tests do (imported right below, hence first).
pytest.register_assert_rewrite("tests.browser.pages")

from tests.browser.pages import DESKTOP, csp_weakness, sign_in  # noqa: E402

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
#: Explicit waits are short: every page is served by a local server with a handful of rows.
TIMEOUT_MS = 5_000

LOOPBACK = {"127.0.0.1", "localhost", "::1"}

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



@pytest.fixture
def page_as(new_page):
    """``page_as(username, viewport)``: a page signed in as ``username`` (password ``pw``)."""

    def make(username: str, viewport: dict | None = None) -> Page:
        page = new_page(viewport)
        sign_in(page, username)
        return page

    return make
