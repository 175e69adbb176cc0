"""Every page of every role on a 375 px phone: strict CSP, Chinese, nothing sticking out sideways.

The fixtures' watch also fails a test on a CSP violation, a script error, or a request to
any host but the live server's (mashang loads nothing from a CDN).
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from mashang.demands.models import Status
from tests.browser.pages import HAN, PHONE, assert_fits_width, csp_weakness
from tests.kit.walk import walk_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(
    ("username", "extra"),
    [
        ("ent-a", []),
        ("officer", ["demands:watch"]),
        ("unit-zrzy", []),
        ("supervisor", []),
        ("leader", []),
    ],
)
def test_every_page_of_a_role_on_a_phone(zone, page_as, watch, username, extra):
    demand = walk_to(zone, Status.IN_PROGRESS)
    walk_to(zone, Status.CLOSED)
    page = page_as(username, PHONE)
    urls = [a.get_attribute("href") for a in page.locator("nav.topnav a").all()]
    assert urls, "the role has a navigation"
    urls += [reverse(name) for name in extra] + [reverse("demands:detail", args=[demand.pk])]
    for url in urls:
        response = page.goto(url)
        assert response is not None and response.status == 200, f"{url}: {response and response.status}"
        assert (weak := csp_weakness(response.headers.get("content-security-policy", ""))) is None, (
            f"{url}: {weak}"
        )
        expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
        expect(page.locator("main h1").first).to_have_text(HAN)
        if url == reverse("demands:dashboard"):
            expect(page.locator("#dashboard")).to_have_attribute("data-state", "drawn")
        assert_fits_width(page)
    assert len(watch.policies) >= len(urls)


def test_the_sign_in_page_and_an_unknown_page_carry_the_policy(zone, new_page, watch):
    page = new_page(PHONE)
    for url, status in [("/login/", 200), ("/no-such-page/", 404), ("/demands/my/", 200)]:
        response = page.goto(url)
        assert response is not None and response.status == status, url
        assert csp_weakness(response.headers.get("content-security-policy", "")) is None, url
    # Signed out, a page sends the visitor to sign in first and back afterwards.
    assert page.url.endswith("/login/?next=/demands/my/")
    assert_fits_width(page)
    assert all(watch.policies.values()), watch.policies
