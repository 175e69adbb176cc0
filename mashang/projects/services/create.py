"""Creating a project: from the form, the API, the ledger import or a demo loader."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mashang.audit.services import event_record
from mashang.core.errors import PermissionDenied, ValidationFailed
from mashang.core.numbering import number_next
from mashang.org.models import Enterprise, User
from mashang.projects.models import (
    PIPELINE,
    Industry,
    Milestone,
    Project,
    ProjectNumberSequence,
    ProjectType,
    Stage,
)
from mashang.projects.permissions import can_create
from mashang.projects.services import validate as v
from mashang.projects.services.common import SUBJECT, local_date
from mashang.projects.signals import listed_announce
from mashang.projects.transitions import LAND_STAGES, NEEDS_LAND, Record, stage_order, stages_for

MSG_MAY_NOT_CREATE = _("Only the service team or an admin may create a project.")
MSG_STAGE = _("Choose the stage: {choices}.")
MSG_STAGE_NOT_FOR_TYPE = _("A “{type}” project needs no new land and is never at the stage “{stage}”.")
MSG_STAGE_REASON_REQUIRED = _("Give the reason the project is paused or dropped.")
MSG_STAGE_BEFORE_PAUSE = _("Give the stage the project was at when it was paused.")
MSG_MILESTONE_STAGE = _("A milestone is for a stage of the pipeline: {choices}.")
MSG_MILESTONE_NOT_REACHED = _("The project has not reached “{stage}”, so it has no actual date for it.")
MSG_MILESTONE_FUTURE = _("An actual date cannot be in the future.")
MSG_NUMBER_TAKEN = _("The project number {number} is already in use.")
MSG_NUMBER_TOO_LONG = _("A project number has at most 20 characters.")


def project_number_next(*, year: int) -> str:
    """The next free XM-YYYY-NNNN, unique under concurrency (see :mod:`mashang.core.numbering`);
    a number a ledger import already brought in is skipped."""
    while True:
        number = number_next(ProjectNumberSequence, year=year)
        # A ledger import may have brought this number in already: take the next one.
        if not Project.objects.filter(number=number).exists():
            return number


@dataclass
class MilestoneIn:
    stage: str
    planned_on: date | None = None
    reached_on: date | None = None


@dataclass
class ProjectFields:
    """A project's fields, checked."""

    name: str
    investor: Enterprise | None
    investor_name: str
    project_type: str
    industry: str
    planned_investment: Decimal
    land_area_mu: Decimal | None
    land_area_m2: Decimal | None
    service_officer: User | None
    is_key: bool
    is_city_key: bool
    behind_plan_reason: str
    stage: str = Stage.LEAD
    stage_before_pause: str = ""
    stage_reason: str = ""
    number: str = ""
    milestones: list[MilestoneIn] = field(default_factory=list)


def _officer(value: Any, errors: dict[str, str]) -> User | None:
    if isinstance(value, User):
        if value.role != User.Role.OFFICER or not value.is_active:
            errors["service_officer"] = str(v.MSG_OFFICER_NOT_OFFICER)
            return None
        return value
    return v.service_officer(value, errors)


def _stage_fields(raw: Mapping[str, Any], project_type: str | None, errors: dict[str, str]) -> tuple[str, str, str]:
    stage, before, reason = Stage.LEAD, "", v.text(raw.get("stage_reason"))
    try:
        stage = v.choice(raw.get("stage") or Stage.LEAD, Stage, MSG_STAGE)
    except v.BadValue as e:
        errors["stage"] = e.message
        return stage, before, reason
    if stage == Stage.PAUSED:
        try:
            before = v.choice(raw.get("stage_before_pause") or "", PIPELINE, MSG_STAGE_BEFORE_PAUSE)
        except v.BadValue:
            errors["stage_before_pause"] = str(MSG_STAGE_BEFORE_PAUSE)
    if stage in (Stage.PAUSED, Stage.DROPPED) and not reason:
        errors["stage_reason"] = str(MSG_STAGE_REASON_REQUIRED)
    if len(reason) > 2000:
        reason = reason[:2000]
    if project_type and project_type not in NEEDS_LAND:
        for name, value in (("stage", stage), ("stage_before_pause", before)):
            if value in LAND_STAGES:
                errors[name] = str(MSG_STAGE_NOT_FOR_TYPE).format(
                    type=ProjectType(project_type).label, stage=Stage(value).label
                )
    return stage, before, reason


def milestones_clean(
    items: Iterable[Any], *, project_type: str | None, stage: str, before: str, today: date, errors: dict[str, str]
) -> list[MilestoneIn]:
    """Milestones given as MilestoneIn or mappings with stage, planned_on, reached_on."""
    out: list[MilestoneIn] = []
    reached_upto = before if stage == Stage.PAUSED else stage
    for item in items:
        get = item.get if isinstance(item, Mapping) else (lambda k, _i=item: getattr(_i, k, None))
        key = f"milestones.{v.text(get('stage'))}"
        allowed = stages_for(project_type) if project_type else PIPELINE
        stage_value = v.text(get("stage"))
        if stage_value not in allowed:
            errors[key] = str(MSG_MILESTONE_STAGE).format(choices="、".join(str(Stage(s).label) for s in allowed))
            continue
        try:
            planned, reached = v.a_date(get("planned_on")), v.a_date(get("reached_on"))
        except v.BadValue as e:
            errors[key] = e.message
            continue
        if reached is not None:
            if reached > today:
                errors[key] = str(MSG_MILESTONE_FUTURE)
                continue
            if stage != Stage.DROPPED and stage_order(stage_value) > stage_order(reached_upto):
                errors[key] = str(MSG_MILESTONE_NOT_REACHED).format(stage=Stage(stage_value).label)
                continue
        out.append(MilestoneIn(stage_value, planned, reached))
    return out


