"""A co-unit gives its opinion on the demand's page; the lead unit reads it beside its reply
form before replying, after recording its first contact (how and with whom); the enterprise
never sees it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from mashang.demands.models import Demand, Status
from tests.browser.pages import DESKTOP, open_action, screenshot
from tests.kit.walk import walk_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OPINION = "规划条件以住建局 2025 年备案图纸为准，建议现场复核南侧红线。"


def status_badge(page):
    return page.locator("#demand-body .demand-head .badge.status")


def test_a_co_unit_gives_its_opinion_and_the_lead_unit_reads_it_before_replying(zone, page_as):
    demand = walk_to(zone, Status.DISPATCHED)
    url = f"/demands/{demand.pk}/"

    co = page_as("unit-zjj", DESKTOP)
    co.goto(url)
    expect(co.locator("#action-reply")).to_have_count(0)
    box = open_action(co, "opinion")
    box.locator("textarea[name=opinion]").fill(OPINION)
    box.locator("button[type=submit]").click()
    panel = co.locator("#co-opinions")
    expect(panel.locator("article.opinion[data-unit=zjj]")).to_contain_text(OPINION)
    expect(status_badge(co)).to_have_text("已派单")  # an opinion does not move the demand

    lead = page_as("unit-zrzy", DESKTOP)
    lead.goto(url)
    box = open_action(lead, "respond")
    box.locator("input[name=method][value=visit]").check()
    box.locator("input[name=contact_with]").fill("王总经理")
    box.locator("button[type=submit]").click()
    expect(status_badge(lead)).to_have_text("办理中")
    expect(lead.locator("#first-contact")).to_contain_text("王总经理")

    # Before replying, the co-unit's opinion is right there, above the reply form.
    opinion = lead.locator("#co-opinions article.opinion[data-unit=zjj]")
    expect(opinion).to_contain_text(OPINION)
    expect(opinion).to_contain_text("住房和城乡建设局")
    reply = open_action(lead, "reply")
    assert opinion.bounding_box()["y"] < reply.bounding_box()["y"]
    reply.locator("textarea[name=reply]").fill("已会同住建局现场复核，红线与备案图纸一致。")
    reply.locator("button[type=submit]").click()
    expect(status_badge(lead)).to_have_text("已答复待确认")
    expect(lead.locator("#co-opinions")).to_contain_text(OPINION)  # still there for the record
    screenshot(lead, "co-unit-opinion")

    enterprise = page_as("ent-a", DESKTOP)
    enterprise.goto(url)
    expect(enterprise.locator("#demand-body")).to_contain_text("已会同住建局现场复核")
    expect(enterprise.locator("#co-opinions")).to_have_count(0)
    expect(enterprise.locator("#demand-body")).not_to_contain_text(OPINION)
    stored = Demand.objects.get(pk=demand.pk)
    assert (stored.status, stored.first_contact_method, stored.first_contact_with) == (
        Status.REPLIED, "visit", "王总经理"
    )
