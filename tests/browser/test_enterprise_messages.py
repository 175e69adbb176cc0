"""The enterprise hears of every step of its demand in its inbox — dispatched, returned and
dispatched again, given more time, replied — one thread per demand; the unread count in the
navigation falls as it opens its demands."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from mashang.demands.models import Status
from mashang.demands.transitions import Action
from tests.browser.pages import DESKTOP, screenshot
from tests.kit.walk import act, walk_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_enterprise_follows_its_demands_in_the_inbox_and_the_count_falls_as_it_reads(zone, page_as):
    # One demand through its moves: dispatched, returned, dispatched again, extended, replied.
    first = walk_to(zone, Status.DISPATCHED)
    first = act(zone, Action.RETURN, "land_staff", first, reason="不属于本单位职责")
    first = act(zone, Action.DISPATCH, "officer", first)
    first = act(zone, Action.RESPOND, "land_staff", first)
    first = act(zone, Action.EXTEND, "land_staff", first, days=3, reason="需要现场勘测")
    first = act(zone, Action.APPROVE_EXTENSION, "supervisor", first)
    first = act(zone, Action.REPLY, "land_staff", first, reply="已现场复核，红线无误")
    # Another demand, just dispatched.
    second = walk_to(zone, Status.DISPATCHED)

    page = page_as("ent-a", DESKTOP)
    page.goto("/inbox/")
    badge = page.locator("#nav-inbox-unread")
    # accepted, dispatched, returned, dispatched again, extended, replied; accepted, dispatched.
    expect(badge).to_have_text("8")
    threads = page.locator("#inbox-threads li.inbox-thread")
    expect(threads).to_have_count(2)
    expect(threads.nth(0)).to_have_attribute("data-topic", f"demand:{second.pk}")
    expect(threads.nth(1)).to_have_attribute("data-topic", f"demand:{first.pk}")
    expect(threads.nth(1)).to_have_attribute("data-unread", "6")
    expect(threads.nth(1)).to_have_attribute("data-kind", "demand.replied")
    expect(threads.nth(1)).to_contain_text("已现场复核，红线无误")
    screenshot(page, "enterprise-inbox")

    # The first demand's thread: every step, newest first.
    threads.nth(1).locator("a.inbox-thread-all").click()
    kinds = page.locator("#inbox-messages li.inbox-item")
    expect(kinds).to_have_count(6)
    assert [kinds.nth(i).get_attribute("data-kind") for i in range(6)] == [
        "demand.replied",
        "demand.update.extended",
        "demand.update.dispatched",
        "demand.update.returned",
        "demand.update.dispatched",
        "demand.update.accepted",
    ]
    messages = page.locator("#inbox-messages")
    expect(messages).to_contain_text(zone.land.name)
    expect(messages).not_to_contain_text("不属于本单位职责")  # the unit's reason is not the enterprise's to read
    expect(messages).not_to_contain_text("需要现场勘测")

    # Opening the demand from its thread reads its messages: the count falls to the other demand's.
    page.locator("#inbox-messages li.inbox-item").first.locator("button.inbox-open").click()
    page.wait_for_url(f"**/demands/{first.pk}/")
    expect(page.locator("#nav-inbox-unread")).to_have_text("2")

    # Opening the other demand straight from its page reads it too: nothing unread, no badge.
    page.goto(f"/demands/{second.pk}/")
    expect(page.locator("#nav-inbox-unread")).to_have_count(0)
    page.goto("/inbox/?unread=1")
    expect(page.locator("#inbox-threads li.inbox-thread")).to_have_count(0)
