"""The supervision notices list as an Excel workbook: the notices the page lists, headers and
levels in the reader's language."""

from __future__ import annotations

from io import BytesIO

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from mashang.demands.models import Status
from mashang.supervision.services import notice_issue
from tests.kit.walk import walk_to

pytestmark = pytest.mark.django_db


def sheet(response) -> tuple[list[str], list[list[object]]]:
    assert response.status_code == 200
    rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))
    start = next(i for i, r in enumerate(rows) if i > 0 and r and r[0] is None) + 1
    return list(rows[start]), [list(r) for r in rows[start + 1 :]]


def signed_in(user) -> Client:
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"  # as the language switch does
    client.force_login(user)
    return client


def test_the_notices_export_lists_the_notices(zone):
    demand = walk_to(zone, Status.IN_PROGRESS)
    notice_issue(actor=zone.supervisor, demand_id=demand.pk, level="yellow", comment="请今日内联系企业")
    url = reverse("supervision:notices-export")
    page = signed_in(zone.supervisor).get(reverse("supervision:notices"))
    assert url in page.content.decode()
    headers, rows = sheet(signed_in(zone.supervisor).get(url))
    with translation.override("en"):
        assert rows[0][headers.index("Level")] == "Yellow card"
    assert rows[0][headers.index("Demand")] == demand.number
    assert rows[0][headers.index("Comment")] == "请今日内联系企业"
    assert sheet(signed_in(zone.land_staff).get(url))[1][0][headers.index("Demand")] == demand.number
    assert signed_in(zone.contact).get(url).status_code == 403
    _, none = sheet(signed_in(zone.supervisor).get(url, {"level": "red"}))
    assert none == []
