"""Review meetings in a real browser, in Chinese, against a live server: the secretary calls a
meeting, builds its agenda, records the decisions and closes the record; the leader approves
the minutes and the action item shows in the tracker. And a leader takes a difficult case on
from the list of cases. Screenshots go to var/screenshots/meeting-*.png."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from mashang.demands.models import Demand, Status
from mashang.meetings.models import ActionItem, AgendaItem, ItemStatus, Meeting
from mashang.meetings.models import Status as MeetingStatus
from tests.browser.pages import DESKTOP, HAN, PHONE, assert_fits_width, open_action, screenshot
from tests.kit.walk import walk_to, with_head

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "12 月企业诉求研判会"
DECISION = "由自然资源分局牵头复核用地红线，两周内答复企业。"
MATTER = "复核甲企业厂房用地红线并书面答复"
ADDED = "用地类诉求退单偏多"


def shoot(page, name: str) -> None:
    """A screenshot, then the page is loaded anew: Playwright leaves an empty style attribute on
    the inputs it hides the caret of, which htmx's next swap would copy (a CSP report)."""
    screenshot(page, name)
    page.reload()


def body(page):
    return page.locator("#meeting-body")


def item_box(page, item: AgendaItem):
    return page.locator(f"#item-{item.pk}")


def test_a_secretary_runs_a_meeting_and_the_leader_approves_its_minutes(zone, page_as):
    # Two demands overdue for weeks: the data proposes both for the agenda.
    long_ago = timezone.now() - timedelta(days=30)
    first = walk_to(zone, Status.DISPATCHED, start=long_ago)
    second = walk_to(zone, Status.DISPATCHED, start=long_ago + timedelta(hours=1))

    # The secretary (the supervision office) calls the meeting.
    page = page_as("supervisor", DESKTOP)
    page.locator("nav.topnav a[href='/meetings/']").click()
    expect(page.locator("main h1")).to_have_text(HAN)
    page.locator("#call-meeting").click()
    expect(page).to_have_url(re.compile(r"/meetings/new/$"))
    page.locator("#id_title").fill(TITLE)
    page.locator("#id_starts_at").fill("2026-12-03T10:00")
    page.locator("#id_place").fill("管委会 301 会议室")
    page.locator("#id_chair").select_option("leader")
    expect(page.locator("#id_secretary")).to_have_value("supervisor")
    page.locator("input[name=participants][value=officer]").check()
    page.locator("input[name=units][value=zrzy]").check()
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/meetings/\d+/$"))
    meeting = Meeting.objects.get()
    expect(body(page)).to_have_attribute("data-status", MeetingStatus.PLANNED)

    # The data proposed both demands, each with its evidence and a link to the demand.
    one, two = AgendaItem.objects.filter(meeting=meeting).order_by("position")
    assert {one.demand_id, two.demand_id} == {first.pk, second.pk}
    expect(item_box(page, one).locator("ul.evidence li").first).to_be_visible()
    expect(item_box(page, one).locator(f"a[href='/demands/{one.demand_id}/']")).to_be_visible()
    item_box(page, one).locator("button[data-action=accept-item]").click()
    expect(item_box(page, one)).to_have_attribute("data-status", ItemStatus.ACCEPTED)
    item_box(page, two).locator("button[data-action=drop-item]").click()
    expect(item_box(page, two)).to_have_attribute("data-status", ItemStatus.DROPPED)
    box = open_action(page, "add-item")
    box.locator("input[name=title]").fill(ADDED)
    box.locator("textarea[name=evidence]").fill("11 月用地类诉求退单 5 次")
    box.locator("button[type=submit]").click()
    expect(page.locator("ol.agenda > li")).to_have_count(3)
    added = AgendaItem.objects.get(meeting=meeting, title=ADDED)
    expect(item_box(page, added)).to_have_attribute("data-status", ItemStatus.ACCEPTED)
    shoot(page, "meeting-agenda")

    page.locator("button[data-action=freeze]").click()
    expect(body(page)).to_have_attribute("data-status", MeetingStatus.AGENDA_FROZEN)
    expect(page.locator("ol.agenda > li")).to_have_count(2)  # the dropped demand is left out
    shoot(page, "meeting-decide")

    # The live minutes: a decision with an action item on the demand, a plain one on the other.
    decide = item_box(page, one).locator("details.decide form")
    decide.locator("textarea[name=decision]").fill(DECISION)
    decide.locator("input[name='action_items-0-title']").fill(MATTER)
    decide.locator("select[name='action_items-0-lead_unit']").select_option("zrzy")
    decide.locator("select[name='action_items-0-co_units']").select_option(["zjj"])
    decide.locator("select[name='action_items-0-owner']").select_option("unit-zrzy")
    decide.locator("input[name='action_items-0-working_days']").fill("5")
    decide.locator("input[name='action_items-0-closing_rule']").fill("书面答复企业并经督查室确认")
    decide.locator("button[type=submit]").click()
    expect(item_box(page, one).locator(".decision-text")).to_have_text(DECISION)
    expect(item_box(page, one).locator("table.action-items")).to_contain_text(MATTER)
    decide = item_box(page, added).locator("details.decide form")
    decide.locator("textarea[name=decision]").fill("督查室会同两单位梳理退单规则。")
    decide.locator("button[type=submit]").click()
    expect(item_box(page, added).locator(".decision-text")).to_have_text(HAN)
    page.locator("button[data-action=hold]").click()
    expect(body(page)).to_have_attribute("data-status", MeetingStatus.HELD)
    expect(page.locator("button[data-action=approve]")).to_have_count(0)  # not the secretary's
    shoot(page, "meeting-minutes")

    # The leader (the chair) approves the minutes: the action item is opened and tracked.
    leader = page_as("leader", PHONE)
    leader.goto(f"/meetings/{meeting.pk}/")
    expect(leader.locator("#minutes-docx")).to_be_visible()
    assert_fits_width(leader)
    leader.locator("button[data-action=approve]").click()
    expect(body(leader)).to_have_attribute("data-status", MeetingStatus.MINUTES_APPROVED)
    tracked = ActionItem.objects.get().demand
    assert tracked is not None and tracked.lead_unit == zone.land
    link = item_box(leader, one).locator(f"a[href='/demands/{tracked.pk}/']")
    expect(link).to_have_text(tracked.number)
    assert_fits_width(leader)
    shoot(leader, "meeting-approved")

    # The month's calendar shows the meeting on its day.
    leader.goto("/meetings/?month=2026-12")
    day = leader.locator("table.calendar td", has=leader.locator("time[datetime='2026-12-03']"))
    expect(day.get_by_role("link")).to_contain_text(TITLE)
    assert_fits_width(leader)

    leader.locator("nav.topnav a[href='/meetings/action-items/']").click()
    row = leader.locator(f"table.tracker tr[data-demand='{tracked.pk}']")
    expect(row).to_contain_text(MATTER)
    expect(row).to_contain_text(TITLE)
    expect(leader.locator("table.unit-counts")).to_contain_text(zone.land.name)
    assert_fits_width(leader)
    screenshot(leader, "meeting-action-items")
    row.get_by_role("link", name=tracked.number).click()
    expect(leader).to_have_url(re.compile(rf"/demands/{tracked.pk}/$"))
    expect(leader.locator("main h1")).to_have_text(MATTER)
    assert Meeting.objects.get().status == MeetingStatus.MINUTES_APPROVED


