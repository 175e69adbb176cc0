"""A run's life: opened when the land is listed, awarded (the clock starts), cancelled."""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mashang.audit.services import event_record
from mashang.core.errors import (
    Conflict,
    NotFound,
    PermissionDenied,
    TransitionNotAllowed,
    ValidationFailed,
)
from mashang.landstart import messages
from mashang.landstart.default_bundle import DEFAULT_CODE
from mashang.landstart.models import (
    OPEN_RUN_STATES,
    BundleTemplate,
    Run,
    RunState,
    RunStep,
    StepState,
)
from mashang.landstart.permissions import can_award, can_manage
from mashang.landstart.services.common import (
    SUBJECT,
    check_version,
    iso,
    lock_run,
    project_land_event,
    record,
    required_reason,
    save_step,
    steps_of,
)
from mashang.landstart.services.prereview import listing_closes_default
from mashang.landstart.services.templates import template_fitting, template_install_default
from mashang.landstart.transitions import Action, run_allows
from mashang.org.models import User
from mashang.projects.models import Project, Stage

MSG_MAY_NOT_OPEN = _("Only the service team or an administrator opens a land-start run.")
MSG_MAY_NOT_CANCEL = _("Only the service team or an administrator cancels a land-start run.")
MSG_MAY_NOT_AWARD = _("Only {unit} or the service team records the award.")
MSG_NO_PROJECT = _("No such project.")
MSG_NO_TEMPLATE = _("There is no bundle template with the code “{code}”.")
MSG_NOT_LISTED = _(
    "The land of {project} is not listed (the project is at “{stage}”); a land-start run opens "
    "when the land is listed."
)
MSG_ALREADY_OPEN = _("{project} already has an open land-start run (#{run}).")
MSG_AWARD_ONLY_LISTED = _("Only a run whose land is listed can be awarded; this run is “{state}”.")
MSG_AWARD_BEFORE_OPEN = _(
    "The award time {awarded} is before the run was opened ({opened}); check the time the trading "
    "centre recorded."
)
MSG_AWARD_IN_FUTURE = _("The award time cannot be later than now.")
MSG_CANCEL_CLOSED = _("This run is “{state}” and can no longer be cancelled.")


def _latest_template(code: str) -> BundleTemplate:
    code = (code or DEFAULT_CODE).strip()
    template = BundleTemplate.objects.filter(code=code).select_related("award_unit").order_by("-version").first()
    if template is None and code == DEFAULT_CODE:
        template, _created = template_install_default()
    if template is None:
        message = str(MSG_NO_TEMPLATE).format(code=code)
        raise ValidationFailed(message, fields={"template": message})
    return template


def landstart_open(
    *,
    actor: User,
    project_id: int,
    template_code: str | None = DEFAULT_CODE,
    at: datetime | None = None,
    automatically: bool = False,
    listing_closes_at: datetime | None = None,
) -> Run:
    """Open a run for a project whose land is listed: the template's latest version is copied
    into the run's steps, all waiting; the units of pre-reviewable steps are told.

    ``template_code`` None takes the template that opens by itself for the project's type (the
    default bundle when none does). ``automatically``: the listing opens it (the person who
    listed the land is ``actor``; the listing is the authority, so their role is not checked).
    ``listing_closes_at`` (else the project's planned award) is every pre-review's deadline.
    """
    at = at or timezone.now()
    if not automatically and not can_manage(actor):
        raise PermissionDenied(MSG_MAY_NOT_OPEN)
    template = _latest_template(template_code) if template_code else None
    with transaction.atomic():
        project = Project.objects.select_for_update().filter(pk=project_id).first()
        if project is None:
            raise NotFound(MSG_NO_PROJECT)
        if template is None:
            template = template_fitting(project.project_type) or _latest_template(DEFAULT_CODE)
        if listing_closes_at is None:
            listing_closes_at = listing_closes_default(project)
        label = f"{project.number} {project.name}"
        if project.stage != Stage.LISTED:
            raise Conflict(str(MSG_NOT_LISTED).format(project=label, stage=Stage(project.stage).label))
        existing = Run.objects.filter(project=project, state__in=OPEN_RUN_STATES).first()
        if existing is not None:
            raise Conflict(str(MSG_ALREADY_OPEN).format(project=label, run=existing.pk))
        try:
            with transaction.atomic():
                run = Run.objects.create(
                    project=project,
                    template=template,
                    state=RunState.LISTED,
                    opened_at=at,
                    opened_by=actor,
                    opened_automatically=automatically,
                    listing_closes_at=listing_closes_at,
                )
        except IntegrityError:  # another run opened for this project at the same moment
            other = Run.objects.filter(project=project, state__in=OPEN_RUN_STATES).values_list("pk", flat=True)
            raise Conflict(str(MSG_ALREADY_OPEN).format(project=label, run=other.first() or "")) from None
        steps = RunStep.objects.bulk_create(
            RunStep(
                run=run,
                code=t.code,
                name=t.name,
                unit_id=t.unit_id,
                prerequisites=list(t.prerequisites),
                expected_minutes=t.expected_minutes,
                pre_reviewable=t.pre_reviewable,
                document=t.document,
                allows_commitment=t.allows_commitment,
                commitment_working_days=t.commitment_working_days,
                position=t.position,
                prereview_due_at=listing_closes_at if t.pre_reviewable else None,
            )
            for t in template.steps.order_by("position", "id")
        )
        event_record(
            subject_type=SUBJECT,
            subject_id=run.pk,
            action="open",
            actor=actor,
            at=at,
            from_state="",
            to_state=run.state,
            payload={
                "project": project.pk,
                "template": template.code,
                "template_version": template.version,
                "steps": [s.code for s in steps],
                "opened_at": iso(at),
                "automatically": automatically,
                "listing_closes_at": iso(listing_closes_at),
            },
        )
        messages.landstart_notify(
            run, messages.PREREVIEW, [s for s in steps if s.pre_reviewable], at, actor=actor
        )
    return run


