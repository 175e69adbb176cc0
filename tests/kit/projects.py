"""Investment projects: ``make_project``, a project made through the service as a user would,
by default at ``T0``."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest

from mashang.projects.services import project_create
from tests.kit.clocks import CST

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=CST)


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
