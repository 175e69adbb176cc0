"""Land-supply batches (供地批次): plots listed together and awarded on the same days.

A batch is made and edited by the service team; runs still listed join it and leave it. A run
belongs to one batch at most. The award is a fact the trading centre records: an award outside
the batch's award days is not refused, the batch board flags it (``outside_award_days``).
Every change bumps the batch's version and writes one event (subject ``landstart.batch``).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mashang.audit.services import event_record, versioned_save
from mashang.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from mashang.core.numbering import number_next
from mashang.landstart.models import Batch, BatchNumberSequence, Run, RunState
from mashang.landstart.permissions import can_manage, visibility_filter
from mashang.landstart.services.common import record
from mashang.notify.models import ChatRobot
from mashang.org.models import User

BATCH_SUBJECT = "landstart.batch"

#: The actions the run's own timeline shows when it joins or leaves a batch.
RUN_JOINED = "batch_join"
RUN_LEFT = "batch_leave"

MSG_MAY_NOT_WRITE = _("Only the service team or an administrator makes and changes land-supply batches.")
MSG_NO_BATCH = _("No such land-supply batch.")
MSG_NO_RUN = _("No such land-start run.")
MSG_BATCH_STALE = _(
    "This batch was changed by someone else since you opened it (your version {given}, now {current}). "
    "Reload it and try again."
)
MSG_NAME_REQUIRED = _("Give the batch a name.")
MSG_NAME_TOO_LONG = _("A batch name has at most 200 characters.")
MSG_NOTE_TOO_LONG = _("A note has at most 2000 characters.")
MSG_AWARD_FROM_REQUIRED = _("Give the first award day.")
MSG_AWARD_TO_REQUIRED = _("Give the last award day.")
MSG_AWARD_DAYS_ORDER = _("The last award day cannot be before the first.")
MSG_NO_ROBOT = _("There is no active chat robot with this id.")
MSG_RUN_NOT_LISTED = _(
    "Only a run whose land is still listed joins or leaves a batch; the run of {project} is “{state}”."
)
MSG_RUN_IN_THIS_BATCH = _("The run of {project} is already in this batch.")
MSG_RUN_IN_OTHER_BATCH = _("The run of {project} is already in the batch {batch}; a run belongs to one batch.")
MSG_RUN_NOT_IN_BATCH = _("The run of {project} is not in this batch.")

#: A field left out of an edit keeps its value.
UNSET: Any = object()


def _check_manager(actor: User) -> None:
    if not can_manage(actor):
        raise PermissionDenied(MSG_MAY_NOT_WRITE)


def _robot(robot_id: int | None, fields: dict[str, list[str]]) -> ChatRobot | None:
    if robot_id in (None, "", 0):
        return None
    robot = ChatRobot.objects.filter(pk=robot_id, is_active=True).first()
    if robot is None:
        fields["work_group_robot"] = [str(MSG_NO_ROBOT)]
    return robot


def _clean(
    *, name: str, award_from: date | None, award_to: date | None, note: str, fields: dict[str, list[str]]
) -> tuple[str, str]:
    name = (name or "").strip()
    note = (note or "").strip()
    if not name:
        fields["name"] = [str(MSG_NAME_REQUIRED)]
    elif len(name) > 200:
        fields["name"] = [str(MSG_NAME_TOO_LONG)]
    if len(note) > 2000:
        fields["note"] = [str(MSG_NOTE_TOO_LONG)]
    if award_from is None:
        fields["award_from"] = [str(MSG_AWARD_FROM_REQUIRED)]
    if award_to is None:
        fields["award_to"] = [str(MSG_AWARD_TO_REQUIRED)]
    if award_from is not None and award_to is not None and award_to < award_from:
        fields["award_to"] = [str(MSG_AWARD_DAYS_ORDER)]
    return name, note


def _refuse(fields: dict[str, list[str]]) -> None:
    if fields:
        raise ValidationFailed(next(iter(fields.values()))[0], fields=fields)


def _payload(batch: Batch) -> dict[str, Any]:
    return {
        "number": batch.number,
        "name": batch.name,
        "award_from": batch.award_from.isoformat(),
        "award_to": batch.award_to.isoformat(),
        "work_group_robot": batch.work_group_robot_id,
        "note": batch.note,
    }


def batch_create(
    *,
    actor: User,
    name: str,
    award_from: date | None,
    award_to: date | None,
    note: str = "",
    work_group_robot_id: int | None = None,
    at: datetime | None = None,
) -> Batch:
    """Make a batch with the next number of the year (PC-YYYY-NN)."""
    at = at or timezone.now()
    _check_manager(actor)
    fields: dict[str, list[str]] = {}
    name, note = _clean(name=name, award_from=award_from, award_to=award_to, note=note, fields=fields)
    robot = _robot(work_group_robot_id, fields)
    _refuse(fields)
    with transaction.atomic():
        number = number_next(BatchNumberSequence, year=timezone.localtime(at).year)
        batch = Batch.objects.create(
            number=number,
            name=name,
            award_from=award_from,
            award_to=award_to,
            note=note,
            work_group_robot=robot,
            created_at=at,
            created_by=actor,
        )
        event_record(
            subject_type=BATCH_SUBJECT,
            subject_id=batch.pk,
            action="create",
            actor=actor,
            at=at,
            payload=_payload(batch),
        )
    return batch


def _lock_batch(batch_id: int) -> Batch:
    batch = Batch.objects.select_for_update().filter(pk=batch_id).first()
    if batch is None:
        raise NotFound(MSG_NO_BATCH)
    return batch


def _check_version(batch: Batch, version: int | None) -> None:
    if version is not None and version != batch.version:
        raise Conflict(str(MSG_BATCH_STALE).format(given=version, current=batch.version))


def batch_update(
    *,
    actor: User,
    batch_id: int,
    version: int | None = None,
    name: str = UNSET,
    award_from: date | None = UNSET,
    award_to: date | None = UNSET,
    note: str = UNSET,
    work_group_robot_id: int | None = UNSET,
    at: datetime | None = None,
) -> Batch:
    """Change a batch's name, award days, note or work-group robot; what is not given keeps
    its value. A stale ``version`` is refused (409)."""
    at = at or timezone.now()
    _check_manager(actor)
    with transaction.atomic():
        batch = _lock_batch(batch_id)
        _check_version(batch, version)
        before = _payload(batch)
        fields: dict[str, list[str]] = {}
        new_name, new_note = _clean(
            name=batch.name if name is UNSET else name,
            award_from=batch.award_from if award_from is UNSET else award_from,
            award_to=batch.award_to if award_to is UNSET else award_to,
            note=batch.note if note is UNSET else note,
            fields=fields,
        )
        robot = (
            batch.work_group_robot
            if work_group_robot_id is UNSET
            else _robot(work_group_robot_id, fields)
        )
        _refuse(fields)
        batch.name, batch.note, batch.work_group_robot = new_name, new_note, robot
        if award_from is not UNSET:
            batch.award_from = award_from
        if award_to is not UNSET:
            batch.award_to = award_to
        after = _payload(batch)
        changed = {k: {"from": before[k], "to": after[k]} for k in after if after[k] != before[k]}
        if not changed:
            return batch
        versioned_save(
            batch,
            fields=("name", "note", "award_from", "award_to", "work_group_robot"),
            subject_type=BATCH_SUBJECT,
            action="update",
            actor=actor,
            at=at,
            payload={"changed": changed},
        )
    return batch


def _lock_run(actor: User, run_id: int) -> Run:
    run = (
        Run.objects.select_for_update(of=("self",))
        .select_related("project", "batch")
        .filter(visibility_filter(actor), pk=run_id)
        .first()
    )
    if run is None:
        raise NotFound(MSG_NO_RUN)
    return run


def _label(run: Run) -> str:
    return f"{run.project.number} {run.project.name}"


def batch_run_add(
    *, actor: User, batch_id: int, run_id: int, version: int | None = None, at: datetime | None = None
) -> Batch:
    """Put a run whose land is still listed into the batch (a run belongs to one batch)."""
    at = at or timezone.now()
    _check_manager(actor)
    with transaction.atomic():
        batch = _lock_batch(batch_id)
        _check_version(batch, version)
        run = _lock_run(actor, run_id)
        if run.batch_id == batch.pk:
            raise Conflict(str(MSG_RUN_IN_THIS_BATCH).format(project=_label(run)))
        if run.batch_id is not None:
            raise Conflict(
                str(MSG_RUN_IN_OTHER_BATCH).format(project=_label(run), batch=run.batch.number)
            )
        if run.state != RunState.LISTED:
            raise Conflict(
                str(MSG_RUN_NOT_LISTED).format(project=_label(run), state=RunState(run.state).label)
            )
        run.batch = batch
        # The run's own record says so too (and its version moves: its robot may now be the batch's).
        record(run, actor=actor, at=at, action=RUN_JOINED, from_state=run.state, fields=("batch",),
               payload={"batch": batch.number})
        versioned_save(
            batch,
            subject_type=BATCH_SUBJECT,
            action="run_add",
            actor=actor,
            at=at,
            payload={"run": run.pk, "project": run.project_id},
        )
    return batch


def batch_run_remove(
    *, actor: User, batch_id: int, run_id: int, version: int | None = None, at: datetime | None = None
) -> Batch:
    """Take a run whose land is still listed out of the batch (an awarded run stays: it is
    part of the batch's record)."""
    at = at or timezone.now()
    _check_manager(actor)
    with transaction.atomic():
        batch = _lock_batch(batch_id)
        _check_version(batch, version)
        run = _lock_run(actor, run_id)
        if run.batch_id != batch.pk:
            raise NotFound(str(MSG_RUN_NOT_IN_BATCH).format(project=_label(run)))
        if run.state != RunState.LISTED:
            raise Conflict(
                str(MSG_RUN_NOT_LISTED).format(project=_label(run), state=RunState(run.state).label)
            )
        run.batch = None
        record(run, actor=actor, at=at, action=RUN_LEFT, from_state=run.state, fields=("batch",),
               payload={"batch": batch.number})
        versioned_save(
            batch,
            subject_type=BATCH_SUBJECT,
            action="run_remove",
            actor=actor,
            at=at,
            payload={"run": run.pk, "project": run.project_id},
        )
    return batch
