"""What a demand's transitions tell whom: one function, called inside every transition's transaction.

| action | kind | to |
| --- | --- | --- |
| submit | ``demand.submitted`` | the service team (officers, the team's chat robot) |
| dispatch | ``demand.dispatched`` | staff and heads of the lead and co-units, their chat robots |
| reopen | ``demand.reopened`` | the same, for the second round |
| wait | ``demand.question`` | the enterprise's contacts |
| reply | ``demand.replied`` | the enterprise's contacts: the reply and a request to confirm and rate |
| return | ``demand.returned`` | the service team, to dispatch it again |
| extend | ``demand.extension_requested`` | the supervisors, who decide |
| approve-extension / refuse-extension | ``demand.extension_approved`` / ``…_refused`` | the lead unit's staff and robot |
| opinion | ``demand.co_opinion`` | the lead unit's staff: a co-unit's opinion, before it replies |
| escalate | ``demand.escalated`` | supervisors and leaders (difficult case), the units' staff and robots |
| confirm, not resolved or unsatisfied | ``demand.unresolved`` | the service team (reopen or escalate) and the lead unit |
| confirm, resolved | ``demand.closed`` | the lead unit's staff: the rating |

What the enterprise hears (its contacts, ``Audience.contacts``), beside the messages above:
every step that concerns it, in plain words, never the zone's internal text (the dispatch
note, the unit's assessment or return reason, the supervisor's note, supervision notices).
An action item of a review meeting is the zone's own work: it tells no enterprise, even one it
concerns.

| action | kind | the enterprise hears |
| --- | --- | --- |
| triage | ``demand.update.accepted`` | accepted and classified, to be dispatched |
| dispatch, assign-case | ``demand.update.dispatched`` | which lead unit (and co-units), first contact and resolution due; "dispatched again" after a return |
| return | ``demand.update.returned`` | passed on: the team dispatches it again, by when |
| approve-extension | ``demand.update.extended`` | the new resolution date (a refused extension changes nothing it sees) |
| reopen | ``demand.update.reopened`` | the new round, its lead unit and resolution date |
| escalate | ``demand.update.escalated`` | taken up as a difficult case |
| wait, reply / sign-off | ``demand.question``, ``demand.replied`` | (the table above) |

Every message about a demand carries the topic ``demand:<id>`` (:func:`demand_topic`): the
inbox groups a person's messages by it, and opening the demand marks them read.

The person who acted is not told of their own act. Texts are rendered in the zone's language
(``LANGUAGE_CODE``), not the actor's; user text goes in as plain text.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from mashang.demands.models import Assignment, Kind
from mashang.notify.recipients import Audience
from mashang.notify.services import OutboxMessage, notifications_enqueue
from mashang.org.models import Unit, User

R = User.Role
EXCERPT = 300


def _when(value: datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else "—"


def _excerpt(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= EXCERPT else text[: EXCERPT - 1] + "…"


def current_units(assignments: list[Assignment]) -> tuple[Unit | None, list[Unit]]:
    """The current lead unit and co-units among ``assignments`` (loaded with their units, by id)."""
    current = [a for a in assignments if a.is_current]
    lead = next((a.unit for a in current if a.role == Assignment.Role.LEAD), None)
    co = [a.unit for a in current if a.role == Assignment.Role.CO]
    return lead, co


def _current_units(demand) -> tuple[Unit | None, list[Unit]]:
    return current_units(
        list(Assignment.objects.filter(demand=demand, is_current=True).select_related("unit").order_by("id"))
    )


def _enterprise(demand) -> list[str]:
    """The "Enterprise: …" line, or nothing for an action item that concerns none."""
    if demand.enterprise_id is None:
        return [_("Action item of a review meeting")]
    return [_("Enterprise: {name}").format(name=demand.enterprise.name)]


def _compose(
    demand, action: str, reason: str, units: tuple[Unit, list[Unit]] | None = None, actor: User | None = None
):
    """(kind, subject, body, audience) for ``action``, or None when nobody is told."""
    number, title = demand.number, demand.title
    if action == "opinion":
        lead, co = units if units is not None else _current_units(demand)
        if lead is None:
            return None
        unit = next((u.name for u in co if actor is not None and u.pk == actor.unit_id), "—")
        subject = _("Co-unit's opinion on {number} {title}").format(number=number, title=title)
        body = "\n".join([_("{unit} gives its opinion:").format(unit=unit), reason])
        return "demand.co_opinion", subject, body, Audience.of_units([lead.pk], robots=False)
    if action == "submit":
        subject = _("New demand {number}: {title}").format(number=number, title=title)
        body = "\n".join(
            [
                *_enterprise(demand),
                _("Triage due: {when}").format(when=_when(demand.triage_due_at)),
                _excerpt(demand.description),
            ]
        )
        return "demand.submitted", subject, body, Audience.service_team()
    if action in ("dispatch", "reopen", "assign-case"):
        lead, co = units if units is not None else _current_units(demand)
        units = [u for u in [lead, *co] if u is not None]
        if not units:
            return None
        audience = Audience.of_units(u.pk for u in units)
        if action == "dispatch":
            kind = "demand.dispatched"
            subject = _("Demand dispatched: {number} {title}").format(number=number, title=title)
        elif action == "assign-case":
            kind = "demand.case_assigned"
            subject = _("Difficult case assigned: {number} {title}").format(number=number, title=title)
            audience = audience | Audience(users=[demand.coordinator_id])
        else:
            kind = "demand.reopened"
            subject = _("Demand reopened for round {round}: {number} {title}").format(
                round=demand.round, number=number, title=title
            )
        lines = [
            *_enterprise(demand),
            _("Lead unit: {unit}").format(unit=lead.name if lead else "—"),
        ]
        if co:
            lines.append(_("Co-units: {units}").format(units="、".join(u.name for u in co)))
        if action == "assign-case" and demand.coordinator is not None:
            lines.append(_("Coordinator: {name}").format(name=str(demand.coordinator)))
        lines += [
            _("First contact due: {when}").format(when=_when(demand.first_response_due_at)),
            _("Resolution due: {when}").format(when=_when(demand.resolution_due_at)),
        ]
        if reason:
            lines.append(_("Note: {text}").format(text=_excerpt(reason)))
        lines.append(_excerpt(demand.description))
        return kind, subject, "\n".join(lines), audience
    if action == "decline-case":
        subject = _("Difficult case sent back: {number} {title}").format(number=number, title=title)
        body = "\n".join(
            [
                _("Reason: {text}").format(text=reason),
                _("Triage due: {when}").format(when=_when(demand.triage_due_at)),
                _("Please dispatch it again."),
            ]
        )
        return "demand.case_declined", subject, body, Audience.service_team()
    if action == "wait":
        subject = _("A question about your demand {number}").format(number=number)
        body = "\n".join(
            [
                _("{unit} asks:").format(unit=demand.lead_unit.name if demand.lead_unit else _("The handling unit")),
                reason,
                _("Please answer on the demand's page; its deadlines wait for your answer."),
            ]
        )
        return "demand.question", subject, body, Audience.contacts(demand.enterprise_id)
    if action == "reply" and demand.coordinator_id is not None:
        # A difficult case: its lead unit's head signs the reply off before the enterprise is asked.
        subject = _("Reply to the difficult case {number} awaits sign-off").format(number=number)
        body = "\n".join(
            [_("Reply from {unit}:").format(unit=demand.lead_unit.name if demand.lead_unit else "—"), demand.reply]
        )
        ids = [demand.lead_unit_id] if demand.lead_unit_id else []
        return "demand.sign_off_requested", subject, body, Audience.of_units(ids, robots=False) | Audience(
            users=[demand.coordinator_id]
        )
    if action in ("reply", "sign-off"):
        subject = _("Your demand {number} has a reply: please confirm and rate it").format(number=number)
        body = "\n".join(
            [
                _("Reply from {unit}:").format(unit=demand.lead_unit.name if demand.lead_unit else "—"),
                demand.reply,
                _(
                    "Please say whether it was resolved and rate the service: satisfied, basically "
                    "satisfied or unsatisfied."
                ),
            ]
        )
        return "demand.replied", subject, body, Audience.contacts(demand.enterprise_id)
    if action == "return":
        unit = demand.lead_unit.name if demand.lead_unit else "—"
        subject = _("Demand returned by {unit}: {number} {title}").format(unit=unit, number=number, title=title)
        body = "\n".join(
            [
                _("Reason: {text}").format(text=reason),
                _("Triage due: {when}").format(when=_when(demand.triage_due_at)),
                _("Please dispatch it again."),
            ]
        )
        return "demand.returned", subject, body, Audience.service_team()
    if action == "extend":
        subject = _("Extension requested for {number}: {days} working days").format(
            number=number, days=demand.extension_requested_days
        )
        body = "\n".join(
            [
                _("Requested by {unit}.").format(unit=demand.lead_unit.name if demand.lead_unit else "—"),
                _("Reason: {text}").format(text=reason),
                _("Resolution due: {when}").format(when=_when(demand.resolution_due_at)),
            ]
        )
        return "demand.extension_requested", subject, body, Audience.of_roles(R.SUPERVISOR)
    if action in ("approve-extension", "refuse-extension"):
        lead, _co = units if units is not None else _current_units(demand)
        if lead is None:
            return None
        if action == "approve-extension":
            kind = "demand.extension_approved"
            subject = _("Extension approved for {number} {title}").format(number=number, title=title)
        else:
            kind = "demand.extension_refused"
            subject = _("Extension refused for {number} {title}").format(number=number, title=title)
        lines = [_("Resolution due: {when}").format(when=_when(demand.resolution_due_at))]
        if reason:
            lines.append(_("Supervisor's note: {text}").format(text=_excerpt(reason)))
        return kind, subject, "\n".join(lines), Audience.of_units([lead.pk])
    if action == "escalate":
        # Difficult-case handling: the supervisors and leaders take it up, the units keep it.
        lead, co = units if units is not None else _current_units(demand)
        ids = [u.pk for u in [lead, *co] if u is not None]
        subject = _("Difficult case: {number} {title}").format(number=number, title=title)
        body = "\n".join(
            [
                *_enterprise(demand),
                _("Lead unit: {unit}").format(unit=lead.name if lead else "—"),
                _("Reason: {text}").format(text=reason),
                _excerpt(demand.description),
            ]
        )
        return "demand.escalated", subject, body, Audience.of_roles(R.SUPERVISOR, R.LEADER) | Audience.of_units(ids)
    if action == "confirm":
        lead, _co = units if units is not None else _current_units(demand)
        rating = demand.get_rating_display() if demand.rating else "—"
        if demand.status == "unresolved":
            # The team decides: reopen it for another round or hand it to difficult-case handling.
            subject = _("Not resolved according to the enterprise: {number} {title}").format(number=number, title=title)
            lines = [
                _("Lead unit: {unit}").format(unit=lead.name if lead else "—"),
                _("Rating: {rating}").format(rating=rating),
            ]
            if demand.rating_comment:
                lines.append(_("Enterprise's comment: {text}").format(text=_excerpt(demand.rating_comment)))
            lines.append(_("Please reopen it for another round or escalate it as a difficult case."))
            ids = [lead.pk] if lead else []
            audience = Audience.service_team() | Audience.of_units(ids, robots=False)
            return "demand.unresolved", subject, "\n".join(lines), audience
        if lead is None:
            return None
        subject = _("Closed: the enterprise confirmed {number} resolved").format(number=number)
        body = _("Rating: {rating}").format(rating=rating)
        return "demand.closed", subject, body, Audience.of_units([lead.pk], robots=False)
    return None


def demand_topic(demand_id: int) -> str:
    """The topic of every message about a demand: the inbox's thread of that demand."""
    return f"demand:{demand_id}"


