"""What a run tells the units, through the notification outbox, inside the change's transaction.

| moment | kind | to |
| --- | --- | --- |
| a run opens (land listed) | ``landstart.prereview`` | the units of the pre-reviewable steps |
| a step becomes active (award, or its last prerequisite done) | ``landstart.step_active`` | the step's unit |
| a done step is sent back | ``landstart.step_returned`` | the step's unit |
| a pre-review step is not ready the working day before the listing closes | ``landstart.prereview_late`` | the step's unit |

The person who acted is not told of their own act. Texts are in the zone's language.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.conf import settings
from django.db.models import DurationField, ExpressionWrapper, F
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from mashang.landstart import dag
from mashang.landstart.models import (
    Batch,
    Commitment,
    CommitmentState,
    Run,
    RunState,
    RunStep,
    StepState,
)
from mashang.notify.recipients import Audience
from mashang.notify.services import OutboxMessage, notifications_enqueue
from mashang.org.models import User

PREREVIEW = "landstart.prereview"
STEP_ACTIVE = "landstart.step_active"
STEP_RETURNED = "landstart.step_returned"
PREREVIEW_LATE = "landstart.prereview_late"


def board_link(run_id: int) -> str:
    """The run's board page (empty while the pages are not mounted)."""
    try:
        return reverse("landstart:board", args=[run_id])
    except NoReverseMatch:
        return ""


