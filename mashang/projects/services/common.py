"""What every write to a project shares: locking, the version check, the event."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mashang.audit.services import versioned_save
from mashang.core.errors import Conflict, NotFound, PermissionDenied
from mashang.org.models import User
from mashang.projects.models import Milestone, Project
from mashang.projects.permissions import can_manage, visibility_filter

SUBJECT = "project"

MSG_NOT_FOUND = _("No such project.")
MSG_MAY_NOT_MANAGE = _("Only the service team, an admin or the project's service officer may change this project.")
MSG_STALE = _(
    "This project was changed by someone else since you opened it (your version {given}, now {current}). "
    "Reload it and try again."
)


def local_date(at: datetime) -> date:
    return timezone.localtime(at).date()


def lock_project(*, actor: User | None, project_id: int, version: int | None, manage: bool = True) -> Project:
    """Lock the project row for this transaction, after checking visibility, right and version.

    ``actor=None`` skips the visibility and rights checks (a caller that checked its own).
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("lock_project must run inside a transaction")
    qs = Project.objects.select_for_update(of=("self",))
    if actor is not None:
        qs = qs.filter(visibility_filter(actor))
    project = qs.filter(pk=project_id).first()
    if project is None:
        raise NotFound(MSG_NOT_FOUND)
    if actor is not None and manage and not can_manage(actor, project):
        raise PermissionDenied(MSG_MAY_NOT_MANAGE)
    if version is not None and version != project.version:
        raise Conflict(str(MSG_STALE).format(given=version, current=project.version))
    return project


def save_and_record(
    project: Project,
    *,
    actor: User | None,
    at: datetime,
    action: str,
    fields: Iterable[str],
    from_state: str = "",
    reason: str = "",
    payload: dict[str, Any] | None = None,
) -> Project:
    """Bump the version, save the changed fields and write the event: one per change."""
    project.updated_at = at
    versioned_save(
        project,
        fields={"updated_at", *fields},
        subject_type=SUBJECT,
        action=action,
        actor=actor,
        at=at,
        from_state=from_state,
        to_state=project.stage,
        reason=reason,
        payload=payload,
    )
    return project


def milestone_reach(project: Project, stage: str, on: date) -> Milestone:
    """Record that ``project`` reached ``stage`` on ``on`` (the first time counts)."""
    milestone, _created = Milestone.objects.get_or_create(project=project, stage=stage)
    if milestone.reached_on is None:
        milestone.reached_on = on
        milestone.save(update_fields=["reached_on"])
    return milestone
