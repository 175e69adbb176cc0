"""Each role's main path through the real pages, in Chinese, against a live server.

The data a step starts from is made through the services (as the people before would
have); the step itself is done by clicking and typing in the browser.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from mashang.demands.models import Demand, Status
from tests.browser.pages import DESKTOP, HAN, PHONE, assert_fits_width, open_action, screenshot
from tests.kit.factories import CategoryFactory
from tests.kit.walk import act, submit, walk_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "厂区门口道路积水，货车无法进出"
DESCRIPTION = "连续降雨后厂区南门道路积水约三十厘米，请协调排水。"


def status_badge(page):
    return page.locator("#demand-body .demand-head .badge.status")


PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


def test_enterprise_files_a_demand_on_a_phone_and_sees_it_in_its_list(zone, page_as, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    zone.category.hint = "土地、红线、规划用地手续"
    zone.category.save()
    page = page_as("ent-a", PHONE)
    expect(page).to_have_url(re.compile(r"/demands/my/$"))
    expect(page.locator("main h1")).to_have_text(HAN)

    page.locator(f"main a[href='{reverse('demands:new')}']").first.click()
    expect(page).to_have_url(re.compile(r"/demands/new/$"))
    expect(page.locator("main h1")).to_have_text(HAN)
    # The category picker: one card per category, with its plain-language hint.
    card = page.locator("label.radio-card", has_text="用地")
    expect(card).to_contain_text("土地、红线、规划用地手续")
    card.click()
    expect(card.locator("input[type=radio]")).to_be_checked()
    page.locator("#id_title").fill(TITLE)
    page.locator("#id_description").fill(DESCRIPTION)
    submit_button = page.locator("main form[enctype] button[type=submit]")

    # A file of a type that is not allowed is refused with the reason; nothing is filed.
    page.locator("#id_attachments").set_input_files(
        {"name": "说明.html", "mimeType": "text/html", "buffer": b"<p>hi</p>"}
    )
    submit_button.click()
    expect(page.locator("main .field.invalid .error")).to_contain_text("说明.html")
    assert not Demand.objects.exists()

    # The form keeps what was typed; with a real PDF it goes through.
    expect(page.locator("#id_title")).to_have_value(TITLE)
    page.locator("#id_attachments").set_input_files(
        {"name": "宗地图.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    assert_fits_width(page)
    screenshot(page, "enterprise-new-demand")
    submit_button.click()

    expect(page).to_have_url(re.compile(r"/demands/\d+/$"))
    demand = Demand.objects.get(title=TITLE)
    expect(page).to_have_url(re.compile(rf"/demands/{demand.pk}/$"))
    expect(page.locator(".messages")).to_contain_text(demand.number)
    expect(page.locator("main h1")).to_have_text(TITLE)
    expect(status_badge(page)).to_have_text("待受理")
    assert demand.category == zone.category and demand.description == DESCRIPTION
    assert_fits_width(page)

    # The file is offered as a download under its own name, never rendered by the browser.
    with page.expect_download() as download:
        page.locator("#files").get_by_role("link", name="宗地图.pdf").click()
    assert download.value.suggested_filename == "宗地图.pdf"
    assert download.value.path().read_bytes() == PDF

    page.locator("nav.topnav a", has_text=HAN).first.click()
    expect(page).to_have_url(re.compile(r"/demands/my/$"))
    row = page.locator(".demand-card", has_text=TITLE)
    expect(row).to_be_visible()
    expect(row).to_contain_text(demand.number)
    expect(row.locator(".badge.status")).to_have_text("待受理")
    assert_fits_width(page)
    screenshot(page, "enterprise-my-demands")


def test_enterprise_confirms_and_rates_a_replied_demand_on_a_phone(zone, page_as):
    demand = walk_to(zone, Status.REPLIED)
    page = page_as("ent-a", PHONE)
    row = page.locator(".demand-card", has_text=demand.title)
    expect(row.locator(".badge.status")).to_have_text("已答复待确认")
    row.locator("a").first.click()
    expect(page).to_have_url(re.compile(rf"/demands/{demand.pk}/$"))
    expect(page.locator("main")).to_contain_text(demand.reply)

    box = open_action(page, "confirm")
    box.locator("input[name=resolved][value=yes]").check()
    box.get_by_label("满意", exact=True).check()
    box.locator("textarea[name=comment]").fill("处理及时，谢谢。")
    assert_fits_width(page)
    box.locator("button[type=submit]").click()

    expect(status_badge(page)).to_have_text("已办结")
    rating = page.locator("section[aria-labelledby=h-rating]")
    expect(rating).to_contain_text("满意")
    expect(rating).to_contain_text("处理及时，谢谢。")
    expect(page.locator("#action-confirm")).to_have_count(0)
    assert_fits_width(page)
    screenshot(page, "enterprise-rated-demand")
    demand.refresh_from_db()
    assert (demand.status, demand.resolved, demand.rating) == (Status.CLOSED, True, "satisfied")


def test_officer_triages_and_dispatches_from_the_one_screen_form(zone, page_as):
    demand = submit(zone, title=TITLE, description=DESCRIPTION)
    late = submit(zone, when=timezone.now() - timedelta(days=10), title="上周提交的用电增容诉求")
    page = page_as("officer", DESKTOP)
    expect(page).to_have_url(re.compile(r"/demands/team/$"))
    expect(page.locator("main h1")).to_have_text(HAN)
    # Nearest deadline first: the overdue one leads, coloured as late.
    rows = page.locator("table.queue tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text(late.title)
    expect(rows.nth(0)).to_have_class(re.compile(r"\bdeadline-late\b"))
    row = rows.nth(1)
    expect(row).to_contain_text(TITLE)
    expect(row).to_contain_text(zone.enterprise.name)
    expect(row.locator(".badge.status")).to_have_text("待受理")
    screenshot(page, "officer-triage-queue")

    row.get_by_role("link", name=TITLE).click()
    expect(page).to_have_url(re.compile(rf"/demands/{demand.pk}/$"))
    box = open_action(page, "triage-dispatch")
    box.locator("select[name=category]").select_option("land")
    box.locator("input[name=urgency][value=urgent]").check()
    box.locator("select[name=lead_unit]").select_option("zrzy")
    box.locator("input[name=co_units][value=zjj]").check()
    box.locator("textarea[name=note]").fill("用地红线问题，自然资源分局主办。")
    box.locator("button[type=submit]").click()

    expect(status_badge(page)).to_have_text("已派单")
    facts = page.locator("section[aria-labelledby=h-facts]")
    expect(facts).to_contain_text("自然资源分局")
    expect(facts).to_contain_text("住房和城乡建设局")
    expect(facts).to_contain_text("用地")
    expect(page.locator("#action-triage-dispatch")).to_have_count(0)
    demand.refresh_from_db()
    assert demand.status == Status.DISPATCHED
    assert demand.lead_unit == zone.land and demand.urgency == "urgent"
    assert sorted(a.unit.code for a in demand.assignments.all()) == ["zjj", "zrzy"]


def test_unit_makes_first_contact_and_replies_from_its_queue(zone, page_as):
    demand = walk_to(zone, Status.DISPATCHED)
    page = page_as("unit-zrzy", DESKTOP)
    expect(page).to_have_url(re.compile(r"/demands/unit/$"))
    expect(page.locator("main h1")).to_contain_text("自然资源分局")
    row = page.locator("table.queue tbody tr", has_text=demand.title)
    expect(row.locator(".badge.status")).to_have_text("已派单")
    expect(row.locator(".badge.role-lead")).to_have_text(HAN)
    screenshot(page, "unit-queue")

    row.get_by_role("link", name=demand.title).click()
    expect(page).to_have_url(re.compile(rf"/demands/{demand.pk}/$"))
    # Only what the lead unit may do now is offered: no reply before the first contact.
    expect(page.locator("#action-reply")).to_have_count(0)
    box = open_action(page, "respond")
    box.locator("input[name=method][value=phone]").check()
    box.locator("input[name=contact_with]").fill("李经理")
    box.locator("textarea[name=note]").fill("已电话联系企业负责人。")
    box.locator("button[type=submit]").click()
    expect(status_badge(page)).to_have_text("办理中")

    box = open_action(page, "reply")
    box.locator("textarea[name=reply]").fill("已现场复核，红线与批复一致。")
    box.locator("button[type=submit]").click()
    expect(status_badge(page)).to_have_text("已答复待确认")
    expect(page.locator("section[aria-labelledby=h-answer]")).to_contain_text("已现场复核，红线与批复一致。")
    expect(page.locator("#action-reply")).to_have_count(0)
    expect(page.locator("ol.timeline li")).to_have_count(5)  # submit, triage, dispatch, contact, reply
    screenshot(page, "demand-detail")
    demand.refresh_from_db()
    assert demand.status == Status.REPLIED and demand.first_responded_at is not None


def test_supervisor_sees_an_overdue_demand_on_the_watch_list(zone, page_as):
    late = walk_to(zone, Status.DISPATCHED, start=timezone.now() - timedelta(days=10))
    fresh = submit(zone, title="新提交的诉求，尚未超时")
    assert late.next_due_at < timezone.now() < fresh.next_due_at
    page = page_as("supervisor", DESKTOP)
    expect(page).to_have_url(re.compile(r"/demands/watch/$"))
    expect(page.locator("main h1")).to_have_text(HAN)
    overdue = page.locator("section[aria-labelledby=watch-overdue-h]")
    row = overdue.locator("tbody tr", has_text=late.number)
    expect(row).to_contain_text(late.title)
    expect(row).to_contain_text("自然资源分局")
    expect(row.locator("[data-countdown]")).to_have_text(HAN)
    expect(overdue.locator("tbody tr", has_text=fresh.number)).to_have_count(0)
    screenshot(page, "supervisor-watch")

    row.get_by_role("link", name=late.number).click()
    expect(page).to_have_url(re.compile(rf"/demands/{late.pk}/$"))
    expect(page.locator("main h1")).to_have_text(late.title)


def test_leader_dashboard_draws_its_charts_with_data(zone, page_as):
    tax = CategoryFactory(code="tax", name="税费", default_lead_unit=zone.housing)
    start = timezone.now() - timedelta(days=40)
    walk_to(zone, Status.CLOSED, start=start)
    walk_to(zone, Status.UNRESOLVED, start=start + timedelta(days=1))
    walk_to(zone, Status.DISPATCHED, start=start + timedelta(days=20))
    other = submit(zone, title="契税缴纳咨询", category_code=tax.code)
    other = act(zone, "triage", "officer", other, category="tax")
    act(zone, "dispatch", "officer", other, lead_unit="zjj", co_units=[])

    page = page_as("leader", DESKTOP)
    expect(page).to_have_url(re.compile(r"/demands/dashboard/$"))
    expect(page.locator("main h1")).to_have_text(HAN)
    expect(page.locator("#dashboard")).to_have_attribute("data-state", "drawn")
    charts = page.locator("#dashboard [data-chart]")
    expect(charts).to_have_count(5)
    for i in range(charts.count()):
        chart = charts.nth(i)
        name = chart.get_attribute("data-chart")
        expect(chart, f"chart {name} drawn").to_have_attribute("data-drawn", "true")
        canvas = chart.locator("canvas").first
        expect(canvas, f"chart {name} has a canvas").to_be_visible()
        box = canvas.bounding_box()
        assert box and box["width"] > 50 and box["height"] > 50, f"chart {name}: {box}"
    screenshot(page, "leader-dashboard")
