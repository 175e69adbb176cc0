"""What each party reads of a demand: its events, their text, and the demand's internal fields.

One rule, as data (:data:`RULES`), for the demand's page, the API, the selector and any export
or print: who sees each event recorded on a demand, and whether with its text (the reason and
the text fields of its payload) or only that it happened. The demand's fields that hold the
text of an event (the assessment, the extension reason) follow the event's rule
(:data:`FIELDS`), and the action forms say which of their text fields the enterprise will read
(:func:`form_audience_mark`). ``docs/domain.md`` ("What each party reads") shows the table;
``docs/decisions/0018-what-each-party-reads-of-a-demand.md`` says why.

Pure: no query. The selector (``demand_detail_of``) applies it once, so every surface that
reads a demand through the selector reads the same events.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from mashang.demands.permissions import parties_of
from mashang.demands.transitions import Action, Party
from mashang.org.models import User

# Actions recorded on a demand besides the moves of ``transitions.Action``.
ATTACH = "attach"  # files added (demands.services.attachments)
OPEN = "open"  # an action item opened by a review meeting (demands.services.action_items)
NOTICE = "notice"  # a supervision notice (mashang.supervision; its payload names the unit)
OPINION = "opinion"  # a co-unit's opinion to the lead unit


class Standing(models.TextChoices):
    """How a reader stands to one demand: the parties of ``transitions.Party`` and two more."""

    ENTERPRISE = Party.ENTERPRISE.value, Party.ENTERPRISE.label
    INTAKE_UNIT = "intake_unit", _("the unit that received the walk-in")
    SERVICE_TEAM = Party.SERVICE_TEAM.value, Party.SERVICE_TEAM.label
    LEAD_UNIT = Party.LEAD_UNIT.value, Party.LEAD_UNIT.label
    LEAD_UNIT_HEAD = Party.LEAD_UNIT_HEAD.value, Party.LEAD_UNIT_HEAD.label
    CO_UNIT = Party.CO_UNIT.value, Party.CO_UNIT.label
    FORMER_UNIT = "former_unit", _("a former unit")
    SUPERVISOR = Party.SUPERVISOR.value, Party.SUPERVISOR.label
    LEADER = Party.LEADER.value, Party.LEADER.label


class Sight(models.TextChoices):
    """What a party reads of one event."""

    NONE = "none", _("not shown")
    FACT = "fact", _("that it happened")
    FULL = "full", _("with its text")
    #: A supervision notice: with its text to the unit it is addressed to (for a triage notice,
    #: the service team), not shown to anyone else.
    ADDRESSEE = "addressee", _("to the unit it is addressed to")


S = Standing
N, F, T, A = Sight.NONE, Sight.FACT, Sight.FULL, Sight.ADDRESSEE

#: The columns of :data:`RULES`, in order.
COLUMNS: tuple[str, ...] = (
    S.ENTERPRISE,
    S.INTAKE_UNIT,
    S.SERVICE_TEAM,
    S.LEAD_UNIT,
    S.LEAD_UNIT_HEAD,
    S.CO_UNIT,
    S.FORMER_UNIT,
    S.SUPERVISOR,
    S.LEADER,
)

#: Who reads what of each event a demand records. The enterprise (and the unit that received it
#: from a walk-in enterprise, which reads what the enterprise reads) sees every move but reads
#: only the text written for it: its own, the unit's question, the reply. What the zone writes
#: to itself — a dispatch note, the assessment, a return or extension reason, a supervisor's
#: decision, a leader's instructions — it sees happen, without the text. Supervision notices
#: and co-units' opinions it does not see at all. A former unit reads the public text and the
#: facts of the rest; notices go to the unit addressed. Whoever wrote a text reads it
#: (:func:`sight_for`).
#:
#: action:                     ENT IN  ST  LU  LH  CO  FMR SUP LDR
RULES: dict[str, tuple[Sight, ...]] = {
    Action.SUBMIT:             (T,  T,  T,  T,  T,  T,  T,  T,  T),
    OPEN:                      (T,  T,  T,  T,  T,  T,  T,  T,  T),
    ATTACH:                    (T,  T,  T,  T,  T,  T,  T,  T,  T),
    Action.TRIAGE:             (F,  F,  T,  T,  T,  T,  F,  T,  T),
    Action.DISPATCH:           (F,  F,  T,  T,  T,  T,  F,  T,  T),
    Action.RESPOND:            (F,  F,  T,  T,  T,  T,  F,  T,  T),
    Action.ASSESS:             (F,  F,  T,  T,  T,  T,  F,  T,  T),
    Action.REPLY:              (T,  T,  T,  T,  T,  T,  T,  T,  T),
    Action.CONFIRM:            (T,  T,  T,  T,  T,  T,  T,  T,  T),
    Action.RETURN:             (F,  F,  T,  T,  T,  T,  T,  T,  T),
    Action.EXTEND:             (F,  F,  T,  T,  T,  T,  F,  T,  T),
    Action.APPROVE_EXTENSION:  (F,  F,  T,  T,  T,  T,  F,  T,  T),
    Action.REFUSE_EXTENSION:   (F,  F,  T,  T,  T,  T,  F,  T,  T),
    Action.WAIT:               (T,  T,  T,  T,  T,  T,  T,  T,  T),
    Action.RESUME:             (T,  T,  T,  T,  T,  T,  T,  T,  T),
    Action.REOPEN:             (F,  F,  T,  T,  T,  T,  F,  T,  T),
    Action.ESCALATE:           (F,  F,  T,  T,  T,  T,  F,  T,  T),
    Action.ASSIGN_CASE:        (F,  F,  T,  T,  T,  T,  F,  T,  T),
    Action.DECLINE_CASE:       (F,  F,  T,  T,  T,  T,  F,  T,  T),
    Action.SIGN_OFF:           (F,  F,  T,  T,  T,  T,  F,  T,  T),
    Action.MERGE:              (F,  F,  T,  T,  T,  T,  F,  T,  T),
    Action.WITHDRAW:           (T,  T,  T,  T,  T,  T,  T,  T,  T),
    NOTICE:                    (N,  N,  A,  A,  A,  A,  A,  T,  T),
    OPINION:                   (N,  N,  T,  T,  T,  T,  F,  T,  T),
}  # fmt: skip

#: An action no row names (one another app starts recording): its text is internal.
DEFAULT_RULE: tuple[Sight, ...] = (F, F, T, T, T, T, F, T, T)

#: The keys of an event's payload that hold text someone wrote (withheld with the reason).
TEXT_KEYS = frozenset(
    {"assessment", "reply", "question", "answer", "note", "comment", "opinion", "text", "files", "attachments"}
)

#: The steps a file filed on its own belongs to (with the demand, or added later): everyone who
#: sees the demand sees these files. A file filed with a move (a written reply with the reply,
#: a permit with the assessment, a co-unit's opinion) is read by whoever reads that move's text.
PLAIN_FILE_STEPS = frozenset({"", Action.SUBMIT, ATTACH})

#: The demand's fields that hold the text of an event: a party reads the field when it reads
#: that event's text.
FIELDS: dict[str, str] = {
    "assessment": Action.ASSESS,
    "extension_reason": Action.EXTEND,
    "reply": Action.REPLY,
}

#: For a form that records another action's event (the service team's triage-and-dispatch).
FORM_ACTIONS = {"triage-dispatch": Action.DISPATCH}

_RANK = {Sight.NONE: 0, Sight.FACT: 1, Sight.FULL: 2}
_UNIT_STANDINGS = frozenset(
    {S.INTAKE_UNIT, S.LEAD_UNIT, S.LEAD_UNIT_HEAD, S.CO_UNIT, S.FORMER_UNIT}
)

MSG_INTERNAL = _("Internal: the enterprise does not see it")
MSG_PUBLIC = _("The enterprise sees it")


def rule_of(action: str) -> dict[str, Sight]:
    """The row of ``action``: each standing's sight."""
    return dict(zip(COLUMNS, RULES.get(action, DEFAULT_RULE), strict=True))


