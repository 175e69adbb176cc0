"""The project pipeline as data: which action moves a project from which stage to which.

One action per step of the pipeline, plus pause, resume and drop. Services consult
:func:`check_move`; nothing else decides whether a move is allowed. Skipping stages is
not an action: only :func:`mashang.projects.services.project_land_event` (the land-start
bundle reporting the award or the start) moves a project more than one step.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from mashang.core.errors import TransitionNotAllowed
from mashang.projects.models import PIPELINE, ProjectType, Stage


class Action(models.TextChoices):
    NEGOTIATE = "negotiate", _("start negotiating")
    SIGN = "sign", _("sign the contract")
    REVIEW_LAND = "review-land", _("submit to land-supply review")
    LIST_LAND = "list-land", _("list the land")
    AWARD = "award", _("record the land award")
    START = "start", _("record the construction start")
    PRODUCE = "produce", _("record the start of production")
    PAUSE = "pause", _("pause")
    RESUME = "resume", _("resume")
    DROP = "drop", _("drop")


#: Actions that do not take a move of the table (recorded as events all the same).
class Record(models.TextChoices):
    CREATE = "create", _("create")
    IMPORT = "import", _("import from a ledger")
    UPDATE = "update", _("edit")
    PLAN = "plan", _("plan milestones")
    FUNDS = "funds", _("record funds in place")
    BLOCKER = "blocker", _("raise a blocker")
    LAND_AWARD = "land_award", _("land awarded (land start)")
    LAND_START = "land_start_complete", _("construction permit issued (land start)")
    REVIEW_ESCALATE = "review-escalate", _("land-supply review escalated to difficult-case handling")


S = Stage
T = ProjectType

#: Types that need new land: only they go through land review, listing and award. Lease and
#: expansion projects go from signed straight to started.
NEEDS_LAND = frozenset({T.NEW_LAND})
LAND_STAGES = frozenset({S.LAND_REVIEW, S.LISTED, S.AWARDED})

#: Every stage but producing (a project in production is not dropped) and dropped itself.
_DROPPABLE = frozenset(Stage) - {S.PRODUCING, S.DROPPED}


@dataclass(frozen=True)
class Move:
    sources: frozenset[str]
    #: The stage the move leads to; None for resume (back to the stage before the pause).
    target: str | None
    #: Types the move is for (None: every type).
    types: frozenset[str] | None = None
    reason_required: bool = False


MOVES: dict[str, tuple[Move, ...]] = {
    Action.NEGOTIATE: (Move(frozenset({S.LEAD}), S.NEGOTIATING),),
    Action.SIGN: (Move(frozenset({S.NEGOTIATING}), S.SIGNED),),
    Action.REVIEW_LAND: (Move(frozenset({S.SIGNED}), S.LAND_REVIEW, NEEDS_LAND),),
    Action.LIST_LAND: (Move(frozenset({S.LAND_REVIEW}), S.LISTED, NEEDS_LAND),),
    Action.AWARD: (Move(frozenset({S.LISTED}), S.AWARDED, NEEDS_LAND),),
    Action.START: (
        Move(frozenset({S.AWARDED}), S.STARTED, NEEDS_LAND),
        Move(frozenset({S.SIGNED}), S.STARTED, frozenset(ProjectType) - NEEDS_LAND),
    ),
    Action.PRODUCE: (Move(frozenset({S.STARTED}), S.PRODUCING),),
    Action.PAUSE: (Move(frozenset(PIPELINE), S.PAUSED, reason_required=True),),
    Action.RESUME: (Move(frozenset({S.PAUSED}), None),),
    Action.DROP: (Move(_DROPPABLE, S.DROPPED, reason_required=True),),
}

MSG_NOT_FROM_STAGE = _("A project that is “{stage}” does not allow “{action}”; it is allowed from: {allowed}.")
MSG_NOT_FOR_TYPE = _("A “{type}” project needs no new land and does not allow “{action}”.")


def _moves_for(action: str, project_type: str) -> tuple[Move, ...]:
    return tuple(m for m in MOVES[action] if m.types is None or project_type in m.types)


def target_of(*, action: str, stage: str, project_type: str, stage_before_pause: str = "") -> str:
    """The stage ``action`` leads to from ``stage``; raise TransitionNotAllowed if it is not allowed."""
    moves = _moves_for(action, project_type)
    if not moves:
        raise TransitionNotAllowed(
            str(MSG_NOT_FOR_TYPE).format(type=ProjectType(project_type).label, action=Action(action).label)
        )
    for move in moves:
        if stage in move.sources:
            return move.target or stage_before_pause or S.LEAD
    sources = sorted({s for m in moves for s in m.sources}, key=stage_order)
    allowed = "、".join(str(Stage(s).label) for s in sources)
    raise TransitionNotAllowed(
        str(MSG_NOT_FROM_STAGE).format(stage=Stage(stage).label, action=Action(action).label, allowed=allowed)
    )


def reason_required(action: str) -> bool:
    return any(m.reason_required for m in MOVES[action])


def allowed_actions(*, stage: str, project_type: str) -> list[str]:
    """The actions allowed on a project in ``stage`` now, in table order (for pages and the API)."""
    return [a for a in MOVES if any(stage in m.sources for m in _moves_for(a, project_type))]


def stage_order(stage: str) -> int:
    """Position in the pipeline; paused and dropped come after it."""
    return PIPELINE.index(stage) if stage in PIPELINE else len(PIPELINE) + (stage == S.DROPPED)


def is_before(stage: str, other: str) -> bool:
    """Whether pipeline stage ``stage`` comes before pipeline stage ``other``."""
    return stage in PIPELINE and other in PIPELINE and PIPELINE.index(stage) < PIPELINE.index(other)


def effective_stage(stage: str, stage_before_pause: str) -> str:
    """The pipeline stage a project stands at: a paused project stands where it paused."""
    return (stage_before_pause or S.LEAD) if stage == S.PAUSED else stage


def stages_for(project_type: str) -> tuple[str, ...]:
    """The pipeline stages a project of this type goes through."""
    if project_type in NEEDS_LAND:
        return PIPELINE
    return tuple(s for s in PIPELINE if s not in LAND_STAGES)
