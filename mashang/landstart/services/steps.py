"""The steps of a run: pre-review (stage), complete, send back.

Every service locks the run row first, so units completing parallel steps at the same moment
are served one after the other and neither completion is lost. They do not ask for the run's
version (other units change the run all the time); a step's version, when given, must be
current.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mashang.core.errors import PermissionDenied, TransitionNotAllowed, ValidationFailed
from mashang.core.files import attachments_check, files_store
from mashang.landstart import messages
from mashang.landstart.models import (
    Commitment,
    CommitmentState,
    Run,
    RunState,
    RunStep,
    StepDocument,
    StepState,
)
from mashang.landstart.permissions import can_send_back, can_work_on
from mashang.landstart.services.commitments import (
    CommitmentTerms,
    commitment_make,
    commitments_fulfil_with,
    require_document_or_commitment,
    terms_check,
)
from mashang.landstart.services.common import (
    check_step_version,
    dependents_of,
    iso,
    lock_run,
    project_land_event,
    record,
    required_reason,
    save_step,
    step_by_code,
    steps_of,
)
from mashang.landstart.transitions import Action, run_allows, step_allows
from mashang.org.models import User
from mashang.projects.models import Stage

MSG_NOT_YOUR_STEP = _("Only {unit} completes the step “{step}”.")
MSG_NOT_YOUR_STAGE = _("Only {unit} pre-reviews the step “{step}”.")
MSG_MAY_NOT_SEND_BACK = _(
    "Only a unit whose step depends on “{step}”, or the service team, may send it back."
)
MSG_NOT_AWARDED = _("The clock has not started: the land of this run is not awarded yet.")
MSG_RUN_CLOSED = _("This run is “{state}”; its steps can no longer change.")
MSG_ALREADY_DONE = _("The step “{step}” is already done.")
MSG_PREREQUISITES_OPEN = _("The step “{step}” cannot be completed yet: it waits on {open}.")
MSG_COMPLETED_BEFORE_START = _("A step cannot be completed before it started ({started}).")
MSG_STAGE_ONLY_LISTED = _("Pre-review is over: the land of this run was awarded.")
MSG_NOT_PRE_REVIEWABLE = _("The step “{step}” cannot be pre-reviewed while the land is listed.")
MSG_ALREADY_STAGED = _("The step “{step}” is already marked ready.")
MSG_SEND_BACK_NOT_DONE = _("Only a done step can be sent back; “{step}” is “{state}”.")
MSG_SEND_BACK_DEPENDENT_DONE = _(
    "The step “{step}” cannot be sent back: {done}, which depends on it, is already done."
)


def _require_running(run: Run, action: str) -> None:
    if run_allows(action, run.state):
        return
    if run.state == RunState.LISTED:
        raise TransitionNotAllowed(MSG_NOT_AWARDED)
    raise TransitionNotAllowed(str(MSG_RUN_CLOSED).format(state=RunState(run.state).label))


def _names(steps: list[RunStep]) -> str:
    return "、".join(f"“{s.name}”" for s in steps)


def landstart_step_stage(
    *, actor: User, run_id: int, step_code: str, version: int | None = None, at: datetime | None = None
) -> RunStep:
    """While the land is listed, the step's unit marks its pre-reviewed work ready."""
    at = at or timezone.now()
    with transaction.atomic():
        run = lock_run(actor, run_id)
        steps = steps_of(run)
        step = step_by_code(steps, step_code)
        if not can_work_on(actor, step):
            raise PermissionDenied(str(MSG_NOT_YOUR_STAGE).format(unit=step.unit.name, step=step.name))
        check_step_version(step, version)
        if not run_allows(Action.STAGE, run.state):
            raise TransitionNotAllowed(
                MSG_STAGE_ONLY_LISTED
                if run.state == RunState.RUNNING
                else str(MSG_RUN_CLOSED).format(state=RunState(run.state).label)
            )
        if not step.pre_reviewable or not step_allows(Action.STAGE, step.state):
            raise TransitionNotAllowed(str(MSG_NOT_PRE_REVIEWABLE).format(step=step.name))
        if step.staged:
            raise TransitionNotAllowed(str(MSG_ALREADY_STAGED).format(step=step.name))
        step.staged, step.staged_at, step.staged_by = True, at, actor
        save_step(step, "staged", "staged_at", "staged_by")
        record(
            run,
            actor=actor,
            at=at,
            action="stage",
            from_state=run.state,
            payload={"step": step.code, "staged_at": iso(at)},
        )
    return step