def standings_of(actor, demand, assignments: Iterable[Any]) -> frozenset[str]:
    """Every standing ``actor`` has towards ``demand`` (its ``transitions.Party`` parts, a unit
    that was assigned and no longer is, the unit that received it). An administrator reads as a
    supervisor; someone with no standing reads what the enterprise reads."""
    assignments = list(assignments)
    standings: set[str] = set(parties_of(actor, demand, assignments))
    if actor.role == User.Role.ADMIN:
        standings.add(S.SUPERVISOR)
    if actor.is_unit_member and actor.unit_id:
        own = [a for a in assignments if a.unit_id == actor.unit_id]
        if own and not any(a.is_current for a in own):
            standings.add(S.FORMER_UNIT)
        if getattr(demand, "intake_unit_id", None) == actor.unit_id:
            standings.add(S.INTAKE_UNIT)
    return frozenset(standings) or frozenset({S.ENTERPRISE})


def _wrote(actor, event) -> bool:
    """Whether ``actor``, or their unit or enterprise, wrote ``event``."""
    writer = event.actor
    if writer is None:
        return False
    if writer.pk == actor.pk:
        return True
    if actor.is_unit_member and writer.is_unit_member and actor.unit_id:
        return writer.unit_id == actor.unit_id
    if actor.enterprise_id and writer.enterprise_id:
        return writer.enterprise_id == actor.enterprise_id and writer.role == actor.role
    return False


