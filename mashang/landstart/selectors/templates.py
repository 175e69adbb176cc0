"""Reads of bundle templates with their plan (expected total and critical path)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from mashang.core.errors import NotFound
from mashang.landstart import dag
from mashang.landstart.models import BundleTemplate, TemplateStep
from mashang.landstart.specs import StepSpec
from mashang.org.models import User

MSG_NO_TEMPLATE = _("There is no bundle template with the code “{code}”.")


@dataclass(frozen=True)
class TemplateDetail:
    template: BundleTemplate
    steps: tuple[TemplateStep, ...]
    specs: tuple[StepSpec, ...]
    plan: dag.Schedule
    layout: dict[str, tuple[int, int]]
    versions: tuple[int, ...]  # every version of this code, latest first


def spec_of(step: TemplateStep) -> StepSpec:
    return StepSpec(
        code=step.code,
        name=step.name,
        unit=step.unit.code,
        prerequisites=tuple(step.prerequisites),
        expected_minutes=step.expected_minutes,
        pre_reviewable=step.pre_reviewable,
        document=step.document,
        allows_commitment=step.allows_commitment,
        commitment_working_days=step.commitment_working_days,
    )


def _detail(template: BundleTemplate, steps: list[TemplateStep], versions: tuple[int, ...]) -> TemplateDetail:
    specs = tuple(spec_of(s) for s in steps)
    return TemplateDetail(
        template=template,
        steps=tuple(steps),
        specs=specs,
        plan=dag.plan(specs),
        layout=dag.layout(specs),
        versions=versions,
    )


def template_list(*, actor: User) -> list[TemplateDetail]:
    """The latest version of every template, by code (any signed-in person may read them)."""
    latest = BundleTemplate.objects.values("code").annotate(latest=Max("version"))
    wanted = {row["code"]: row["latest"] for row in latest}
    templates = [
        t
        for t in BundleTemplate.objects.filter(code__in=wanted).select_related("award_unit").order_by("code")
        if t.version == wanted[t.code]
    ]
    steps: dict[int, list[TemplateStep]] = {t.pk: [] for t in templates}
    for step in TemplateStep.objects.filter(template__in=templates).select_related("unit").order_by(
        "position", "id"
    ):
        steps[step.template_id].append(step)
    return [_detail(t, steps[t.pk], (t.version,)) for t in templates]


def template_get(*, actor: User, code: str, version: int | None = None) -> TemplateDetail:
    """One template by code: its latest version, or the one asked for (404 when missing)."""
    versions = tuple(
        BundleTemplate.objects.filter(code=code).order_by("-version").values_list("version", flat=True)
    )
    if not versions or (version is not None and version not in versions):
        raise NotFound(str(MSG_NO_TEMPLATE).format(code=code))
    template = BundleTemplate.objects.select_related("award_unit", "created_by").get(
        code=code, version=version or versions[0]
    )
    steps = list(template.steps.select_related("unit").order_by("position", "id"))
    return _detail(template, steps, versions)
