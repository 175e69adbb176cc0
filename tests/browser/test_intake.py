"""An officer logs an enterprise's phone call and dispatches it in one form, the enterprise
found by typing a piece of its name."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from mashang.audit.models import Event
from mashang.demands.models import Channel, Demand, Status
from tests.kit.factories import EnterpriseFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _urls_loaded():
    """The URLs (and the API's schemas they import) loaded before the first page is asked for,
    so a busy machine does not spend the first page's time limit on imports."""
    reverse("web:login")


def test_an_officer_logs_a_phone_call_for_an_enterprise_found_by_name_and_dispatches_it(zone, page_as):
    wanshunda = EnterpriseFactory(name="万顺达精密机械有限公司")
    EnterpriseFactory(name="宏达五金制品有限公司")
    page = page_as("officer")

    page.locator(f"nav.topnav a[href='{reverse('demands:intake')}']").click()
    expect(page).to_have_url(re.compile(r"/demands/intake/$"))

    # Typing a piece of the name lists the enterprise (an htmx fragment); picking it checks it.
    page.locator("#id_q").press_sequentially("万顺", delay=50)
    choice = page.locator("#enterprise-results label.enterprise-choice", has_text="万顺达精密机械有限公司")
    expect(choice).to_be_visible()
    expect(page.locator("#enterprise-results")).not_to_contain_text("宏达五金")
    choice.click()
    expect(choice.locator("input[type=radio]")).to_be_checked()

    expect(page.locator("input[name=channel][value=phone]")).to_be_checked()
    page.locator("#id_contact_name").fill("李经理")
    page.locator("#id_contact_phone").fill("13912345678")
    page.locator("#id_title").fill("新厂房临时用电报装")
    page.locator("#id_description").fill("新厂房需要临时用电，请协调供电部门加快报装。")
    page.locator("#id_category").select_option("land")
    expect(page.locator("input[name=then][value=dispatch]")).to_be_checked()
    page.locator("#intake-submit").click()

    expect(page).to_have_url(re.compile(r"/demands/\d+/$"))
    demand = Demand.objects.get()
    assert page.url.endswith(reverse("demands:detail", args=[demand.pk]))
    assert (demand.enterprise_id, demand.channel, demand.status) == (wanshunda.pk, Channel.PHONE, Status.DISPATCHED)
    assert demand.lead_unit == zone.land and demand.contact_phone == "13912345678"
    actions = list(
        Event.objects.filter(subject_type="demand", subject_id=demand.pk).order_by("id").values_list("action", flat=True)
    )
    assert actions == ["submit", "triage", "dispatch"]
    expect(page.locator("main")).to_contain_text(demand.number)
    expect(page.locator("main")).to_contain_text(zone.land.name)