def project_fields_clean(raw: Mapping[str, Any], *, today: date, with_stage: bool = True) -> ProjectFields:
    """Check every field of a new project; raise ValidationFailed naming each bad field."""
    errors: dict[str, str] = {}
    name = v.name(raw.get("name"), errors)
    investor = v.investor(raw.get("investor_credit_code"), raw.get("investor_name"), errors)
    project_type = industry = None
    try:
        project_type = v.choice(raw.get("project_type"), ProjectType, v.MSG_TYPE)
    except v.BadValue as e:
        errors["project_type"] = e.message
    try:
        industry = v.choice(raw.get("industry"), Industry, v.MSG_INDUSTRY)
    except v.BadValue as e:
        errors["industry"] = e.message
    investment = None
    try:
        investment = v.money(raw.get("planned_investment"), messages=v.INVESTMENT_MESSAGES)
    except v.BadValue as e:
        errors["planned_investment"] = e.message
    mu, m2 = v.land_area(raw.get("land_area_mu"), raw.get("land_area_m2"), errors)
    officer = _officer(raw.get("service_officer"), errors)
    flags = {}
    for flag_name in ("is_key", "is_city_key"):
        try:
            flags[flag_name] = v.flag(raw.get(flag_name))
        except v.BadValue as e:
            errors[flag_name] = e.message
    behind = v.behind_plan_reason(raw.get("behind_plan_reason"), errors)
    stage, before, reason = Stage.LEAD, "", ""
    milestones: list[MilestoneIn] = []
    if with_stage:
        stage, before, reason = _stage_fields(raw, project_type, errors)
        milestones = milestones_clean(
            raw.get("milestones") or (), project_type=project_type, stage=stage, before=before, today=today,
            errors=errors,
        )
    number = v.text(raw.get("number"))
    if len(number) > 20:
        errors["number"] = str(MSG_NUMBER_TOO_LONG)
    elif number and Project.objects.filter(number=number).exists():
        errors["number"] = str(MSG_NUMBER_TAKEN).format(number=number)
    if errors:
        raise ValidationFailed(next(iter(errors.values())), fields=errors)
    assert investor is not None and project_type and industry and investment is not None
    return ProjectFields(
        name=name,
        investor=investor.enterprise,
        investor_name=investor.name,
        project_type=project_type,
        industry=industry,
        planned_investment=investment,
        land_area_mu=mu,
        land_area_m2=m2,
        service_officer=officer,
        is_key=flags["is_key"],
        is_city_key=flags["is_city_key"],
        behind_plan_reason=behind,
        stage=stage,
        stage_before_pause=before,
        stage_reason=reason,
        number=number,
        milestones=milestones,
    )


def project_insert(*, actor: User, fields: ProjectFields, at: datetime, action: str = Record.CREATE) -> Project:
    """Write a checked project with its milestones and its first event (inside a transaction)."""
    project = Project(
        number=fields.number or project_number_next(year=timezone.localtime(at).year),
        name=fields.name,
        investor=fields.investor,
        investor_name=fields.investor_name,
        project_type=fields.project_type,
        industry=fields.industry,
        planned_investment=fields.planned_investment,
        land_area_mu=fields.land_area_mu,
        land_area_m2=fields.land_area_m2,
        service_officer=fields.service_officer,
        is_key=fields.is_key,
        is_city_key=fields.is_city_key,
        behind_plan_reason=fields.behind_plan_reason,
        stage=fields.stage,
        stage_before_pause=fields.stage_before_pause,
        stage_reason=fields.stage_reason,
        version=1,
        created_at=at,
        updated_at=at,
    )
    project.save(force_insert=True)
    Milestone.objects.bulk_create(
        [Milestone(project=project, stage=m.stage, planned_on=m.planned_on, reached_on=m.reached_on)
         for m in fields.milestones]
    )
    event_record(
        subject_type=SUBJECT,
        subject_id=project.pk,
        action=action,
        actor=actor,
        at=at,
        to_state=project.stage,
        reason=project.stage_reason,
        payload={"number": project.number, "planned_investment": str(project.planned_investment)},
    )
    # A project brought in at the listed stage has its land listed now: its run opens by itself.
    listed_announce(project, actor=actor, at=at)
    return project


def project_create(*, actor: User, at: datetime | None = None, **raw: Any) -> Project:
    """Create a project (number XM-YYYY-NNNN) from its fields.

    Fields: name, investor_credit_code (a registered enterprise) or investor_name (a
    prospective investor), project_type, industry, planned_investment (yuan),
    land_area_mu and/or land_area_m2, service_officer (an officer: a User or a login),
    is_key, is_city_key, behind_plan_reason; optionally stage (with stage_before_pause
    and stage_reason for paused or dropped projects), milestones (stage, planned_on,
    reached_on) and number — for a project that is already under way (demo, import).
    """
    at = at or timezone.now()
    if not can_create(actor):
        raise PermissionDenied(MSG_MAY_NOT_CREATE)
    unknown = set(raw) - set(ProjectFields.__dataclass_fields__) - {"investor_credit_code"}
    if unknown:
        raise TypeError(f"project_create got unexpected fields: {sorted(unknown)}")
    fields = project_fields_clean(raw, today=local_date(at))
    with transaction.atomic():
        return project_insert(actor=actor, fields=fields, at=at)
