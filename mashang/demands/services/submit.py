"""Filing a demand, on any channel."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mashang.audit.services import event_record
from mashang.core.errors import PermissionDenied, ValidationFailed
from mashang.core.numbering import number_next
from mashang.demands.deadlines import Policy, next_due, triage_due
from mashang.demands.messages import demand_notify
from mashang.demands.models import Channel, Demand, NumberSequence, Status
from mashang.demands.permissions import can_submit, can_submit_for_any_enterprise
from mashang.demands.transitions import Action
from mashang.org.credit_code import credit_code_error, normalize_credit_code
from mashang.org.models import Category, Enterprise, User
from mashang.workcal.selectors import calendar_get

MSG_MAY_NOT_SUBMIT = _("Only an enterprise contact or a service officer may file a demand.")
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

ENTERPRISE_CHANNELS = frozenset({Channel.WEB, Channel.API})


def demand_number_next(*, year: int) -> str:
    """The next SQ-YYYY-NNNNNN, unique under concurrency (see :mod:`mashang.core.numbering`)."""
    return number_next(NumberSequence, year=year)


def _resolve_enterprise(
    *, actor: User, credit_code: str | None, enterprise_name: str
) -> Enterprise:
    if not can_submit_for_any_enterprise(actor):
        if credit_code and normalize_credit_code(credit_code) != actor.enterprise.credit_code:
            raise ValidationFailed(MSG_OWN_ENTERPRISE_ONLY, fields={"enterprise_credit_code": MSG_OWN_ENTERPRISE_ONLY})
        return actor.enterprise
    if not credit_code:
        raise ValidationFailed(MSG_CREDIT_CODE_REQUIRED, fields={"enterprise_credit_code": MSG_CREDIT_CODE_REQUIRED})
    code = normalize_credit_code(credit_code)
    error = credit_code_error(code)
    if error:
        raise ValidationFailed(error, fields={"enterprise_credit_code": error})
    enterprise = Enterprise.objects.filter(credit_code=code).first()
    if enterprise is not None:
        return enterprise
    if not enterprise_name.strip():
        raise ValidationFailed(MSG_ENTERPRISE_UNKNOWN, fields={"enterprise_name": MSG_ENTERPRISE_UNKNOWN})
    return Enterprise.objects.create(credit_code=code, name=enterprise_name.strip()[:200])


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
    at: datetime | None = None,
) -> Demand:
    """File a demand; it comes back with ``recorded_events``, the events this call wrote."""
    at = at or timezone.now()
    if not can_submit(actor):
        raise PermissionDenied(MSG_MAY_NOT_SUBMIT)
    title, description = title.strip(), description.strip()
    errors = _check_text(title, description)
    if channel not in ENTERPRISE_CHANNELS and not can_submit_for_any_enterprise(actor):
        errors["channel"] = str(MSG_CHANNEL_FOR_OFFICERS)
    category = None
    if category_code:
        category = Category.objects.filter(code=category_code, is_active=True).first()
        if category is None:
            errors["category"] = str(MSG_UNKNOWN_CATEGORY)
    if errors:
        raise ValidationFailed(next(iter(errors.values())), fields=errors)

    own = not can_submit_for_any_enterprise(actor)
    cal = calendar_get()
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
            category=category,
            status=Status.SUBMITTED,
            submitted_at=at,
            triage_due_at=triage_due(cal, Policy.of(category), at),
        )
        demand.next_due_at = next_due(demand)
        demand.save(force_insert=True)
        event = event_record(
            subject_type="demand",
            subject_id=demand.pk,
            action=Action.SUBMIT,
            actor=actor,
            at=at,
            to_state=Status.SUBMITTED,
            payload={"channel": channel, "category": category_code or ""},
        )
        # The service team hears of the new demand through the outbox (mashang.notify).
        demand_notify(demand, Action.SUBMIT, at, actor=actor)
    # Its whole timeline so far, for an answer that need not read it back.
    demand.recorded_events = [event]
    return demand
