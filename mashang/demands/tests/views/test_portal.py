"""The enterprise portal: filing a demand with files, my demands, and who may download a file."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from mashang.audit.models import Event
from mashang.core.files import MAX_BYTES
from mashang.demands.models import Attachment, Demand
from mashang.demands.tests.views.files import PNG, docx, pdf, png
from tests.kit.walk import submit

pytestmark = pytest.mark.django_db

NEW = reverse("demands:new")
MY = reverse("demands:my")


def _post(client, *, files=(), **fields):
    data = {
        "category": "land",
        "title": "厂房用地红线需要复核",
        "description": "新厂房的用地红线与规划图不一致。",
        "contact_name": "王经理",
        "contact_phone": "13800000000",
        **fields,
    }
    if files:
        data["attachments"] = list(files)
    return client.post(NEW, data)


def test_the_form_shows_each_category_with_its_hint_and_prefills_the_contact(zone, as_):
    zone.category.hint = "拿地、红线、用地规划"
    zone.category.save()
    zone.contact.phone = "13900000000"
    zone.contact.save()
    page = as_("contact").get(NEW)
    html = page.content.decode()
    assert page.status_code == 200
    assert 'type="radio" name="category" value="land"' in html
    assert "拿地、红线、用地规划" in html
    assert 'value="13900000000"' in html
    assert 'enctype="multipart/form-data"' in html
    assert "<legend>" in html


def test_the_enterprise_files_a_demand_with_files_and_sees_it_in_my_demands(zone, as_):
    client = as_("contact")
    response = _post(client, files=[pdf(), png()])
    demand = Demand.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("demands:detail", args=[demand.pk])
    assert (demand.channel, demand.category.code, demand.contact_name) == ("web", "land", "王经理")

    detail = client.get(response["Location"])
    html = detail.content.decode()
    assert demand.number in html and "宗地图.pdf" in html and "现场照片.png" in html
    assert f"Your demand {demand.number} was filed" in html

    # The files are recorded on the timeline, and the version still counts the events.
    events = list(Event.objects.filter(subject_type="demand", subject_id=demand.pk).order_by("id"))
    assert [e.action for e in events] == ["submit", "attach"]
    assert events[1].payload["files"] == ["宗地图.pdf", "现场照片.png"]
    assert events[1].payload["step"] == "submit"
    assert demand.version == len(events)

    mine = client.get(MY)
    assert mine.status_code == 200
    assert "厂房用地红线需要复核" in mine.content.decode()
    assert demand.number in mine.content.decode()


def test_an_attachment_is_served_as_a_download_with_safe_headers(zone, as_):
    client = as_("contact")
    _post(client, files=[pdf()])
    attachment = Attachment.objects.get()
    url = reverse("demands:attachment", args=[attachment.demand_id, attachment.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=UTF-8''%E5%AE%97%E5%9C%B0%E5%9B%BE.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    # The stored name is random: the uploader's name never reaches the file system.
    assert "宗地图" not in attachment.file.name
    assert len(attachment.sha256) == 64 and attachment.size > 0

    # The officer and the units of the demand may read it too; later, once dispatched.
    assert as_("officer").get(url).status_code == 200


def test_another_enterprise_gets_404_on_the_detail_and_the_file(zone, as_):
    _post(as_("contact"), files=[pdf()])
    attachment = Attachment.objects.get()
    other = as_("other_contact")
    assert other.get(reverse("demands:detail", args=[attachment.demand_id])).status_code == 404
    url = reverse("demands:attachment", args=[attachment.demand_id, attachment.pk])
    assert other.get(url).status_code == 404
    # A unit the demand was never dispatched to cannot read it either.
    assert as_("land_staff").get(url).status_code == 404
    # Nor a file of another demand under a demand one may see.
    mine = submit(zone, actor=zone.other_contact)
    assert (
        other.get(reverse("demands:attachment", args=[mine.pk, attachment.pk])).status_code == 404
    )


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ([SimpleUploadedFile("tool.exe", b"MZ\x90\x00")], "not an allowed file type"),
        (
            [SimpleUploadedFile("page.html", b"<script>alert(1)</script>")],
            "not an allowed file type",
        ),
        ([SimpleUploadedFile("fake.pdf", PNG)], "does not match its file type"),
        (
            [SimpleUploadedFile("fake.png", b"<svg onload=alert(1)>")],
            "does not match its file type",
        ),
        ([docx("表.xlsx", folder="word/")], "does not match its file type"),
        ([pdf(f"f{i}.pdf") for i in range(6)], "at most 5 files"),
        ([pdf("big.pdf", b"%PDF-" + b"0" * MAX_BYTES)], "larger than 10 MB"),
        ([SimpleUploadedFile("empty.pdf", b"")], "empty"),
    ],
    ids=[
        "exe",
        "html",
        "png-as-pdf",
        "svg-as-png",
        "docx-as-xlsx",
        "six-files",
        "too-big",
        "empty",
    ],
)
def test_a_refused_file_files_nothing_and_says_why(zone, as_, files, message, media):
    response = as_("contact").post(NEW, {"title": "t", "description": "d", "attachments": files})
    assert response.status_code == 422
    html = response.content.decode()
    assert message in html
    assert 'class="error"' in html
    assert Demand.objects.count() == 0
    assert Attachment.objects.count() == 0
    assert not media.exists() or not any(media.rglob("*.*"))


def test_word_and_excel_files_are_accepted(zone, as_):
    response = _post(as_("contact"), files=[docx(), docx("表.xlsx", folder="xl/")])
    assert response.status_code == 302
    assert sorted(Attachment.objects.values_list("content_type", flat=True)) == [
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ]


def test_without_category_or_files_the_demand_waits_for_the_team_to_classify_it(zone, as_):
    response = _post(as_("contact"), category="")
    demand = Demand.objects.get()
    assert response.status_code == 302 and demand.category is None
    assert demand.version == 1


def test_a_missing_title_is_a_field_message(zone, as_):
    response = _post(as_("contact"), title="  ")
    assert response.status_code == 422
    assert Demand.objects.count() == 0


def test_the_portal_is_for_enterprise_contacts(zone, as_):
    assert as_("officer").get(MY).status_code == 403
    # Staff register demands for an enterprise on the intake page instead.
    assert as_("land_staff").get(NEW)["Location"] == reverse("demands:intake")
    anonymous = as_("contact")
    anonymous.logout()
    assert anonymous.get(MY).status_code == 302


def test_my_demands_lists_only_my_enterprise_newest_or_nearest_first(zone, as_):
    first = submit(zone, title="第一条诉求")
    second = submit(zone, title="第二条诉求")
    submit(zone, actor=zone.other_contact, title="别家企业的诉求")
    client = as_("contact")
    html = client.get(MY).content.decode()
    assert "别家企业的诉求" not in html
    assert html.index(first.number) < html.index(second.number)  # nearest deadline first
    html = client.get(MY, {"sort": "new"}).content.decode()
    assert html.index(second.number) < html.index(first.number)
