"""The board as the page draws it: a :class:`~mashang.landstart.selectors.Board` turned into
boxes, arrows, words and forms. Presentation only; every figure comes from the selector."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from mashang.landstart.forms import (
    AwardForm,
    CompleteForm,
    DocumentsForm,
    ReasonForm,
    StepActionForm,
)
from mashang.landstart.models import RunState, StepState
from mashang.landstart.selectors import Board, BoardStep
from mashang.landstart.selectors.board import ATTACH, COMPLETE, RETURN, STAGE
from mashang.landstart.views.common import (
    RUN_BADGE,
    Failure,
    action_label,
    clock,
    minutes,
    run_state_label,
    step_state_label,
)
from mashang.landstart.views.graph import NODE_W, Box, Graph, fit, graph

#: A sign before each state's words, so that the state never rests on colour alone.
STATE_SIGN = {
    StepState.WAITING: "○",
    StepState.ACTIVE: "▶",
    StepState.DONE: "✓",
    StepState.RETURNED: "↩",
}
#: The action buttons' words (a step's action label otherwise).
BUTTONS = {
    COMPLETE: _("Complete this step"),
    STAGE: _("Mark ready"),
    RETURN: _("Send back"),
    ATTACH: _("Upload"),
}
#: Step actions that need more than a click: they open as a small form.
FOLDED = (RETURN, ATTACH)
#: What the run's actions say.
RUN_LABELS = {"award": _("Record the award"), "cancel": _("Cancel the run")}
FORMS = {COMPLETE: CompleteForm, STAGE: StepActionForm, RETURN: ReasonForm, ATTACH: DocumentsForm}
#: A refusal's field that the complete form shows under another of its fields.
COMPLETE_FIELD_OF = {"due_at": "due_on", "working_days": "due_on"}
#: Sign and words of an overdue commitment (never colour alone).
OVERDUE_SIGN = "⚠"


def _hms(value) -> str:
    return timezone.localtime(value).strftime("%H:%M:%S") if value else ""


def _moment(value, now) -> str:
    """A time of the run's day as the clock reads it; another day's with its date (and year)."""
    if not value:
        return ""
    local, today = timezone.localtime(value), timezone.localtime(now).date()
    if local.date() == today:
        return local.strftime("%H:%M:%S")
    return local.strftime("%m-%d %H:%M" if local.year == today.year else "%Y-%m-%d %H:%M")


@dataclass
class StepForm:
    action: str
    label: str
    button: str
    form: Any
    folded: bool
    open: bool
    message: str = ""
    stale: bool = False
    multipart: bool = False  # it sends files
    commitment_fields: list = field(default_factory=list)  # the “under a commitment” part
    commitment_days: int = 0


def _tailor_complete(form, step: BoardStep) -> list:
    """The complete form as this step needs it: no file for a step naming no document, no
    commitment part where the template allows none. Returns the commitment part's fields."""
    if not step.document:
        for name in ("documents", *CompleteForm.COMMITMENT_FIELDS):
            form.fields.pop(name, None)
        return []
    if not step.allows_commitment:
        for name in CompleteForm.COMMITMENT_FIELDS:
            form.fields.pop(name, None)
        return []
    return [form[name] for name in CompleteForm.COMMITMENT_FIELDS]


@dataclass
class Node:
    step: BoardStep
    box: Box
    name_fit: str
    unit_fit: str
    state_text: str
    sign: str
    css: str
    expected: str
    actual: str  # minutes so far or in all; "" before it starts
    waiting: str  # minutes from the award until its prerequisites were done
    ticking: int | None  # seconds it has been in hand, while active or returned (the page ticks it)
    ticking_clock: str
    times: str
    prerequisite_names: list[str]
    forms: list[StepForm]
    commitments: list[dict[str, Any]] = field(default_factory=list)


def _step_form(
    action: str, step: BoardStep, run_id: int, failure: Failure | None, posted
) -> StepForm:
    failed = failure is not None and failure.about(action, step.code)
    prefix = f"{step.code}-{action}"
    if failed and action != ATTACH:
        form = FORMS[action](data=posted, prefix=prefix, auto_id="id_%s", label_suffix="")
        if action == COMPLETE:
            _tailor_complete(form, step)
        form.is_valid()
        for name, msgs in failure.fields.items():
            if action == COMPLETE:
                name = COMPLETE_FIELD_OF.get(name, name)
            for m in msgs:
                if name not in form.fields and m == failure.message:
                    continue  # said above the form already
                form.add_error(name if name in form.fields else None, m)
    else:
        form = FORMS[action](
            initial={"version": step.version}, prefix=prefix, auto_id="id_%s", label_suffix=""
        )
        if failed:
            for name, msgs in failure.fields.items():
                for m in msgs:
                    form.add_error(name if name in form.fields else None, m)
    commitment_fields = _tailor_complete(form, step) if action == COMPLETE else []
    # A step whose document is on file (staged in the pre-review) completes in one click; one
    # still without it opens as a form: the file, or the commitment part.
    with_document = (
        action == COMPLETE and bool(step.document) and not (step.documents or step.commitments)
    ) or (failed and action == COMPLETE and bool(step.document))
    return StepForm(
        action=action,
        label=action_label(action),
        button=str(BUTTONS[action]),
        form=form,
        folded=action in FOLDED or with_document,
        open=failed,
        message=failure.message if failed else "",
        stale=failed and failure.stale,
        multipart=action == ATTACH or with_document,
        commitment_fields=commitment_fields,
        commitment_days=step.commitment_working_days if commitment_fields else 0,
    )


