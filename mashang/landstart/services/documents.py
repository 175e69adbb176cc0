"""Documents a unit stages for its step: the same limits as a demand's attachments (number,
size, type checked by extension and by content), stored under a random name."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mashang.core.errors import PermissionDenied, TransitionNotAllowed, ValidationFailed
from mashang.core.files import attachments_check, files_store
from mashang.landstart.models import RunState, StepDocument
from mashang.landstart.permissions import can_work_on
from mashang.landstart.services.commitments import commitments_fulfil_with
from mashang.landstart.services.common import lock_run, record, step_by_code, steps_of
from mashang.landstart.transitions import Action, run_allows
from mashang.org.models import User

MSG_NOT_YOUR_DOCUMENT = _("Only {unit} adds documents to the step “{step}”.")
MSG_RUN_NOT_OPEN = _("This run is “{state}”; no more documents can be added.")
MSG_NO_FILES = _("Choose at least one file.")


def landstart_document_attach(
    *,
    actor: User,
    run_id: int,
    step_code: str,
    files: Sequence[UploadedFile],
    at: datetime | None = None,
) -> list[StepDocument]:
    """Add the step's documents (all, or none if one is refused) while the run is open; only
    the step's unit. One ``attach`` event names the files."""
    at = at or timezone.now()
    if not files:
        raise ValidationFailed(MSG_NO_FILES, fields={"files": MSG_NO_FILES})
    problems = attachments_check(files)
    if problems:
        raise ValidationFailed(problems[0], fields={"files": problems})
    with transaction.atomic():
        run = lock_run(actor, run_id)
        step = step_by_code(steps_of(run), step_code)
        if not can_work_on(actor, step):
            raise PermissionDenied(str(MSG_NOT_YOUR_DOCUMENT).format(unit=step.unit.name, step=step.name))
        if not run_allows(Action.ATTACH, run.state):
            raise TransitionNotAllowed(str(MSG_RUN_NOT_OPEN).format(state=RunState(run.state).label))
        created = files_store(StepDocument, files, step=step, uploaded_by=actor, uploaded_at=at)
        commitments_fulfil_with(step, created, actor=actor, at=at)
        record(
            run,
            actor=actor,
            at=at,
            action="attach",
            from_state=run.state,
            payload={"step": step.code, "files": [d.original_name for d in created]},
        )
    return created
