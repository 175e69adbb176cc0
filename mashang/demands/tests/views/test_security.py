"""What users type is shown as text everywhere, and every page carries the CSP header."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from mashang.demands.models import Status
from tests.kit.walk import act, submit, walk_to

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
SPAM = '<a href="http://spam.example">cheap loans</a>'
EVIL = f"{SCRIPT}{SPAM}"


def assert_inert(html: str) -> None:
    assert "<script>alert" not in html
    assert '<a href="http://spam.example"' not in html
    assert "spam.example" not in re.sub(r"&[a-z#0-9]+;", "", "".join(re.findall(r"<[^>]*>", html)))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;a href=&quot;http://spam.example&quot;&gt;" in html
    assert "<script" not in html.replace('<script src="/static/', "")  # no inline script


def test_html_in_every_user_text_field_renders_inert(zone, as_):
    demand = submit(
        zone,
        title=EVIL,
        description=EVIL,
        contact_name=f"<b>{SCRIPT}</b>",
        contact_phone="<img src=x onerror=alert(1)>",
        category_code="land",
    )
    demand = act(zone, "triage", "officer", demand, note=EVIL)
    demand = act(zone, "dispatch", "officer", demand, note=EVIL)
    demand = act(zone, "respond", "land_staff", demand, note=EVIL)
    demand = act(zone, "assess", "land_staff", demand, assessment=EVIL)
    demand = act(zone, "reply", "land_staff", demand, reply=EVIL)
    demand = act(
        zone, "confirm", "contact", demand, resolved=False, rating="unsatisfied", comment=EVIL
    )

    pages = {
        "contact": [reverse("demands:my"), reverse("demands:detail", args=[demand.pk])],
        "officer": [
            reverse("demands:team"),
            reverse("demands:all"),
            reverse("demands:detail", args=[demand.pk]),
        ],
        "land_staff": [reverse("demands:unit"), reverse("demands:detail", args=[demand.pk])],
    }
    for person, urls in pages.items():
        client = as_(person)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            assert_inert(response.content.decode())
    detail = as_("contact").get(reverse("demands:detail", args=[demand.pk])).content.decode()
    assert "<img src=x" not in detail and "<b>" not in detail


def test_html_in_a_file_name_renders_inert(zone, as_):
    from mashang.demands.tests.views.files import pdf

    as_("contact").post(
        reverse("demands:new"),
        {
            "title": "t",
            "description": "d",
            "attachments": [pdf("<img src=x onerror=alert(1)>.pdf")],
        },
    )
    from mashang.demands.models import Demand

    html = (
        as_("contact")
        .get(reverse("demands:detail", args=[Demand.objects.get().pk]))
        .content.decode()
    )
    assert "<img src=x" not in html and "&lt;img src=x onerror=alert(1)&gt;.pdf" in html


def test_every_page_answers_with_the_csp_header(zone, as_):
    demand = walk_to(zone, Status.IN_PROGRESS)
    pages = {
        "contact": ["demands:my", "demands:new"],
        "officer": ["demands:team", "demands:all"],
        "land_staff": ["demands:unit", "demands:all"],
    }
    for person, names in pages.items():
        client = as_(person)
        for url in [*(reverse(n) for n in names), reverse("demands:detail", args=[demand.pk])]:
            response = client.get(url)
            assert response.status_code == 200, url
            csp = response["Content-Security-Policy"]
            assert "script-src 'self'" in csp and "unsafe-inline" not in csp
            assert 'style="' not in response.content.decode()
    # Refusals and partials too.
    response = as_("land_staff").post(
        reverse("demands:act", args=[demand.pk, "reply"]),
        {"version": 1, "reply": "x"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 409 and "Content-Security-Policy" in response
