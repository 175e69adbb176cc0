"""The meeting's state machine as data: which action moves a meeting from which status, by whom.

Services consult :func:`check_move`; pages and the API ask :func:`allowed_actions`.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from mashang.core.errors import PermissionDenied, TransitionNotAllowed
from mashang.meetings.models import Meeting, Status
from mashang.org.models import User


class Action(models.TextChoices):
    PLAN = "plan", _("plan the meeting")
    EDIT = "edit", _("edit the meeting")
    PROPOSE = "propose", _("propose the agenda from the data")
    ACCEPT_ITEM = "accept-item", _("accept an agenda item")
    DROP_ITEM = "drop-item", _("drop an agenda item")
    ADD_ITEM = "add-item", _("add an agenda item")
    FREEZE = "freeze", _("freeze the agenda")
    DECIDE = "decide", _("record a decision")
    HOLD = "hold", _("close the meeting record")
    APPROVE = "approve", _("approve the minutes")
    CANCEL = "cancel", _("cancel the meeting")


class Party(models.TextChoices):
    SECRETARY = "secretary", _("the meeting's secretary")
    CHAIR = "chair", _("the meeting's chair")
    SUPERVISOR = "supervisor", _("the supervision office")
    LEADER = "leader", _("a leader")


@dataclass(frozen=True)
class Move:
    sources: frozenset[str]
    parties: frozenset[str]
    target: str | None = None  # None: the status stays


S = Status
P = Party
_ORGANISERS = frozenset({P.SECRETARY, P.SUPERVISOR})

MOVES: dict[str, Move] = {
    Action.EDIT: Move(frozenset({S.PLANNED, S.AGENDA_FROZEN}), _ORGANISERS | {P.CHAIR}),
    Action.PROPOSE: Move(frozenset({S.PLANNED}), _ORGANISERS),
    Action.ACCEPT_ITEM: Move(frozenset({S.PLANNED}), _ORGANISERS),
    Action.DROP_ITEM: Move(frozenset({S.PLANNED}), _ORGANISERS),
    Action.ADD_ITEM: Move(frozenset({S.PLANNED}), _ORGANISERS),
    # The agenda goes to the participants; from here the items are fixed.
    Action.FREEZE: Move(frozenset({S.PLANNED}), _ORGANISERS | {P.CHAIR}, S.AGENDA_FROZEN),
    # The live minutes: decisions are recorded during the meeting and corrected until approval.
    Action.DECIDE: Move(frozenset({S.AGENDA_FROZEN, S.HELD}), _ORGANISERS | {P.CHAIR}),
    Action.HOLD: Move(frozenset({S.AGENDA_FROZEN}), _ORGANISERS | {P.CHAIR}, S.HELD),
    # Approving the minutes applies what was decided.
    Action.APPROVE: Move(frozenset({S.HELD}), frozenset({P.CHAIR, P.LEADER}), S.MINUTES_APPROVED),
    Action.CANCEL: Move(
        frozenset({S.PLANNED, S.AGENDA_FROZEN}), _ORGANISERS | {P.CHAIR, P.LEADER}, S.CANCELLED
    ),
}

MSG_NOT_YOUR_PART = _("As {party} you may not {action}.")
MSG_NOT_YOURS = _(
    "Only the meeting's secretary or chair, the supervision office or a leader may {action}."
)
MSG_NOT_FROM_STATUS = _(
    "A meeting that is “{status}” does not allow “{action}”; it is allowed from: {allowed}."
)


def parties_of(actor: User, meeting: Meeting) -> frozenset[str]:
    parties: set[str] = set()
    if meeting.secretary_id == actor.pk:
        parties.add(P.SECRETARY)
    if meeting.chair_id == actor.pk:
        parties.add(P.CHAIR)
    if actor.role == User.Role.SUPERVISOR:
        parties.add(P.SUPERVISOR)
    if actor.role == User.Role.LEADER:
        parties.add(P.LEADER)
    return frozenset(parties)


def can_plan(actor: User) -> bool:
    """Who may call a meeting: the supervision office, the service team and the leaders."""
    return actor.is_active and actor.role in (
        User.Role.SUPERVISOR,
        User.Role.OFFICER,
        User.Role.LEADER,
    )


def can_view(actor: User) -> bool:
    """Meetings are the zone's internal work: everyone but enterprise contacts sees them."""
    return actor.is_active and actor.role != User.Role.ENTERPRISE


def allowed_actions(actor: User, meeting: Meeting) -> list[str]:
    parties = parties_of(actor, meeting)
    return [a for a, m in MOVES.items() if meeting.status in m.sources and parties & m.parties]


def check_move(actor: User, meeting: Meeting, action: str) -> Move:
    move = MOVES[action]
    parties = parties_of(actor, meeting)
    label = Action(action).label
    if not parties & move.parties:
        if parties:
            party = Party(sorted(parties)[0]).label
            raise PermissionDenied(str(MSG_NOT_YOUR_PART).format(party=party, action=label))
        raise PermissionDenied(str(MSG_NOT_YOURS).format(action=label))
    if meeting.status not in move.sources:
        allowed = "、".join(str(Status(s).label) for s in Status.values if s in move.sources)
        raise TransitionNotAllowed(
            str(MSG_NOT_FROM_STATUS).format(
                status=Status(meeting.status).label, action=label, allowed=allowed
            )
        )
    return move