def landstart_step_complete(
    *,
    actor: User,
    run_id: int,
    step_code: str,
    version: int | None = None,
    at: datetime | None = None,
    documents: Sequence[UploadedFile] = (),
    commitment: CommitmentTerms | None = None,
) -> RunStep:
    """The step's unit completes it: every dependent whose prerequisites are now all done
    becomes active at this moment; the final step's completion completes the run (the
    project's construction starts).

    A step that names a document completes only with a document attached (before, or as
    ``documents`` in this same call), or under a ``commitment`` where its template allows
    one: the commitment is written in this transaction (see
    :mod:`mashang.landstart.services.commitments`)."""
    at = at or timezone.now()
    documents = list(documents or ())
    if documents:
        problems = attachments_check(documents)
        if problems:
            raise ValidationFailed(problems[0], fields={"documents": problems})
    with transaction.atomic():
        run = lock_run(actor, run_id)
        steps = steps_of(run)
        step = step_by_code(steps, step_code)
        if not can_work_on(actor, step):
            raise PermissionDenied(str(MSG_NOT_YOUR_STEP).format(unit=step.unit.name, step=step.name))
        check_step_version(step, version)
        _require_running(run, Action.COMPLETE)
        by_code = {s.code: s for s in steps}
        if not step_allows(Action.COMPLETE, step.state):
            if step.state == StepState.DONE:
                raise TransitionNotAllowed(str(MSG_ALREADY_DONE).format(step=step.name))
            open_ = [by_code[p] for p in step.prerequisites if by_code[p].state != StepState.DONE]
            raise TransitionNotAllowed(str(MSG_PREREQUISITES_OPEN).format(step=step.name, open=_names(open_)))
        if step.started_at is not None and at < step.started_at:
            message = str(MSG_COMPLETED_BEFORE_START).format(started=iso(step.started_at))
            raise ValidationFailed(message, fields={"at": message})
        # A document on file, or a promise still open from before it was sent back, covers it.
        has_documents = (
            bool(documents)
            or StepDocument.objects.filter(step=step).exists()
            or (commitment is None and Commitment.objects.filter(step=step, state=CommitmentState.OPEN).exists())
        )
        require_document_or_commitment(step, has_documents=has_documents, terms=commitment)
        promise = None
        if commitment is not None and not has_documents:
            _who, due_at = terms_check(step, commitment, at)
            promise = commitment_make(actor=actor, run=run, step=step, terms=commitment, due_at=due_at, at=at)
        stored = files_store(StepDocument, documents, step=step, uploaded_by=actor, uploaded_at=at)
        commitments_fulfil_with(step, stored, actor=actor, at=at)

        from_step_state = step.state
        step.state, step.completed_at, step.completed_by = StepState.DONE, at, actor
        save_step(step, "state", "completed_at", "completed_by")
        activated: list[RunStep] = []
        for dependent in dependents_of(steps, step.code):
            if dependent.state == StepState.WAITING and all(
                by_code[p].state == StepState.DONE for p in dependent.prerequisites
            ):
                dependent.state, dependent.started_at = StepState.ACTIVE, at
                save_step(dependent, "state", "started_at")
                activated.append(dependent)
        fields: tuple[str, ...] = ()
        finished = all(s.state == StepState.DONE for s in steps)
        if finished:
            run.state, run.completed_at = RunState.COMPLETED, at
            fields = ("state", "completed_at")
            project_land_event(actor=actor, project_id=run.project_id, stage=Stage.STARTED, at=at)
        record(
            run,
            actor=actor,
            at=at,
            action="complete",
            from_state=RunState.RUNNING,
            fields=fields,
            payload={
                "step": step.code,
                "from": from_step_state,
                "started_at": iso(step.started_at),
                "completed_at": iso(at),
                "activated": [s.code for s in activated],
                "run_completed": finished,
                **({"files": [d.original_name for d in stored]} if stored else {}),
                **({"commitment": promise.pk} if promise is not None else {}),
            },
        )
        messages.landstart_notify(run, messages.STEP_ACTIVE, activated, at, actor=actor)
        messages.work_group_step_done(run, step, steps, activated, at)
    return step


def landstart_step_return(
    *,
    actor: User,
    run_id: int,
    step_code: str,
    reason: str,
    version: int | None = None,
    at: datetime | None = None,
) -> RunStep:
    """Send a done step back with a reason: its unit must complete it again, and its
    dependents that were active go back to waiting. Refused once a dependent is done."""
    at = at or timezone.now()
    reason = required_reason(reason)
    with transaction.atomic():
        run = lock_run(actor, run_id)
        steps = steps_of(run)
        step = step_by_code(steps, step_code)
        dependents = dependents_of(steps, step.code)
        if not can_send_back(actor, dependents):
            raise PermissionDenied(str(MSG_MAY_NOT_SEND_BACK).format(step=step.name))
        check_step_version(step, version)
        _require_running(run, Action.RETURN)
        if not step_allows(Action.RETURN, step.state):
            raise TransitionNotAllowed(
                str(MSG_SEND_BACK_NOT_DONE).format(step=step.name, state=StepState(step.state).label)
            )
        done = [d for d in dependents if d.state == StepState.DONE]
        if done:
            raise TransitionNotAllowed(str(MSG_SEND_BACK_DEPENDENT_DONE).format(step=step.name, done=_names(done)))
        completed_at = step.completed_at
        step.state, step.return_reason = StepState.RETURNED, reason
        step.completed_at, step.completed_by = None, None
        save_step(step, "state", "return_reason", "completed_at", "completed_by")
        reset: list[RunStep] = []
        for dependent in dependents:
            if dependent.state == StepState.ACTIVE:
                dependent.state, dependent.started_at = StepState.WAITING, None
                save_step(dependent, "state", "started_at")
                reset.append(dependent)
        record(
            run,
            actor=actor,
            at=at,
            action="return",
            from_state=run.state,
            reason=reason,
            payload={
                "step": step.code,
                "completed_at": iso(completed_at),
                "returned_at": iso(at),
                "waiting_again": [s.code for s in reset],
            },
        )
        messages.landstart_notify(run, messages.STEP_RETURNED, [step], at, actor=actor, reason=reason)
        messages.work_group_step_returned(run, step, steps, at, actor=actor, reason=reason)
    return step
