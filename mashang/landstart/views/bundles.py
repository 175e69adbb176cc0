"""Bundle templates: the list, one template with its plan (expected total and critical path,
before anything runs) and its versions, the BPMN import and the editor of a new version."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from mashang.core.errors import ValidationFailed
from mashang.core.views import form_errors_add, or_404
from mashang.landstart import dag, services
from mashang.landstart.bpmn import MAX_BYTES, bpmn_bundle_read
from mashang.landstart.forms import (
    BpmnImportForm,
    TemplateHeadForm,
    rows_again,
    rows_check,
    step_rows,
)
from mashang.landstart.permissions import can_manage
from mashang.landstart.selectors import TemplateDetail, template_get, template_list
from mashang.landstart.services.templates import MSG_MAY_NOT_WRITE
from mashang.landstart.views.common import MSG_CHECK_FIELDS, minutes
from mashang.landstart.views.graph import fit, graph
from mashang.org.models import Unit
from mashang.projects.models import ProjectType

MSG_SAVED = _("Saved as version {version} of “{code}”.")
MSG_PLAN_OK = _("These steps form a bundle: expected {minutes} minutes from the award.")
#: The editor's three buttons (the name of the pressed one is posted as ``do``).
SAVE, PREVIEW, MORE = "save", "preview", "more"
MORE_ROWS = 3


def _summary(detail: TemplateDetail) -> dict:
    names = {s.code: s.name for s in detail.steps}
    return {
        "detail": detail,
        "template": detail.template,
        "expected": minutes(detail.plan.total_minutes),
        "critical_names": [names.get(c, c) for c in detail.plan.critical_path],
        "units": sorted({s.unit.name for s in detail.steps}),
        "opens_for": [
            ProjectType(t).label for t in detail.template.project_types or [] if t in ProjectType.values
        ],
    }


@require_GET
@login_required
def template_index(request: HttpRequest) -> HttpResponse:
    manager = can_manage(request.user)
    return render(
        request,
        "landstart/templates.html",
        {
            "templates": [_summary(d) for d in template_list(actor=request.user)],
            "can_write": manager,
            "import_form": BpmnImportForm(auto_id="id_import_%s", label_suffix="")
            if manager
            else None,
        },
    )


@require_GET
@login_required
def template_page(request: HttpRequest, code: str) -> HttpResponse:
    try:
        version = int(request.GET["version"]) if request.GET.get("version") else None
    except ValueError:
        version = None
    detail = or_404(template_get, actor=request.user, code=code, version=version)
    plan = detail.plan
    names = {s.code: s.name for s in detail.steps}
    path = plan.critical_path
    edges = [(p, s.code) for s in detail.specs for p in s.prerequisites]
    drawing = graph(detail.layout, edges, list(zip(path, path[1:], strict=False)))
    on_path = set(path)
    steps = [
        {
            "step": s,
            "box": drawing.boxes[s.code],
            "name_fit": fit(s.name, 10.5),
            "unit_fit": fit(s.unit.name, 9 if s.code in on_path else 13),
            "prerequisite_names": [names.get(p, p) for p in s.prerequisites],
            "start": minutes(plan.earliest_start[s.code]),
            "finish": minutes(plan.earliest_finish[s.code]),
            "slack": minutes(plan.slack[s.code]),
            "critical": s.code in on_path,
        }
        for s in detail.steps
    ]
    manager = can_manage(request.user)
    return render(
        request,
        "landstart/template.html",
        {
            **_summary(detail),
            "steps": steps,
            "graph": drawing,
            "latest": detail.versions[0],
            "can_write": manager,
            "import_form": BpmnImportForm(
                initial={
                    "code": detail.template.code,
                    "award_unit": detail.template.award_unit.code,
                    "project_types": list(detail.template.project_types or []),
                },
                auto_id="id_import_%s",
                label_suffix="",
            )
            if manager
            else None,
        },
    )


def _require_manager(request: HttpRequest) -> None:
    if not can_manage(request.user):
        raise PermissionDenied(MSG_MAY_NOT_WRITE)


@require_http_methods(["GET", "POST"])
@login_required
def template_import(request: HttpRequest) -> HttpResponse:
    """A BPMN 2.0 file becomes a template (or the next version of one), as the API's import."""
    _require_manager(request)
    message = ""
    if request.method == "GET":
        form = BpmnImportForm(
            initial={"code": request.GET.get("code", "")}, auto_id="id_import_%s", label_suffix=""
        )
        return render(request, "landstart/template_import.html", {"form": form, "message": message})
    form = BpmnImportForm(request.POST, request.FILES, auto_id="id_import_%s", label_suffix="")
    status = 422
    if form.is_valid():
        data = form.cleaned_data
        try:
            bundle = bpmn_bundle_read(data["file"].read(MAX_BYTES + 1))
            template = services.template_create(
                actor=request.user,
                code=data["code"],
                name=(data.get("name") or "").strip() or bundle.name,
                award_unit_code=data["award_unit"],
                note=data.get("note", ""),
                steps=bundle.steps,
                project_types=data.get("project_types") or [],
            )
        except ValidationFailed as exc:
            message = exc.message
            # The steps came from the file: their faults (unknown unit, cycle…) are the file's.
            form_errors_add(form, exc, field_of=lambda name: "file" if name == "steps" else name)
        else:
            messages.success(
                request, str(MSG_SAVED).format(version=template.version, code=template.code)
            )
            return redirect("landstart:template", code=template.code)
    else:
        message = str(MSG_CHECK_FIELDS)
    return render(
        request, "landstart/template_import.html", {"form": form, "message": message}, status=status
    )