def _for_enterprise(demand, action: str, units: tuple[Unit | None, list[Unit]] | None = None):
    """(kind, subject, body) the enterprise's contacts are told of ``action``, or None.

    Only what the enterprise may read: statuses, units, dates; never the zone's own notes."""
    if demand.enterprise_id is None or demand.kind == Kind.ACTION_ITEM:
        return None
    number = demand.number
    about = _("Demand: {title}").format(title=demand.title)
    if action == "triage":
        subject = _("Your demand {number} was accepted").format(number=number)
        lines = [about]
        if demand.category_id:
            lines.append(_("Category: {name}").format(name=demand.category.name))
        lines.append(_("The service team accepted it and dispatches it to the unit that handles it."))
        return "demand.update.accepted", subject, "\n".join(lines)
    if action in ("dispatch", "assign-case", "reopen"):
        lead, co = units if units is not None else _current_units(demand)
        if lead is None:
            return None
        if action == "reopen":
            kind = "demand.update.reopened"
            subject = _("Your demand {number} was reopened for round {round}").format(
                number=number, round=demand.round
            )
        else:
            kind = "demand.update.dispatched"
            if action == "dispatch" and demand.return_count:
                subject = _("Your demand {number} was dispatched again, to {unit}")
            else:
                subject = _("Your demand {number} was dispatched to {unit}")
            subject = subject.format(number=number, unit=lead.name)
        lines = [about, _("Lead unit: {unit}").format(unit=lead.name)]
        if co:
            lines.append(_("Co-units: {units}").format(units="、".join(u.name for u in co)))
        if action != "reopen":
            lines.append(
                _("{unit} will contact you by {when}.").format(
                    unit=lead.name, when=_when(demand.first_response_due_at)
                )
            )
        lines.append(_("Resolution due: {when}").format(when=_when(demand.resolution_due_at)))
        return kind, subject, "\n".join(lines)
    if action == "return":
        subject = _("Your demand {number} is passed to another unit").format(number=number)
        body = "\n".join(
            [
                about,
                _("The service team dispatches it again to the unit that handles it, by {when}.").format(
                    when=_when(demand.triage_due_at)
                ),
            ]
        )
        return "demand.update.returned", subject, body
    if action == "approve-extension":
        when = _when(demand.resolution_due_at)
        subject = _("Your demand {number} is now due {when}").format(number=number, when=when)
        lead, _co = units if units is not None else _current_units(demand)
        body = "\n".join(
            [
                about,
                _("{unit} was given more time to resolve it.").format(
                    unit=lead.name if lead else _("The handling unit")
                ),
                _("Resolution due: {when}").format(when=when),
            ]
        )
        return "demand.update.extended", subject, body
    if action == "escalate":
        subject = _("Your demand {number} is handled as a difficult case").format(number=number)
        body = "\n".join(
            [about, _("The zone's leadership takes it up with the units concerned; you will hear who handles it.")]
        )
        return "demand.update.escalated", subject, body
    return None