def _resolve(sight: Sight, standing: str, actor, payload: dict) -> Sight:
    if sight != Sight.ADDRESSEE:
        return sight
    unit = payload.get("unit")
    if unit and unit == actor.unit_id and standing in (_UNIT_STANDINGS | {S.SERVICE_TEAM}):
        return Sight.FULL
    if standing == S.SERVICE_TEAM and payload.get("kind") == "triage":
        return Sight.FULL
    return Sight.NONE


def _step_of(event) -> str:
    """The move whose rule an event follows: an ``attach`` event filed with a move follows it."""
    if event.action == ATTACH:
        step = (event.payload or {}).get("step", "")
        if step not in PLAIN_FILE_STEPS:
            return step
    return event.action


def sight_for(event, *, actor, standings: frozenset[str]) -> Sight:
    """What ``actor``, standing so, reads of ``event``: the most any standing gives; whoever
    wrote a text reads it."""
    row = rule_of(_step_of(event))
    payload = event.payload or {}
    best = Sight.NONE
    for standing in standings:
        sight = _resolve(row[standing], standing, actor, payload)
        if _RANK[sight] > _RANK[best]:
            best = sight
    if best != Sight.FULL and _wrote(actor, event):
        return Sight.FULL
    return best


def event_withheld(event):
    """A copy of ``event`` without its text: no reason, no text in the payload."""
    payload = event.payload or {}
    shown = copy.copy(event)
    shown.reason = ""
    shown.payload = {k: v for k, v in payload.items() if k not in TEXT_KEYS}
    #: Whether a text was taken out (an event without one has nothing to withhold).
    shown.withheld = bool(event.reason) or any(payload.get(k) for k in TEXT_KEYS)
    return shown


def events_disclosed(events: Iterable[Any], *, actor, standings: frozenset[str]) -> list[Any]:
    """The events ``actor`` sees, in order, those whose text they may not read without it."""
    shown = []
    for event in events:
        sight = sight_for(event, actor=actor, standings=standings)
        if sight == Sight.FULL:
            shown.append(event)
        elif sight == Sight.FACT:
            shown.append(event_withheld(event))
    return shown


def text_readable(action: str, standings: frozenset[str]) -> bool:
    """Whether a party standing so reads the text of ``action`` (not counting their own)."""
    row = rule_of(action)
    return any(row[s] == Sight.FULL for s in standings)


def file_readable(attachment, *, actor, standings: frozenset[str]) -> bool:
    """Whether ``actor``, standing so, may see and download ``attachment``: a file filed on its
    own, always; one filed with a move, when they read that move's text or filed it themselves
    (they, their unit or their enterprise)."""
    if attachment.step in PLAIN_FILE_STEPS or text_readable(attachment.step, standings):
        return True
    uploader = attachment.uploaded_by
    if uploader.pk == actor.pk:
        return True
    if actor.is_unit_member and actor.unit_id and attachment.unit_id == actor.unit_id:
        return True
    return bool(actor.enterprise_id) and uploader.enterprise_id == actor.enterprise_id


def fields_hidden(standings: frozenset[str]) -> frozenset[str]:
    """The demand's fields (of :data:`FIELDS`) a party standing so does not read."""
    return frozenset(f for f, action in FIELDS.items() if not text_readable(action, standings))


def text_is_public(action: str) -> bool:
    """Whether the enterprise reads the text an action's form asks for."""
    return text_readable(FORM_ACTIONS.get(action, action), frozenset({S.ENTERPRISE}))


def form_audience_mark(form, action: str) -> None:
    """Mark each text field of ``action``'s form with who will read it: ``field.audience`` is
    ``{"public": bool, "label": …}``, which ``web/_field.html`` shows beside the label."""
    public = text_is_public(action)
    for field in form.fields.values():
        if isinstance(field.widget, forms.Textarea):
            field.audience = {"public": public, "label": MSG_PUBLIC if public else MSG_INTERNAL}
