"""What a run tells the units, through the notification outbox, inside the change's transaction.

| moment | kind | to |
| --- | --- | --- |
| a run opens (land listed) | ``landstart.prereview`` | the units of the pre-reviewable steps |
| a step becomes active (award, or its last prerequisite done) | ``landstart.step_active`` | the step's unit |
| a done step is sent back | ``landstart.step_returned`` | the step's unit |

The person who acted is not told of their own act. Texts are in the zone's language.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from mashang.landstart.models import Run, RunStep
from mashang.notify.recipients import Audience
from mashang.notify.services import OutboxMessage, notifications_enqueue
from mashang.org.models import User

PREREVIEW = "landstart.prereview"
STEP_ACTIVE = "landstart.step_active"
STEP_RETURNED = "landstart.step_returned"


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
