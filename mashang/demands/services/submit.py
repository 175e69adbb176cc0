"""Filing a demand, on any channel."""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mashang.audit.services import event_record
from mashang.core.errors import Conflict, PermissionDenied, ValidationFailed
from mashang.core.numbering import number_next
from mashang.demands.deadlines import Policy, next_due, triage_due
from mashang.demands.messages import demand_notify
from mashang.demands.models import Channel, Demand, NumberSequence, Status
from mashang.demands.permissions import can_submit, can_submit_for_any_enterprise
from mashang.demands.transitions import Action
from mashang.org.credit_code import credit_code_error, normalize_credit_code
from mashang.org.models import Category, Enterprise, User
from mashang.workcal.selectors import calendar_get

MSG_MAY_NOT_SUBMIT = _("Only an enterprise contact, a service officer or a unit's staff may register a demand.")
MSG_TITLE_REQUIRED = _("Please give the demand a title.")
MSG_TITLE_TOO_LONG = _("The title may have at most 200 characters.")
MSG_DESCRIPTION_REQUIRED = _("Please describe the demand.")
MSG_DESCRIPTION_TOO_LONG = _("The description may have at most 5000 characters.")
MSG_UNKNOWN_CATEGORY = _("There is no active category with this code.")
MSG_CREDIT_CODE_REQUIRED = _("Give the unified social credit code of the enterprise the demand is for.")
MSG_ENTERPRISE_UNKNOWN = _(
    "No enterprise with this credit code is registered; give its name to register it with the demand."
)
MSG_OWN_ENTERPRISE_ONLY = _("An enterprise contact files demands for their own enterprise only.")
MSG_CHANNEL_FOR_OFFICERS = _("Only a service officer logs phone calls, visits and chat messages.")
MSG_UNKNOWN_CHANNEL = _("Choose one of: {choices}.")
MSG_EXTERNAL_NUMBER_REQUIRED = _("Give the order number of the 12345 transfer.")
MSG_EXTERNAL_NUMBER_TOO_LONG = _("The order number may have at most 40 characters.")
MSG_EXTERNAL_DUE_REQUIRED = _("Give the deadline the 12345 hotline set on the order.")
MSG_EXTERNAL_DUE_PAST = _("The deadline of the 12345 order must be in the future.")
MSG_EXTERNAL_ONLY_HOTLINE = _("An order number and deadline go with a 12345 transfer only.")
MSG_EXTERNAL_DUPLICATE = _("The 12345 order {order} was already registered as demand {number}.")

ENTERPRISE_CHANNELS = frozenset({Channel.WEB, Channel.API})
EXTERNAL_NUMBER_MAX = 40


def demand_number_next(*, year: int) -> str:
    """The next SQ-YYYY-NNNNNN, unique under concurrency (see :mod:`mashang.core.numbering`)."""
    return number_next(NumberSequence, year=year)


def _enterprise_errors(*, actor: User, credit_code: str | None, enterprise_name: str) -> dict[str, str]:
    """What is wrong with the enterprise a demand is for, before anything is written."""
    if not can_submit_for_any_enterprise(actor):
        if credit_code and normalize_credit_code(credit_code) != actor.enterprise.credit_code:
            return {"enterprise_credit_code": str(MSG_OWN_ENTERPRISE_ONLY)}
        return {}
    if not credit_code:
        return {"enterprise_credit_code": str(MSG_CREDIT_CODE_REQUIRED)}
    code = normalize_credit_code(credit_code)
    error = credit_code_error(code)
    if error:
        return {"enterprise_credit_code": error}
    if not enterprise_name.strip() and not Enterprise.objects.filter(credit_code=code).exists():
        return {"enterprise_name": str(MSG_ENTERPRISE_UNKNOWN)}
    return {}


def _resolve_enterprise(*, actor: User, credit_code: str | None, enterprise_name: str) -> Enterprise:
    """The enterprise (checked by :func:`_enterprise_errors`): the contact's own, the registered
    one with this credit code, or a new one registered with its name."""
    if not can_submit_for_any_enterprise(actor):
        return actor.enterprise
    enterprise, _created = Enterprise.objects.get_or_create(
        credit_code=normalize_credit_code(credit_code or ""),
        defaults={"name": enterprise_name.strip()[:200]},
    )
    return enterprise


