"""What the land-start pages share: labels of states and actions, how a time span reads, and
how a refused request becomes a message beside its form."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from mashang.core.errors import ApplicationError
from mashang.core.views import is_stale, page_raise
from mashang.landstart.models import RunState, StepState
from mashang.landstart.services import prereview
from mashang.landstart.transitions import Action

MSG_LATE = _("late")
MSG_READY = _("ready")
MSG_CHECK_FIELDS = _("Please check the fields marked below.")
MSG_DONE = _("Done: {action}.")
MSG_UNKNOWN_ACTION = _("There is no such action.")
MSG_RELOAD = _("Reload the board")

#: The state badge of a run, by state (a class of mashang.css's badges).
RUN_BADGE = {
    RunState.LISTED: "",
    RunState.RUNNING: "due",
    RunState.COMPLETED: "ok",
    RunState.CANCELLED: "",
}


def run_state_label(value: str) -> str:
    try:
        return str(RunState(value).label)
    except ValueError:
        return value


def step_state_label(value: str, *, late: bool = False) -> str:
    """The state as words (never colour alone): “Active · late”."""
    try:
        text = str(StepState(value).label)
    except ValueError:
        text = value
    return f"{text} · {gettext('late')}" if late else text


#: Events of a run that are no action of its state machine, as the timeline names them.
EVENT_LABELS = {
    "work_group": _("choose the work group"),
    "batch_join": _("join the batch"),
    "batch_leave": _("leave the batch"),
    prereview.LATE_ACTION: prereview.MSG_LATE_LABEL,
    prereview.DEADLINE_ACTION: prereview.MSG_DEADLINE_LABEL,
}


def action_label(value: str) -> str:
    try:
        return str(Action(value).label)
    except ValueError:
        return str(EVENT_LABELS.get(value, value))


def clock(seconds: float | None) -> str:
    """A span as a clock reads it: 0:41:00."""
    if seconds is None:
        return "—"
    s = max(int(round(seconds)), 0)
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}"


def minutes(value: float | None) -> str:
    """Minutes for reading: whole minutes as such, else to the second's worth (1.5, 0.25)."""
    if value is None:
        return "—"
    rounded = round(value, 2)
    return f"{rounded:g}" if rounded != int(rounded) else str(int(rounded))


@dataclass
class Failure:
    """A refused action, shown beside the form it came from."""

    action: str
    step: str = ""  # the step code, for a step action
    message: str = ""
    fields: dict[str, list[str]] = field(default_factory=dict)
    stale: bool = False
    status: int = 422

    @classmethod
    def of(cls, exc: ApplicationError, *, action: str, step: str = "") -> Failure:
        page_raise(exc)
        return cls(
            action=action,
            step=step,
            message=exc.message,
            fields=exc.fields,
            stale=is_stale(exc),
            status=exc.status_code,
        )

    def about(self, action: str, step: str = "") -> bool:
        return self.action == action and self.step == step
