"""The workbenches: the team's triage queue, a unit's queue, and the list of all demands."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from mashang.demands.models import Status
from tests.kit.walk import submit, walk_to

pytestmark = pytest.mark.django_db

TEAM = reverse("demands:team")
UNIT = reverse("demands:unit")
ALL = reverse("demands:all")


def test_the_triage_queue_holds_what_waits_for_the_team(zone, as_):
    waiting = {
        s: walk_to(zone, s)
        for s in (Status.SUBMITTED, Status.TRIAGED, Status.RETURNED, Status.UNRESOLVED)
    }
    elsewhere = walk_to(zone, Status.IN_PROGRESS)
    html = as_("officer").get(TEAM).content.decode()
    for demand in waiting.values():
        assert demand.number in html
    assert (
        f'href="{reverse("demands:detail", args=[elsewhere.pk])}">' not in html
    )  # no row of its own
    assert "data-countdown" in html and 'class="deadline-' in html
    # A returned demand shows why it came back, for re-dispatch.
    assert "不属于本单位职责" in html

    only_returned = as_("officer").get(TEAM, {"status": "returned"}).content.decode()
    assert waiting[Status.RETURNED].number in only_returned
    assert waiting[Status.SUBMITTED].number not in only_returned


def test_the_triage_queue_is_ordered_by_deadline_and_coloured(zone, as_):
    with time_machine.travel(timezone.now() - timedelta(days=10), tick=False):
        late = submit(zone, title="早就该受理的诉求")
    fresh = submit(zone, title="刚提交的诉求")
    html = as_("officer").get(TEAM).content.decode()
    assert html.index(late.number) < html.index(fresh.number)
    assert 'class="deadline-late"' in html


def test_the_triage_queue_hints_at_possible_duplicates(zone, as_):
    first = submit(zone, title="红线复核", category_code="land")
    second = submit(zone, title="红线复核（再次）", category_code="land")
    other = submit(zone, actor=zone.other_contact, title="别家的诉求", category_code="land")
    html = as_("officer").get(TEAM).content.decode()
    assert "Possible duplicates" in html
    assert f'href="{reverse("demands:detail", args=[second.pk])}" title=' in html
    assert f'href="{reverse("demands:detail", args=[first.pk])}" title=' in html
    assert f'href="{reverse("demands:detail", args=[other.pk])}" title=' not in html


def test_the_unit_queue_shows_its_part_and_counts_by_deadline_state(zone, as_):
    walk_to(zone, Status.IN_PROGRESS)
    with time_machine.travel(timezone.now() - timedelta(days=30), tick=False):
        overdue = walk_to(zone, Status.DISPATCHED)
    submit(zone, title="尚未派单")
    html = as_("land_staff").get(UNIT).content.decode()
    assert overdue.number in html and "尚未派单" not in html
    assert "Lead unit" in html
    assert 'class="deadline-late"' in html
    assert '<span class="stat">1</span> <span class="stat-label">Overdue</span>' in html
    co = as_("housing_staff").get(UNIT).content.decode()
    assert "Co-unit" in co and overdue.number in co


def test_all_demands_filters_by_status_category_overdue_and_search(zone, as_):
    a = walk_to(zone, Status.IN_PROGRESS)
    b = submit(zone, title="税务发票问题")
    client = as_("supervisor")
    html = client.get(ALL).content.decode()
    assert a.number in html and b.number in html
    assert b.number not in client.get(ALL, {"status": "in_progress"}).content.decode()
    assert a.number not in client.get(ALL, {"q": "税务"}).content.decode()
    assert b.number in client.get(ALL, {"q": b.number}).content.decode()
    assert b.number not in client.get(ALL, {"category": "land"}).content.decode()
    assert a.number not in client.get(ALL, {"overdue": "1"}).content.decode()
    # A unit sees only what was dispatched to it.
    assert b.number not in as_("land_staff").get(ALL).content.decode()


def test_each_workbench_is_for_its_role(zone, as_):
    assert as_("contact").get(TEAM).status_code == 403
    assert as_("land_staff").get(TEAM).status_code == 403
    assert as_("officer").get(UNIT).status_code == 403
    assert as_("contact").get(ALL).status_code == 302
    for person in ("officer", "land_staff", "supervisor", "leader"):
        assert as_(person).get(ALL).status_code == 200