def demand_notify(
    demand,
    action: str,
    at: datetime,
    *,
    actor: User | None = None,
    reason: str = "",
    units: tuple[Unit, list[Unit]] | None = None,
) -> None:
    """Write the messages ``action`` on ``demand`` sends to the outbox (inside its transaction).

    The deduplication key is the demand, its version after the move and the message's kind,
    so the same move is never told twice. Every message has the demand's topic.
    """
    with translation.override(settings.LANGUAGE_CODE):
        told: list[tuple[str, str, str, Audience]] = []
        composed = _compose(demand, str(action), reason or "", units, actor)
        if composed is not None:
            told.append(composed)
        for_enterprise = _for_enterprise(demand, str(action), units)
        if for_enterprise is not None:
            told.append((*for_enterprise, Audience.contacts(demand.enterprise_id)))
        if not told:
            return
        link = reverse("demands:detail", args=[demand.pk])
        payload = {"demand": demand.pk, "number": demand.number, "action": str(action)}
        # One move's messages: new keys, written in one insert (no look-up first).
        notifications_enqueue(
            [
                OutboxMessage(
                    kind=kind,
                    subject=subject,
                    body=body,
                    link=link,
                    audience=audience.excluding(actor),
                    dedupe_key=f"demand:{demand.pk}:v{demand.version}:{kind}",
                    payload=payload,
                    at=at,
                    topic=demand_topic(demand.pk),
                )
                for kind, subject, body, audience in told
            ],
            look_up_first=False,
        )
