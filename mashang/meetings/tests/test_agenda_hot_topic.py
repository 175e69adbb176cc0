"""The review agenda's ``hot_topic`` rule: the rising topics of the latest hot-topic computation
(mashang.routing.topics) over the zone of ``tests/kit/topics.py``."""

from __future__ import annotations

import pytest
from django.utils import translation

from mashang.meetings.agenda import agenda_propose
from mashang.meetings.models import Source
from mashang.routing.topics import topics_compute
from tests.kit.topics import AT, DAY, topics_zone_build

pytestmark = pytest.mark.django_db


@pytest.fixture
def built(zone):
    return topics_zone_build(zone)


def test_the_agenda_proposes_the_rising_topic_with_its_evidence(built):
    computed = topics_compute(at=AT)
    rising = next(t for t in computed.topics if t.is_rising)
    with translation.override("en"):
        proposals = agenda_propose(
            kind="demand_review", start=(AT - 30 * DAY).date(), end=AT.date(), at=AT + DAY
        )
    (item,) = [p for p in proposals if p.source == Source.HOT_TOPIC]
    assert item.title == f"Hot topic: {rising.label}"
    assert item.figures["volume"] == 12 and item.figures["enterprises"] == 8
    assert item.figures["numbers"] == [d.number for d in built["surge"][:10]]
    assert "12 demands from 8 enterprises" in item.evidence[0] and "+1187%" in item.evidence[0]
    assert item.evidence[1].endswith(" and 2 more")
    # Proposed before the computation: nothing to propose from.
    with translation.override("en"):
        earlier = agenda_propose(
            kind="demand_review", start=(AT - 30 * DAY).date(), end=AT.date(), at=AT - DAY
        )
    assert not [p for p in earlier if p.source == Source.HOT_TOPIC]