def landstart_award(
    *,
    actor: User,
    run_id: int,
    awarded_at: datetime,
    version: int | None = None,
    at: datetime | None = None,
) -> Run:
    """Record the award at the time the trading centre recorded it: the clock starts then, and
    every step without prerequisites becomes active at once. The project moves to awarded."""
    at = at or timezone.now()
    if timezone.is_naive(awarded_at):
        awarded_at = timezone.make_aware(awarded_at)
    if awarded_at > at:
        raise ValidationFailed(MSG_AWARD_IN_FUTURE, fields={"awarded_at": MSG_AWARD_IN_FUTURE})
    with transaction.atomic():
        run = lock_run(actor, run_id)
        if not can_award(actor, run):
            raise PermissionDenied(str(MSG_MAY_NOT_AWARD).format(unit=run.template.award_unit.name))
        check_version(run, version)
        if not run_allows(Action.AWARD, run.state):
            raise TransitionNotAllowed(str(MSG_AWARD_ONLY_LISTED).format(state=RunState(run.state).label))
        if awarded_at < run.opened_at:
            raise Conflict(
                str(MSG_AWARD_BEFORE_OPEN).format(awarded=iso(awarded_at), opened=iso(run.opened_at))
            )
        steps = steps_of(run)
        activated = [s for s in steps if not s.prerequisites]
        for step in activated:
            step.state, step.started_at = StepState.ACTIVE, awarded_at
            save_step(step, "state", "started_at")
        run.state, run.awarded_at = RunState.RUNNING, awarded_at
        project_land_event(actor=actor, project_id=run.project_id, stage=Stage.AWARDED, at=awarded_at)
        record(
            run,
            actor=actor,
            at=at,
            action="award",
            from_state=RunState.LISTED,
            fields=("state", "awarded_at"),
            payload={"awarded_at": iso(awarded_at), "activated": [s.code for s in activated]},
        )
        messages.landstart_notify(run, messages.STEP_ACTIVE, activated, at, actor=actor)
        messages.work_group_award(run, steps, activated, at)
    return run


def landstart_cancel(
    *, actor: User, run_id: int, reason: str, version: int | None = None, at: datetime | None = None
) -> Run:
    """Cancel an open run, with a reason (the project keeps its stage)."""
    at = at or timezone.now()
    reason = required_reason(reason)
    with transaction.atomic():
        run = lock_run(actor, run_id)
        if not can_manage(actor):
            raise PermissionDenied(MSG_MAY_NOT_CANCEL)
        check_version(run, version)
        if not run_allows(Action.CANCEL, run.state):
            raise TransitionNotAllowed(str(MSG_CANCEL_CLOSED).format(state=RunState(run.state).label))
        from_state = run.state
        run.state, run.cancelled_at, run.cancel_reason = RunState.CANCELLED, at, reason
        record(
            run,
            actor=actor,
            at=at,
            action="cancel",
            from_state=from_state,
            fields=("state", "cancelled_at", "cancel_reason"),
            reason=reason,
            payload={"cancelled_at": iso(at)},
        )
    return run
