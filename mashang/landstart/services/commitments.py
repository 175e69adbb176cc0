"""Commitments in place of missing papers (容缺受理 / 告知承诺制).

A step that names a document completes only with a document attached, or under a commitment
made in the same call (see :func:`landstart_step_complete`): which document is missing, who
promised it and by when — a deadline in working time, at most the step's
``commitment_working_days`` working days ahead. The commitment is then tracked to its
deadline like a demand's:

| level | raised when | kind |
| --- | --- | --- |
| reminder | less than :data:`REMIND_WORKING_DAYS` working day is left | ``landstart.commitment_due`` |
| yellow | the due time has passed | ``landstart.commitment_overdue`` |
| red | :data:`RED_AFTER_WORKING_DAYS` working days after the due time | ``landstart.commitment_red`` |

Each level is raised once (``notice_level``, ``noticed_at``); a sweep that finds a level
skipped raises only the highest one reached. The step's unit and the project's service
officer are told. Fulfilling (the document attached) or cancelling stops the sweep.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mashang.audit.services import event_record, versioned_save
from mashang.core.errors import (
    Conflict,
    NotFound,
    PermissionDenied,
    TransitionNotAllowed,
    ValidationFailed,
)
from mashang.core.files import attachments_check, files_store
from mashang.landstart import messages
from mashang.landstart.models import (
    Commitment,
    CommitmentState,
    Run,
    RunStep,
    StepDocument,
)
from mashang.landstart.permissions import can_manage, can_work_on, visibility_filter
from mashang.landstart.services.common import iso, required_reason
from mashang.org.models import User
from mashang.workcal.calendar import WorkCalendar
from mashang.workcal.selectors import calendar_get

SUBJECT = "landstart_commitment"

#: A reminder when less than this many working days are left before the due time.
REMIND_WORKING_DAYS = 1
#: Red when the due time passed this many working days ago (yellow from the due time on).
RED_AFTER_WORKING_DAYS = 2

REMINDER, YELLOW, RED = "reminder", "yellow", "red"
LEVEL_RANK = {"": 0, REMINDER: 1, YELLOW: 2, RED: 3}

MSG_PROMISED_BY_REQUIRED = _("Say who promised the document.")
MSG_DUE_REQUIRED = _("Give the date by which the document is promised.")
MSG_DUE_PAST = _("The promised date must be later than now.")
MSG_DUE_TOO_LATE = _(
    "A commitment for “{step}” may run at most {days} working days: promise the document by {latest}."
)
MSG_DAYS_RANGE = _("Give between 1 and {days} working days.")
MSG_DOCUMENT_REQUIRED = _(
    "Attach “{document}”, or complete the step under a commitment: who promises it and by when."
)
MSG_DOCUMENT_REQUIRED_NO_COMMITMENT = _(
    "Attach “{document}”: the step “{step}” cannot complete under a commitment."
)
MSG_COMMITMENT_NOT_ALLOWED = _(
    "The step “{step}” cannot complete under a commitment; attach “{document}”."
)
MSG_NOTHING_TO_PROMISE = _(
    "The step “{step}” names no document, so there is nothing to promise: complete it without a commitment."
)
MSG_NOT_FOUND = _("No such commitment.")
MSG_MAY_NOT_FULFIL = _("Only {unit} or the service team records the promised document.")
MSG_MAY_NOT_CANCEL = _("Only the service team cancels a commitment.")
MSG_NOT_OPEN = _("This commitment is “{state}”; it can no longer change.")
MSG_STALE = _(
    "The commitment was changed by someone else since you opened it (your version {given}, now "
    "{current}). Reload the page and try again."
)
MSG_NO_FILE = _("Attach the promised document.")
#: The states in words (as the selectors' labels: the model's “Open” reads as a button's).


@dataclass(frozen=True)
class CommitmentTerms:
    """What a unit gives to complete a step without its document: who promised what, by when.

    The due time is ``due_at``; or the end of office hours on ``due_on``; or the end of the
    working day ``working_days`` working days from now."""

    promised_by: str
    due_at: datetime | None = None
    due_on: date | None = None
    working_days: int | None = None
    document: str = ""
    note: str = ""


def day_end(cal: WorkCalendar, day: date) -> datetime:
    """The end of the zone's office hours on ``day``."""
    return datetime.combine(day, cal.office_hours[-1][1]).replace(tzinfo=cal.tz)


