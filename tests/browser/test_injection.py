"""HTML, script and spam links typed into every user-text field show as plain text everywhere.

The web copy of the report this practice is known from sits on a government page defaced
with injected spam links: mashang must never render what a user typed as HTML. One demand
carries the attack in its title, description, contact name, assessment, reply, return
reason, rating comment and its enterprise's name; every page that shows it is opened in
the browser and checked for a script that ran, a script or link that came from the text,
and the text shown literally. The CSP watch of the fixtures fails the test as well if the
browser had to block anything.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from mashang.demands.models import Status
from tests.browser.pages import DESKTOP, PHONE, open_action, screenshot
from tests.kit.walk import act, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCRIPT = "<script>window.__pwned=1</script>"
IMG = '<img src=x onerror="window.__pwned=1">'
SPAM = '<a href="http://spam.example/casino">博彩</a>'
ATTACK = f"{SCRIPT}{IMG}{SPAM}"

ENTERPRISE = f"甲企业{ATTACK}"
TITLE = f"标题{ATTACK}"
DESCRIPTION = f"描述{ATTACK}"
CONTACT = f"联系人{IMG}"
ASSESSMENT = f"研判{ATTACK}"
REPLY = f"答复{ATTACK}"
RETURN_REASON = f"退单理由{ATTACK}"
COMMENT = f"评价{ATTACK}"
RETURNED_TITLE = f"退回{ATTACK}"
NOTE = f"备注{ATTACK}"


def assert_inert(page: Page, *literals: str) -> None:
    """Nothing typed became code or a link, and each of ``literals`` shows as text."""
    main = page.locator("main")
    for text in literals:
        expect(main, f"{page.url} shows {text[:12]}… as text").to_contain_text(text)
    assert page.evaluate("typeof window.__pwned") == "undefined", f"script ran on {page.url}"
    foreign = page.evaluate(
        """() => [...document.scripts]
            .filter(s => !s.src || new URL(s.src).origin !== location.origin
                         || !new URL(s.src).pathname.startsWith('/static/'))
            .map(s => s.outerHTML.slice(0, 100))"""
    )
    assert foreign == [], f"script elements not from /static/ on {page.url}: {foreign}"
    assert page.locator('a[href*="spam.example"]').count() == 0, f"spam link on {page.url}"
    assert page.locator('img[src="x"], [onerror]').count() == 0, f"injected image on {page.url}"


def visit(page: Page, url: str, *literals: str) -> None:
    response = page.goto(url)
    assert response is not None and response.status == 200, f"{url}: {response and response.status}"
    assert_inert(page, *literals)


@pytest.fixture
def attacked(zone):
    """Two demands of an enterprise whose name is an attack, full of attacks in every field."""
    zone.enterprise.name = ENTERPRISE
    zone.enterprise.save()
    start = timezone.now() - timedelta(days=10)

    def at(minutes: int):
        return start + timedelta(minutes=minutes)

    # Filed, returned with a reason, dispatched again, answered and rated unsatisfied: it is
    # back with the service team, overdue for triage, and the units still hold it.
    d = submit(zone, when=at(0), title=TITLE, description=DESCRIPTION, contact_name=CONTACT)
    d = act(zone, "triage", "officer", d, when=at(1), note=NOTE)
    d = act(zone, "dispatch", "officer", d, when=at(2), note=NOTE)
    d = act(zone, "return", "land_staff", d, when=at(3), reason=RETURN_REASON)
    d = act(zone, "dispatch", "officer", d, when=at(4), note=NOTE)
    d = act(zone, "respond", "land_staff", d, when=at(5), note=NOTE)
    d = act(zone, "assess", "land_staff", d, when=at(6), assessment=ASSESSMENT)
    d = act(zone, "reply", "land_staff", d, when=at(7), reply=REPLY)
    d = act(zone, "confirm", "contact", d, when=at(8), resolved=False, rating="unsatisfied", comment=COMMENT)
    assert d.status == Status.UNRESOLVED

    # Another one just returned by the unit: the team queue shows its return reason.
    r = submit(zone, title=RETURNED_TITLE, description=DESCRIPTION, contact_name=CONTACT)
    r = act(zone, "triage", "officer", r)
    r = act(zone, "dispatch", "officer", r, co_units=[])
    r = act(zone, "return", "land_staff", r, reason=RETURN_REASON)
    assert r.status == Status.RETURNED
    return d, r


def test_the_enterprise_pages_show_the_attack_as_text(attacked, page_as):
    d, r = attacked
    page = page_as("ent-a", PHONE)
    visit(page, reverse("demands:my"), TITLE, RETURNED_TITLE)
    visit(
        page,
        reverse("demands:detail", args=[d.pk]),
        TITLE, DESCRIPTION, CONTACT, REPLY, COMMENT, ENTERPRISE,  # the assessment is internal
    )
    screenshot(page, "injection-enterprise-detail")
    visit(page, reverse("demands:detail", args=[r.pk]), RETURNED_TITLE, DESCRIPTION, ENTERPRISE)


def test_the_service_team_pages_show_the_attack_as_text(attacked, page_as):
    d, r = attacked
    page = page_as("officer", DESKTOP)
    visit(page, reverse("demands:team"), TITLE, RETURNED_TITLE, ENTERPRISE, RETURN_REASON)
    screenshot(page, "injection-team-queue")
    visit(page, reverse("demands:all"), TITLE, RETURNED_TITLE, ENTERPRISE)
    visit(page, reverse("demands:watch"), TITLE, ENTERPRISE)
    visit(
        page,
        reverse("demands:detail", args=[d.pk]),
        TITLE, DESCRIPTION, CONTACT, ASSESSMENT, REPLY, COMMENT, ENTERPRISE, RETURN_REASON, NOTE,
    )
    # An action answered by htmx swaps the demand's body in place: still only text.
    visit(page, reverse("demands:detail", args=[r.pk]), RETURNED_TITLE, RETURN_REASON)
    box = open_action(page, "dispatch")
    box.locator("select[name=lead_unit]").select_option("zjj")
    box.locator("textarea[name=note]").fill(NOTE)
    with page.expect_response(lambda resp: "/act/dispatch/" in resp.url) as answered:
        box.locator("button[type=submit]").click()
    assert answered.value.status == 200
    expect(page.locator("#demand-body .demand-head .badge.status")).to_have_text("已派单")
    assert_inert(page, RETURNED_TITLE, RETURN_REASON, NOTE, ENTERPRISE)


def test_the_unit_pages_show_the_attack_as_text(attacked, page_as):
    d, _r = attacked
    page = page_as("unit-zrzy", DESKTOP)
    visit(page, reverse("demands:unit"), TITLE, ENTERPRISE)
    visit(page, reverse("demands:all"), TITLE, ENTERPRISE)
    visit(
        page,
        reverse("demands:detail", args=[d.pk]),
        TITLE, DESCRIPTION, CONTACT, ASSESSMENT, REPLY, COMMENT, ENTERPRISE, RETURN_REASON,
    )


def test_the_supervisor_pages_show_the_attack_as_text(attacked, page_as):
    d, r = attacked
    page = page_as("supervisor", DESKTOP)
    visit(page, reverse("demands:watch"), TITLE, ENTERPRISE)
    screenshot(page, "injection-watch")
    visit(page, reverse("demands:all"), TITLE, RETURNED_TITLE, ENTERPRISE)
    visit(page, reverse("demands:detail", args=[d.pk]), TITLE, DESCRIPTION, COMMENT, ENTERPRISE)
    visit(page, reverse("demands:dashboard"))
    expect(page.locator("#dashboard")).to_have_attribute("data-state", "drawn")
    assert_inert(page)
