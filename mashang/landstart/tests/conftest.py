"""A zone with the five units of the default bundle, one person in each, and a project whose
land is listed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from mashang.landstart.services import template_install_default
from mashang.org.models import User
from mashang.projects.models import Project
from tests.kit.factories import UnitFactory, UserFactory

TZ = ZoneInfo("Asia/Shanghai")
#: The run is opened during the listing period, days before the award.
OPENED = datetime(2026, 6, 1, 10, 0, tzinfo=TZ)
#: The award of the published 41-minute record.
AWARD = datetime(2026, 6, 10, 9, 30, tzinfo=TZ)

R = User.Role


@dataclass
class Bundle:
    zone: object
    units: dict
    people: dict  # unit code -> a unit staff user (username unit-<code>)
    admin: User
    project: Project
    template: object

    def make_project(self, *, stage: str = "listed", investor=None, number: str | None = None) -> Project:
        n = Project.objects.count() + 1
        return Project.objects.create(
            number=number or f"XM-2026-{n:04d}",
            name=f"测试项目{n}",
            investor=investor or self.zone.enterprise,
            investor_name=(investor or self.zone.enterprise).name,
            project_type="new_land",
            industry="new_energy",
            planned_investment=Decimal("100000000.00"),
            service_officer=self.zone.officer,
            stage=stage,
            created_at=OPENED,
            updated_at=OPENED,
        )


@pytest.fixture
def bundle(zone) -> Bundle:
    units = {
        "zrzy": zone.land,
        "zjj": zone.housing,
        "jyzx": UnitFactory(code="jyzx", name="公共资源交易中心"),
        "cz": UnitFactory(code="cz", name="财政局"),
        "sw": UnitFactory(code="sw", name="税务分局"),
    }
    people = {
        "zrzy": zone.land_staff,
        "zjj": zone.housing_staff,
        "jyzx": UserFactory(username="unit-jyzx", role=R.UNIT_STAFF, unit=units["jyzx"]),
        "cz": UserFactory(username="unit-cz", role=R.UNIT_STAFF, unit=units["cz"]),
        "sw": UserFactory(username="unit-sw", role=R.UNIT_STAFF, unit=units["sw"]),
    }
    template, _created = template_install_default(at=OPENED)
    b = Bundle(
        zone=zone,
        units=units,
        people=people,
        admin=UserFactory(username="admin", role=R.ADMIN),
        project=None,  # type: ignore[arg-type]
        template=template,
    )
    b.project = b.make_project(number="XM-2026-0001")
    return b
