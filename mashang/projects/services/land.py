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
from mashang.projects.signals import listed_announce
from mashang.projects.transitions import Action, Record, is_before, stages_for, target_of

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


#: What a land-supply review may decide about a project, and the pipeline action it takes.
REVIEW_OUTCOMES = {"approve": Action.LIST_LAND, "defer": Action.PAUSE, "escalate": Record.REVIEW_ESCALATE}


def project_review_decide(
    *, actor: User | None, project_id: int, outcome: str, reason: str, at: datetime, origin: dict | None = None
) -> Project:
    """Apply what a land-supply review meeting decided about the project: ``approve`` lists the
    land (land review → listed), ``defer`` pauses it with the reason, ``escalate`` keeps it at
    land review and records that it goes to difficult-case handling.

    Called by the meetings app when the minutes are approved: the approval is the authority,
    so the actor's rights over the project are not checked; ``origin`` (the meeting) goes into
    the event. A move the project's stage does not allow is refused as any transition is.
    """
    action = REVIEW_OUTCOMES[outcome]
    with transaction.atomic():
        project = lock_project(actor=None, project_id=project_id, version=None)
        from_stage = project.stage
        fields = []
        if action != Record.REVIEW_ESCALATE:
            target = target_of(
                action=action, stage=from_stage, project_type=project.project_type,
                stage_before_pause=project.stage_before_pause,
            )
            if action == Action.PAUSE:
                project.stage_before_pause, project.stage_reason = from_stage, reason
                fields += ["stage_before_pause", "stage_reason"]
            else:
                milestone_reach(project, target, local_date(at))
            project.stage = target
            fields.append("stage")
        save_and_record(
            project, actor=actor, at=at, action=action, fields=fields, from_state=from_stage, reason=reason,
            payload=origin,
        )
        listed_announce(project, actor=actor, at=at, from_stage=from_stage)
        return project
