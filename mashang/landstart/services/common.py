"""What every run service shares: the locked run, its steps, the event and the version."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mashang.audit.services import version_bump, versioned_save
from mashang.core.errors import Conflict, NotFound, ValidationFailed
from mashang.landstart.models import Run, RunStep
from mashang.landstart.permissions import visibility_filter
from mashang.org.models import User
from mashang.projects import services as projects

SUBJECT = "landstart"

MSG_NOT_FOUND = _("No such land-start run.")
MSG_NO_STEP = _("This run has no step “{step}”.")
MSG_STALE = _(
    "This run was changed by someone else since you opened it (your version {given}, now {current}). "
    "Reload it and try again."
)
MSG_STEP_STALE = _(
    "The step “{step}” was changed by someone else since you opened it (your version {given}, now "
    "{current}). Reload the board and try again."
)
MSG_REASON_REQUIRED = _("Please give a reason.")


def iso(value: datetime | None) -> str | None:
    """Exact times in events: ISO 8601 in the zone's time zone, to the microsecond."""
    return timezone.localtime(value).isoformat() if value is not None else None


def required_reason(reason: str | None) -> str:
    text = (reason or "").strip()
    if not text:
        raise ValidationFailed(MSG_REASON_REQUIRED, fields={"reason": MSG_REASON_REQUIRED})
    return text


def lock_run(actor: User, run_id: int) -> Run:
    """The run, locked for this transaction, if the actor may see it (404 otherwise). Every
    change to a run or its steps takes this lock first, so changes to one run serialise."""
    run = (
        Run.objects.select_for_update(of=("self",))
        .select_related("template", "project")
        .filter(visibility_filter(actor), pk=run_id)
        .first()
    )
    if run is None:
        raise NotFound(MSG_NOT_FOUND)
    return run


def check_version(run: Run, version: int | None) -> None:
    if version is not None and version != run.version:
        raise Conflict(str(MSG_STALE).format(given=version, current=run.version))


def check_step_version(step: RunStep, version: int | None) -> None:
    if version is not None and version != step.version:
        raise Conflict(str(MSG_STEP_STALE).format(step=step.name, given=version, current=step.version))


def steps_of(run: Run) -> list[RunStep]:
    return list(RunStep.objects.filter(run=run).select_related("unit").order_by("position", "id"))


def step_by_code(steps: list[RunStep], code: str) -> RunStep:
    for step in steps:
        if step.code == code:
            return step
    raise NotFound(str(MSG_NO_STEP).format(step=code))


def dependents_of(steps: list[RunStep], code: str) -> list[RunStep]:
    return [s for s in steps if code in s.prerequisites]


def save_step(step: RunStep, *fields: str) -> None:
    version_bump(step, fields=fields)


def record(
    run: Run,
    *,
    actor: User | None,
    at: datetime,
    action: str,
    from_state: str,
    fields: tuple[str, ...] = (),
    reason: str = "",
    payload: dict[str, Any] | None = None,
) -> None:
    """Bump the run's version, save the changed fields and write the one event of this change."""
    versioned_save(
        run,
        fields=fields,
        subject_type=SUBJECT,
        action=action,
        actor=actor,
        at=at,
        from_state=from_state,
        to_state=run.state,
        reason=reason,
        payload=payload,
    )


def project_land_event(*, actor: User, project_id: int, stage: str, at: datetime) -> None:
    """Tell the project that its land was awarded or its construction started (the projects
    app moves the project's stage in this same transaction)."""
    projects.project_land_event(actor=actor, project_id=project_id, stage=stage, at=at)
