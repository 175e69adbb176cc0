"""The land-start bundle telling the project that its land was awarded or its construction started."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from mashang.org.models import User
from mashang.projects.models import Project, Stage
from mashang.projects.services.common import (
    local_date,
    lock_project,
    milestone_reach,
    save_and_record,
)
from mashang.projects.transitions import Record, is_before, stages_for

#: The event each land-start stage writes on the project.
LAND_ACTIONS = {Stage.AWARDED: Record.LAND_AWARD, Stage.STARTED: Record.LAND_START}


def project_land_event(*, actor: User | None, project_id: int, stage: str, at: datetime) -> Project | None:
    """Move the project forward to ``stage`` (awarded or started), as the land-start run reports.

    Called by the land-start services inside their own transaction; they have checked the
    actor's rights, so this does not. The project moves only forward, possibly over several
    stages (listed -> started); the milestone of ``stage`` gets its actual date (the local
    date of ``at``), the version goes up by one and one event is written. Returns None and
    changes nothing when the project is already at or past ``stage``, paused or dropped (or,
    for ``awarded``, a lease or expansion project, which needs no new land).
    """
    if stage not in LAND_ACTIONS:
        raise ValueError(f"project_land_event takes awarded or started, not {stage!r}")
    with transaction.atomic():
        project = lock_project(actor=None, project_id=project_id, version=None)
        if not is_before(project.stage, stage) or stage not in stages_for(project.project_type):
            # At or past the stage, paused, dropped — or a lease/expansion project, which has no award.
            return None
        from_stage = project.stage
        project.stage = stage
        milestone_reach(project, stage, local_date(at))
        return save_and_record(
            project,
            actor=actor,
            at=at,
            action=LAND_ACTIONS[stage],
            fields=["stage"],
            from_state=from_stage,
        )
