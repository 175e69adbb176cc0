"""Bundle templates: create (a new version when the code exists) and install the default."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mashang.audit.services import event_record
from mashang.core.errors import Conflict, PermissionDenied, ValidationFailed
from mashang.landstart import dag
from mashang.landstart.default_bundle import AWARD_UNIT, DEFAULT_CODE, DEFAULT_NAME, DEFAULT_STEPS
from mashang.landstart.models import BundleTemplate, TemplateStep
from mashang.landstart.permissions import can_manage
from mashang.landstart.specs import StepSpec
from mashang.org.models import Unit, User
from mashang.projects.models import ProjectType

TEMPLATE_SUBJECT = "landstart_template"
TEMPLATE_CODE = re.compile(r"[a-z0-9][a-z0-9_-]{0,39}")

MSG_MAY_NOT_WRITE = _("Only the service team or an administrator writes bundle templates.")
MSG_BAD_TEMPLATE_CODE = _(
    "A template code has 1 to 40 lower-case letters, digits, “_” or “-”, starting with a letter or digit."
)
MSG_NAME_REQUIRED = _("Give the template a name.")
MSG_UNKNOWN_AWARD_UNIT = _("There is no active unit with the code {code}.")
MSG_VERSION_RACE = _("Someone else saved a version of the template “{code}” at the same moment. Try again.")
MSG_UNKNOWN_PROJECT_TYPE = _("There is no project type “{value}”; choose from: {choices}.")
MSG_TYPE_CLAIMED = _(
    "The template “{other}” ({code}) already opens by itself for “{type}”; take the type off it first."
)


def _clean(step: StepSpec) -> StepSpec:
    return StepSpec(
        code=(step.code or "").strip(),
        name=(step.name or "").strip(),
        unit=(step.unit or "").strip(),
        prerequisites=tuple(dict.fromkeys((p or "").strip() for p in step.prerequisites)),
        expected_minutes=step.expected_minutes,
        pre_reviewable=bool(step.pre_reviewable),
        document=(step.document or "").strip(),
        allows_commitment=bool(step.allows_commitment),
        commitment_working_days=step.commitment_working_days,
    )


def latest_templates() -> list[BundleTemplate]:
    """The latest version of every template, by code."""
    latest: dict[str, BundleTemplate] = {}
    every = BundleTemplate.objects.select_related("award_unit").order_by("code", "-version")
    for template in every:
        latest.setdefault(template.code, template)
    return list(latest.values())


def template_fitting(project_type: str) -> BundleTemplate | None:
    """The template whose latest version opens by itself for ``project_type``, or None."""
    for template in latest_templates():
        if project_type in (template.project_types or []):
            return template
    return None


def _project_types_clean(
    code: str, project_types: Sequence[str], fields: dict[str, list[str]]
) -> list[str]:
    given = ((t or "").strip() for t in project_types or ())
    wanted = list(dict.fromkeys(t for t in given if t))
    problems = []
    for value in wanted:
        if value not in ProjectType.values:
            choices = "、".join(str(label) for label in ProjectType.labels)
            problems.append(str(MSG_UNKNOWN_PROJECT_TYPE).format(value=value, choices=choices))
    for other in latest_templates():
        if other.code == code:
            continue
        for value in wanted:
            if value in (other.project_types or []):
                problems.append(
                    str(MSG_TYPE_CLAIMED).format(
                        other=other.name, code=other.code, type=ProjectType(value).label
                    )
                )
    if problems:
        fields["project_types"] = problems
    return [t for t in ProjectType.values if t in wanted]


def template_create(
    *,
    actor: User | None,
    code: str,
    name: str,
    award_unit_code: str,
    steps: Sequence[StepSpec],
    note: str = "",
    project_types: Sequence[str] = (),
    at: datetime | None = None,
) -> BundleTemplate:
    """Save a bundle template; with a code that exists, its next version.

    ``project_types`` are the project types whose listed land gets a run of this template by
    itself; a type another template (its latest version) already claims is refused, naming it.

    The steps are checked with :func:`dag.validate` against the active units: cycles, dangling
    prerequisites, unknown units… are refused (422) with a message naming each fault, under
    the field ``steps``. ``actor`` None is the system (the default bundle's installation).
    """
    at = at or timezone.now()
    if actor is not None and not can_manage(actor):
        raise PermissionDenied(MSG_MAY_NOT_WRITE)
    code = (code or "").strip()
    name = (name or "").strip()
    cleaned = [_clean(s) for s in steps]
    fields: dict[str, list[str]] = {}
    if not TEMPLATE_CODE.fullmatch(code):
        fields["code"] = [str(MSG_BAD_TEMPLATE_CODE)]
    if not name:
        fields["name"] = [str(MSG_NAME_REQUIRED)]
    award_unit = Unit.objects.filter(code=(award_unit_code or "").strip(), is_active=True).first()
    if award_unit is None:
        fields["award_unit"] = [str(MSG_UNKNOWN_AWARD_UNIT).format(code=award_unit_code)]
    wanted = {s.unit for s in cleaned if s.unit}
    units = {u.code: u for u in Unit.objects.filter(code__in=wanted, is_active=True)}
    errors = dag.validate(cleaned, known_units=units.keys())
    if errors:
        fields["steps"] = errors
    types = _project_types_clean(code, project_types, fields)
    if fields:
        first = next(iter(fields.values()))[0]
        raise ValidationFailed(first, fields=fields)

    with transaction.atomic():
        latest = BundleTemplate.objects.select_for_update().filter(code=code).order_by("-version").first()
        version = latest.version + 1 if latest else 1
        try:
            with transaction.atomic():
                template = BundleTemplate.objects.create(
                    code=code,
                    version=version,
                    name=name,
                    award_unit=award_unit,
                    note=(note or "").strip(),
                    project_types=types,
                    created_at=at,
                    created_by=actor,
                )
        except IntegrityError:
            raise Conflict(str(MSG_VERSION_RACE).format(code=code)) from None
        TemplateStep.objects.bulk_create(
            TemplateStep(
                template=template,
                code=s.code,
                name=s.name,
                unit=units[s.unit],
                prerequisites=list(s.prerequisites),
                expected_minutes=s.expected_minutes,
                pre_reviewable=s.pre_reviewable,
                document=s.document,
                allows_commitment=s.allows_commitment,
                commitment_working_days=s.commitment_working_days,
                position=i,
            )
            for i, s in enumerate(cleaned)
        )
        event_record(
            subject_type=TEMPLATE_SUBJECT,
            subject_id=template.pk,
            action="create",
            actor=actor,
            at=at,
            payload={
                "code": code,
                "version": version,
                "steps": [s.code for s in cleaned],
                "expected_minutes": dag.plan(cleaned).total_minutes,
                "project_types": types,
            },
        )
    return template


def template_install_default(*, actor: User | None = None, at: datetime | None = None) -> tuple[BundleTemplate, bool]:
    """Create the default bundle (code ``default``) unless a template with that code exists.

    Returns the template and whether it was created now. Running it again changes nothing.
    Its units (jyzx, zrzy, cz, sw, zjj) must exist.
    """
    existing = BundleTemplate.objects.filter(code=DEFAULT_CODE).order_by("-version").first()
    if existing is not None:
        return existing, False
    try:
        template = template_create(
            actor=actor,
            code=DEFAULT_CODE,
            name=DEFAULT_NAME,
            award_unit_code=AWARD_UNIT,
            steps=DEFAULT_STEPS,
            at=at,
        )
    except Conflict:
        return BundleTemplate.objects.filter(code=DEFAULT_CODE).order_by("-version").first(), False
    return template, True
