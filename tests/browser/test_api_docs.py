"""The API reference at /api/v1/docs: Swagger UI served by mashang itself under the strict CSP.

It used to load Swagger UI from a CDN and start it with an inline script; the CSP blocked
both and the page stayed blank. The fixtures' watch fails a test on a CSP violation reported
in the console, a script error, or a request to any host but the live server's; the page
also records every 'securitypolicyviolation' event, which is checked here as well.
"""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import Locator, Page, expect

from mashang.api.auth import api_token_issue
from tests.browser.conftest import TIMEOUT_MS
from tests.browser.pages import csp_weakness
from tests.kit.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DOCS = "/api/v1/docs"
#: Swagger UI is one 1.7 MB script that parses and draws the whole schema (some 150
#: operations) and redraws it on each click: its page gets more time than the fixtures' short
#: waits (on a busy machine the first draw took over ten seconds).
SWAGGER_MS = 30_000


@pytest.fixture(autouse=True)
def _patient_waits():
    expect.set_options(timeout=SWAGGER_MS)
    yield
    expect.set_options(timeout=TIMEOUT_MS)

#: Runs before any script of the page (Playwright injects it; it is not an inline script of ours).
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"}`);
});
"""


def open_docs(page: Page) -> None:
    page.add_init_script(RECORD_VIOLATIONS)
    loaded: list[str] = []
    page.on("requestfinished", lambda r: loaded.append(r.url))
    page.set_default_timeout(SWAGGER_MS)
    page.set_default_navigation_timeout(SWAGGER_MS)
    response = page.goto(DOCS)
    assert response is not None and response.status == 200
    policy = response.headers.get("content-security-policy", "")
    assert csp_weakness(policy) is None, policy
    # Swagger UI drew the schema (docs.js marks it once Swagger UI reports completion).
    expect(page.locator("#swagger-ui")).to_have_attribute("data-state", "rendered")
    expect(page.locator("#operations-tag-demands")).to_be_visible()
    assert any(url.endswith("/static/vendor/swagger-ui-bundle.js") for url in loaded), loaded
    assert any(url.endswith("/api/v1/openapi.json") for url in loaded), loaded


def violations(page: Page) -> list[str]:
    return page.evaluate("window.__cspViolations")


def operation(page: Page, method: str, path: str, *, tag: str = "demands") -> Locator:
    """The operation ``method path`` as Swagger UI draws it under its tag (one block each)."""
    section = page.locator(".opblock-tag-section").filter(has=page.locator(f"#operations-tag-{tag}"))
    exact = re.compile(f"^{re.escape(path)}$")
    return section.locator(f".opblock-{method}").filter(
        has=page.locator(".opblock-summary-path").filter(has_text=exact)
    )


def test_the_reference_shows_the_operations_without_a_csp_violation(new_page):
    page = new_page()
    open_docs(page)
    with translation.override(settings.LANGUAGE_CODE):  # the page speaks the zone's language
        expect(page).to_have_title(re.compile(re.escape(gettext("API reference"))))
    expect(page.get_by_role("heading", level=1)).to_contain_text("mashang API")
    # The operations, grouped by tag, with their paths and methods.
    demands = page.locator("#operations-tag-demands")
    expect(demands).to_be_visible()
    get_demands = operation(page, "get", "/api/v1/demands")
    expect(get_demands).to_have_count(1)
    expect(get_demands).to_be_visible()
    expect(get_demands.locator(".opblock-summary-method")).to_have_text("GET")
    for tag in ("auth", "projects", "landstart"):
        expect(page.locator(f"#operations-tag-{tag}")).to_be_visible()
    # Opening an operation draws its parameters and responses (more of Swagger UI's code runs).
    get_demands.locator(".opblock-summary-control").click()
    expect(get_demands.locator(".responses-wrapper")).to_be_visible()
    expect(get_demands.locator(".try-out__btn")).to_be_visible()
    assert violations(page) == []


def test_try_it_out_calls_the_api_with_a_token(new_page):
    """Authorize with a bearer token, then 'Try it out' on GET /api/v1/demands: a 200 from the
    same origin (connect-src 'self'), shown in the page."""
    token, _record = api_token_issue(user=UserFactory(username="docs-reader"))
    page = new_page()
    open_docs(page)
    page.locator(".auth-wrapper .authorize").click()
    dialog = page.locator(".dialog-ux .modal-ux")
    expect(dialog).to_be_visible()
    dialog.locator("input[type=text], input[type=password]").first.fill(token)
    dialog.locator("button.authorize").click()
    dialog.locator("button.btn-done").click()
    expect(dialog).to_be_hidden()

    get_demands = operation(page, "get", "/api/v1/demands")
    get_demands.locator(".opblock-summary-control").click()
    get_demands.locator(".try-out__btn").click()
    with page.expect_response(lambda r: re.search(r"/api/v1/demands(\?|$)", r.url) is not None) as answer:
        get_demands.locator(".execute").click()
    assert answer.value.status == 200
    assert answer.value.request.headers.get("authorization") == f"Bearer {token}"
    expect(get_demands.locator(".live-responses-table tbody .response-col_status")).to_have_text("200")
    assert violations(page) == []
