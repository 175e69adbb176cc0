"""The run's and the step's state machines as data: which action is allowed in which run state
and, for step actions, in which step state. Services consult these tables (and raise their
own precise message); the board offers an action only where the table allows it."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from mashang.landstart.models import RunState, StepState


class Action(models.TextChoices):
    OPEN = "open", _("open")
    STAGE = "stage", _("mark ready")
    ATTACH = "attach", _("attach documents")
    AWARD = "award", _("record the award")
    COMPLETE = "complete", _("complete")
    RETURN = "return", _("send back")
    CANCEL = "cancel", _("cancel")


L, G = RunState.LISTED, RunState.RUNNING

#: action -> the run states it is allowed from.
RUN_MOVES: dict[str, frozenset[str]] = {
    Action.STAGE: frozenset({L}),
    Action.ATTACH: frozenset({L, G}),
    Action.AWARD: frozenset({L}),
    Action.COMPLETE: frozenset({G}),
    Action.RETURN: frozenset({G}),
    Action.CANCEL: frozenset({L, G}),
}

#: step action -> the step states it is allowed from (and the step state it leads to).
STEP_MOVES: dict[str, tuple[frozenset[str], str | None]] = {
    Action.STAGE: (frozenset({StepState.WAITING}), None),
    Action.ATTACH: (frozenset(StepState.values), None),
    Action.COMPLETE: (frozenset({StepState.ACTIVE, StepState.RETURNED}), StepState.DONE),
    Action.RETURN: (frozenset({StepState.DONE}), StepState.RETURNED),
}

#: What a step does on its own when its prerequisites change (not an action of a person).
ACTIVATE = (StepState.WAITING, StepState.ACTIVE)  # its last prerequisite is done, or the award
RESET = (StepState.ACTIVE, StepState.WAITING)  # a prerequisite was sent back


def run_allows(action: str, run_state: str) -> bool:
    return run_state in RUN_MOVES[action]


def step_allows(action: str, step_state: str) -> bool:
    return step_state in STEP_MOVES[action][0]
