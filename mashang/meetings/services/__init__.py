"""Every write to a review meeting: one function per move of ``transitions.MOVES`` (and planning).

Each goes through :func:`_transition`, which locks the meeting, checks its version (409 on a
stale one), the actor's part and the move, applies the change, bumps the version and records
the one event, in one transaction. Approving the minutes applies what the meeting decided in
that same transaction: the rule changes (an event on each category), the action items (opened
as tracked demands) and the project moves — all of them or none.
"""

from __future__ import annotations

from collections.abc import Callable

from mashang.meetings.models import Meeting
from mashang.meetings.services.common import (  # noqa: F401 (the names callers use)
    CATEGORY_SUBJECT,
    CHAIRS,
    MSG_ALREADY_ON_AGENDA,
    MSG_APPLY_FAILED,
    MSG_BAD_DAYS,
    MSG_BAD_KIND,
    MSG_BAD_LIMIT,
    MSG_BAD_OUTCOME,
    MSG_BAD_PERIOD,
    MSG_BAD_PERSON,
    MSG_BAD_RULE,
    MSG_BAD_TIME,
    MSG_ITEM_ALREADY,
    MSG_ITEM_NOT_ACCEPTED,
    MSG_LEAD_AMONG_CO,
    MSG_MAY_NOT_PLAN,
    MSG_NO_SUCH_ITEM,
    MSG_NOT_FOUND,
    MSG_NOTHING_ACCEPTED,
    MSG_PROJECT_NOT_AT_REVIEW,
    MSG_REQUIRED,
    MSG_STALE,
    MSG_TOO_LONG,
    MSG_UNDECIDED,
    MSG_UNKNOWN_CATEGORY,
    MSG_UNKNOWN_DEMAND,
    MSG_UNKNOWN_PROJECT,
    MSG_UNKNOWN_UNIT,
    RULE_CHANGE,
    SECRETARIES,
    SUBJECT,
)
from mashang.meetings.services.decisions import item_decide, meeting_approve, meeting_hold
from mashang.meetings.services.planning import (  # noqa: F401 (meeting_plan: not a move)
    agenda_item_accept,
    agenda_item_add,
    agenda_item_drop,
    meeting_cancel,
    meeting_edit,
    meeting_freeze,
    meeting_plan,
    meeting_propose,
)
from mashang.meetings.transitions import Action

ACTIONS: dict[str, Callable[..., Meeting]] = {
    Action.EDIT: meeting_edit,
    Action.PROPOSE: meeting_propose,
    Action.ACCEPT_ITEM: agenda_item_accept,
    Action.DROP_ITEM: agenda_item_drop,
    Action.ADD_ITEM: agenda_item_add,
    Action.FREEZE: meeting_freeze,
    Action.DECIDE: item_decide,
    Action.HOLD: meeting_hold,
    Action.APPROVE: meeting_approve,
    Action.CANCEL: meeting_cancel,
}
