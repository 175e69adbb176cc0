"""One project: its stage, milestones planned vs actual, funds, blockers and timeline, and the
forms of what the viewer may do. Every form posts to :func:`project_post`, which calls the
same service the API calls and shows a refusal beside the form (409 with a reload link)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from mashang.core.errors import ApplicationError
from mashang.core.views import form_errors_add, is_stale, or_404, page_raise
from mashang.projects import services
from mashang.projects.forms import (
    ActionForm,
    BlockerForm,
    FundsForm,
    ListLandForm,
    MilestonesForm,
    ProjectEditForm,
)
from mashang.projects.models import Project, Stage
from mashang.projects.selectors import ProjectDetail, project_detail
from mashang.projects.transitions import Action, Record, reason_required, stages_for

MSG_DONE = _("Done: {action}.")
MSG_CHECK_FIELDS = _("Please check the fields marked below.")
MSG_UNKNOWN = _("There is no such action.")
EDIT, MILESTONES, FUNDS, BLOCKER = "edit", "milestones", "funds", "blocker"
LABELS = {
    EDIT: _("edit the project"),
    MILESTONES: _("plan milestones"),
    FUNDS: _("record funds in place"),
    BLOCKER: _("raise a blocker"),
}


def action_label(name: str) -> str:
    if name in LABELS:
        return str(LABELS[name])
    for enum in (Action, Record):
        try:
            return str(enum(name).label)
        except ValueError:
            continue
    return name


def stage_label(value: str) -> str:
    try:
        return str(Stage(value).label) if value else ""
    except ValueError:
        return value


def _initial(name: str, project: Project) -> dict[str, Any]:
    initial: dict[str, Any] = {"version": project.version}
    if name == EDIT:
        initial.update(
            name=project.name,
            investor_credit_code=project.investor.credit_code if project.investor else "",
            investor_name=project.investor_name,
            project_type=project.project_type,
            industry=project.industry,
            planned_investment=str(project.planned_investment),
            land_area_mu="" if project.land_area_mu is None else str(project.land_area_mu),
            land_area_m2="" if project.land_area_m2 is None else str(project.land_area_m2),
            service_officer=project.service_officer.username if project.service_officer else "",
            is_key=project.is_key,
            is_city_key=project.is_city_key,
            behind_plan_reason=project.behind_plan_reason,
        )
    elif name == MILESTONES:
        for m in project.milestones.all():
            if m.planned_on:
                initial[f"planned_{m.stage}"] = m.planned_on.isoformat()
    return initial


def _form(name: str, project: Project, data=None):
    kwargs: dict[str, Any] = {"data": data, "auto_id": f"id_{name}_%s", "label_suffix": ""}
    if name == BLOCKER:
        return BlockerForm(**kwargs)
    kwargs["initial"] = _initial(name, project)
    if name == EDIT:
        return ProjectEditForm(**kwargs)
    if name == MILESTONES:
        return MilestonesForm(stages=stages_for(project.project_type), **kwargs)
    if name == FUNDS:
        return FundsForm(**kwargs)
    form = ListLandForm(**kwargs) if name == Action.LIST_LAND else ActionForm(**kwargs)
    form.fields["reason"].required = False
    if reason_required(name):
        form.fields["reason"].label = _("Reason (required)")
    return form


def _offered(detail: ProjectDetail) -> list[str]:
    names = list(detail.allowed_actions)
    if detail.may_manage:
        names += [MILESTONES, FUNDS, EDIT]
    if detail.may_raise_blocker:
        names.append(BLOCKER)
    return names


def _timeline(detail: ProjectDetail) -> list[dict[str, Any]]:
    return [
        {
            "who": str(e.actor) if e.actor else gettext("the system"),
            "role": e.actor.get_role_display() if e.actor else "",
            "at": e.at,
            "action": action_label(e.action),
            "from": stage_label(e.from_state) if e.from_state != e.to_state else "",
            "to": stage_label(e.to_state) if e.from_state != e.to_state else "",
            "reason": e.reason,
            "demand": (e.payload or {}).get("demand", "") if e.action == Record.BLOCKER else "",
        }
        for e in detail.events
    ]


def _context(request, detail: ProjectDetail, *, failed: str = "", failed_form=None, message: str = "",
             stale: bool = False) -> dict[str, Any]:
    project = detail.project
    forms = [
        {
            "name": name,
            "label": action_label(name),
            "form": failed_form if name == failed and failed_form is not None else _form(name, project),
            "open": name == failed,
            "message": message if name == failed else "",
            "stale": stale and name == failed,
            "multipart": False,
        }
        for name in _offered(detail)
    ]
    orphan = message if failed and failed not in {f["name"] for f in forms} else ""
    return {
        "project": project,
        "detail": detail,
        "forms": forms,
        "timeline": _timeline(detail),
        "orphan_message": orphan,
        "orphan_stale": stale and bool(orphan),
    }


def _load(request: HttpRequest, project_id: int) -> ProjectDetail:
    return or_404(project_detail, actor=request.user, project_id=project_id)


@require_GET
@login_required
def project_page(request: HttpRequest, project_id: int) -> HttpResponse:
    return render(request, "projects/detail.html", _context(request, _load(request, project_id)))


def _field_name(name: str) -> str:
    """The form's name of a field the service names ``name``."""
    if name.startswith("milestones."):
        name = "planned_" + name.split(".", 1)[1]
    return {"category": "category_code"}.get(name, name)


def _call(request: HttpRequest, project_id: int, name: str, form, project: Project):
    data = form.cleaned_data
    actor = request.user
    if name == EDIT:
        return services.project_update(actor=actor, project_id=project_id, version=data["version"],
                                       **form.changes(project))
    if name == MILESTONES:
        return services.milestone_plan(actor=actor, project_id=project_id, version=data["version"],
                                       plans=form.plans())
    if name == FUNDS:
        return services.funds_record(actor=actor, project_id=project_id, version=data["version"],
                                     amount=data["amount"], received_on=data["received_on"], note=data["note"])
    if name == BLOCKER:
        return services.project_blocker_raise(actor=actor, project_id=project_id, title=data["title"],
                                              description=data["description"],
                                              category_code=data["category_code"] or None)
    return services.project_transition(actor=actor, project_id=project_id, version=data["version"], action=name,
                                       reason=data["reason"], listing_closes_on=data.get("listing_closes_on"))


@require_POST
@login_required
def project_post(request: HttpRequest, project_id: int, name: str) -> HttpResponse:
    if name not in Action.values and name not in LABELS:
        raise Http404(MSG_UNKNOWN)
    detail = _load(request, project_id)
    form = _form(name, detail.project, request.POST)
    if not form.is_valid():
        context = _context(request, detail, failed=name, failed_form=form, message=str(MSG_CHECK_FIELDS))
        return render(request, "projects/detail.html", context, status=422)
    try:
        _call(request, project_id, name, form, detail.project)
    except ApplicationError as exc:
        page_raise(exc)
        detail = _load(request, project_id)
        form_errors_add(form, exc, field_of=_field_name)
        stale = is_stale(exc)
        context = _context(request, detail, failed=name, failed_form=form, message=exc.message, stale=stale)
        return render(request, "projects/detail.html", context, status=exc.status_code)
    messages.success(request, str(MSG_DONE).format(action=action_label(name)))
    return redirect("projects:detail", project_id=project_id)
