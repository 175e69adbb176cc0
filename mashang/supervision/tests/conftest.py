"""Fixtures of the supervision tests: a zone with unit heads and a service team, and the
sweep settings (timed sweeps are in tests/kit/sweeps.py)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from mashang.org.models import Unit, User
from mashang.workcal.selectors import calendar_invalidate
from tests.kit.factories import UnitFactory, UserFactory

R = User.Role


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


@pytest.fixture
def use_scheme(db):
    """``use_scheme(scheme)``: an assessment scheme (``assessment.Scheme``) stored as a new
    version and put in use, as the admin would; returns the stored row."""
    from mashang.supervision.models import AssessmentIndicator, AssessmentScheme

    def put(scheme):
        version = (AssessmentScheme.objects.filter(name=scheme.name).count() or 0) + 1
        AssessmentScheme.objects.filter(in_use=True).update(in_use=False)
        row = AssessmentScheme.objects.create(
            name=scheme.name,
            version=version,
            in_use=True,
            urgent_weight=scheme.urgent_weight,
            critical_weight=scheme.critical_weight,
            co_unit_weight=scheme.co_unit_weight,
            list_size=scheme.list_size,
        )
        AssessmentIndicator.objects.bulk_create(
            AssessmentIndicator(
                scheme=row,
                measure=i.measure,
                direction=i.direction,
                normalisation=i.normalisation,
                weight=i.weight,
                position=n,
            )
            for n, i in enumerate(scheme.indicators)
        )
        return row

    return put


@pytest.fixture
def three_rates(use_scheme):
    """The 12345 hotlines' three rates in use (response 10, resolution 45, satisfaction 45)."""
    from mashang.supervision.scorecards.assessment import THREE_RATES

    return use_scheme(THREE_RATES)
