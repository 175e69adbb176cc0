"""Drive a run of the default bundle through the services, step by step, at given minutes."""

from __future__ import annotations

from datetime import datetime, timedelta

from mashang.landstart.models import Run
from mashang.landstart.services import landstart_award, landstart_open, landstart_step_complete

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


def run_of(bundle, *, project=None, opened: datetime, awarded: datetime | None = None,
           minutes: dict[str, float] | None = None) -> Run:
    """Open a run for ``project`` (the bundle's by default), award it and complete the steps
    named in ``minutes`` (minutes after the award) in the default order."""
    project = project or bundle.project
    run = landstart_open(actor=bundle.zone.officer, project_id=project.pk, at=opened)
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
