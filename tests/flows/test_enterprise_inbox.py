"""Opening a demand's page reads the messages about it in the person's inbox, and only those."""

from __future__ import annotations

import pytest

from mashang.demands.models import Status
from mashang.notify.models import Channel, Notification
from mashang.notify.selectors import inbox_unread_count
from tests.kit.walk import walk_to

pytestmark = pytest.mark.usefixtures("no_inline")


def _unread(user, demand) -> int:
    return Notification.objects.filter(
        recipient=user, channel=Channel.INBOX, topic=f"demand:{demand.pk}", read_at__isnull=True
    ).count()


def test_opening_a_demand_reads_its_messages_for_the_person_who_opened_it(zone, client):
    first = walk_to(zone, Status.DISPATCHED)
    second = walk_to(zone, Status.DISPATCHED)
    assert _unread(zone.contact, first) == 2 and _unread(zone.contact, second) == 2
    assert _unread(zone.land_staff, first) == 1

    client.force_login(zone.contact)
    page = client.get(f"/demands/{first.pk}/")
    assert page.status_code == 200
    assert 'id="nav-inbox-unread"' in page.content.decode()  # the other demand's are still unread
    assert _unread(zone.contact, first) == 0
    assert inbox_unread_count(actor=zone.contact) == 2
    assert _unread(zone.land_staff, first) == 1  # the unit's staff has not opened it

    # Another enterprise's demand is not found, and reads nothing.
    client.force_login(zone.other_contact)
    assert client.get(f"/demands/{second.pk}/").status_code == 404
    assert _unread(zone.contact, second) == 2
