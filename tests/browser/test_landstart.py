"""The land-start board in a real browser: it updates without reload when a unit completes its
step on another screen, its clock ticks, it reads on a wall screen and on a 375 px phone; the
history draws 145 → 40 as a falling line. Screenshots go to var/screenshots/landstart-*.png."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from mashang.landstart.models import RunStep, StepState
from tests.browser.pages import HAN, PHONE, assert_fits_width, screenshot
from tests.kit.landstart import RECORD_41, run_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WALL = {"width": 1920, "height": 1080}
#: Polling runs every 2 s: a change must show within one or two polls.
LIVE_MS = 8_000


def shoot(page, name: str) -> None:
    """A screenshot, then the page is closed: Playwright leaves an empty style attribute on the
    inputs it hides the caret of, which the board's next poll would copy (a CSP report)."""
    screenshot(page, name)
    page.close()


def _running(b, minutes_ago: int = 5):
    """A run awarded ``minutes_ago`` minutes ago: confirmation and contract done, so finance's
    land-price payment and natural resources' land-use planning permit are active."""
    now = timezone.now()
    awarded = now - timedelta(minutes=minutes_ago)
    return run_of(
        b,
        opened=now - timedelta(days=2),
        awarded=awarded,
        minutes={"confirmation": 1, "land_contract": 2},
    )


def test_the_board_updates_without_reload_when_a_unit_completes_its_step_elsewhere(bundle, page_as):  # noqa: F811
    run = _running(bundle)
    board = page_as("leader", WALL)
    board.goto(f"/landstart/{run.pk}/")
    expect(board.locator("main h1")).to_have_text(bundle.project.name)
    # A mark on this very page: a reload would wipe it.
    board.evaluate("window.__boardMark = 'still the same page'")
    payment = board.locator('svg.dag g.node[data-step="land_payment"]')
    expect(payment).to_have_attribute("data-state", "active")
    expect(payment.locator(".node-state")).to_contain_text(str(StepState.ACTIVE.label))
    deed_tax = board.locator('svg.dag g.node[data-step="deed_tax"]')
    expect(deed_tax.locator(".node-state")).to_contain_text(str(StepState.WAITING.label))
    expect(board.locator("#run-progress")).to_have_text("2 / 8")

    # The elapsed clock ticks in the page, from the server's count.
    clock = board.locator("#board-clock")
    first = clock.inner_text()
    assert first.startswith("0:05:") or first.startswith("0:04:"), first
    expect(clock).not_to_have_text(first, timeout=2_500)

    # Finance completes its step on its own screen, a second browser with its own session.
    unit = page_as("unit-cz", PHONE)
    unit.goto("/landstart/")
    mine = unit.locator('#my-steps li[data-step="land_payment"]')
    expect(mine).to_be_visible()
    mine.get_by_role("button").click()
    expect(unit.locator(".message.success")).to_be_visible()
    expect(unit.locator('#my-steps li[data-step="land_payment"]')).to_have_count(0)
    assert RunStep.objects.get(run=run, code="land_payment").state == StepState.DONE

    # The first page shows it without being reloaded: the step is done, the next one active.
    expect(payment).to_have_attribute("data-state", "done", timeout=LIVE_MS)
    expect(payment.locator(".node-state")).to_contain_text(str(StepState.DONE.label))
    expect(deed_tax).to_have_attribute("data-state", "active")
    expect(deed_tax.locator(".node-state")).to_contain_text(str(StepState.ACTIVE.label))
    expect(board.locator("#run-progress")).to_have_text("3 / 8")
    expect(board.locator('.step-card[data-step="land_payment"] [data-step-state]')).to_contain_text(
        str(StepState.DONE.label)
    )
    assert board.evaluate("window.__boardMark") == "still the same page"
    # The clock still ticks in the swapped board.
    now_text = clock.inner_text()
    expect(clock).not_to_have_text(now_text, timeout=2_500)
    shoot(board, "landstart-board-wall")
    # The service team's view, with its forms, on an ordinary screen.
    officer = page_as("officer")
    officer.goto(f"/landstart/{run.pk}/")
    expect(officer.locator('svg.dag g.node[data-step="land_payment"]')).to_have_attribute(
        "data-state", "done"
    )
    shoot(officer, "landstart-board-desktop")


