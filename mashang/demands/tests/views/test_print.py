"""A demand printed as the office's form: the page to print and the PDF, for whoever may see the
demand, each with only what its reader may read."""

from __future__ import annotations

import re
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from mashang.demands.models import Status
from tests.kit.walk import act, submit, walk_to

pytestmark = pytest.mark.django_db

DISPATCH_NOTE = "内部备注请优先处理"
ASSESSMENT = "内部研判意见以批复为准"


def pdf_text(data: bytes) -> str:
    text = "".join(page.extract_text() for page in PdfReader(BytesIO(data)).pages)
    return re.sub(r"\s+", "", text)


@pytest.fixture
def demand(zone):
    """A demand in progress with a dispatch note and an assessment (internal text)."""
    d = submit(zone, external_number="", contact_name="王经理", contact_phone="13800000000")
    d = act(zone, "triage", "officer", d)
    d = act(zone, "dispatch", "officer", d, note=DISPATCH_NOTE)
    d = act(zone, "respond", "land_staff", d)
    return act(zone, "assess", "land_staff", d, assessment=ASSESSMENT)


def _local(at) -> str:
    return timezone.localtime(at).strftime("%Y-%m-%d %H:%M")


def test_the_print_page_is_the_form_with_its_sections(as_, demand):
    response = as_("officer").get(reverse("demands:print", args=[demand.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    for section in ("print-facts", "print-units", "print-deadlines", "print-timeline", "print-signatures"):
        assert f'id="{section}"' in html
    assert demand.number in html and "自然资源分局" in html and "住房和城乡建设局" in html
    assert _local(demand.resolution_due_at) in html and "王经理" in html
    assert "web/print.js" in html and "<script>" not in html
    assert reverse("demands:print-pdf", args=[demand.pk]) in html


def test_the_demand_page_links_to_the_print_view_and_the_pdf(as_, demand):
    html = as_("contact").get(reverse("demands:detail", args=[demand.pk])).content.decode()
    assert reverse("demands:print", args=[demand.pk]) in html
    assert reverse("demands:print-pdf", args=[demand.pk]) in html


def test_the_pdf_holds_the_number_units_and_deadlines(as_, demand):
    response = as_("officer").get(reverse("demands:print-pdf", args=[demand.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    text = pdf_text(response.content)
    assert demand.number in text
    assert "自然资源分局" in text and "住房和城乡建设局" in text
    for due in (demand.first_response_due_at, demand.resolution_due_at):
        assert _local(due).replace(" ", "") in text
    # The staff read the internal text.
    assert DISPATCH_NOTE in text and ASSESSMENT in text


def test_the_enterprise_gets_its_form_without_internal_text(as_, demand):
    for url in (reverse("demands:print", args=[demand.pk]), reverse("demands:print-pdf", args=[demand.pk])):
        response = as_("contact").get(url)
        assert response.status_code == 200
        body = pdf_text(response.content) if url.endswith(".pdf") else response.content.decode()
        assert demand.number in body
        assert DISPATCH_NOTE not in body and ASSESSMENT not in body


@pytest.mark.parametrize("person", ["other_contact", "housing_staff"])
def test_whoever_may_not_see_the_demand_gets_404(zone, as_, person):
    d = walk_to(zone, Status.TRIAGED)  # not dispatched: no unit sees it yet
    for name in ("demands:print", "demands:print-pdf"):
        assert as_(person).get(reverse(name, args=[d.pk])).status_code == 404


def test_user_text_is_never_markup_in_the_pdf(zone, as_):
    d = submit(zone, title="<b>加粗</b> & <font size=40>大</font>", description="第一行\n<br/>第二行")
    response = as_("officer").get(reverse("demands:print-pdf", args=[d.pk]))
    assert response.status_code == 200
    text = pdf_text(response.content)
    assert "<b>加粗</b>&<fontsize=40>大</font>" in text