def working_days_end(cal: WorkCalendar, at: datetime, days: int) -> datetime:
    """The end of the working day ``days`` working days after ``at``: from Friday 10:00, one
    working day is the next working day's closing time (a weekend and a holiday skipped)."""
    reached = cal.add_working_days(at, days)
    return day_end(cal, reached.astimezone(cal.tz).date())


def latest_due(cal: WorkCalendar, step: RunStep, at: datetime) -> datetime:
    """The latest due time a commitment for ``step`` made at ``at`` may have."""
    return working_days_end(cal, at, max(step.commitment_working_days, 1))


def commitment_due(cal: WorkCalendar, step: RunStep, terms: CommitmentTerms, at: datetime) -> datetime:
    """The due time the terms give, checked: later than ``at`` and no later than the step's
    longest promise (a field message under ``due_at`` or ``working_days`` otherwise)."""
    limit = max(step.commitment_working_days, 1)
    if terms.due_at is not None:
        due = terms.due_at if timezone.is_aware(terms.due_at) else timezone.make_aware(terms.due_at)
        field = "due_at"
    elif terms.due_on is not None:
        due, field = day_end(cal, terms.due_on), "due_at"
    elif terms.working_days is not None:
        if not 1 <= terms.working_days <= limit:
            message = str(MSG_DAYS_RANGE).format(days=limit)
            raise ValidationFailed(message, fields={"working_days": message})
        return working_days_end(cal, at, terms.working_days)
    else:
        raise ValidationFailed(MSG_DUE_REQUIRED, fields={"due_at": MSG_DUE_REQUIRED})
    if due <= at:
        raise ValidationFailed(MSG_DUE_PAST, fields={field: MSG_DUE_PAST})
    latest = latest_due(cal, step, at)
    if due > latest:
        message = str(MSG_DUE_TOO_LATE).format(
            step=step.name, days=limit, latest=timezone.localtime(latest).strftime("%Y-%m-%d %H:%M")
        )
        raise ValidationFailed(message, fields={field: message})
    return due


def require_document_or_commitment(
    step: RunStep, *, has_documents: bool, terms: CommitmentTerms | None
) -> None:
    """The rule of completion: a step that names a document needs one attached, or a
    commitment where its template allows one."""
    if not step.document:
        if terms is not None:
            message = str(MSG_NOTHING_TO_PROMISE).format(step=step.name)
            raise ValidationFailed(message, fields={"commitment": message})
        return
    if terms is not None and not step.allows_commitment:
        message = str(MSG_COMMITMENT_NOT_ALLOWED).format(step=step.name, document=step.document)
        raise ValidationFailed(message, fields={"commitment": message})
    if has_documents or terms is not None:
        return
    template = MSG_DOCUMENT_REQUIRED if step.allows_commitment else MSG_DOCUMENT_REQUIRED_NO_COMMITMENT
    message = str(template).format(document=step.document, step=step.name)
    raise ValidationFailed(message, fields={"documents": message})


def terms_check(step: RunStep, terms: CommitmentTerms, at: datetime) -> tuple[str, datetime]:
    """Who promised (required) and the due time, checked before anything is written."""
    promised_by = (terms.promised_by or "").strip()
    fields: dict[str, str] = {}
    if not promised_by:
        fields["promised_by"] = str(MSG_PROMISED_BY_REQUIRED)
    try:
        due = commitment_due(calendar_get(), step, terms, at)
    except ValidationFailed as exc:
        fields.update({k: v[0] if isinstance(v, list) else v for k, v in exc.fields.items()})
        due = None
    if fields:
        raise ValidationFailed(next(iter(fields.values())), fields=fields)
    return promised_by, due


