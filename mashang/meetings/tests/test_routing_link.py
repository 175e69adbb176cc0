"""A review meeting's decision that changes routing leads an administrator to the new routing
rule, with the decision as the rule's basis."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from mashang.meetings import services as M
from mashang.meetings.models import AgendaItem
from mashang.org.models import User
from tests.kit.clocks import at
from tests.kit.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_meeting_decision_offers_admins_to_change_a_routing_rule(zone):
    admin = UserFactory(username="admin", role=User.Role.ADMIN)
    called = at(2026, 12, 1, 9, 0)
    meeting = M.meeting_plan(
        actor=zone.supervisor, at=called, title="12 月企业诉求研判会", starts_at="2026-12-03T10:00",
        chair="leader", secretary="supervisor",
    )
    meeting = M.agenda_item_add(
        actor=zone.supervisor, meeting_id=meeting.pk, version=meeting.version,
        title="园区供电诉求改派供电所", evidence="退单 5 次", at=called,
    )
    item = AgendaItem.objects.filter(meeting=meeting).latest("id")
    meeting = M.meeting_freeze(actor=zone.supervisor, meeting_id=meeting.pk, version=meeting.version, at=called)
    M.item_decide(
        actor=zone.supervisor, meeting_id=meeting.pk, version=meeting.version, item=item.pk,
        decision="供电类诉求由供电所主办", at=at(2026, 12, 3, 10, 0),
    )
    client = Client()
    client.force_login(admin)
    html = client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
    links = re.findall(r'class="routing-rule-change" href="([^"]+)"', html)
    assert len(links) == 1
    url = links[0].replace("&amp;", "&")
    assert urlsplit(url).path == reverse("routing:rule-new")
    basis = parse_qs(urlsplit(url).query)["basis"][0]
    assert meeting.number in basis and "园区供电诉求改派供电所" in basis
    assert basis in client.get(url).content.decode()
    officer = Client()
    officer.force_login(zone.officer)
    assert "routing-rule-change" not in officer.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
