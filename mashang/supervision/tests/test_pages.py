"""The notice page, its acknowledge button, and the include for a demand's page."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.urls import reverse

from mashang.demands.models import Status
from mashang.supervision.models import SupervisionNotice
from mashang.supervision.services import supervision_sweep
from mashang.supervision.views import notices_context
from tests.kit.clocks import at
from tests.kit.walk import walk_to

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("sweep_settings")]

NOTICES = reverse("supervision:notices")
EVIL = '<script>alert("x")</script>'


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def notice(zone, people):
    demand = walk_to(zone, Status.DISPATCHED, start=at(2026, 10, 12, 9, 0))
    demand.title = EVIL
    demand.save(update_fields=["title"])
    supervision_sweep(at=at(2026, 10, 12, 10, 30))
    return SupervisionNotice.objects.get(demand=demand)


def test_the_unit_sees_its_notice_escaped_and_acknowledges_it(zone, people, notice):
    client = signed_in(zone.land_staff)
    response = client.get(NOTICES)
    assert response.status_code == 200
    html = response.content.decode()
    assert notice.demand.number in html and "&lt;script&gt;" in html and EVIL not in html
    ack = reverse("supervision:acknowledge", args=[notice.pk])
    assert f'action="{ack}"' in html and "csrfmiddlewaretoken" in html
    assert "<style" not in html and " style=" not in html and "<script>" not in html
    response = client.post(ack, {"next": NOTICES})
    assert response.status_code == 302 and response["Location"] == NOTICES
    notice.refresh_from_db()
    assert notice.acknowledged_by == zone.land_staff
    assert f'action="{ack}"' not in client.get(NOTICES).content.decode()


def test_a_foreign_next_is_not_followed(zone, people, notice):
    response = signed_in(zone.land_staff).post(
        reverse("supervision:acknowledge", args=[notice.pk]), {"next": "https://spam.example/"}
    )
    assert response["Location"] == NOTICES


def test_acknowledging_without_the_right_shows_a_message_or_404(zone, people, notice):
    ack = reverse("supervision:acknowledge", args=[notice.pk])
    assert signed_in(zone.housing_staff).post(ack).status_code == 404
    assert signed_in(zone.supervisor).post(ack).status_code == 403
    assert signed_in(zone.land_staff).get(ack).status_code == 405


def test_filters_and_who_may_open_the_page(zone, people, notice):
    html = signed_in(zone.supervisor).get(NOTICES, {"level": "red"}).content.decode()
    assert notice.demand.number not in html
    html = (
        signed_in(zone.supervisor)
        .get(NOTICES, {"level": "yellow", "unit": "zrzy"})
        .content.decode()
    )
    assert notice.demand.number in html
    assert signed_in(zone.contact).get(NOTICES).status_code == 403
    assert Client().get(NOTICES).status_code == 302  # to sign in


def test_the_include_for_the_demand_page_and_issuing_from_it(zone, people, notice):
    request = RequestFactory().get(reverse("demands:detail", args=[notice.demand_id]))
    request.user = zone.supervisor
    html = render_to_string(
        "supervision/_notices.html", notices_context(request, notice.demand), request=request
    )
    issue = reverse("supervision:issue", args=[notice.demand_id])
    assert f'action="{issue}"' in html
    request.user = zone.land_staff
    html = render_to_string(
        "supervision/_notices.html", notices_context(request, notice.demand), request=request
    )
    assert f'action="{issue}"' not in html
    assert reverse("supervision:acknowledge", args=[notice.pk]) in html

    detail = reverse("demands:detail", args=[notice.demand_id])
    response = signed_in(zone.supervisor).post(
        issue, {"level": "red", "comment": "请立即处理", "next": detail}
    )
    assert response.status_code == 302 and response["Location"] == detail
    assert (
        SupervisionNotice.objects.filter(demand=notice.demand, raised_by=zone.supervisor).count()
        == 1
    )
    assert (
        signed_in(zone.land_staff).post(issue, {"level": "red", "comment": "x"}).status_code == 403
    )
    assert (
        signed_in(zone.other_contact).post(issue, {"level": "red", "comment": "x"}).status_code
        == 404
    )
