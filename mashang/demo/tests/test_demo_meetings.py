"""The demo's review meetings: a year of monthly demand reviews and the land-supply reviews, in
every state, with decisions whose action items move as units would move them, a rule change
applied, and difficult cases waiting, assigned and closed.

One small demo (120 demands, 20 enterprises, the full project part) is loaded once for the
module inside a transaction that is rolled back at the end.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from django.test import override_settings

from mashang.audit.models import Event
from mashang.demands.models import OPEN_STATUSES, Demand
from mashang.demands.models import Status as DemandStatus
from mashang.demo.tests.small_demo import load
from mashang.meetings.models import (
    ActionItem,
    AgendaItem,
    ItemStatus,
    Kind,
    Meeting,
    ProjectMove,
    Source,
    Status,
)
from mashang.org.models import Category
from mashang.projects.models import Stage
from mashang.workcal.selectors import calendar_get, calendar_invalidate

HORIZON = datetime(2026, 6, 30, tzinfo=ZoneInfo("Asia/Shanghai"))

pytestmark = pytest.mark.usefixtures("cached_calendar")


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker) -> str:
    """The small demo, loaded once for this module and rolled back after it."""
    with django_db_blocker.unblock(), override_settings(MASHANG_CALENDAR_CACHE_SECONDS=600):
        calendar_invalidate()
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield load()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            calendar_invalidate()


@pytest.mark.django_db
def test_a_year_of_meetings_in_every_state(demo):
    assert re.search(r"研判会议 \d+ 次", demo)
    statuses = Counter(Meeting.objects.values_list("status", flat=True))
    assert set(statuses) == set(Status.values)
    reviews = Meeting.objects.filter(kind=Kind.DEMAND_REVIEW).order_by("starts_at")
    assert reviews.count() == 12
    months = [(m.period_start.year, m.period_start.month) for m in reviews]
    assert months == sorted(set(months)) and months[-1] == (2026, 6)
    assert all(m.starts_at.astimezone(HORIZON.tzinfo).day <= 15 for m in reviews)  # early
    assert statuses[Status.MINUTES_APPROVED] >= 8
    # numbered in the order they were called
    numbers = list(Meeting.objects.order_by("created_at", "id").values_list("number", flat=True))
    assert numbers == sorted(numbers, key=lambda n: (n[3:7], n))

    current = reviews.last()
    assert current.status == Status.PLANNED and current.starts_at > HORIZON
    assert current.items.filter(status=ItemStatus.PROPOSED).exists()
    cancelled = Meeting.objects.get(status=Status.CANCELLED)
    assert cancelled.cancel_reason and cancelled.starts_at < HORIZON
    held = Meeting.objects.get(status=Status.HELD)
    assert held.kind == Kind.LAND_DIFFICULT and held.held_at < HORIZON
    frozen = Meeting.objects.get(status=Status.AGENDA_FROZEN)
    assert frozen.frozen_at < HORIZON < frozen.starts_at
    assert {m.kind for m in Meeting.objects.all()} == set(Kind.values)
    assert 3 <= Meeting.objects.exclude(kind=Kind.DEMAND_REVIEW).count() <= 4


@pytest.mark.django_db
def test_approved_minutes_decide_every_item_and_move_by_the_right_people_in_office_hours(demo):
    cal = calendar_get()
    approved = Meeting.objects.filter(status=Status.MINUTES_APPROVED)
    for meeting in approved:
        accepted = meeting.items.filter(status=ItemStatus.ACCEPTED)
        assert accepted.exists() and not accepted.filter(decided_at=None).exists(), meeting
        assert not meeting.items.filter(status=ItemStatus.PROPOSED).exists()
        assert meeting.approved_by.username == "leader" and meeting.approved_at < HORIZON
    sources = Counter(
        AgendaItem.objects.filter(meeting__in=approved, status=ItemStatus.ACCEPTED).values_list(
            "source", flat=True
        )
    )
    for source in (Source.DIFFICULT, Source.ASSESSMENT_FALL, Source.MANUAL, Source.LAND_WAITING):
        assert sources[source] > 0, source
    assert AgendaItem.objects.filter(status=ItemStatus.DROPPED).exists()
    # an agenda is proposed from the data of its day: no demand filed after the meeting was called
    for item in AgendaItem.objects.exclude(demand=None).select_related("demand", "meeting"):
        assert item.demand.submitted_at < item.meeting.created_at, item

    events = Event.objects.filter(subject_type="meeting").select_related("actor")
    counts = Counter(e.subject_id for e in events)
    for meeting in Meeting.objects.all():
        assert counts[meeting.pk] == meeting.version, meeting
    for event in events:
        local = event.at.astimezone(cal.tz)
        assert event.at < HORIZON
        assert cal.is_working_day(local.date()), event
        assert any(a <= local.time() <= b for a, b in cal.office_hours), event
        assert event.actor.username in {"supervisor", "officer", "leader"}, event


@pytest.mark.django_db
def test_action_items_of_the_minutes_are_open_overdue_and_closed(demo):
    items = Demand.objects.filter(kind="action_item")
    assert items.exists()
    assert all(re.fullmatch(r"DB-20\d\d-\d{5}", n) for n in items.values_list("number", flat=True))
    opened = ActionItem.objects.exclude(demand=None).select_related("item__meeting", "demand")
    assert {a.item.meeting.status for a in opened} == {Status.MINUTES_APPROVED}
    assert opened.count() == items.count()
    assert not ActionItem.objects.filter(
        demand=None, item__meeting__status=Status.MINUTES_APPROVED
    ).exists()

    open_items = items.filter(status__in=OPEN_STATUSES)
    assert open_items.filter(next_due_at__gte=HORIZON).exists()  # open, in time
    overdue = open_items.filter(next_due_at__lt=HORIZON)
    assert overdue.exists()
    assert overdue.filter(replied_at=None).exists()  # past due, never replied
    closed = items.filter(status=DemandStatus.CLOSED)
    assert closed.exists()
    assert any(d.replied_at > d.resolution_due_at for d in closed)  # closed late
    # moved by the lead unit's people and confirmed by the service team
    moves = Event.objects.filter(
        subject_type="demand", subject_id__in=items.values("pk"), actor__isnull=False
    )
    actors = {(e.action, e.actor.role) for e in moves.select_related("actor")}
    assert ("open", "leader") in actors and ("confirm", "officer") in actors
    assert {role for action, role in actors if action in ("respond", "reply")} <= {
        "unit_staff",
        "unit_head",
    }
    # a later meeting takes up an overdue action item
    assert AgendaItem.objects.filter(
        source=Source.ACTION_ITEM_OVERDUE, status=ItemStatus.ACCEPTED
    ).exists()


@pytest.mark.django_db
def test_the_minutes_apply_rule_changes_and_move_projects_at_land_review(demo):
    changes = Event.objects.filter(subject_type="category", action="rule-change")
    assert changes.count() >= 3
    permit = Category.objects.get(code="permit")
    assert permit.resolution_days == Decimal("8.00")
    assert any(e.payload["field"] == "resolution_days" for e in changes)
    assert Category.objects.get(code="other").default_lead_unit.code == "sjj"

    moves = Counter(ProjectMove.objects.exclude(applied_at=None).values_list("outcome", flat=True))
    assert moves["approve"] >= 1 and moves["defer"] == 1 and moves["escalate"] == 1
    # deferred (paused at land review), resumed weeks later when the investor met the conditions
    deferred = ProjectMove.objects.get(outcome="defer")
    project = deferred.project
    moves = list(
        Event.objects.filter(subject_type="project", subject_id=project.pk)
        .filter(action__in=["pause", "resume"])
        .order_by("at")
        .values_list("action", "from_state", "to_state", "at")
    )
    assert [m[:3] for m in moves] == [
        ("pause", Stage.LAND_REVIEW, Stage.PAUSED),
        ("resume", Stage.PAUSED, Stage.LAND_REVIEW),
    ]
    assert moves[0][3] == deferred.applied_at and project.stage == Stage.LAND_REVIEW
    frozen = Meeting.objects.get(status=Status.AGENDA_FROZEN)
    assert frozen.items.filter(project=project).exists()  # on the next review's agenda
    for move in ProjectMove.objects.filter(outcome="approve").select_related("project"):
        listed = move.project.milestones.get(stage=Stage.LISTED).reached_on
        assert listed == move.applied_at.astimezone(HORIZON.tzinfo).date()
    escalated = ProjectMove.objects.get(outcome="escalate").project
    assert escalated.stage == Stage.LAND_REVIEW
    difficult = Meeting.objects.get(kind=Kind.LAND_DIFFICULT)
    assert difficult.items.filter(project=escalated, status=ItemStatus.ACCEPTED).exists()


@pytest.mark.django_db
def test_difficult_cases_wait_are_assigned_and_close(demo):
    demands = Demand.objects.filter(kind="demand")
    assert demands.filter(status=DemandStatus.DIFFICULT).exists()  # waiting for a leader
    cases = demands.exclude(coordinator=None)
    assigned = cases.filter(status__in=OPEN_STATUSES)
    assert assigned.filter(status=DemandStatus.IN_PROGRESS).exists()
    assert assigned.filter(status=DemandStatus.REPLIED, signed_off_at=None).exists()
    closed = cases.filter(status=DemandStatus.CLOSED)
    assert closed.exists() and not closed.filter(signed_off_at=None).exists()
    sign_offs = Event.objects.filter(
        subject_type="demand", action="sign-off", subject_id__in=closed.values("pk")
    ).select_related("actor")
    assert sign_offs and all(e.actor.role == "unit_head" for e in sign_offs)
