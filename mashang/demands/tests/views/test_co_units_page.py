"""On a demand's page: the co-unit gives its opinion and the lead unit reads it beside its reply
form; the first contact is recorded and shown in the facts; an extension approved for fewer
days; a withdrawal needs the box ticked and a reason."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from mashang.demands.models import Demand, Status
from mashang.demands.transitions import Action
from tests.kit.clocks import at
from tests.kit.walk import act, submit, walk_to

pytestmark = pytest.mark.django_db


def detail_url(demand) -> str:
    return reverse("demands:detail", args=[demand.pk])


def act_url(demand, action: str) -> str:
    return reverse("demands:act", args=[demand.pk, action])


def panel(html: str) -> str:
    """The co-unit opinions panel of a page ("" when it has none)."""
    found = re.search(r'<section class="card" id="co-opinions".*?</section>', html, re.S)
    return found.group(0) if found else ""


def test_the_co_unit_gives_its_opinion_and_the_lead_unit_reads_it_before_replying(zone, as_):
    demand = walk_to(zone, Status.IN_PROGRESS)
    co = as_("housing_staff")
    page = co.get(detail_url(demand)).content.decode()
    assert 'id="action-opinion"' in page and 'id="action-reply"' not in page
    assert "No co-unit has given its opinion yet." in panel(page)
    response = co.post(act_url(demand, "opinion"), {"version": demand.version, "opinion": "建议以<b>备案</b>图纸为准"})
    assert response.status_code == 302

    lead = as_("land_staff").get(detail_url(demand)).content.decode()
    shown = panel(lead)
    assert "住房和城乡建设局" in shown and str(zone.housing_staff) in shown
    assert "建议以&lt;b&gt;备案&lt;/b&gt;图纸为准" in shown  # escaped, never HTML
    # The panel comes before the lead unit's reply form.
    assert 'id="action-reply"' in lead and lead.index('id="co-opinions"') < lead.index('id="action-reply"')
    for person in ("officer", "supervisor", "leader"):
        assert "建议以&lt;b&gt;备案" in panel(as_(person).get(detail_url(demand)).content.decode())
    enterprise = as_("contact").get(detail_url(demand)).content.decode()
    assert panel(enterprise) == "" and "备案" not in enterprise


def test_an_empty_opinion_is_refused_beside_the_form(zone, as_):
    demand = walk_to(zone, Status.DISPATCHED)
    response = as_("housing_staff").post(act_url(demand, "opinion"), {"version": demand.version, "opinion": " "})
    assert response.status_code == 422
    assert Demand.objects.get(pk=demand.pk).version == demand.version


def test_the_first_contact_is_recorded_from_the_page_and_shown_in_the_facts(zone, as_):
    demand = walk_to(zone, Status.DISPATCHED)
    page = as_("land_staff").get(detail_url(demand)).content.decode()
    for name in ("method", "contact_with", "contacted_at"):
        assert f'id="id_respond_{name}' in page
    missing = as_("land_staff").post(act_url(demand, "respond"), {"version": demand.version, "method": "phone"})
    assert missing.status_code == 422 and Demand.objects.get(pk=demand.pk).status == Status.DISPATCHED
    response = as_("land_staff").post(
        act_url(demand, "respond"),
        {"version": demand.version, "method": "visit", "contact_with": "王总经理", "contacted_at": ""},
    )
    assert response.status_code == 302
    stored = Demand.objects.get(pk=demand.pk)
    assert (stored.status, stored.first_contact_method, stored.first_contact_with) == (
        Status.IN_PROGRESS, "visit", "王总经理"
    )
    facts = as_("contact").get(detail_url(demand)).content.decode()
    first = re.search(r'<dd id="first-contact">(.*?)</dd>', facts, re.S).group(1)
    assert "Visit" in first and "王总经理" in first


def test_a_first_contact_in_the_future_is_refused_beside_its_field(zone, as_):
    demand = walk_to(zone, Status.DISPATCHED)
    response = as_("land_staff").post(
        act_url(demand, "respond"),
        {"version": demand.version, "method": "phone", "contact_with": "李经理", "contacted_at": "2099-01-01T09:00"},
    )
    assert response.status_code == 422
    assert "The first contact cannot be in the future." in response.content.decode()


def test_the_supervisor_approves_fewer_days_from_the_page(zone, as_):
    demand = walk_to(zone, Status.DISPATCHED, start=at(2026, 3, 2, 9, 0))
    demand = act(zone, Action.EXTEND, "land_staff", demand, when=at(2026, 3, 2, 9, 10), days=3)
    due = demand.resolution_due_at
    page = as_("supervisor").get(detail_url(demand)).content.decode()
    assert re.search(r'name="days"[^>]*value="3"|value="3"[^>]*name="days"', page)
    response = as_("supervisor").post(act_url(demand, "approve-extension"), {"version": demand.version, "days": "1"})
    assert response.status_code == 302
    # One working day (7 hours) later on a plain March week.
    assert Demand.objects.get(pk=demand.pk).resolution_due_at == at(2026, 3, 10, 9, 2)
    assert due == at(2026, 3, 9, 9, 2)


def test_a_withdrawal_needs_the_box_and_a_reason(zone, as_):
    demand = submit(zone)
    contact = as_("contact")
    for data in ({"reason": "已自行解决"}, {"confirm": "on"}, {"confirm": "on", "reason": "  "}):
        response = contact.post(act_url(demand, "withdraw"), {"version": demand.version, **data})
        assert response.status_code == 422, data
        assert Demand.objects.get(pk=demand.pk).status == Status.SUBMITTED
    response = contact.post(act_url(demand, "withdraw"), {"version": demand.version, "confirm": "on", "reason": "已自行解决"})
    assert response.status_code == 302
    assert Demand.objects.get(pk=demand.pk).status == Status.WITHDRAWN
