"""The demand state machine as data: which action may move a demand from which status, by whom,
to which status, and on which further condition (a guard).

Services consult :func:`check_move` and :func:`check_guards`; pages and the API ask
:func:`allowed_actions`; nothing else decides whether a move is allowed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from mashang.core.errors import Conflict, PermissionDenied, TransitionNotAllowed
from mashang.demands.models import OPEN_STATUSES, Status


class Action(models.TextChoices):
    SUBMIT = "submit", _("submit")
    TRIAGE = "triage", _("triage")
    DISPATCH = "dispatch", _("dispatch")
    RESPOND = "respond", _("first contact")
    ASSESS = "assess", _("assess")
    OPINION = "opinion", _("give the co-unit's opinion")
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
    ASSIGN_CASE = "assign-case", _("assign the difficult case")
    DECLINE_CASE = "decline-case", _("send the difficult case back")
    SIGN_OFF = "sign-off", _("sign off the reply")
    MERGE = "merge", _("merge")
    WITHDRAW = "withdraw", _("withdraw")


class Party(models.TextChoices):
    """How an actor stands to one demand."""

    ENTERPRISE = "enterprise", _("the enterprise")
    SERVICE_TEAM = "service_team", _("the service team")
    LEAD_UNIT = "lead_unit", _("the lead unit")
    LEAD_UNIT_HEAD = "lead_unit_head", _("the lead unit's head")
    CO_UNIT = "co_unit", _("a co-unit")
    SUPERVISOR = "supervisor", _("the supervisor")
    LEADER = "leader", _("a leader")


MSG_EXTENSION_PENDING = _("An extension request is already waiting for a decision.")
MSG_NO_EXTENSION_PENDING = _("There is no extension request to decide.")
MSG_NOT_A_CASE = _("Only the reply to a difficult case is signed off.")
MSG_SIGNED_OFF = _("The reply is already signed off.")
MSG_SIGN_OFF_FIRST = _("The lead unit's head signs off the reply to a difficult case before it is confirmed.")


@dataclass(frozen=True)
class Guard:
    """A condition on the demand, beyond its status, that a move needs; refused with ``message``
    (409: the demand is not in the state the move needs, though its status is)."""

    name: str
    holds: Callable[[Any], bool]
    message: Any


EXTENSION_PENDING = Guard(
    "extension_pending", lambda demand: bool(demand.extension_requested_days), MSG_NO_EXTENSION_PENDING
)
NO_EXTENSION_PENDING = Guard(
    "no_extension_pending", lambda demand: not demand.extension_requested_days, MSG_EXTENSION_PENDING
)
IS_CASE = Guard("is_case", lambda demand: demand.coordinator_id is not None, MSG_NOT_A_CASE)
NOT_SIGNED_OFF = Guard("not_signed_off", lambda demand: demand.signed_off_at is None, MSG_SIGNED_OFF)
#: A difficult case closes only on the enterprise's feedback AND its lead unit head's sign-off.
SIGNED_OFF_IF_CASE = Guard(
    "signed_off_if_case",
    lambda demand: demand.coordinator_id is None or demand.signed_off_at is not None,
    MSG_SIGN_OFF_FIRST,
)


@dataclass(frozen=True)
class Move:
    sources: frozenset[str]
    parties: frozenset[str]
    #: The statuses the move leads to (confirm: closed, or unresolved); empty: the status stays.
    targets: frozenset[str] = frozenset()
    guards: tuple[Guard, ...] = ()


S = Status
P = Party
_WORKING = frozenset({S.DISPATCHED, S.IN_PROGRESS, S.WAITING})


def _to(*statuses: str) -> frozenset[str]:
    return frozenset(statuses)

MOVES: dict[str, Move] = {
    Action.TRIAGE: Move(frozenset({S.SUBMITTED}), frozenset({P.SERVICE_TEAM}), _to(S.TRIAGED)),
    Action.DISPATCH: Move(frozenset({S.TRIAGED, S.RETURNED}), frozenset({P.SERVICE_TEAM}), _to(S.DISPATCHED)),
    Action.RESPOND: Move(frozenset({S.DISPATCHED}), frozenset({P.LEAD_UNIT}), _to(S.IN_PROGRESS)),
    Action.ASSESS: Move(frozenset({S.IN_PROGRESS}), frozenset({P.LEAD_UNIT})),
    # A co-unit gives its opinion (协办意见) for the lead unit to see before replying; a later
    # one supersedes it, every one stays an event. The status stays.
    Action.OPINION: Move(_WORKING, frozenset({P.CO_UNIT})),
    Action.REPLY: Move(frozenset({S.IN_PROGRESS}), frozenset({P.LEAD_UNIT}), _to(S.REPLIED)),
    Action.CONFIRM: Move(
        frozenset({S.REPLIED}),
        frozenset({P.ENTERPRISE, P.SERVICE_TEAM}),
        _to(S.CLOSED, S.UNRESOLVED),
        guards=(SIGNED_OFF_IF_CASE,),
    ),
    Action.SIGN_OFF: Move(frozenset({S.REPLIED}), frozenset({P.LEAD_UNIT_HEAD}), guards=(IS_CASE, NOT_SIGNED_OFF)),
    Action.RETURN: Move(
        frozenset({S.DISPATCHED, S.IN_PROGRESS}), frozenset({P.LEAD_UNIT}), _to(S.RETURNED)
    ),
    Action.EXTEND: Move(_WORKING, frozenset({P.LEAD_UNIT}), guards=(NO_EXTENSION_PENDING,)),
    Action.APPROVE_EXTENSION: Move(_WORKING, frozenset({P.SUPERVISOR}), guards=(EXTENSION_PENDING,)),
    Action.REFUSE_EXTENSION: Move(_WORKING, frozenset({P.SUPERVISOR}), guards=(EXTENSION_PENDING,)),
    Action.WAIT: Move(frozenset({S.IN_PROGRESS}), frozenset({P.LEAD_UNIT}), _to(S.WAITING)),
    # Back to the status it waited from, which is always "in progress" (waiting starts there).
    Action.RESUME: Move(
        frozenset({S.WAITING}), frozenset({P.LEAD_UNIT, P.ENTERPRISE}), _to(S.IN_PROGRESS)
    ),
    Action.REOPEN: Move(
        frozenset({S.UNRESOLVED}), frozenset({P.ENTERPRISE, P.SERVICE_TEAM}), _to(S.DISPATCHED)
    ),
    Action.ESCALATE: Move(
        frozenset({S.UNRESOLVED, S.RETURNED, S.DISPATCHED, S.IN_PROGRESS}),
        frozenset({P.SERVICE_TEAM, P.SUPERVISOR, P.LEADER}),
        _to(S.DIFFICULT),
    ),
    # The leader takes the case on: a coordinator, a lead unit and co-units, a deadline …
    Action.ASSIGN_CASE: Move(frozenset({S.DIFFICULT}), frozenset({P.LEADER}), _to(S.DISPATCHED)),
    # … or sends it back to the service team, with a reason, to dispatch as a demand.
    Action.DECLINE_CASE: Move(frozenset({S.DIFFICULT}), frozenset({P.LEADER}), _to(S.TRIAGED)),
    Action.MERGE: Move(
        frozenset(OPEN_STATUSES) - {S.REPLIED}, frozenset({P.SERVICE_TEAM}), _to(S.MERGED)
    ),
    Action.WITHDRAW: Move(
        frozenset(OPEN_STATUSES) - {S.REPLIED, S.DIFFICULT}, frozenset({P.ENTERPRISE}), _to(S.WITHDRAWN)
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


def check_guards(*, action: str, demand) -> None:
    """Raise :class:`Conflict` unless every guard of ``action`` holds for ``demand``."""
    for guard in MOVES[action].guards:
        if not guard.holds(demand):
            raise Conflict(guard.message)


def move_target(action: str, from_status: str) -> str:
    """Where ``action`` leads when the table gives one status (or none: the status stays); a
    move the table gives a choice of (confirm) must say which."""
    targets = MOVES[action].targets
    if len(targets) > 1:
        raise RuntimeError(f"{action} leads to one of {sorted(targets)}: the service must say which")
    return next(iter(targets), from_status)


def check_target(*, action: str, from_status: str, to_status: str) -> None:
    """A service may only lead where the table says; anything else is a defect, not bad input."""
    allowed = MOVES[action].targets or frozenset({from_status})
    if to_status not in allowed:
        raise RuntimeError(f"{action} led from {from_status} to {to_status}, not to one of {sorted(allowed)}")


def allowed_actions(*, status: str, parties: frozenset[str], demand=None) -> list[str]:
    """The actions these parties may take now, in table order (for pages and the API); with the
    demand, only those whose guards hold too."""
    return [
        a
        for a, m in MOVES.items()
        if status in m.sources
        and parties & m.parties
        and (demand is None or all(g.holds(demand) for g in m.guards))
    ]
