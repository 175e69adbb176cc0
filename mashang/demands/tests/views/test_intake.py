"""The intake page: an officer or a unit's member registers a demand for an enterprise picked
by a search; the officer classifies and dispatches it in the same form."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from mashang.demands.models import Channel, Demand, Status
from mashang.demands.tests.views.files import pdf
from mashang.org.models import Enterprise
from mashang.web.navigation import nav_for
from tests.kit.factories import CategoryFactory, EnterpriseFactory, UserFactory, valid_credit_code
from tests.kit.walk import submit

INTAKE = reverse("demands:intake")
PICKER = reverse("demands:intake-enterprises")


@pytest.fixture
def page(zone):
    """``page("officer")``: a client of that zone person, the pages in English (the msgids)."""

    def client_for(person: str) -> Client:
        client = Client()
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        client.force_login(getattr(zone, person))
        return client

    return client_for


@pytest.fixture
def wanshunda(db):
    return EnterpriseFactory(name="万顺达精密机械有限公司")


def form(enterprise, **fields):
    data = {
        "enterprise": enterprise.credit_code,
        "channel": Channel.PHONE,
        "contact_name": "李经理",
        "contact_phone": "13912345678",
        "title": "新厂房临时用电报装",
        "description": "新厂房需要临时用电，请协调供电部门加快报装。",
        "then": "dispatch",
        "category": "land",
        "urgency": "urgent",
    }
    data.update(fields)
    return {k: v for k, v in data.items() if v is not None}


def test_officers_and_units_find_the_page_in_their_menu_and_from_new(zone, page):
    for person in ("officer", "land_staff"):
        assert INTAKE in [i["url"] for i in nav_for(getattr(zone, person))]
        response = page(person).get(INTAKE)
        assert response.status_code == 200
        assert page(person).get(reverse("demands:new"))["Location"] == INTAKE
    assert INTAKE not in [i["url"] for i in nav_for(zone.contact)]
    # The enterprise keeps its own portal form.
    assert page("contact").get(reverse("demands:new")).status_code == 200


def test_an_officer_logs_a_call_and_dispatches_it_in_one_form(zone, page, wanshunda):
    officer = page("officer")
    response = officer.post(INTAKE, form(wanshunda, co_units=["zjj"]))
    demand = Demand.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("demands:detail", args=[demand.pk])
    assert (demand.enterprise, demand.channel, demand.status) == (wanshunda, Channel.PHONE, Status.DISPATCHED)
    assert (demand.contact_name, demand.contact_phone, demand.urgency) == ("李经理", "13912345678", "urgent")
    assert demand.lead_unit == zone.land  # the category's default lead unit
    assert sorted(demand.assignments.values_list("unit__code", "role")) == [("zjj", "co"), ("zrzy", "lead")]
    # Three moves, three events, as on the demand's page.
    assert [e.action for e in Event_of(demand)] == ["submit", "triage", "dispatch"]
    shown = officer.get(response["Location"]).content.decode()
    assert f"Demand {demand.number} was registered and dispatched to {zone.land.name}." in shown


def Event_of(demand):
    from mashang.audit.models import Event

    return Event.objects.filter(subject_type="demand", subject_id=demand.pk).order_by("id")


def test_an_officer_may_only_register_or_only_classify(zone, page, wanshunda):
    page("officer").post(INTAKE, form(wanshunda, then="register", category=""))
    page("officer").post(INTAKE, form(wanshunda, then="triage", title="第二条"))
    registered, classified = Demand.objects.order_by("id")
    assert registered.status == Status.SUBMITTED and registered.category is None
    assert classified.status == Status.TRIAGED and classified.category == zone.category


def test_files_come_with_the_registered_demand(zone, page, wanshunda):
    page("officer").post(INTAKE, form(wanshunda, attachments=[pdf("来电记录.pdf")]))
    demand = Demand.objects.get()
    assert list(demand.attachments.values_list("original_name", flat=True)) == ["来电记录.pdf"]
    assert demand.status == Status.DISPATCHED


def test_bad_fields_answer_422_with_a_message_at_each_field(zone, page, wanshunda):
    response = page("officer").post(
        INTAKE, form(wanshunda, channel=Channel.HOTLINE, title="", category="")
    )
    assert response.status_code == 422
    html = response.content.decode()
    for message in (
        "Choose a category to classify the demand now.",
        "This field is required.",
    ):
        assert message in html
    assert Demand.objects.count() == 0
    # The service's own rules are shown at their fields too (and the picked enterprise stays picked).
    past = timezone.localtime() - timedelta(hours=1)
    response = page("officer").post(
        INTAKE, form(wanshunda, channel=Channel.HOTLINE, external_due_at=past.strftime("%Y-%m-%dT%H:%M"))
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "Give the order number of the 12345 transfer." in html
    assert "The deadline of the 12345 order must be in the future." in html
    assert f'value="{wanshunda.credit_code}" checked' in html
    assert Demand.objects.count() == 0


def test_a_repeated_12345_order_is_refused_naming_its_demand(zone, page, wanshunda):
    due = (timezone.localtime() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    hotline = form(wanshunda, channel=Channel.HOTLINE, external_number="GD-2026-0001", external_due_at=due)
    assert page("officer").post(INTAKE, hotline).status_code == 302
    first = Demand.objects.get()
    assert first.external_number == "GD-2026-0001" and first.external_due_at is not None
    response = page("officer").post(INTAKE, hotline)
    assert response.status_code == 409
    assert f"already registered as demand {first.number}" in response.content.decode()
    assert Demand.objects.count() == 1


def test_a_refused_dispatch_leaves_the_demand_classified_and_opens_the_dispatch_form(zone, page, wanshunda):
    CategoryFactory(code="tax", name="税务", default_lead_unit=None)
    officer = page("officer")
    response = officer.post(INTAKE, form(wanshunda, category="tax"))
    demand = Demand.objects.get()
    assert demand.status == Status.TRIAGED and demand.category.code == "tax"
    assert response["Location"] == reverse("demands:detail", args=[demand.pk]) + "?open=dispatch"
    html = officer.get(response["Location"]).content.decode()
    assert f"Demand {demand.number} was registered and classified, but not dispatched" in html
    assert 'id="action-dispatch" open' in html


def test_quick_add_registers_the_enterprise_with_the_demand(zone, page):
    code = valid_credit_code()
    data = form(Enterprise(credit_code=""), enterprise_credit_code=code, enterprise_name="新来企业有限公司")
    data.pop("enterprise")
    assert page("officer").post(INTAKE, data).status_code == 302
    assert Demand.objects.get().enterprise == Enterprise.objects.get(credit_code=code)
    # A bad credit code is named at its field; nothing is written.
    data["enterprise_credit_code"] = "123"
    response = page("officer").post(INTAKE, data)
    assert response.status_code == 422
    assert "A unified social credit code has 18 characters." in response.content.decode()
    assert Demand.objects.count() == 1


def test_a_unit_registers_a_walk_in_without_triage_and_sees_it(zone, page, wanshunda):
    blank = page("land_staff").get(INTAKE).content.decode()
    assert 'id="intake-triage"' not in blank and 'name="lead_unit"' not in blank
    response = page("land_staff").post(INTAKE, form(wanshunda, channel=Channel.VISIT, category=""))
    demand = Demand.objects.get()
    assert (demand.intake_unit, demand.status, demand.lead_unit) == (zone.land, Status.SUBMITTED, None)
    assert page("land_staff").get(response["Location"]).status_code == 200
    assert page("housing_staff").get(response["Location"]).status_code == 404
    # It waits in the service team's triage queue.
    assert demand.number in page("officer").get(reverse("demands:team")).content.decode()


@pytest.mark.parametrize("person", ["supervisor", "leader", "contact"])
def test_others_get_a_page_that_says_who_registers_demands(zone, page, person):
    response = page(person).get(INTAKE)
    assert response.status_code == 403
    html = response.content.decode()
    assert 'id="intake-forbidden"' in html and "for the service team and the units" in html
    assert 'class="topnav"' in html  # the site's own page, with its navigation
    assert page(person).post(INTAKE, {"title": "x"}).status_code == 403
    assert Demand.objects.count() == 0


def test_the_picker_finds_by_a_piece_of_the_name_the_credit_code_or_a_phone(zone, page, wanshunda):
    officer = page("officer")

    def found(q: str) -> str:
        response = officer.get(PICKER, {"q": q})
        assert response.status_code == 200
        return response.content.decode()

    assert "万顺达精密机械有限公司" in found("万顺")
    assert "万顺达精密机械有限公司" in found(wanshunda.credit_code[:8].lower())
    assert "万顺达精密机械有限公司" not in found("宏达")
    UserFactory(role="enterprise", enterprise=wanshunda, phone="13711112222")
    assert "万顺达精密机械有限公司" in found("13711112222")
    submit(zone, title="来电", contact_phone="0760-22223333")
    assert zone.enterprise.name in found("0760-22223333")
    assert "万顺达" not in found("0760-22223333")
    # At most ten.
    for n in range(12):
        EnterpriseFactory(name=f"万顺配套{n:02d}有限公司")
    assert found("万顺").count('name="enterprise"') == 10
    # A unit's staff picks too.
    assert "万顺达精密机械有限公司" in page("land_staff").get(PICKER, {"q": "万顺达"}).content.decode()


def test_the_picker_tells_an_enterprise_nothing(zone, page, wanshunda):
    for person in ("contact", "supervisor"):
        response = page(person).get(PICKER, {"q": "万顺"})
        assert response.status_code == 403
        assert "万顺达" not in response.content.decode()


def test_without_scripts_the_find_button_searches_and_keeps_what_was_typed(zone, page, wanshunda):
    response = page("officer").post(INTAKE, {"q": "万顺", "find": "1", "title": "已经写好的标题"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "万顺达精密机械有限公司" in html and "已经写好的标题" in html
    assert 'class="error"' not in html
    assert Demand.objects.count() == 0
