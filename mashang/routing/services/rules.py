"""Writes to the routing rules: create, change, move, switch on or off.

Only the zone's administrator changes rules. Each write checks its input (a message per field),
locks the rule, refuses a stale version (409), writes the rule's revision (its history) and the
event in one transaction, and bumps the version.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mashang.audit.services import event_record
from mashang.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from mashang.demands.models import Channel, Urgency
from mashang.org.models import Category, Unit, User
from mashang.routing.models import Rule, RuleRevision
from mashang.routing.rules import RuleSpec

SUBJECT = "routing_rule"

MSG_MAY_NOT_CHANGE = _("Only an administrator may change the routing rules.")
MSG_NOT_FOUND = _("No such routing rule.")
MSG_STALE = _(
    "This rule was changed by someone else since you opened it (your version {given}, now "
    "{current}). Reload it and try again."
)
MSG_CHECK_FIELDS = _("Please check the fields marked below.")
MSG_NAME_REQUIRED = _("Give the rule a name.")
MSG_TOO_LONG = _("At most {n} characters.")
MSG_UNKNOWN_CATEGORIES = _("There is no active category with the code: {codes}.")
MSG_UNKNOWN_UNITS = _("There is no active unit with the code: {codes}.")
MSG_LEAD_REQUIRED = _("Choose the lead unit the rule sends demands to.")
MSG_LEAD_AMONG_CO = _("The lead unit cannot also be a co-unit.")
MSG_UNKNOWN_CHANNELS = _("Unknown channel: {values}.")
MSG_BAD_URGENCY = _("Choose one of: {choices}.")
MSG_EMPTY_WINDOW = _("The time window is empty: “from” and “until” are the same time.")
MSG_BAD_POSITION = _("Give a position of at least 1.")


def _may_change(actor: User) -> None:
    if getattr(actor, "role", None) != User.Role.ADMIN:
        raise PermissionDenied(MSG_MAY_NOT_CHANGE)


def rule_check(*, spec: RuleSpec) -> None:
    """Refuse ``spec`` with a message per field at fault (``ValidationFailed``)."""
    errors: dict[str, list[str]] = {}

    def add(name: str, message) -> None:
        errors.setdefault(name, []).append(str(message))

    if not spec.name:
        add("name", MSG_NAME_REQUIRED)
    elif len(spec.name) > 100:
        add("name", MSG_TOO_LONG.format(n=100))
    if len(spec.basis) > 200:
        add("basis", MSG_TOO_LONG.format(n=200))
    if spec.categories:
        known = set(
            Category.objects.filter(code__in=spec.categories, is_active=True).values_list(
                "code", flat=True
            )
        )
        unknown = [c for c in spec.categories if c not in known]
        if unknown:
            add("categories", MSG_UNKNOWN_CATEGORIES.format(codes="、".join(unknown)))
    codes = {spec.lead_unit, *spec.co_units} - {""}
    units = set(
        Unit.objects.filter(code__in=codes, is_active=True).values_list("code", flat=True)
    )
    if not spec.lead_unit:
        add("lead_unit", MSG_LEAD_REQUIRED)
    elif spec.lead_unit not in units:
        add("lead_unit", MSG_UNKNOWN_UNITS.format(codes=spec.lead_unit))
    unknown_co = [c for c in spec.co_units if c not in units]
    if unknown_co:
        add("co_units", MSG_UNKNOWN_UNITS.format(codes="、".join(unknown_co)))
    if spec.lead_unit and spec.lead_unit in spec.co_units:
        add("co_units", MSG_LEAD_AMONG_CO)
    bad_channels = [c for c in spec.channels if c not in Channel.values]
    if bad_channels:
        add("channels", MSG_UNKNOWN_CHANNELS.format(values="、".join(bad_channels)))
    if spec.urgency and spec.urgency not in Urgency.values:
        add("urgency", MSG_BAD_URGENCY.format(choices="、".join(Urgency.values)))
    if (
        spec.filed_from is not None
        and spec.filed_until is not None
        and spec.filed_from == spec.filed_until
    ):
        add("filed_until", MSG_EMPTY_WINDOW)
    if spec.position is not None and spec.position < 1:
        add("position", MSG_BAD_POSITION)
    for name, limit in (("words", 100), ("industries", 100), ("sub_districts", 100)):
        if any(len(v) > limit for v in getattr(spec, name)):
            add(name, MSG_TOO_LONG.format(n=limit))
    if errors:
        raise ValidationFailed(MSG_CHECK_FIELDS, fields=errors)


def _apply(rule: Rule, spec: RuleSpec, lead: Unit) -> None:
    rule.name = spec.name
    rule.is_active = spec.is_active
    rule.categories = list(spec.categories)
    rule.words = list(spec.words)
    rule.industries = list(spec.industries)
    rule.sub_districts = list(spec.sub_districts)
    rule.channels = list(spec.channels)
    rule.filed_from = spec.filed_from
    rule.filed_until = spec.filed_until
    rule.lead_unit = lead
    rule.co_units = list(spec.co_units)
    rule.urgency = spec.urgency
    rule.basis = spec.basis


def _revise(rule: Rule, *, actor: User, at: datetime, reason: str) -> None:
    RuleRevision.objects.create(
        rule=rule,
        version=rule.version,
        snapshot=RuleSpec.of(rule).snapshot(),
        actor=actor,
        at=at,
        reason=reason[:200],
    )


def _place(rule: Rule, position: int, *, actor: User, at: datetime) -> dict[int, tuple[int, int]]:
    """Put ``rule`` at rank ``position`` (1 first; beyond the end is last) and number every
    rule 1…n in order. The other rules whose position changes get a new version and revision.
    Returns rule id → (position before, after) of every rule that moved."""
    ordered = list(Rule.objects.select_for_update().order_by("position", "id"))
    others = [r for r in ordered if r.pk != rule.pk]
    index = min(max(position - 1, 0), len(others))
    moved: dict[int, tuple[int, int]] = {}
    for rank, r in enumerate([*others[:index], rule, *others[index:]], start=1):
        if r.pk == rule.pk:
            if rule.position != rank:
                moved[r.pk] = (rule.position, rank)
            rule.position = rank
            continue
        if r.position != rank:
            moved[r.pk] = (r.position, rank)
            r.position = rank
            r.version += 1
            r.updated_at = at
            r.save(update_fields=["position", "version", "updated_at"])
            _revise(r, actor=actor, at=at, reason=str(_("moved with another rule")))
            event_record(
                subject_type="routing_rule", subject_id=r.pk, action="move", actor=actor, at=at,
                reason=str(_("moved with another rule")),
                payload={"from": moved[r.pk][0], "to": rank, "version": r.version},
            )
    return moved


def _lock(rule_id: int, version: int) -> Rule:
    rule = Rule.objects.select_for_update().select_related("lead_unit").filter(pk=rule_id).first()
    if rule is None:
        raise NotFound(MSG_NOT_FOUND)
    if rule.version != version:
        raise Conflict(
            MSG_STALE.format(given=version, current=rule.version), fields={"version": MSG_STALE}
        )
    return rule


def rule_create(
    *, actor: User, spec: RuleSpec, reason: str = "", at: datetime | None = None
) -> Rule:
    """A new rule from ``spec``, at its position (last without one)."""
    at = at or timezone.now()
    _may_change(actor)
    rule_check(spec=spec)
    with transaction.atomic():
        lead = Unit.objects.get(code=spec.lead_unit)
        count = Rule.objects.select_for_update().count()
        rule = Rule(position=count + 1, created_at=at, updated_at=at, version=1)
        _apply(rule, spec, lead)
        rule.save()
        if spec.position is not None and spec.position <= count:
            _place(rule, spec.position, actor=actor, at=at)
            rule.save(update_fields=["position"])
        _revise(rule, actor=actor, at=at, reason=reason or spec.basis)
        event_record(
            subject_type=SUBJECT,
            subject_id=rule.pk,
            action="create",
            actor=actor,
            at=at,
            to_state="on" if rule.is_active else "off",
            reason=reason or spec.basis,
            payload=RuleSpec.of(rule).snapshot(),
        )
    return rule


def rule_update(
    *, actor: User, rule_id: int, version: int, spec: RuleSpec, reason: str = "",
    at: datetime | None = None,
) -> Rule:
    """Change rule ``rule_id`` to read as ``spec`` (moving it when ``spec.position`` differs)."""
    at = at or timezone.now()
    _may_change(actor)
    rule_check(spec=spec)
    with transaction.atomic():
        rule = _lock(rule_id, version)
        before = RuleSpec.of(rule).snapshot()
        was_active = rule.is_active
        _apply(rule, spec, Unit.objects.get(code=spec.lead_unit))
        if spec.position is not None and spec.position != rule.position:
            _place(rule, spec.position, actor=actor, at=at)
        rule.version += 1
        rule.updated_at = at
        rule.save()
        after = RuleSpec.of(rule).snapshot()
        _revise(rule, actor=actor, at=at, reason=reason or spec.basis)
        event_record(
            subject_type=SUBJECT,
            subject_id=rule.pk,
            action="update",
            actor=actor,
            at=at,
            from_state="on" if was_active else "off",
            to_state="on" if rule.is_active else "off",
            reason=reason or spec.basis,
            payload={
                "changed": {k: [before[k], after[k]] for k in after if before.get(k) != after[k]}
            },
        )
    return rule


def rule_move(
    *, actor: User, rule_id: int, version: int, position: int, at: datetime | None = None
) -> Rule:
    """Move rule ``rule_id`` to rank ``position`` (1 is tried first)."""
    at = at or timezone.now()
    _may_change(actor)
    if position < 1:
        raise ValidationFailed(MSG_BAD_POSITION, fields={"position": MSG_BAD_POSITION})
    with transaction.atomic():
        rule = _lock(rule_id, version)
        start = rule.position
        _place(rule, position, actor=actor, at=at)
        rule.version += 1
        rule.updated_at = at
        rule.save(update_fields=["position", "version", "updated_at"])
        _revise(rule, actor=actor, at=at, reason=str(_("moved")))
        event_record(
            subject_type=SUBJECT,
            subject_id=rule.pk,
            action="move",
            actor=actor,
            at=at,
            from_state=str(start),
            to_state=str(rule.position),
        )
    return rule


def rule_switch(
    *, actor: User, rule_id: int, version: int, is_active: bool, reason: str = "",
    at: datetime | None = None,
) -> Rule:
    """Switch rule ``rule_id`` on or off (a rule switched off is kept, and never matches)."""
    at = at or timezone.now()
    _may_change(actor)
    with transaction.atomic():
        rule = _lock(rule_id, version)
        was = rule.is_active
        rule.is_active = bool(is_active)
        rule.version += 1
        rule.updated_at = at
        rule.save(update_fields=["is_active", "version", "updated_at"])
        _revise(
            rule,
            actor=actor,
            at=at,
            reason=reason or str(_("switched on") if rule.is_active else _("switched off")),
        )
        event_record(
            subject_type=SUBJECT,
            subject_id=rule.pk,
            action="switch",
            actor=actor,
            at=at,
            from_state="on" if was else "off",
            to_state="on" if rule.is_active else "off",
            reason=reason,
        )
    return rule