def commitment_make(
    *, actor: User, run: Run, step: RunStep, terms: CommitmentTerms, due_at: datetime, at: datetime
) -> Commitment:
    """Write the commitment of a step completing without its document (inside the
    completion's transaction, after its checks) and its ``make`` event."""
    commitment = Commitment.objects.create(
        step=step,
        document=(terms.document or "").strip()[:200] or step.document,
        promised_by=(terms.promised_by or "").strip()[:200],
        due_at=due_at,
        made_at=at,
        made_by=actor,
        note=(terms.note or "").strip()[:2000],
    )
    event_record(
        subject_type=SUBJECT,
        subject_id=commitment.pk,
        action="make",
        actor=actor,
        at=at,
        to_state=commitment.state,
        payload={
            "run": run.pk,
            "step": step.code,
            "document": commitment.document,
            "promised_by": commitment.promised_by,
            "due_at": iso(due_at),
        },
    )
    return commitment


def _lock(actor: User, commitment_id: int) -> Commitment:
    commitment = (
        Commitment.objects.select_for_update(of=("self",))
        .select_related("step", "step__unit", "step__run", "step__run__project")
        .filter(pk=commitment_id, step__run__in=Run.objects.filter(visibility_filter(actor)))
        .first()
    )
    if commitment is None:
        raise NotFound(MSG_NOT_FOUND)
    return commitment


def _check(commitment: Commitment, version: int | None) -> None:
    if version is not None and version != commitment.version:
        raise Conflict(str(MSG_STALE).format(given=version, current=commitment.version))
    if commitment.state != CommitmentState.OPEN:
        raise TransitionNotAllowed(str(MSG_NOT_OPEN).format(state=CommitmentState(commitment.state).label))


def commitment_fulfil(
    *,
    actor: User,
    commitment_id: int,
    files: Sequence[UploadedFile],
    version: int | None = None,
    at: datetime | None = None,
) -> Commitment:
    """The promised document arrives: it is attached to the step (checked like every
    document) and the commitment is fulfilled. The step's unit or the service team."""
    at = at or timezone.now()
    if not files:
        raise ValidationFailed(MSG_NO_FILE, fields={"files": MSG_NO_FILE})
    problems = attachments_check(files)
    if problems:
        raise ValidationFailed(problems[0], fields={"files": problems})
    with transaction.atomic():
        commitment = _lock(actor, commitment_id)
        step = commitment.step
        if not (can_work_on(actor, step) or can_manage(actor)):
            raise PermissionDenied(str(MSG_MAY_NOT_FULFIL).format(unit=step.unit.name))
        _check(commitment, version)
        stored: list[StepDocument] = files_store(
            StepDocument, files, step=step, uploaded_by=actor, uploaded_at=at
        )
        _fulfil(commitment, stored, actor=actor, at=at)
    return commitment


def _fulfil(commitment: Commitment, stored: Sequence[StepDocument], *, actor: User, at: datetime) -> None:
    step = commitment.step
    commitment.state = CommitmentState.FULFILLED
    commitment.fulfilled_at, commitment.fulfilled_by = at, actor
    commitment.fulfilled_document = stored[0]
    versioned_save(
        commitment,
        fields=("state", "fulfilled_at", "fulfilled_by", "fulfilled_document"),
        subject_type=SUBJECT,
        action="fulfil",
        actor=actor,
        at=at,
        from_state=CommitmentState.OPEN,
        to_state=commitment.state,
        payload={
            "run": step.run_id,
            "step": step.code,
            "files": [d.original_name for d in stored],
            "due_at": iso(commitment.due_at),
            "late": at > commitment.due_at,
        },
    )


def commitments_fulfil_with(
    step: RunStep, stored: Sequence[StepDocument], *, actor: User, at: datetime
) -> list[Commitment]:
    """Documents just attached to ``step`` (on its own, or with its completion) fulfil the
    step's open commitments, in the caller's transaction: the promise is kept, and the sweep
    stops raising notices for it."""
    if not stored:
        return []
    open_ = list(
        Commitment.objects.select_for_update().select_related("step")
        .filter(step=step, state=CommitmentState.OPEN).order_by("id")
    )
    for commitment in open_:
        _fulfil(commitment, stored, actor=actor, at=at)
    return open_