def _node(step: BoardStep, box: Box, board: Board, names: dict[str, str], failure, posted) -> Node:
    late = step.late
    classes = [f"state-{step.state}"]
    if late:
        classes.append("late")
    if step.on_critical_path:
        classes.append("critical")
    ticking = None
    if (
        step.state in (StepState.ACTIVE, StepState.RETURNED)
        and step.started_at
        and board.state == RunState.RUNNING
    ):
        ticking = max(int((board.now - step.started_at).total_seconds()), 0)
    if step.state == StepState.DONE:
        times = f"{_hms(step.started_at)} → {_hms(step.completed_at)}"
    elif step.started_at:
        times = f"{_hms(step.started_at)} →"
    elif step.staged:
        times = gettext("ready") + f" {_moment(step.staged_at, board.now)}"
    else:
        times = ""
    unit_room = 9 if step.on_critical_path else 13
    return Node(
        step=step,
        box=box,
        name_fit=fit(step.name, 10.5),
        unit_fit=fit(step.unit_name, unit_room),
        state_text=step_state_label(step.state, late=late),
        sign=STATE_SIGN.get(step.state, ""),
        css=" ".join(classes),
        expected=minutes(step.expected_minutes),
        actual=minutes(step.minutes) if step.minutes is not None else "",
        waiting=minutes(step.waiting_minutes) if step.waiting_minutes else "",
        ticking=ticking,
        ticking_clock=clock(ticking),
        times=times,
        prerequisite_names=[names.get(p, p) for p in step.prerequisites],
        forms=[_step_form(a, step, board.run.pk, failure, posted) for a in step.actions],
        commitments=[
            {
                "document": c.document,
                "promised_by": c.promised_by,
                "due_at": c.due_at,
                "overdue": c.due_at <= board.now,
                "sign": OVERDUE_SIGN if c.due_at <= board.now else "",
            }
            for c in step.commitments
        ],
    )


def _run_form(action: str, board: Board, failure: Failure | None, posted) -> StepForm:
    cls = AwardForm if action == "award" else ReasonForm
    failed = failure is not None and failure.about(action)
    prefix = f"run-{action}"
    if failed:
        form = cls(data=posted, prefix=prefix, auto_id="id_%s", label_suffix="")
        form.is_valid()
        for name, msgs in failure.fields.items():
            for m in msgs:
                form.add_error(name if name in form.fields else None, m)
    else:
        form = cls(
            initial={"version": board.version}, prefix=prefix, auto_id="id_%s", label_suffix=""
        )
    label = str(RUN_LABELS[action])
    return StepForm(
        action=action,
        label=label,
        button=label,
        form=form,
        folded=True,
        open=failed or (action == "award"),
        message=failure.message if failed else "",
        stale=failed and failure.stale,
    )


def board_context(
    board: Board, *, failure: Failure | None = None, posted=None, notice: str = ""
) -> dict[str, Any]:
    """Everything the board's template needs (the page and its live fragment alike)."""
    names = {s.code: s.name for s in board.steps}
    drawing: Graph = graph(
        {s.code: (s.column, s.row) for s in board.steps}, board.edges, board.critical_edges
    )
    nodes = [_node(s, drawing.boxes[s.code], board, names, failure, posted) for s in board.steps]
    by_code = {n.step.code: n for n in nodes}
    # The list (a phone's view, and the place of the forms): in the graph's order, column by column.
    in_order = sorted(nodes, key=lambda n: (n.step.column, n.step.row))
    run_forms = []
    if board.can_award:
        run_forms.append(_run_form("award", board, failure, posted))
    if board.can_cancel:
        run_forms.append(_run_form("cancel", board, failure, posted))
    # A refused action no longer offered (someone else did it meanwhile) shows above the board.
    offered = {(f.action, n.step.code) for n in nodes for f in n.forms} | {
        (f.action, "") for f in run_forms
    }
    orphan = (
        failure if failure is not None and (failure.action, failure.step) not in offered else None
    )
    done = sum(1 for s in board.steps if s.state == StepState.DONE)
    live = board.state in (RunState.LISTED, RunState.RUNNING)
    events = []
    for e in board.events:
        payload = e.payload or {}
        events.append(
            {
                "at": e.at,
                "who": str(e.actor) if e.actor else gettext("the system"),
                "action": action_label(e.action),
                "step": names.get(payload.get("step", ""), ""),
                "reason": e.reason,
                "files": payload.get("files", []) if e.action == ATTACH else [],
            }
        )
    return {
        "board": board,
        "run": board.run,
        "project": board.run.project,
        "state_label": run_state_label(board.state),
        "state_badge": RUN_BADGE.get(board.state, ""),
        "live": live,
        "ticking": board.state == RunState.RUNNING,
        "clock": clock(board.elapsed_seconds),
        "elapsed_text": minutes(board.elapsed_minutes),
        "expected_text": minutes(board.expected_minutes),
        "projected_text": minutes(board.projected_minutes),
        "critical_names": [names.get(c, c) for c in board.critical_path],
        "planned_names": [names.get(c, c) for c in board.planned_critical_path],
        "late_names": [names.get(c, c) for c in board.late_steps],
        "done": done,
        "total": len(board.steps),
        "graph": drawing,
        "node_w": NODE_W,
        "nodes": nodes,
        "nodes_by_code": by_code,
        "step_list": in_order,
        "run_forms": run_forms,
        "orphan": orphan,
        "notice": notice,
        "shares": [
            {"name": u.unit_name, "minutes": minutes(u.minutes), "percent": round(u.share * 100, 1)}
            for u in board.unit_shares
        ],
        "events": events,
    }
