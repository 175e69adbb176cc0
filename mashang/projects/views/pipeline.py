"""The pipeline page: figures by stage, type and industry, the four rates, key projects behind
plan, and the list of projects with filters. An enterprise sees its own projects only."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from mashang.core.files import export_response
from mashang.org.models import User
from mashang.projects.ledger.export import export_filename, ledger_workbook
from mashang.projects.models import Industry, ProjectType, Stage
from mashang.projects.permissions import can_create, sees_all
from mashang.projects.selectors import ProjectFilters, project_list
from mashang.projects.stats import (
    BEHIND_PLAN_DEFINITION,
    RATE_DEFINITIONS,
    RATE_NAMES,
    TOTALS_DEFINITION,
    pipeline_stats,
)

PAGE_SIZE = 25
LABEL_COUNT = _("Projects")
LABEL_INVESTMENT = _("Planned investment (100 million yuan)")


def _flag(value: str | None) -> bool | None:
    return {"1": True, "0": False}.get(value or "")


def filters_of(request: HttpRequest) -> ProjectFilters:
    get = request.GET
    stage = get.get("stage", "")
    return ProjectFilters(
        stage=[stage] if stage in Stage.values else None,
        project_type=get.get("type") if get.get("type") in ProjectType.values else None,
        industry=get.get("industry") if get.get("industry") in Industry.values else None,
        key=_flag(get.get("key")),
        city_key=_flag(get.get("city_key")),
        officer=(get.get("officer") or "").strip()[:150] or None,
        q=(get.get("q") or "").strip()[:100] or None,
        behind_plan=_flag(get.get("behind_plan")),
    )


def chart_data(figures: dict[str, Any]) -> dict[str, Any]:
    """What pipeline.js draws (investment in 100 million yuan, as numbers for the axis only)."""

    def series(groups: dict[str, dict], enum) -> dict[str, list]:
        keys = list(groups)
        return {
            "labels": [str(enum(k).label) for k in keys],
            "counts": [groups[k]["count"] for k in keys],
            "investment": [float(groups[k]["investment"] / 100_000_000) for k in keys],
        }

    pipeline_keys = [s for s in Stage.values if s not in (Stage.PAUSED, Stage.DROPPED)]
    return {
        "stages": series({k: figures["by_stage"][k] for k in pipeline_keys}, Stage),
        "types": series(figures["by_type"], ProjectType),
        "industries": series({k: v for k, v in figures["by_industry"].items() if v["count"]}, Industry),
        "labels": {"count": str(LABEL_COUNT), "investment": str(LABEL_INVESTMENT)},
    }


@require_GET
@login_required
def pipeline(request: HttpRequest) -> HttpResponse:
    actor: User = request.user
    filters = filters_of(request)
    page = Paginator(project_list(actor=actor, filters=filters), PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    context: dict[str, Any] = {
        "page": page,
        "query": params.urlencode(),
        "f": request.GET,
        "stages": Stage.choices,
        "types": ProjectType.choices,
        "industries": Industry.choices,
        "may_create": can_create(actor),
        "zone_wide": sees_all(actor),
    }
    if context["zone_wide"]:
        figures = pipeline_stats(actor=actor)
        context.update(
            figures=figures,
            stage_rows=[(Stage(k).label, v) for k, v in figures["by_stage"].items()],
            type_rows=[(ProjectType(k).label, v) for k, v in figures["by_type"].items()],
            industry_rows=[(Industry(k).label, v) for k, v in figures["by_industry"].items() if v["count"]],
            rates=[
                {"key": k, "name": RATE_NAMES[k], "rate": r, "definition": RATE_DEFINITIONS[k]}
                for k, r in figures["rates"].items()
            ],
            behind_definition=BEHIND_PLAN_DEFINITION,
            totals_definition=TOTALS_DEFINITION,
            charts=chart_data(figures),
        )
    return render(request, "projects/pipeline.html", context)


@require_GET
@login_required
def export(request: HttpRequest) -> HttpResponse:
    """The ledger of the projects the viewer may see, with the page's filters."""
    today = timezone.localdate()
    return export_response(
        ledger_workbook(actor=request.user, filters=filters_of(request), today=today),
        filename=export_filename(today),
    )
