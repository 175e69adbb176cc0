"""Land-start: the ``bundle`` fixture (a zone with the five units of the default bundle, one
person in each, and a project whose land is listed), and ``run_of``, which drives a run of the
default bundle through the services, step by step, at given minutes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from mashang.landstart.models import Run, RunStep, StepDocument
from mashang.landstart.services import (
    landstart_award,
    landstart_open,
    landstart_step_complete,
    template_install_default,
)
from mashang.org.models import User
from mashang.projects.models import Project
from tests.kit.clocks import CST
from tests.kit.factories import UnitFactory, UserFactory

#: The run is opened during the listing period, days before the award.
OPENED = datetime(2026, 6, 1, 10, 0, tzinfo=CST)
#: The award of the published 41-minute record.
AWARD = datetime(2026, 6, 10, 9, 30, tzinfo=CST)

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


#: The order a run of the default bundle completes in, and who completes each step.
ORDER = [
    ("confirmation", "jyzx"),
    ("land_contract", "zrzy"),
    ("land_payment", "cz"),
    ("land_use_permit", "zrzy"),
    ("deed_tax", "sw"),
    ("title", "zrzy"),
    ("works_permit", "zrzy"),
    ("construction_permit", "zjj"),
]


def documents_on_file(run: Run, *, at: datetime | None = None) -> int:
    """Put a stand-in document on every step of ``run`` that names one, as if its unit had
    staged it during the pre-review (rows only: no file is written, no event recorded), so
    that the steps may complete. Returns how many were added."""
    steps = list(RunStep.objects.filter(run=run).exclude(document="").select_related("run"))
    StepDocument.objects.bulk_create(
        StepDocument(
            step=s,
            file=f"landstart/kit-{run.pk}-{s.code}",
            original_name=f"{s.document}.pdf",
            content_type="application/pdf",
            size=1,
            sha256="0" * 64,
            uploaded_by_id=run.opened_by_id,
            uploaded_at=at or run.opened_at,
        )
        for s in steps
    )
    return len(steps)


def run_of(bundle, *, project=None, opened: datetime, awarded: datetime | None = None,
           minutes: dict[str, float] | None = None, documents: bool = True) -> Run:
    """Open a run for ``project`` (the bundle's by default), award it and complete the steps
    named in ``minutes`` (minutes after the award) in the default order. With ``documents``
    (the default) every step's document is on file from the start (see
    :func:`documents_on_file`); without, a step naming a document cannot complete."""
    project = project or bundle.project
    run = landstart_open(actor=bundle.zone.officer, project_id=project.pk, at=opened)
    if documents:
        documents_on_file(run)
    if awarded is None:
        return run
    landstart_award(actor=bundle.people["jyzx"], run_id=run.pk, awarded_at=awarded, at=awarded)
    for code, unit in ORDER:
        if minutes is None or code not in minutes:
            continue
        landstart_step_complete(
            actor=bundle.people[unit], run_id=run.pk, step_code=code, at=awarded + timedelta(minutes=minutes[code])
        )
    run.refresh_from_db()
    return run


#: The published record: 41 minutes (times in minutes after the award at 09:30).
RECORD_41 = {
    "confirmation": 0.25,
    "land_contract": 0.75,
    "land_payment": 1,
    "land_use_permit": 1,
    "deed_tax": 1.5,
    "title": 2,
    "works_permit": 3,
    "construction_permit": 41,
}
