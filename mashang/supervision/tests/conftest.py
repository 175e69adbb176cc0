"""Helpers of the supervision tests: a zone with unit heads and a service team, timed sweeps."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest

from mashang.audit.models import Event
from mashang.demands.models import Demand
from mashang.org.models import Unit, User
from mashang.supervision.models import SupervisionNotice
from mashang.supervision.services import supervision_sweep
from mashang.workcal.selectors import calendar_invalidate
from tests.kit.factories import UnitFactory, UserFactory

R = User.Role
QUARTER = timedelta(minutes=15)


@pytest.fixture
def sweep_settings(settings):
    """The default windows, and the calendar kept loaded: hundreds of sweeps per test, and no
    calendar override changes in these tests."""
    settings.MASHANG_CALENDAR_CACHE_SECONDS = 3600
    settings.MASHANG_REMINDER_BEFORE_MINUTES = 30
    settings.MASHANG_REMINDER_BEFORE_DAYS_MINUTES = 210
    settings.MASHANG_RED_GRACE_MINUTES = 210
    calendar_invalidate()
    yield
    calendar_invalidate()


@dataclass
class People:
    land_head: User
    team: Unit
    team_head: User
    idle_land_staff: User


@pytest.fixture
def people(zone) -> People:
    """The natural resources unit gets a head; the service team exists and has a head."""
    land_head = UserFactory(username="head-zrzy", role=R.UNIT_HEAD, unit=zone.land)
    zone.land.head = land_head
    zone.land.save(update_fields=["head"])
    team = UnitFactory(code="team", name="专职小组", kind=Unit.Kind.SERVICE_TEAM)
    team_head = UserFactory(username="head-team", role=R.UNIT_HEAD, unit=team)
    team.head = team_head
    team.save(update_fields=["head"])
    idle = UserFactory(
        username="unit-zrzy-gone", role=R.UNIT_STAFF, unit=zone.land, is_active=False
    )
    return People(land_head=land_head, team=team, team_head=team_head, idle_land_staff=idle)


def sweep_every_quarter(start: datetime, end: datetime) -> list[tuple[datetime, dict[str, int]]]:
    """Sweep every 15 minutes from ``start`` to ``end`` (both included); when something was raised."""
    raised = []
    t = start
    while t <= end:
        result = supervision_sweep(at=t)
        if result.total:
            raised.append((t, {k: v for k, v in result.raised.items() if v}))
        t += QUARTER
    return raised


def notices_of(demand: Demand) -> list[SupervisionNotice]:
    return list(SupervisionNotice.objects.filter(demand=demand).order_by("raised_at", "id"))


def assert_version_counts_events(demand: Demand) -> None:
    demand.refresh_from_db()
    events = Event.objects.filter(subject_type="demand", subject_id=demand.pk).count()
    assert demand.version == events
