"""Automatic dispatch, only where the zone turned it on (:class:`AutoDispatch`).

A demand just filed is triaged and dispatched without an officer when the classifier's
category is at least as confident as the zone's threshold and not among the categories it
excluded, and its lead unit is decided by a routing rule or suggested at least as
confidently. Otherwise it waits for the service team as before. What happens is recorded: the
triage and the dispatch are the demand's ordinary events, by the automatic-dispatch account,
with the reason; an ``auto_dispatch`` event carries the classifiers' versions, the
confidences and the rule.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mashang.audit.services import event_record, versioned_save
from mashang.core.errors import ApplicationError, Conflict, PermissionDenied, ValidationFailed
from mashang.demands.models import Demand, Status
from mashang.demands.services.lifecycle import demand_dispatch, demand_triage
from mashang.org.models import Category, User
from mashang.routing.models import AutoDispatch, Suggestion, Target
from mashang.routing.rules import rule_matching
from mashang.routing.suggest import suggestion_keep, suggestions_compute, with_category

logger = logging.getLogger(__name__)

AUTO_ACTION = "auto_dispatch"
ROUTING_USERNAME = "mashang-routing"


@dataclass(frozen=True)
class _Decided:
    label: str
    confidence: float | None  # None: the category the demand was filed with


def routing_actor() -> User:
    """The account automatic decisions are recorded under: a service officer no one can sign
    in as (no usable password). Deactivating it in the admin stops automatic dispatch."""
    user = User.objects.filter(username=ROUTING_USERNAME).first()
    if user is None:
        user = User(
            username=ROUTING_USERNAME, role=User.Role.OFFICER, is_active=True,
            display_name=_("Automatic dispatch"),
        )
        user.set_unusable_password()
        try:
            with transaction.atomic():
                user.save()
        except IntegrityError:  # created at the same moment by another worker
            user = User.objects.get(username=ROUTING_USERNAME)
    return user


def auto_dispatch_settings() -> AutoDispatch:
    return AutoDispatch.objects.order_by("pk").first() or AutoDispatch.objects.create()


MSG_THRESHOLD = gettext_lazy("Give a confidence between 0.5 and 1.")
MSG_UNKNOWN_CATEGORY = gettext_lazy("There is no category with the code {code}.")


def auto_dispatch_update(
    *, actor: User, version: int, is_enabled: bool, threshold: float, excluded_categories: list[str]
) -> AutoDispatch:
    """The administrator turns automatic dispatch on or off, sets its threshold and the
    categories it never decides; recorded as an event."""
    if actor.role != User.Role.ADMIN:
        raise PermissionDenied(_("Only an administrator may change automatic dispatch."))
    if not 0.5 <= threshold <= 1:
        raise ValidationFailed(MSG_THRESHOLD, fields={"threshold": MSG_THRESHOLD})
    codes = sorted(set(excluded_categories))
    known = set(Category.objects.filter(code__in=codes).values_list("code", flat=True))
    unknown = [c for c in codes if c not in known]
    if unknown:
        message = str(MSG_UNKNOWN_CATEGORY).format(code="、".join(unknown))
        raise ValidationFailed(message, fields={"excluded_categories": message})
    auto_dispatch_settings()
    at = timezone.now()
    with transaction.atomic():
        row = AutoDispatch.objects.select_for_update().order_by("pk").first()
        if row.version != version:
            raise Conflict(
                _("The settings were changed by someone else (your version {given}, now {current}). Reload and try again.").format(
                    given=version, current=row.version
                )
            )
        row.is_enabled, row.threshold, row.excluded_categories, row.updated_at = is_enabled, threshold, codes, at
        versioned_save(
            row,
            fields=["is_enabled", "threshold", "excluded_categories", "updated_at"],
            subject_type="routing_auto_dispatch",
            action="update",
            actor=actor,
            at=at,
            payload={"is_enabled": is_enabled, "threshold": threshold, "excluded_categories": codes},
        )
    return row


def demand_auto_dispatch(*, demand_id: int) -> Demand | None:
    """Triage and dispatch the new demand if the zone's settings allow; None when it waits.

    A demand filed with a category keeps it (the enterprise or the officer chose it): that
    category must not be excluded, and only the lead unit is decided. Otherwise the
    classifier's category must reach the threshold and not be excluded."""
    config = auto_dispatch_settings()
    if not config.is_enabled:
        return None
    demand = Demand.objects.select_related("enterprise", "category").filter(pk=demand_id).first()
    if demand is None or demand.status != Status.SUBMITTED:
        return None
    suggested = suggestions_compute(demand)
    excluded = set(config.excluded_categories or ())
    if demand.category_id:
        category_code, category_confidence = demand.category.code, None
        category_how = _("category as filed")
    elif Target.CATEGORY in suggested:
        top = suggested[Target.CATEGORY].choices[0]
        if top.confidence < config.threshold:
            suggestion_keep(demand, suggested)
            return None
        category_code, category_confidence = top.label, top.confidence
        category_how = _("category suggested at {p:.0%}").format(p=top.confidence)
    else:
        return None
    if category_code in excluded:
        suggestion_keep(demand, suggested)
        return None
    rule = rule_matching(with_category(demand, category_code))
    if rule is not None:
        lead, co, urgency = rule.lead_unit.code, list(rule.co_units or ()), rule.urgency or demand.urgency
        lead_how = _("lead unit by rule “{rule}”").format(rule=rule.name)
    else:
        unit = suggested.get(Target.LEAD_UNIT)
        if unit is None or unit.choices[0].confidence < config.threshold:
            suggestion_keep(demand, suggested)
            return None
        lead, co, urgency = unit.choices[0].label, [], demand.urgency
        lead_how = _("lead unit suggested at {p:.0%}").format(p=unit.choices[0].confidence)
    reason = _("Automatic: {category_how}, {lead_how} (threshold {t:.0%}).").format(
        category_how=category_how, lead_how=lead_how, t=config.threshold
    )
    category = _Decided(category_code, category_confidence)
    actor = routing_actor()
    at = timezone.now()
    try:
        with transaction.atomic():
            triaged = demand_triage(
                actor=actor, demand_id=demand.pk, version=demand.version, category=category.label,
                urgency=urgency, note=reason, at=at,
            )
            dispatched = demand_dispatch(
                actor=actor, demand_id=demand.pk, version=triaged.version, lead_unit=lead,
                co_units=co, note=reason, at=at,
            )
            event_record(
                subject_type="demand",
                subject_id=demand.pk,
                action=AUTO_ACTION,
                actor=actor,
                at=at,
                reason=reason,
                payload={
                    "category": category.label,
                    "category_confidence": (
                        round(category.confidence, 4) if category.confidence is not None else None
                    ),
                    "category_classifier": (
                        suggested[Target.CATEGORY].classifier.version
                        if Target.CATEGORY in suggested and category.confidence is not None
                        else None
                    ),
                    "lead_unit": lead,
                    "co_units": co,
                    "rule": rule.pk if rule is not None else None,
                    "lead_unit_confidence": (
                        round(suggested[Target.LEAD_UNIT].choices[0].confidence, 4)
                        if rule is None else None
                    ),
                    "threshold": config.threshold,
                },
            )
            suggestion_keep(dispatched, suggested, automatic=True, rule=rule)
    except ApplicationError as exc:
        # A unit or category switched off meanwhile, or someone was quicker: the team decides.
        logger.info("automatic dispatch of demand %s left to the team: %s", demand.pk, exc.message)
        return None
    return dispatched


