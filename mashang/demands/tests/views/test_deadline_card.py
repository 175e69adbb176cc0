"""The deadlines card and the header name the deadline the demand is held to by its step, not
by matching instants: a dispatch out of office hours gives the triage and the first-contact
deadlines the same moment."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from mashang.demands import services as S
from mashang.demands.models import Status
from tests.kit.walk import submit

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Asia/Shanghai")
THURSDAY_EVENING = datetime(2026, 12, 3, 19, 0, tzinfo=TZ)
DISPATCH = datetime(2026, 12, 3, 20, 0, tzinfo=TZ)


def _rows(html: str) -> dict[str, str]:
    card = html[html.index('id="h-deadlines"') :]
    card = card[: card.index("</dl>")]
    return {dt: dd for dt, dd in re.findall(r"<dt>(.*?)</dt><dd(.*?)</dd>", card, re.S)}


def test_after_an_evening_dispatch_first_contact_is_current_and_triage_met(zone, as_):
    demand = submit(zone, when=THURSDAY_EVENING)
    demand = S.demand_triage(
        actor=zone.officer, demand_id=demand.pk, version=demand.version, at=DISPATCH,
        category="land", urgency="urgent",
    )
    demand = S.demand_dispatch(
        actor=zone.officer, demand_id=demand.pk, version=demand.version, at=DISPATCH,
        lead_unit="zrzy", co_units=[],
    )
    assert demand.status == Status.DISPATCHED
    assert demand.triage_due_at == demand.first_response_due_at == demand.next_due_at  # one instant

    with time_machine.travel(DISPATCH.replace(hour=21), tick=False):
        html = as_("officer").get(reverse("demands:detail", args=[demand.pk])).content.decode()
    rows = _rows(html)
    assert "data-current" in rows["First contact"]
    assert "data-current" not in rows["Triage"]
    assert 'data-outcome="met"' in rows["Triage"] and ">met<" in rows["Triage"]
    header = re.search(r'id="next-deadline">(.*?)</span>', html, re.S).group(1)
    assert "First contact" in header and "Triage" not in header
