"""A demand printed without the navigation; three demands dispatched at once from the queue."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from mashang.audit.models import Event
from mashang.demands.models import Demand, Status
from tests.kit.walk import submit, walk_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SECTIONS = ("#print-facts", "#print-units", "#print-deadlines", "#print-timeline", "#print-signatures")


def test_a_demand_prints_as_the_form_without_the_navigation(zone, page_as):
    demand = walk_to(zone, Status.IN_PROGRESS)
    page = page_as("officer")
    page.goto(reverse("demands:detail", args=[demand.pk]))
    page.locator("#demand-print-links a").first.click()
    page.wait_for_url(f"**{reverse('demands:print', args=[demand.pk])}")
    expect(page.locator("nav.topnav")).to_be_visible()

    page.emulate_media(media="print")

    expect(page.locator("nav.topnav")).to_be_hidden()
    expect(page.locator("header.topbar")).to_be_hidden()
    expect(page.locator("[data-print]")).to_be_hidden()
    for section in SECTIONS:
        expect(page.locator(section)).to_be_visible()
    expect(page.locator("#print-facts")).to_contain_text(demand.number)
    expect(page.locator("#print-units")).to_contain_text("自然资源分局")
    expect(page.locator("#print-signatures th")).to_have_count(3)


def test_an_officer_dispatches_three_demands_at_once(zone, page_as):
    triaged = [walk_to(zone, Status.TRIAGED) for _ in range(3)]
    waiting = submit(zone)  # new: triaged on its own page first, no checkbox
    page = page_as("officer")
    page.goto(reverse("demands:team"))
    expect(page.locator(f"#pick-{waiting.pk}")).to_have_count(0)

    for d in triaged:
        page.locator(f"#pick-{d.pk}").check()
    expect(page.locator("#id_bulk_lead_unit")).to_have_value("")  # each category's default
    page.locator("#bulk-dispatch button[type=submit]").click()

    page.wait_for_url(f"**{reverse('demands:team')}")
    expect(page.locator(".messages .success")).to_contain_text("3")
    for d in triaged:
        d.refresh_from_db()
        assert d.status == Status.DISPATCHED and d.lead_unit == zone.land
        assert Event.objects.filter(subject_type="demand", subject_id=d.pk, action="dispatch").count() == 1
        expect(page.locator(f"#pick-{d.pk}")).to_have_count(0)
    assert Demand.objects.get(pk=waiting.pk).status == Status.SUBMITTED