#: How far back the worker looks for new demands not yet considered.
PENDING_WINDOW = timedelta(hours=24)


def auto_dispatch_pending(*, now=None, limit: int = 200) -> int:
    """The worker's job (every few seconds): consider each demand still awaiting triage that
    was filed within :data:`PENDING_WINDOW` and has no kept suggestion yet (a considered demand
    keeps its suggestions, so it is considered once; one an officer opened already has them).
    How many were dispatched. Nothing happens while automatic dispatch is off."""
    config = AutoDispatch.objects.order_by("pk").first()
    if config is None or not config.is_enabled:
        return 0
    now = now or timezone.now()
    pending = (
        Demand.objects.filter(status=Status.SUBMITTED, submitted_at__gte=now - PENDING_WINDOW)
        .exclude(pk__in=Suggestion.objects.filter(target=Target.CATEGORY).values("demand_id"))
        .order_by("submitted_at")
        .values_list("pk", flat=True)[:limit]
    )
    dispatched = 0
    for demand_id in list(pending):
        try:
            if demand_auto_dispatch(demand_id=demand_id) is not None:
                dispatched += 1
        except Exception:  # noqa: BLE001 - one demand's failure leaves it to the team, not the rest
            logger.exception("automatic dispatch of demand %s failed", demand_id)
    return dispatched
