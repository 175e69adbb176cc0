"""Helpers for the project tests: a project made through the service, as a user would."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from mashang.projects.services import project_create

TZ = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=TZ)


@pytest.fixture
def make_project(zone):
    def make(**fields):
        values = {
            "name": "新能源电池项目",
            "investor_credit_code": zone.enterprise.credit_code,
            "project_type": "new_land",
            "industry": "new_energy",
            "planned_investment": Decimal("100000000.00"),
            "service_officer": zone.officer,
            **fields,
        }
        at = values.pop("at", T0)
        return project_create(actor=zone.officer, at=at, **values)

    return make