def _when(value: datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S") if value else "—"


def _compose(run: Run, kind: str, steps: list[RunStep], reason: str) -> tuple[str, str]:
    project = f"{run.project.number} {run.project.name}"
    names = "、".join(s.name for s in steps)
    if kind == PREREVIEW:
        subject = _("Land listed: pre-review your steps for {project}").format(project=project)
        lines = [
            _("Steps: {steps}").format(steps=names),
            _("Stage your documents and mark them ready; the clock starts at the award."),
        ]
        if run.listing_closes_at:
            lines.append(_("Pre-review due: {when}").format(when=_when(run.listing_closes_at)))
    elif kind == STEP_ACTIVE:
        subject = _("Land start: “{steps}” can be done now ({project})").format(steps=names, project=project)
        lines = [
            _("Awarded at: {when}").format(when=_when(run.awarded_at)),
            _("Expected: {minutes} minutes").format(minutes=sum(s.expected_minutes for s in steps)),
            _("Complete the step as soon as its document is issued; the clock is running."),
        ]
    else:
        subject = _("Land start: “{steps}” was sent back ({project})").format(steps=names, project=project)
        lines = [
            _("Reason: {text}").format(text=reason),
            _("Complete the step again once it is corrected."),
        ]
    return subject, "\n".join(lines)


def landstart_notify(
    run: Run, kind: str, steps: Sequence[RunStep], at: datetime, *, actor: User | None, reason: str = ""
) -> None:
    """Write one message per unit concerned to the outbox, in one insert (call it inside the
    change's transaction, after the run's version was bumped: the version names the message)."""
    by_unit: dict[int, list[RunStep]] = {}
    for step in steps:
        by_unit.setdefault(step.unit_id, []).append(step)
    messages: list[OutboxMessage] = []
    with translation.override(settings.LANGUAGE_CODE):
        for unit_id, unit_steps in by_unit.items():
            subject, body = _compose(run, kind, unit_steps, reason)
            messages.append(
                OutboxMessage(
                    kind=kind,
                    subject=subject,
                    body=body,
                    link=board_link(run.pk),
                    audience=Audience.of_units([unit_id]).excluding(actor),
                    dedupe_key=f"landstart:{run.pk}:v{run.version}:{kind}:u{unit_id}",
                    payload={"run": run.pk, "steps": [s.code for s in unit_steps]},
                    at=at,
                )
            )
    notifications_enqueue(messages)


# --- the work group: the run's chat group follows it ---------------------------------------
#
# | moment | kind |
# | --- | --- |
# | the award: the clock starts | ``landstart.group_award`` |
# | a step done (not the last) | ``landstart.group_step_done`` |
# | a done step sent back | ``landstart.group_step_returned`` |
# | the last step done: the construction permit issued, the run complete | ``landstart.group_completed`` |
#
# To the run's work-group robot, or else its batch's; to nobody when neither is set. One
# message per change, written in the change's transaction: its key names the run's version
# after the change (every change of a run bumps it under the run's lock), so the same change
# told twice is written once, and two units completing parallel steps at the same moment are
# two changes, each told once. The texts are short lines for a phone, in the zone's language;
# the platforms' channels render them (bold heading, the link to the board) and keep any text
# a user typed (a project's name, a reason) from becoming markup.

GROUP_AWARD = "landstart.group_award"
GROUP_STEP_DONE = "landstart.group_step_done"
GROUP_STEP_RETURNED = "landstart.group_step_returned"
GROUP_COMPLETED = "landstart.group_completed"


def work_group_robot_id(run: Run) -> int | None:
    """The chat robot that follows the run: its own, else its batch's; None when neither is set."""
    if run.work_group_robot_id:
        return run.work_group_robot_id
    if run.batch_id:
        return Batch.objects.filter(pk=run.batch_id).values_list("work_group_robot_id", flat=True).first()
    return None


def _span(seconds: float) -> str:
    """A span for reading: 15 秒, 6 分钟, 40 分 12 秒, 2 小时 5 分."""
    s = max(int(round(seconds)), 0)
    hours, minutes, rest = s // 3600, s % 3600 // 60, s % 60
    if hours:
        return _("{hours} h {minutes} min").format(hours=hours, minutes=minutes)
    if minutes and rest:
        return _("{minutes} min {seconds} s").format(minutes=minutes, seconds=rest)
    if minutes:
        return _("{minutes} minutes").format(minutes=minutes)
    return _("{seconds} seconds").format(seconds=rest)


def _clock(seconds: float) -> str:
    """A span as the board's clock reads it: 0:21:14."""
    s = max(int(round(seconds)), 0)
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"


def _minutes(seconds: int) -> str:
    """Minutes as the record keeps them (to the hundredth): 40, 40.2."""
    value = round(seconds / 60, 2)
    return f"{value:g}" if value != int(value) else str(int(value))


def _hm(value: datetime, at: datetime) -> str:
    """A time of the day (09:30); another day's with its date."""
    local = timezone.localtime(value)
    same_day = local.date() == timezone.localtime(at).date()
    return local.strftime("%H:%M" if same_day else "%m-%d %H:%M")


def _step_label(step: RunStep) -> str:
    return _("{step} ({unit})").format(step=step.name, unit=step.unit.name)


def _labels(steps: Sequence[RunStep]) -> str:
    return "、".join(_step_label(s) for s in steps)


def _since_award(run: Run, at: datetime) -> int:
    return int((at - run.awarded_at).total_seconds()) if run.awarded_at else 0


def _took(step: RunStep) -> int:
    if step.started_at is None or step.completed_at is None:
        return 0
    return int((step.completed_at - step.started_at).total_seconds())


def _group_send(run: Run, kind: str, subject: str, lines: list[str], at: datetime, robot_id: int,
                payload: dict) -> None:
    notifications_enqueue(
        [
            OutboxMessage(
                kind=kind,
                subject=subject,
                body="\n".join(line for line in lines if line),
                link=board_link(run.pk),
                audience=Audience(robots=(robot_id,)),
                dedupe_key=f"landstart:{run.pk}:v{run.version}:{kind}:group",
                payload={"run": run.pk, "robot": robot_id, **payload},
                at=at,
            )
        ]
    )


def work_group_award(run: Run, steps: Sequence[RunStep], activated: Sequence[RunStep], at: datetime) -> None:
    """Tell the work group the land was awarded: the clock runs, these steps can be done now.
    Call it inside the award's transaction, after the run's version was bumped."""
    robot_id = work_group_robot_id(run)
    if robot_id is None or run.awarded_at is None:
        return
    project = f"{run.project.number} {run.project.name}"
    expected = dag.plan(
        [dag.StepTimes(s.code, "", tuple(s.prerequisites), s.expected_minutes) for s in steps]
    ).total_minutes
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("[Land start] {project} awarded at {time}: the clock is running.").format(
            project=project, time=_hm(run.awarded_at, at)
        )
        lines = [
            ngettext(
                "{total} step in all; first to do: {steps}.",
                "{total} steps in all; first to do: {steps}.",
                len(steps),
            ).format(total=len(steps), steps=_labels(activated)),
            _("Planned to finish in {minutes} minutes.").format(minutes=f"{expected:g}") if expected else "",
        ]
    _group_send(run, GROUP_AWARD, subject, lines, at, robot_id, {"steps": [s.code for s in activated]})


def _open_commitments(step: RunStep, at: datetime) -> list[Commitment]:
    return list(Commitment.objects.filter(step=step, state=CommitmentState.OPEN, made_at=at).order_by("id"))


def work_group_step_done(
    run: Run, step: RunStep, steps: Sequence[RunStep], activated: Sequence[RunStep], at: datetime
) -> None:
    """Tell the work group a step is done (which one of how many, how long it took, what comes
    next); the last step's completion tells instead that the run is complete, with its time and
    the record. Call it inside the completion's transaction, after the run's version was bumped
    (``steps`` as the completion left them)."""
    robot_id = work_group_robot_id(run)
    if robot_id is None:
        return
    done, total = sum(1 for s in steps if s.state == StepState.DONE), len(steps)
    with translation.override(settings.LANGUAGE_CODE):
        promises = [
            _("Under a commitment: {document}, promised by {who} by {due}.").format(
                document=c.document, who=c.promised_by, due=timezone.localtime(c.due_at).strftime("%Y-%m-%d %H:%M")
            )
            for c in _open_commitments(step, at)
        ]
        if run.state == RunState.COMPLETED:
            kind = GROUP_COMPLETED
            subject, lines = _completed_text(run, step, done, total, at)
        else:
            kind = GROUP_STEP_DONE
            subject = _("[Land start] {number} step {done}/{total} done: {step}").format(
                number=run.project.number, done=done, total=total, step=_step_label(step)
            )
            in_hand = [s for s in steps if s.state in (StepState.ACTIVE, StepState.RETURNED)]
            lines = [
                _("{project}: took {took}, {clock} since the award.").format(
                    project=run.project.name, took=_span(_took(step)), clock=_clock(_since_award(run, at))
                ),
                *promises,
                _("Next: {steps}.").format(steps=_labels(activated)) if activated else "",
                _("Still in hand: {steps}.").format(steps=_labels(in_hand)) if in_hand and not activated else "",
            ]
        if kind == GROUP_COMPLETED:
            lines[1:1] = promises
    _group_send(
        run, kind, subject, lines, at, robot_id,
        {"step": step.code, "done": done, "total": total, "activated": [s.code for s in activated]},
    )


def _best_before(run: Run) -> tuple[int, Run] | None:
    """The fastest other run of the same bundle completed so far: (its seconds, the run)."""
    best = (
        Run.objects.filter(
            state=RunState.COMPLETED,
            template__code=run.template.code,
            completed_at__lte=run.completed_at,
            awarded_at__isnull=False,
        )
        .exclude(pk=run.pk)
        .select_related("project")
        .annotate(took=ExpressionWrapper(F("completed_at") - F("awarded_at"), output_field=DurationField()))
        .order_by("took", "completed_at", "id")
        .first()
    )
    if best is None:
        return None
    return int((best.completed_at - best.awarded_at).total_seconds()), best


def _completed_text(run: Run, step: RunStep, done: int, total: int, at: datetime) -> tuple[str, list[str]]:
    seconds = _since_award(run, run.completed_at or at)
    project = f"{run.project.number} {run.project.name}"
    subject = _("[Land start] {project}: {step} issued, {span} in all").format(
        project=project, step=step.name, span=_span(seconds)
    )
    lines = [
        _("Step {done}/{total} done: {step}, took {took}.").format(
            done=done, total=total, step=_step_label(step), took=_span(_took(step))
        ),
        _("From the award at {start} to {end}: {span} ({minutes} minutes on record).").format(
            start=timezone.localtime(run.awarded_at).strftime("%H:%M:%S"),
            end=timezone.localtime(run.completed_at or at).strftime("%H:%M:%S"),
            span=_span(seconds),
            minutes=_minutes(seconds),
        ),
    ]
    best = _best_before(run)
    if best is None:
        lines.append(_("The first run of this bundle to finish: it sets the record."))
    else:
        record, other = best
        label = other.project.number
        if seconds < record:
            lines.append(_("A new record: the best so far was {span} ({project}).").format(
                span=_span(record), project=label
            ))
        elif seconds == record:
            lines.append(_("It equals the record of {span} ({project}).").format(span=_span(record), project=label))
        else:
            lines.append(_("The record is {span} ({project}); this run took {more} more.").format(
                span=_span(record), project=label, more=_span(seconds - record)
            ))
    return subject, lines


def work_group_step_returned(
    run: Run, step: RunStep, steps: Sequence[RunStep], at: datetime, *, actor: User, reason: str
) -> None:
    """Tell the work group who sent which step back and why. Call it inside the send-back's
    transaction, after the run's version was bumped."""
    robot_id = work_group_robot_id(run)
    if robot_id is None:
        return
    done, total = sum(1 for s in steps if s.state == StepState.DONE), len(steps)
    with translation.override(settings.LANGUAGE_CODE):
        where = actor.unit.name if actor.unit_id else User.Role(actor.role).label
        subject = _("[Land start] {number} step sent back: {step}").format(
            number=run.project.number, step=_step_label(step)
        )
        lines = [
            _("Sent back by {who} ({where}).").format(who=str(actor), where=where),
            _("Reason for sending back: {text}").format(text=reason),
            _("{project}: {clock} since the award, {done}/{total} steps done.").format(
                project=run.project.name, clock=_clock(_since_award(run, at)), done=done, total=total
            ),
        ]
    _group_send(run, GROUP_STEP_RETURNED, subject, lines, at, robot_id, {"step": step.code})


# --- commitments: a promised document nears or passes its due time ------------------------
#
# | level | kind | to |
# | --- | --- | --- |
# | reminder (less than a working day left) | ``landstart.commitment_due`` | the step's unit, the project's service officer |
# | yellow (the due time passed) | ``landstart.commitment_overdue`` | the same |
# | red (overdue for working days) | ``landstart.commitment_red`` | the same |

COMMITMENT_KINDS = {
    "reminder": "landstart.commitment_due",
    "yellow": "landstart.commitment_overdue",
    "red": "landstart.commitment_red",
}


def commitments_link() -> str:
    """The page of open commitments (empty while the pages are not mounted)."""
    try:
        return reverse("landstart:commitments")
    except NoReverseMatch:
        return ""


def _commitment_text(commitment, level: str) -> tuple[str, str]:
    step, run = commitment.step, commitment.step.run
    project = f"{run.project.number} {run.project.name}"
    facts = {"document": commitment.document, "project": project, "due": _when(commitment.due_at)}
    if level == "reminder":
        subject = _("Commitment due soon: “{document}” for {project} by {due}").format(**facts)
    elif level == "yellow":
        subject = _("Commitment overdue (yellow): “{document}” for {project} was due {due}").format(**facts)
    else:
        subject = _("Commitment overdue (red): “{document}” for {project} was due {due}").format(**facts)
    lines = [
        _("Step: {step} ({unit})").format(step=step.name, unit=step.unit.name),
        _("Promised by: {who}").format(who=commitment.promised_by),
        _("Due: {due}").format(due=facts["due"]),
        _("Attach the promised document on the commitments page once it arrives."),
    ]
    return subject, "\n".join(lines)


def commitments_notify(noticed, at: datetime) -> None:
    """One message per commitment and level raised, to the step's unit and the project's
    service officer, in one insert (inside the sweep's transaction)."""
    out: list[OutboxMessage] = []
    with translation.override(settings.LANGUAGE_CODE):
        for commitment, level in noticed:
            step, run = commitment.step, commitment.step.run
            subject, body = _commitment_text(commitment, level)
            officer = run.project.service_officer_id
            audience = Audience.of_units([step.unit_id]) | Audience(users=(officer,) if officer else ())
            out.append(
                OutboxMessage(
                    kind=COMMITMENT_KINDS[level],
                    subject=subject,
                    body=body,
                    link=commitments_link(),
                    audience=audience,
                    dedupe_key=f"landstart:commitment:{commitment.pk}:{level}",
                    payload={"run": run.pk, "step": step.code, "commitment": commitment.pk, "level": level},
                    at=at,
                    topic=f"landstart:{run.pk}",
                )
            )
    notifications_enqueue(out)


def prereview_late_notify(step: RunStep, at: datetime) -> None:
    """Tell the step's unit that its pre-review is late (``landstart.prereview_late``): the
    listing closes soon and the step is not marked ready. One message per step, ever."""
    run = step.run
    with translation.override(settings.LANGUAGE_CODE):
        project = f"{run.project.number} {run.project.name}"
        subject = _("Pre-review late: “{step}” of {project}").format(
            step=step.name, project=project
        )
        body = "\n".join(
            [
                _("Pre-review due: {when}").format(when=_when(step.prereview_due_at)),
                _(
                    "The listing closes soon and this step is not marked ready: stage its "
                    "documents and mark it ready before the award."
                ),
            ]
        )
    notifications_enqueue(
        [
            OutboxMessage(
                kind=PREREVIEW_LATE,
                subject=subject,
                body=body,
                link=board_link(run.pk),
                audience=Audience.of_units([step.unit_id]),
                dedupe_key=f"landstart:{run.pk}:{step.code}:{PREREVIEW_LATE}",
                payload={"run": run.pk, "steps": [step.code], "due": _when(step.prereview_due_at)},
                at=at,
            )
        ]
    )