def _editor(
    request: HttpRequest,
    head: TemplateHeadForm,
    rows,
    *,
    code: str = "",
    problems=(),
    plan=None,
    message: str = "",
    status: int = 200,
) -> HttpResponse:
    names = {}
    plan_view = None
    if plan is not None:
        names = {
            r.spec().code: r.spec().name
            for r in rows
            if r.is_bound and r.is_valid() and not r.is_blank()
        }
        plan_view = {
            "expected": minutes(plan.total_minutes),
            "critical_names": [names.get(c, c) for c in plan.critical_path],
        }
    return render(
        request,
        "landstart/template_edit.html",
        {
            "head": head,
            "rows": rows,
            "row_count": len(rows),
            "code": code,
            "problems": list(problems),
            "plan": plan_view,
            "message": message,
            "columns": rows[0] if rows else None,
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
@login_required
def template_edit(request: HttpRequest, code: str | None = None) -> HttpResponse:
    """A new template, or a new version of ``code`` starting from its latest version."""
    _require_manager(request)
    if request.method == "GET":
        if code is None:
            head = TemplateHeadForm(auto_id="id_%s", label_suffix="")
            return _editor(request, head, step_rows(count=6))
        detail = or_404(template_get, actor=request.user, code=code)
        t = detail.template
        head = TemplateHeadForm(
            initial={
                "code": t.code,
                "name": t.name,
                "award_unit": t.award_unit.code,
                "note": t.note,
                "project_types": list(t.project_types or []),
            },
            auto_id="id_%s",
            label_suffix="",
        )
        return _editor(request, head, step_rows(initial=detail.specs), code=code, plan=None)

    head = TemplateHeadForm(request.POST, auto_id="id_%s", label_suffix="")
    rows = step_rows(request.POST)
    pressed = request.POST.get("do", SAVE)
    if pressed == MORE:
        # More empty rows, nothing checked yet.
        head = TemplateHeadForm(
            initial={name: head[name].value() for name in TemplateHeadForm.base_fields},
            auto_id="id_%s",
            label_suffix="",
        )
        return _editor(request, head, rows_again(rows, MORE_ROWS), code=code or "")
    head_ok = head.is_valid()
    if not rows_check(rows):
        return _editor(
            request, head, rows, code=code or "", message=str(MSG_CHECK_FIELDS), status=422
        )
    specs = [r.spec() for r in rows if not r.is_blank()]
    if pressed == PREVIEW:
        known = Unit.objects.filter(is_active=True, code__in={s.unit for s in specs}).values_list(
            "code", flat=True
        )
        problems = dag.validate(specs, known_units=set(known))
        if problems:
            return _editor(request, head, rows, code=code or "", problems=problems, status=422)
        return _editor(
            request,
            head,
            rows,
            code=code or "",
            plan=dag.plan(specs),
            message=str(MSG_PLAN_OK).format(minutes=minutes(dag.plan(specs).total_minutes)),
        )
    if not head_ok:
        return _editor(
            request, head, rows, code=code or "", message=str(MSG_CHECK_FIELDS), status=422
        )
    d = head.cleaned_data
    try:
        template = services.template_create(
            actor=request.user,
            code=code or d.get("code", ""),
            name=d.get("name", ""),
            award_unit_code=d.get("award_unit", ""),
            note=d.get("note", ""),
            steps=specs,
            project_types=d.get("project_types") or [],
        )
    except ValidationFailed as exc:
        problems = []
        for name, msgs in exc.fields.items():
            for m in msgs:
                if name in head.fields:
                    head.add_error(name, m)
                else:
                    problems.append(m)
        return _editor(
            request, head, rows, code=code or "", problems=problems, message=exc.message, status=422
        )
    messages.success(request, str(MSG_SAVED).format(version=template.version, code=template.code))
    return redirect("landstart:template", code=template.code)
