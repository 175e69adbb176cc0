"""Moving a project through the pipeline, editing it, planning milestones, recording funds."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mashang.core.errors import ValidationFailed
from mashang.org.models import User
from mashang.projects.models import (
    PIPELINE,
    FundsReceipt,
    Industry,
    Milestone,
    Project,
    ProjectType,
    Stage,
)
from mashang.projects.services import validate as v
from mashang.projects.services.common import (
    local_date,
    lock_project,
    milestone_reach,
    save_and_record,
)
from mashang.projects.signals import listed_announce
from mashang.projects.transitions import (
    LAND_STAGES,
    NEEDS_LAND,
    Action,
    Record,
    effective_stage,
    reason_required,
    stages_for,
    target_of,
)

MSG_REASON_REQUIRED = _("Please give a reason.")
MSG_REASON_TOO_LONG = _("The reason may have at most 2000 characters.")
MSG_UNKNOWN_ACTION = _("There is no action “{action}” on a project.")
MSG_TYPE_NEEDS_LAND = _(
    "The project is at the land stage “{stage}”; only a new-land-supply project can be there."
)
MSG_MILESTONES_REQUIRED = _("Give at least one milestone to plan.")
MSG_MILESTONE_STAGE = _("A milestone is for a stage this project goes through: {choices}.")
MSG_FUNDS_FUTURE = _("Funds cannot be received on a date in the future.")
MSG_FUNDS_DATE_REQUIRED = _("Give the date the funds were received.")
MSG_NOTE_TOO_LONG = _("The note may have at most 200 characters.")
MSG_LISTING_CLOSES_PAST = _("The listing cannot close on a day already past.")

#: The fields project_update may change.
EDITABLE = (
    "name", "investor_credit_code", "investor_name", "project_type", "industry", "planned_investment",
    "land_area_mu", "land_area_m2", "service_officer", "is_key", "is_city_key", "behind_plan_reason",
)


def project_transition(
    *,
    actor: User,
    project_id: int,
    version: int,
    action: str,
    reason: str = "",
    listing_closes_on: date | None = None,
    at: datetime | None = None,
) -> Project:
    """Take one pipeline action (``transitions.Action``) on the project.

    A project that becomes listed announces it (:data:`mashang.projects.signals.project_listed`)
    in this transaction: its land-start run opens by itself. ``listing_closes_on`` (for the
    listing only) is the day the listing closes, the units' pre-review deadline.
    """
    at = at or timezone.now()
    if action not in Action.values:
        message = str(MSG_UNKNOWN_ACTION).format(action=action)
        raise ValidationFailed(message, fields={"action": message})
    if listing_closes_on is not None and local_date(at) > listing_closes_on:
        raise ValidationFailed(MSG_LISTING_CLOSES_PAST, fields={"listing_closes_on": MSG_LISTING_CLOSES_PAST})
    reason = (reason or "").strip()
    if reason_required(action) and not reason:
        raise ValidationFailed(MSG_REASON_REQUIRED, fields={"reason": MSG_REASON_REQUIRED})
    if len(reason) > 2000:
        raise ValidationFailed(MSG_REASON_TOO_LONG, fields={"reason": MSG_REASON_TOO_LONG})
    with transaction.atomic():
        project = lock_project(actor=actor, project_id=project_id, version=version)
        from_stage = project.stage
        target = target_of(
            action=action, stage=from_stage, project_type=project.project_type,
            stage_before_pause=project.stage_before_pause,
        )
        fields = ["stage"]
        if action == Action.PAUSE:
            project.stage_before_pause, project.stage_reason = from_stage, reason
            fields += ["stage_before_pause", "stage_reason"]
        elif action in (Action.RESUME, Action.DROP):
            project.stage_before_pause, project.stage_reason = "", reason if action == Action.DROP else ""
            fields += ["stage_before_pause", "stage_reason"]
        else:
            milestone_reach(project, target, local_date(at))
        project.stage = target
        closes = listing_closes_on if target == Stage.LISTED else None
        save_and_record(
            project, actor=actor, at=at, action=action, fields=fields, from_state=from_stage, reason=reason,
            payload={"listing_closes_on": closes.isoformat()} if closes else None,
        )
        listed_announce(project, actor=actor, at=at, from_stage=from_stage, listing_closes_on=closes)
        return project


def changes_clean(project: Project, raw: Mapping[str, Any]) -> dict[str, Any]:
    """The model fields ``raw`` changes, checked; raise ValidationFailed naming each bad field."""
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}
    if "name" in raw:
        out["name"] = v.name(raw["name"], errors)
    if "investor_credit_code" in raw or "investor_name" in raw:
        found = v.investor(raw.get("investor_credit_code"), raw.get("investor_name"), errors)
        if found is not None:
            out["investor"], out["investor_name"] = found.enterprise, found.name
    for key, enum, message in (("project_type", ProjectType, v.MSG_TYPE), ("industry", Industry, v.MSG_INDUSTRY)):
        if key in raw:
            try:
                out[key] = v.choice(raw[key], enum, message)
            except v.BadValue as e:
                errors[key] = e.message
    standing = effective_stage(project.stage, project.stage_before_pause)
    if out.get("project_type") and out["project_type"] not in NEEDS_LAND and standing in LAND_STAGES:
        errors["project_type"] = str(MSG_TYPE_NEEDS_LAND).format(stage=Stage(standing).label)
    if "planned_investment" in raw:
        try:
            out["planned_investment"] = v.money(raw["planned_investment"], messages=v.INVESTMENT_MESSAGES)
        except v.BadValue as e:
            errors["planned_investment"] = e.message
    if "land_area_mu" in raw or "land_area_m2" in raw:
        out["land_area_mu"], out["land_area_m2"] = v.land_area(raw.get("land_area_mu"), raw.get("land_area_m2"), errors)
    if "service_officer" in raw:
        officer = raw["service_officer"]
        if isinstance(officer, User):
            officer = officer.username
        out["service_officer"] = v.service_officer(officer, errors)
    for key in ("is_key", "is_city_key"):
        if key in raw:
            try:
                out[key] = v.flag(raw[key])
            except v.BadValue as e:
                errors[key] = e.message
    if "behind_plan_reason" in raw:
        out["behind_plan_reason"] = v.behind_plan_reason(raw["behind_plan_reason"], errors)
    if errors:
        raise ValidationFailed(next(iter(errors.values())), fields=errors)
    return out


def _shown(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, User):
        return value.username
    return str(value)


def project_update(
    *, actor: User, project_id: int, version: int, at: datetime | None = None, **raw: Any
) -> Project:
    """Change any of the ``EDITABLE`` fields; those not given stay as they are.

    Nothing changed: no event, the version stays. Otherwise one "update" event lists each
    changed field with its old and new value.
    """
    at = at or timezone.now()
    unknown = set(raw) - set(EDITABLE)
    if unknown:
        raise TypeError(f"project_update got unexpected fields: {sorted(unknown)}")
    with transaction.atomic():
        project = lock_project(actor=actor, project_id=project_id, version=version)
        changes = changes_clean(project, raw)
        changed: dict[str, list[Any]] = {}
        for name, value in changes.items():
            old = getattr(project, name)
            if old != value:
                changed[name] = [_shown(old), _shown(value)]
                setattr(project, name, value)
        if not changed:
            return project
        return save_and_record(
            project, actor=actor, at=at, action=Record.UPDATE, fields=changed, from_state=project.stage,
            payload={"changed": changed},
        )


def milestone_plan(
    *,
    actor: User,
    project_id: int,
    plans: Mapping[str, date | str | None] | Iterable[tuple[str, date | str | None]],
    version: int | None = None,
    at: datetime | None = None,
) -> Project:
    """Set the planned date of one or more stages (None clears a plan)."""
    at = at or timezone.now()
    items = list(plans.items() if isinstance(plans, Mapping) else plans)
    if not items:
        raise ValidationFailed(MSG_MILESTONES_REQUIRED, fields={"milestones": MSG_MILESTONES_REQUIRED})
    with transaction.atomic():
        project = lock_project(actor=actor, project_id=project_id, version=version)
        allowed = stages_for(project.project_type)
        errors: dict[str, str] = {}
        wanted: dict[str, date | None] = {}
        for stage, planned in items:
            key = f"milestones.{stage}"
            if stage not in allowed:
                errors[key] = str(MSG_MILESTONE_STAGE).format(choices="、".join(str(Stage(s).label) for s in allowed))
                continue
            try:
                wanted[stage] = v.a_date(planned)
            except v.BadValue as e:
                errors[key] = e.message
        if errors:
            raise ValidationFailed(next(iter(errors.values())), fields=errors)
        existing = {m.stage: m for m in Milestone.objects.filter(project=project)}
        changed: dict[str, list[str | None]] = {}
        for stage in sorted(wanted, key=PIPELINE.index):
            planned = wanted[stage]
            milestone = existing.get(stage) or Milestone(project=project, stage=stage)
            if milestone.pk is not None and milestone.planned_on == planned:
                continue
            changed[stage] = [_iso(milestone.planned_on), _iso(planned)]
            milestone.planned_on = planned
            milestone.save()
        if not changed:
            return project
        return save_and_record(
            project, actor=actor, at=at, action=Record.PLAN, fields=(), from_state=project.stage,
            payload={"planned": changed},
        )


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def funds_record(
    *,
    actor: User,
    project_id: int,
    amount: Any,
    received_on: date | str | None,
    note: str = "",
    version: int | None = None,
    at: datetime | None = None,
) -> FundsReceipt:
    """Record funds in place (到资): an amount > 0 received on a date not in the future."""
    at = at or timezone.now()
    errors: dict[str, str] = {}
    value = day = None
    try:
        value = v.money(amount, positive=True, messages=v.AMOUNT_MESSAGES)
    except v.BadValue as e:
        errors["amount"] = e.message
    try:
        day = v.a_date(received_on)
        if day is None:
            errors["received_on"] = str(MSG_FUNDS_DATE_REQUIRED)
        elif day > local_date(at):
            errors["received_on"] = str(MSG_FUNDS_FUTURE)
    except v.BadValue as e:
        errors["received_on"] = e.message
    note = (note or "").strip()
    if len(note) > 200:
        errors["note"] = str(MSG_NOTE_TOO_LONG)
    if errors:
        raise ValidationFailed(next(iter(errors.values())), fields=errors)
    with transaction.atomic():
        project = lock_project(actor=actor, project_id=project_id, version=version)
        receipt = FundsReceipt.objects.create(
            project=project, received_on=day, amount=value, note=note, recorded_by=actor, recorded_at=at
        )
        save_and_record(
            project, actor=actor, at=at, action=Record.FUNDS, fields=(), from_state=project.stage,
            payload={"amount": str(value), "received_on": day.isoformat(), "note": note},
        )
    return receipt
