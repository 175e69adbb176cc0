"""The demand state machine as data: which action may move a demand from which status, by whom.

Services consult :func:`check_move`; nothing else decides whether a move is allowed.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from mashang.core.errors import PermissionDenied, TransitionNotAllowed
from mashang.demands.models import OPEN_STATUSES, Status


class Action(models.TextChoices):
    SUBMIT = "submit", _("submit")
    TRIAGE = "triage", _("triage")
    DISPATCH = "dispatch", _("dispatch")
    RESPOND = "respond", _("first contact")
    ASSESS = "assess", _("assess")
    REPLY = "reply", _("reply")
    CONFIRM = "confirm", _("confirm")
    RETURN = "return", _("return")
    EXTEND = "extend", _("request extension")
    APPROVE_EXTENSION = "approve-extension", _("approve extension")
    REFUSE_EXTENSION = "refuse-extension", _("refuse extension")
    WAIT = "wait", _("wait on the enterprise")
    RESUME = "resume", _("resume")
    REOPEN = "reopen", _("reopen")
    ESCALATE = "escalate", _("escalate to difficult case")
    MERGE = "merge", _("merge")
    WITHDRAW = "withdraw", _("withdraw")


class Party(models.TextChoices):
    """How an actor stands to one demand."""

    ENTERPRISE = "enterprise", _("the enterprise")
    SERVICE_TEAM = "service_team", _("the service team")
    LEAD_UNIT = "lead_unit", _("the lead unit")
    CO_UNIT = "co_unit", _("a co-unit")
    SUPERVISOR = "supervisor", _("the supervisor")
    LEADER = "leader", _("a leader")


@dataclass(frozen=True)
class Move:
    sources: frozenset[str]
    parties: frozenset[str]


S = Status
P = Party
_WORKING = frozenset({S.DISPATCHED, S.IN_PROGRESS, S.WAITING})

MOVES: dict[str, Move] = {
    Action.TRIAGE: Move(frozenset({S.SUBMITTED}), frozenset({P.SERVICE_TEAM})),
    Action.DISPATCH: Move(
        frozenset({S.TRIAGED, S.RETURNED, S.DIFFICULT}), frozenset({P.SERVICE_TEAM, P.LEADER})
    ),
    Action.RESPOND: Move(frozenset({S.DISPATCHED}), frozenset({P.LEAD_UNIT})),
    Action.ASSESS: Move(frozenset({S.IN_PROGRESS}), frozenset({P.LEAD_UNIT})),
    Action.REPLY: Move(frozenset({S.IN_PROGRESS}), frozenset({P.LEAD_UNIT})),
    Action.CONFIRM: Move(frozenset({S.REPLIED}), frozenset({P.ENTERPRISE, P.SERVICE_TEAM})),
    Action.RETURN: Move(frozenset({S.DISPATCHED, S.IN_PROGRESS}), frozenset({P.LEAD_UNIT})),
    Action.EXTEND: Move(_WORKING, frozenset({P.LEAD_UNIT})),
    Action.APPROVE_EXTENSION: Move(_WORKING, frozenset({P.SUPERVISOR})),
    Action.REFUSE_EXTENSION: Move(_WORKING, frozenset({P.SUPERVISOR})),
    Action.WAIT: Move(frozenset({S.IN_PROGRESS}), frozenset({P.LEAD_UNIT})),
    Action.RESUME: Move(frozenset({S.WAITING}), frozenset({P.LEAD_UNIT, P.ENTERPRISE})),
    Action.REOPEN: Move(frozenset({S.UNRESOLVED}), frozenset({P.ENTERPRISE, P.SERVICE_TEAM})),
    Action.ESCALATE: Move(
        frozenset({S.UNRESOLVED, S.RETURNED, S.DISPATCHED, S.IN_PROGRESS}),
        frozenset({P.SERVICE_TEAM, P.SUPERVISOR, P.LEADER}),
    ),
    Action.MERGE: Move(
        frozenset(OPEN_STATUSES) - {S.REPLIED}, frozenset({P.SERVICE_TEAM})
    ),
    Action.WITHDRAW: Move(
        frozenset(OPEN_STATUSES) - {S.REPLIED, S.DIFFICULT}, frozenset({P.ENTERPRISE})
    ),
}

MSG_NOT_YOUR_PART = _("As {party} you may not {action} this demand.")
MSG_NOT_FROM_STATUS = _("A demand that is “{status}” does not allow “{action}”; it is allowed from: {allowed}.")


def check_move(*, action: str, status: str, parties: frozenset[str]) -> None:
    """Raise unless one of ``parties`` may do ``action`` to a demand in ``status``."""
    move = MOVES[action]
    if not parties & move.parties:
        party = Party(sorted(parties)[0]).label if parties else _("an outsider")
        raise PermissionDenied(
            str(MSG_NOT_YOUR_PART).format(party=party, action=Action(action).label)
        )
    if status not in move.sources:
        allowed = "、".join(str(Status(s).label) for s in sorted(move.sources))
        raise TransitionNotAllowed(
            str(MSG_NOT_FROM_STATUS).format(
                status=Status(status).label, action=Action(action).label, allowed=allowed
            )
        )


def allowed_actions(*, status: str, parties: frozenset[str]) -> list[str]:
    """The actions these parties may take now, in table order (for pages and the API)."""
    return [a for a, m in MOVES.items() if status in m.sources and parties & m.parties]
