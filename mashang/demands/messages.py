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
| escalate | ``demand.escalated`` | supervisors and leaders (difficult case), the units' staff and robots |
| confirm, not resolved or unsatisfied | ``demand.unresolved`` | the service team (reopen or escalate) and the lead unit |
| confirm, resolved | ``demand.closed`` | the lead unit's staff: the rating |

The person who acted is not told of their own act. Texts are rendered in the zone's language
(``LANGUAGE_CODE``), not the actor's; user text goes in as plain text.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from mashang.demands.models import Assignment
from mashang.notify.recipients import Audience
from mashang.notify.services import notification_enqueue
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


def _compose(demand, action: str, reason: str, units: tuple[Unit, list[Unit]] | None = None):
    """(kind, subject, body, audience) for ``action``, or None when nobody is told."""
    number, title = demand.number, demand.title
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

    The deduplication key is the demand and its version after the move, so the same move is
    never told twice.
    """
    with translation.override(settings.LANGUAGE_CODE):
        composed = _compose(demand, str(action), reason or "", units)
        if composed is None:
            return
        kind, subject, body, audience = composed
        notification_enqueue(
            kind=kind,
            subject=subject,
            body=body,
            link=reverse("demands:detail", args=[demand.pk]),
            audience=audience.excluding(actor),
            dedupe_key=f"demand:{demand.pk}:v{demand.version}:{kind}",
            payload={"demand": demand.pk, "number": demand.number, "action": str(action)},
            at=at,
        )
