"""Hot topics (未诉先办) over the hand-made zone of ``tests/kit/topics.py``: a surge of power
cuts in the last week is the rising topic, a steady recruiting topic is not; the topic page,
the dashboard, the command and the worker's job. (The agenda's rule: mashang/meetings/tests/
test_agenda_hot_topic.py.)"""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from mashang.demands.models import Assignment, Demand
from mashang.notify.jobs import jobs_periodic
from mashang.routing.models import Topic, TopicRun
from mashang.routing.tasks import HOT_TOPICS_JOB
from mashang.routing.topics import (
    TopicParams,
    find_topics,
    growth_with_recent,
    heat_of,
    topics_compute,
    words,
)
from tests.kit.topics import AT, DAY, topics_zone_build

pytestmark = pytest.mark.django_db

@pytest.fixture
def built(zone):
    return topics_zone_build(zone)


def _topic_of(topics: list[Topic], demands: list[Demand]) -> Topic:
    ids = {d.pk for d in demands}
    return max(topics, key=lambda t: len(ids & set(t.demand_ids)))


def test_words_drop_single_characters_stop_words_and_numbers():
    assert words("我司厂区3号车间突然停电，请恢复供电！") == ["厂区", "车间", "突然", "停电", "恢复", "供电"]


def test_the_heat_grows_with_volume_growth_breadth_and_urgency():
    base = heat_of(volume=10, growth=0.0, enterprises=5, urgency=0.0)
    assert base == pytest.approx(10 * 3.459 * 1 * 0.75 * 1, abs=0.1)  # log2(11) = 3.459
    assert heat_of(volume=20, growth=0.0, enterprises=10, urgency=0.0) > base  # more
    assert heat_of(volume=10, growth=1.0, enterprises=5, urgency=0.0) > base  # growth
    assert heat_of(volume=10, growth=0.0, enterprises=10, urgency=0.0) > base  # broader
    assert heat_of(volume=10, growth=0.0, enterprises=5, urgency=2.0) == pytest.approx(2 * base, abs=0.15)
    # Growth counts up to quadrupling: beyond, only the volume adds.
    assert heat_of(volume=10, growth=3.0, enterprises=5, urgency=0) == heat_of(
        volume=10, growth=9.0, enterprises=5, urgency=0
    )


def test_growth_is_the_window_s_or_the_last_week_s_whichever_is_larger():
    steady = {"window_days": 30, "recent_days": 7}
    # 30 a month in both windows, 7 of them in the last week: no growth.
    assert growth_with_recent(volume=30, previous=30, recent=7, **steady) == pytest.approx(0, abs=0.02)
    # Doubled over the window.
    assert growth_with_recent(volume=60, previous=30, recent=14, **steady) == pytest.approx(1.0)
    # The same month, but 20 of its 30 in the last week: 20 against a week's mean of 5.
    weekly = (30 - 20 + 30) / (53 / 7)
    assert growth_with_recent(volume=30, previous=30, recent=20, **steady) == pytest.approx(
        (20 - weekly) / weekly
    )


def test_a_surge_of_power_cuts_is_a_rising_topic_with_its_demands(built):
    computed = topics_compute(at=AT)
    topic = _topic_of(computed.topics, built["surge"])
    assert set(topic.demand_ids) == {d.pk for d in built["surge"]}
    assert {"停电", "供电"} & set(topic.terms)
    assert all(len(w) >= 2 for w in topic.terms)
    assert topic.volume == 12 and topic.previous == 1 and topic.enterprises == 8
    assert (topic.urgent, topic.critical) == (1, 1)
    assert topic.recent == 12
    # The last week's 12 against a weekly mean of 1 in 53 days before it: 12 - 7/53.
    assert topic.growth == pytest.approx(12 - 7 / 53, abs=0.001)
    assert topic.is_rising
    assert topic.rank == 1  # the hottest
    assert [t.label for t in computed.topics if t.is_rising] == [topic.label]
    # Stored as the latest run, with the window's figures.
    run = TopicRun.objects.get()
    assert run.window_end == AT and run.window_start == AT - 30 * DAY
    assert run.demands == sum(1 for d in built["z"].rows if d.submitted_at >= AT - 30 * DAY)
    assert Topic.objects.get(run=run, rank=1).numbers == [d.number for d in built["surge"]]


def test_a_steady_topic_is_found_but_not_rising(built):
    computed = topics_compute(at=AT)
    topic = _topic_of(computed.topics, built["steady"])
    assert set(topic.demand_ids) == {d.pk for d in built["steady"]}
    assert {"招聘", "招工"} & set(topic.terms)
    assert topic.volume == 10 and topic.previous == 10
    assert not topic.is_rising


def test_the_surge_is_not_rising_before_it_happened(built):
    computed = topics_compute(at=AT - 8 * DAY)
    assert not [t for t in computed.topics if t.is_rising]


def test_alike_documents_group_and_too_few_make_no_topic():
    docs = ["停电 停电 供电 线路"] * 6 + ["退税 进度 税务局"] * 6
    found = find_topics(docs, [], TopicParams())
    assert sorted(len(f.members) for f in found) == [6, 6]  # the grouping itself
    assert find_topics(docs[:2], [], TopicParams()) == []  # under min_size


def test_the_topic_page_lists_the_demands_the_viewer_may_see(built):
    zone = built["zone"]
    topic = _topic_of(topics_compute(at=AT).topics, built["surge"])
    mine = built["surge"][:3]
    Assignment.objects.bulk_create(
        Assignment(demand=d, unit=zone.land, role=Assignment.Role.LEAD, assigned_at=AT) for d in mine
    )
    url = reverse("routing:topic", args=[topic.pk])
    client = Client()
    client.force_login(zone.officer)
    page = client.get(url).content.decode()
    assert all(d.number in page for d in built["surge"])
    client.force_login(zone.land_staff)
    page = client.get(url).content.decode()
    assert [d.number for d in built["surge"] if d.number in page] == [d.number for d in mine]
    assert 'data-hidden="9"' in page and topic.label in page
    for contact in (zone.contact, zone.other_contact):
        client.force_login(contact)
        assert client.get(url).status_code == 404
        assert client.get(reverse("routing:topics")).status_code == 404


def test_the_dashboard_shows_the_hot_topics_with_links(built):
    zone = built["zone"]
    client = Client()
    client.force_login(zone.leader)
    assert "hot-topics" in client.get(reverse("demands:dashboard")).content.decode()
    computed = topics_compute(at=AT)
    page = client.get(reverse("demands:dashboard")).content.decode()
    first = computed.topics[0]
    assert first.label in page
    assert reverse("routing:topic", args=[first.pk]) in page
    assert "+1187%" in page


def test_the_command_computes_and_prints_the_topics(built):
    out = StringIO()
    call_command("hot_topics", at=AT.isoformat(), stdout=out)
    text = out.getvalue()
    rising = Topic.objects.get(is_rising=True)
    assert f"{rising.label}  [上升]" in text
    assert TopicRun.objects.count() == 1


def test_the_worker_runs_the_hot_topics_every_hour():
    every, _run = jobs_periodic()[HOT_TOPICS_JOB]
    assert every == 3600.0