def commitment_cancel(
    *,
    actor: User,
    commitment_id: int,
    reason: str,
    version: int | None = None,
    at: datetime | None = None,
) -> Commitment:
    """Withdraw an open commitment, with a reason (the service team): the sweep forgets it."""
    at = at or timezone.now()
    reason = required_reason(reason)
    with transaction.atomic():
        commitment = _lock(actor, commitment_id)
        if not can_manage(actor):
            raise PermissionDenied(MSG_MAY_NOT_CANCEL)
        _check(commitment, version)
        commitment.state = CommitmentState.CANCELLED
        versioned_save(
            commitment,
            fields=("state",),
            subject_type=SUBJECT,
            action="cancel",
            actor=actor,
            at=at,
            from_state=CommitmentState.OPEN,
            to_state=commitment.state,
            reason=reason,
            payload={"run": commitment.step.run_id, "step": commitment.step.code},
        )
    return commitment


@dataclass(frozen=True)
class SweepBounds:
    """The instants a sweep at ``now`` compares due times with, computed once."""

    now: datetime
    remind_until: datetime  # due at or before it: less than a working day left → reminder
    red_from: datetime  # due at or before it: overdue long enough → red


def sweep_bounds(cal: WorkCalendar, now: datetime) -> SweepBounds:
    return SweepBounds(
        now=now,
        remind_until=cal.add_working_days(now, REMIND_WORKING_DAYS),
        red_from=cal.add_working_days(now, -RED_AFTER_WORKING_DAYS),
    )


def level_reached(due_at: datetime, b: SweepBounds) -> str:
    """The level a due time has reached at the sweep's moment ("" when none)."""
    if due_at <= b.red_from:
        return RED
    if due_at <= b.now:
        return YELLOW
    if due_at < b.remind_until:
        return REMINDER
    return ""


def commitments_sweep(*, now: datetime) -> int:
    """Raise the notices open commitments have earned by ``now`` (see the module's table);
    returns how many were raised. Each commitment is locked and decided again from its row,
    so two sweeps at once raise each level once."""
    bounds = sweep_bounds(calendar_get(), now)
    candidates = list(
        Commitment.objects.filter(state=CommitmentState.OPEN, due_at__lt=bounds.remind_until)
        .exclude(notice_level=RED)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    raised = 0
    for start in range(0, len(candidates), 200):
        chunk = candidates[start : start + 200]
        with transaction.atomic():
            rows = list(
                Commitment.objects.select_for_update(of=("self",))
                .select_related("step", "step__unit", "step__run", "step__run__project")
                .filter(pk__in=chunk, state=CommitmentState.OPEN)
                .order_by("pk")
            )
            noticed: list[tuple[Commitment, str]] = []
            for c in rows:
                level = level_reached(c.due_at, bounds)
                if LEVEL_RANK[level] <= LEVEL_RANK[c.notice_level]:
                    continue
                before = c.notice_level
                c.notice_level, c.noticed_at = level, now
                versioned_save(
                    c,
                    fields=("notice_level", "noticed_at"),
                    subject_type=SUBJECT,
                    action="notice",
                    actor=None,
                    at=now,
                    from_state=c.state,
                    to_state=c.state,
                    payload={
                        "level": level,
                        "before": before,
                        "due_at": iso(c.due_at),
                        "run": c.step.run_id,
                        "step": c.step.code,
                    },
                )
                noticed.append((c, level))
            messages.commitments_notify(noticed, now)
            raised += len(noticed)
    return raised


def overdue_since(commitment: Commitment, now: datetime) -> timedelta | None:
    """How long an open commitment is overdue (None when it is not)."""
    if commitment.state != CommitmentState.OPEN or commitment.due_at > now:
        return None
    return now - commitment.due_at
