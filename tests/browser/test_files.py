"""Files at any step, in the browser: the enterprise answers the unit's question with a file,
which the unit finds at that step of the timeline and downloads; and files chosen on a form
that failed for another reason are kept for the next try."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from mashang.core.models import PendingUpload
from mashang.demands.models import Attachment, Demand, Status
from mashang.demands.tests.views.files import PDF
from tests.browser.pages import DESKTOP, PHONE, open_action
from tests.kit.walk import walk_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

QUESTION = "请补充宗地图，标明南侧红线位置。"
ANSWER = "宗地图已上传，南侧红线以图中标注为准。"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def a_pdf(name: str) -> dict:
    return {"name": name, "mimeType": "application/pdf", "buffer": PDF}


def test_the_enterprise_answers_a_question_with_a_file_and_the_unit_downloads_it(zone, page_as):
    demand = walk_to(zone, Status.IN_PROGRESS)
    url = f"/demands/{demand.pk}/"

    unit = page_as("unit-zrzy", DESKTOP)
    unit.goto(url)
    box = open_action(unit, "wait")
    box.locator("textarea[name=question]").fill(QUESTION)
    box.locator("button[type=submit]").click()
    expect(unit.locator("#demand-body .demand-head .badge.status")).to_have_text("待企业补充")

    enterprise = page_as("ent-a", PHONE)
    enterprise.goto(url)
    box = open_action(enterprise, "resume")
    expect(box).to_contain_text(QUESTION)
    box.locator("textarea[name=answer]").fill(ANSWER)
    box.locator("input[type=file][name=attachments]").set_input_files(a_pdf("宗地图.pdf"))
    box.locator("button[type=submit]").click()
    expect(enterprise.locator("#demand-body .demand-head .badge.status")).to_have_text("办理中")

    file = Attachment.objects.get(demand=demand)
    assert (file.step, file.uploaded_by) == ("resume", zone.contact)

    unit.goto(url)
    # The file is in the timeline at the enterprise's answer, not as an entry of its own.
    entry = unit.locator("ol.timeline > li", has_text=ANSWER)
    expect(entry).to_have_count(1)
    link = entry.locator("ul.files a", has_text="宗地图.pdf")
    expect(link).to_have_count(1)
    # The files panel names who filed it.
    expect(unit.locator("#files")).to_contain_text(zone.enterprise.name)
    expect(unit.locator("#files")).to_contain_text("宗地图.pdf")
    # The nested list of files does not take the timeline's dots.
    dots = link.evaluate("a => getComputedStyle(a.closest('li'), '::before').content")
    assert dots in ("none", "normal", ""), dots
    with unit.expect_download() as download:
        link.click()
    path = download.value.path()
    assert open(path, "rb").read() == PDF
    assert download.value.suggested_filename.endswith(".pdf")


def test_a_file_chosen_on_a_form_that_failed_is_kept_for_the_next_try(zone, page_as):
    page = page_as("ent-a", PHONE)
    page.goto("/demands/new/")
    page.locator("input[name=category][value=land]").check()
    page.locator("#id_description").fill("新厂房的用地红线与规划图不一致。")
    page.locator("input[type=file][name=attachments]").set_input_files(a_pdf("宗地图.pdf"))
    page.locator("form:has(#id_title) button[type=submit]").click()  # the title is missing

    kept = page.locator("input[type=checkbox][name=held]")
    expect(kept).to_have_count(1)
    expect(kept).to_be_checked()
    expect(page.locator("label", has=kept)).to_contain_text("宗地图.pdf")
    assert PendingUpload.objects.count() == 1

    page.locator("#id_title").fill("厂房用地红线需要复核")
    page.locator("form:has(#id_title) button[type=submit]").click()
    page.wait_for_url("**/demands/*/")
    demand = Demand.objects.get()
    assert [a.original_name for a in Attachment.objects.filter(demand=demand)] == ["宗地图.pdf"]
    expect(page.locator("#files")).to_contain_text("宗地图.pdf")
    assert PendingUpload.objects.count() == 0