def test_the_board_on_a_phone_lists_the_steps_and_the_unit_acts_there(bundle, page_as):  # noqa: F811
    run = _running(bundle, minutes_ago=3)
    page = page_as("unit-zrzy", PHONE)
    page.goto(f"/landstart/{run.pk}/")
    expect(page.locator("svg.dag")).to_be_hidden()
    cards = page.locator("ol.step-list > li")
    expect(cards).to_have_count(8)
    # In the graph's order: the confirmation first, the construction permit last.
    assert cards.first.get_attribute("data-step") == "confirmation"
    assert cards.last.get_attribute("data-step") == "construction_permit"
    card = page.locator('.step-card[data-step="land_use_permit"]')
    expect(card.locator("[data-step-state]")).to_contain_text(str(StepState.ACTIVE.label))
    expect(page.locator("main h1")).to_have_text(HAN)
    assert_fits_width(page)
    card.get_by_role("button").first.click()
    expect(card.locator("[data-step-state]")).to_contain_text(str(StepState.DONE.label))
    expect(page.locator('.step-card[data-step="works_permit"] [data-step-state]')).to_contain_text(
        str(StepState.ACTIVE.label)
    )
    assert_fits_width(page)
    shoot(page, "landstart-board-phone")


def test_the_history_draws_the_records_as_a_falling_line(bundle, page_as):  # noqa: F811
    now = timezone.now()
    names, runs = {}, {}
    for days, total in ((60, 145), (30, 40), (10, 41)):
        awarded = now - timedelta(days=days)
        project = bundle.project if days == 60 else bundle.make_project()
        names[total] = project.name
        runs[total] = run_of(
            bundle,
            project=project,
            opened=awarded - timedelta(days=5),
            awarded=awarded,
            minutes={**RECORD_41, "construction_permit": total},
        )
    for viewport, name in ((None, "landstart-history"), (PHONE, "landstart-history-phone")):
        page = page_as("leader", viewport)
        page.goto("/landstart/history/")
        expect(page.locator("#history-chart")).to_have_attribute("data-state", "drawn")
        expect(page.locator("#history-table tbody tr")).to_have_count(3)
        expect(page.locator("#history-table tr.best")).to_contain_text(names[40])
        assert_fits_width(page)
        shoot(page, name)
    # A finished run's board holds its record and no longer polls.
    page = page_as("leader", WALL)
    page.goto(f"/landstart/{runs[40].pk}/")
    expect(page.locator("#board")).to_have_attribute("data-state", "completed")
    expect(page.locator("#board")).not_to_have_attribute("hx-trigger", "every 2s")
    expect(page.locator(".record-minutes")).to_contain_text("40")
    expect(page.locator("#board-clock")).to_have_text("0:40:00")
    page.wait_for_timeout(1_200)
    expect(page.locator("#board-clock")).to_have_text("0:40:00")  # the record does not tick
    shoot(page, "landstart-board-record")


def test_the_award_unit_records_the_award_on_the_board_and_the_clock_starts(bundle, page_as):  # noqa: F811
    now = timezone.now()
    run = run_of(bundle, opened=now - timedelta(days=2))
    page = page_as("unit-jyzx")
    page.goto(f"/landstart/{run.pk}/")
    expect(page.locator("#board")).to_have_attribute("data-state", "listed")
    award = page.locator("#action-award")
    expect(award).to_have_attribute("open", "")
    field = award.locator("input[type=datetime-local]")
    assert field.input_value().startswith(
        timezone.localtime(now).strftime("%Y-%m-%dT%H")
    )  # now, by default
    award.get_by_role("button").click()
    expect(page.locator("#board")).to_have_attribute("data-state", "running")
    expect(page.locator('svg.dag g.node[data-step="confirmation"]')).to_have_attribute(
        "data-state", "active"
    )
    expect(page.locator(".message.success")).to_be_visible()
    first = page.locator("#board-clock").inner_text()
    expect(page.locator("#board-clock")).not_to_have_text(first, timeout=2_500)
    # Its own step is offered at once: the confirmation of the transaction.
    expect(page.locator("#action-confirmation-complete button")).to_be_visible()
    shoot(page, "landstart-board-awarded")


def test_the_runs_list_and_the_template_page_fit_a_phone(bundle, page_as):  # noqa: F811
    _running(bundle)
    for username, url, name in (
        ("unit-cz", "/landstart/", "landstart-runs-phone"),
        ("officer", "/landstart/templates/default/", "landstart-template-phone"),
        ("officer", "/landstart/templates/default/edit/", "landstart-editor-phone"),
    ):
        page = page_as(username, PHONE)
        page.goto(url)
        expect(page.locator("main h1")).to_have_text(HAN)
        assert_fits_width(page)
        shoot(page, name)
    page = page_as("officer")
    page.goto("/landstart/templates/default/")
    shoot(page, "landstart-template-desktop")
