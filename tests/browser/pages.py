"""What the browser tests look at and do on a page: the viewports, signing in, a strict
Content-Security-Policy, a page that fits its width, an action form, a screenshot."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings
from playwright.sync_api import Page, expect

#: Where the tests leave a picture of each role's main page (the README names this folder).
SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"

PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}
HAN = re.compile(r"[\u4e00-\u9fff]")

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


def sign_in(page: Page, username: str, password: str = "pw") -> None:
    """Sign in through the real form at /login/ and wait to land off it."""
    page.goto("/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    page.locator("form:has(#id_password) button[type=submit]").click()
    page.wait_for_url(lambda url: "/login/" not in url)


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