def _check_text(title: str, description: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not title:
        errors["title"] = str(MSG_TITLE_REQUIRED)
    elif len(title) > 200:
        errors["title"] = str(MSG_TITLE_TOO_LONG)
    if not description:
        errors["description"] = str(MSG_DESCRIPTION_REQUIRED)
    elif len(description) > 5000:
        errors["description"] = str(MSG_DESCRIPTION_TOO_LONG)
    return errors


def _check_hotline(
    channel: str, number: str, due_at: datetime | None, at: datetime
) -> dict[str, str]:
    """A 12345 transfer names its order and the hotline's deadline; no other channel does."""
    errors: dict[str, str] = {}
    if channel != Channel.HOTLINE:
        if number:
            errors["external_number"] = str(MSG_EXTERNAL_ONLY_HOTLINE)
        if due_at is not None:
            errors["external_due_at"] = str(MSG_EXTERNAL_ONLY_HOTLINE)
        return errors
    if not number:
        errors["external_number"] = str(MSG_EXTERNAL_NUMBER_REQUIRED)
    elif len(number) > EXTERNAL_NUMBER_MAX:
        errors["external_number"] = str(MSG_EXTERNAL_NUMBER_TOO_LONG)
    if due_at is None:
        errors["external_due_at"] = str(MSG_EXTERNAL_DUE_REQUIRED)
    elif due_at <= at:
        errors["external_due_at"] = str(MSG_EXTERNAL_DUE_PAST)
    return errors


def _duplicate_order(number: str) -> Conflict:
    existing = Demand.objects.filter(external_number=number).values_list("number", flat=True).first()
    message = str(MSG_EXTERNAL_DUPLICATE).format(order=number, number=existing or "?")
    return Conflict(message, fields={"external_number": message})


def demand_submit(
    *,
    actor: User,
    title: str,
    description: str,
    channel: str,
    category_code: str | None = None,
    enterprise_credit_code: str | None = None,
    enterprise_name: str = "",
    contact_name: str = "",
    contact_phone: str = "",
    external_number: str = "",
    external_due_at: datetime | None = None,
    at: datetime | None = None,
) -> Demand:
    """File a demand; it comes back with ``recorded_events``, the events this call wrote.

    An officer or a unit's member registers it for any enterprise (a phone call, a visit, a
    chat message, a 12345 transfer with its order number and deadline); a unit's member's
    demand names the unit that received it (``intake_unit``) and goes to the service team's
    triage like any other. Every field's problem is reported at once, and nothing is written
    unless all is well.
    """
    at = at or timezone.now()
    if not can_submit(actor):
        raise PermissionDenied(MSG_MAY_NOT_SUBMIT)
    title, description = title.strip(), description.strip()
    number = (external_number or "").strip()
    if external_due_at is not None and timezone.is_naive(external_due_at):
        external_due_at = timezone.make_aware(external_due_at)
    errors = _check_text(title, description)
    if channel not in Channel.values:
        errors["channel"] = str(MSG_UNKNOWN_CHANNEL).format(choices=", ".join(Channel.values))
    elif channel not in ENTERPRISE_CHANNELS and not can_submit_for_any_enterprise(actor):
        errors["channel"] = str(MSG_CHANNEL_FOR_OFFICERS)
    else:
        errors.update(_check_hotline(channel, number, external_due_at, at))
    category = None
    if category_code:
        category = Category.objects.filter(code=category_code, is_active=True).first()
        if category is None:
            errors["category"] = str(MSG_UNKNOWN_CATEGORY)
    errors.update(
        _enterprise_errors(actor=actor, credit_code=enterprise_credit_code, enterprise_name=enterprise_name)
    )
    if errors:
        raise ValidationFailed(next(iter(errors.values())), fields=errors)
    if number and Demand.objects.filter(external_number=number).exists():
        raise _duplicate_order(number)

    own = not can_submit_for_any_enterprise(actor)
    intake_unit_id = actor.unit_id if actor.is_unit_member else None
    cal = calendar_get()
    try:
        with transaction.atomic():
            enterprise = _resolve_enterprise(
                actor=actor, credit_code=enterprise_credit_code, enterprise_name=enterprise_name
            )
            demand = Demand(
                number=demand_number_next(year=timezone.localtime(at).year),
                enterprise=enterprise,
                submitted_by=actor,
                channel=channel,
                title=title,
                description=description,
                # An enterprise contact filing for itself is the contact unless it names another;
                # an officer logging a call names the caller or leaves it blank.
                contact_name=contact_name.strip() or (actor.display_name if own else ""),
                contact_phone=contact_phone.strip() or (actor.phone if own else ""),
                external_number=number,
                external_due_at=external_due_at,
                intake_unit_id=intake_unit_id,
                category=category,
                status=Status.SUBMITTED,
                submitted_at=at,
                triage_due_at=triage_due(cal, Policy.of(category), at),
            )
            demand.next_due_at = next_due(demand)
            demand.save(force_insert=True)
            payload = {"channel": channel, "category": category_code or ""}
            if number:
                payload["external_number"] = number
                payload["external_due_at"] = external_due_at.isoformat()
            if intake_unit_id:
                payload["intake_unit"] = actor.unit.code
            event = event_record(
                subject_type="demand",
                subject_id=demand.pk,
                action=Action.SUBMIT,
                actor=actor,
                at=at,
                to_state=Status.SUBMITTED,
                payload=payload,
            )
            # The service team hears of the new demand through the outbox (mashang.notify).
            demand_notify(demand, Action.SUBMIT, at, actor=actor)
    except IntegrityError:
        # The same 12345 order registered at the same moment by someone else.
        if number and Demand.objects.filter(external_number=number).exists():
            raise _duplicate_order(number) from None
        raise
    # Its whole timeline so far, for an answer that need not read it back.
    demand.recorded_events = [event]
    return demand