def test_a_leader_assigns_a_waiting_difficult_case_and_sees_it_open(zone, page_as):
    with_head(zone)
    demand = walk_to(zone, Status.DIFFICULT)
    page = page_as("leader", DESKTOP)
    page.locator("nav.topnav a[href='/meetings/difficult-cases/']").click()
    expect(page.locator("main h1")).to_have_text(HAN)
    row = page.locator(f"table.cases-waiting tr[data-demand='{demand.pk}']")
    expect(row).to_contain_text(demand.number)
    expect(row).to_contain_text("涉及多个部门")  # why it was escalated
    expect(page.locator("table.cases-open")).to_have_count(0)
    shoot(page, "meeting-difficult-cases")

    row.locator("a.button").click()
    expect(page).to_have_url(re.compile(rf"/demands/{demand.pk}/#action-assign-case$"))
    box = open_action(page, "assign-case")
    box.locator("select[name=coordinator]").select_option("supervisor")
    box.locator("select[name=lead_unit]").select_option("zjj")
    box.locator("input[name=working_days]").fill("10")
    box.locator("textarea[name=note]").fill("请住建局牵头，两周内办结。")
    box.locator("button[type=submit]").click()
    expect(page.locator("#action-assign-case")).to_have_count(0)
    demand = Demand.objects.get(pk=demand.pk)
    assert demand.coordinator == zone.supervisor and demand.lead_unit == zone.housing

    page.locator("nav.topnav a[href='/meetings/difficult-cases/']").click()
    expect(page.locator("table.cases-waiting")).to_have_count(0)
    row = page.locator(f"table.cases-open tr[data-demand='{demand.pk}']")
    expect(row).to_contain_text(str(zone.supervisor))
    expect(row).to_contain_text(zone.housing.name)
    expect(row.locator("time")).to_have_attribute("datetime", re.compile(r"^\d{4}-"))
