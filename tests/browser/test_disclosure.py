"""Internal text stays inside the zone: the enterprise's page of its demand shows neither the
dispatch note nor the assessment, the lead unit's page shows both, and the lead unit's form
says that the assessment is internal."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.pages import open_action
from tests.kit.walk import act, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DISPATCH_NOTE = "请自然资源分局今日内联系企业核实红线"
ASSESSMENT = "红线以 2025 年批复为准，建议现场复核后再答复"


def test_the_enterprise_does_not_read_the_dispatch_note_or_the_assessment(zone, page_as):
    d = submit(zone)
    d = act(zone, "triage", "officer", d)
    d = act(zone, "dispatch", "officer", d, note=DISPATCH_NOTE)
    d = act(zone, "respond", "land_staff", d)

    # The lead unit: the assess form marks its text field internal; it assesses in the browser.
    unit = page_as("unit-zrzy")
    unit.goto(f"/demands/{d.pk}/")
    timeline = unit.locator("#h-timeline").locator("xpath=..")
    expect(timeline).to_contain_text(DISPATCH_NOTE)
    box = open_action(unit, "assess")
    label = box.locator("label[for='id_assess_assessment']")
    expect(label.locator("[data-audience]")).to_have_attribute("data-audience", "internal")
    box.locator("#id_assess_assessment").fill(ASSESSMENT)
    box.locator("button[type=submit]").click()
    expect(unit.locator("#assessment")).to_have_text(ASSESSMENT)
    expect(timeline).to_contain_text(DISPATCH_NOTE)
    # The reply the enterprise will read is marked so.
    reply = open_action(unit, "reply").locator("label[for='id_reply_reply'] [data-audience]")
    expect(reply).to_have_attribute("data-audience", "public")

    # The enterprise: the same demand, every step, neither text.
    enterprise = page_as("ent-a")
    enterprise.goto(f"/demands/{d.pk}/")
    body = enterprise.locator("#demand-body")
    expect(body.locator("ol.timeline li[data-action='dispatch']")).to_have_count(1)
    expect(body.locator("ol.timeline li[data-action='assess']")).to_have_count(1)
    expect(body).not_to_contain_text(DISPATCH_NOTE)
    expect(body).not_to_contain_text(ASSESSMENT)
    expect(body.locator("#assessment")).to_have_count(0)
    # The dispatch note, the first-contact note and the assessment: said to be withheld.
    expect(body.locator("[data-withheld]")).to_have_count(3)
