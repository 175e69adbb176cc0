"""The runs list: every run the reader may see, filtered by state; a unit's “my steps” (what
to complete now, what to mark ready while the land is listed); the service team's form to
open a run for a project whose land is listed."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from mashang.core.errors import ApplicationError
from mashang.core.views import form_errors_add
from mashang.landstart import services
from mashang.landstart.forms import OpenRunForm, StepActionForm
from mashang.landstart.models import OPEN_RUN_STATES, RunState, RunStep, StepState
from mashang.landstart.permissions import can_award, can_manage
from mashang.landstart.selectors import (
    RunFilters,
    elapsed_seconds,
    run_list,
    template_list,
    unit_steps,
)
from mashang.landstart.selectors.board import COMPLETE, STAGE
from mashang.landstart.services.runs import MSG_MAY_NOT_OPEN
from mashang.landstart.views.batches import my_steps_arrange
from mashang.landstart.views.common import (
    RUN_BADGE,
    Failure,
    clock,
    run_state_label,
    step_state_label,
)
from mashang.projects.selectors import ProjectFilters, project_list

PAGE_SIZE = 25
MSG_OPENED = _("The run is open: the units of the pre-review steps were told.")


def _progress(run_ids: list[int]) -> dict[int, tuple[int, int]]:
    """(done, total) steps of each run, in one query."""
    rows = (
        RunStep.objects.filter(run_id__in=run_ids)
        .values("run_id")
        .annotate(total=Count("id"), done=Count("id", filter=Q(state=StepState.DONE)))
    )
    return {r["run_id"]: (r["done"], r["total"]) for r in rows}


def _my_steps(request: HttpRequest, failure: Failure | None, failed_run: int | None) -> list[dict]:
    rows = []
    now = timezone.now()
    for step in unit_steps(actor=request.user)[:50]:
        in_hand = max(int((now - step.started_at).total_seconds()), 0) if step.started_at else None
        action = COMPLETE if step.run.state == RunState.RUNNING else STAGE
        failed = (
            failure is not None and failed_run == step.run_id and failure.about(action, step.code)
        )
        rows.append(
            {
                "step": step,
                "run": step.run,
                "action": action,
                "state_label": step_state_label(
                    step.state, late=in_hand is not None and in_hand > step.expected_minutes * 60
                ),
                "in_hand": in_hand,
                "in_hand_clock": clock(in_hand),
                "form": StepActionForm(
                    initial={"version": step.version}, prefix=f"{step.code}-{action}"
                ),
                "message": failure.message if failed else "",
                "stale": failed and failure.stale,
                # Pre-review: due when the listing closes; late from the working day before.
                "prereview_due": step.prereview_due_at if action == STAGE else None,
                "prereview_late": action == STAGE
                and (step.prereview_late_noticed_at is not None
                     or (step.prereview_due_at is not None and step.prereview_due_at <= now)),
            }
        )
    return my_steps_arrange(rows, actor=request.user)


def _open_form(request: HttpRequest, data=None) -> OpenRunForm | None:
    if not can_manage(request.user):
        return None
    waiting = (
        project_list(actor=request.user, filters=ProjectFilters(stage=["listed"]))
        .exclude(landstart_runs__state__in=OPEN_RUN_STATES)
        .order_by("number")[:200]
    )
    templates = [
        (d.template.code, f"{d.template.name} (v{d.template.version})")
        for d in template_list(actor=request.user)
    ]
    return OpenRunForm(
        data,
        projects=[(p.pk, f"{p.number} {p.name}") for p in waiting],
        templates=templates,
        auto_id="id_open_%s",
        label_suffix="",
    )


def runs_render(
    request: HttpRequest,
    *,
    failure: Failure | None = None,
    failed_run: int | None = None,
    open_form: OpenRunForm | None = None,
    open_message: str = "",
    status: int = 200,
) -> HttpResponse:
    states = [s for s in request.GET.getlist("state") if s in RunState.values]
    qs = run_list(actor=request.user, filters=RunFilters(state=states or None))
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    runs = list(page.object_list)
    progress = _progress([r.pk for r in runs])
    now = timezone.now()
    rows = []
    for run in runs:
        seconds = elapsed_seconds(run, now)
        done, total = progress.get(run.pk, (0, 0))
        rows.append(
            {
                "run": run,
                "state_label": run_state_label(run.state),
                "badge": RUN_BADGE.get(run.state, ""),
                "seconds": seconds,
                "clock": clock(seconds),
                "minutes": None if seconds is None else round(seconds / 60, 1),
                "ticking": run.state == RunState.RUNNING,
                "done": done,
                "total": total,
                "can_award": run.state == RunState.LISTED and can_award(request.user, run),
            }
        )
    query = request.GET.copy()
    query.pop("page", None)
    my_steps = _my_steps(request, failure, failed_run) if request.user.is_unit_member else None
    return render(
        request,
        "landstart/runs.html",
        {
            "page": page,
            "rows": rows,
            "states": [(value, label, value in states) for value, label in RunState.choices],
            "query": query.urlencode(),
            "my_steps": my_steps,
            "unit": request.user.unit if request.user.is_unit_member else None,
            "open_form": open_form if open_form is not None else _open_form(request),
            "open_message": open_message,
            # A refusal of a step no longer in the list (done meanwhile) shows above it.
            "orphan": failure
            if failure is not None and not any(r["message"] for r in my_steps or [])
            else None,
        },
        status=status,
    )


@require_GET
@login_required
def runs(request: HttpRequest) -> HttpResponse:
    return runs_render(request)


@require_POST
@login_required
def run_open(request: HttpRequest) -> HttpResponse:
    """The service team opens a run for a project whose land is listed."""
    form = _open_form(request, request.POST)
    if form is None:
        raise PermissionDenied(MSG_MAY_NOT_OPEN)
    if not form.is_valid():
        return runs_render(request, open_form=form, status=422)
    try:
        run = services.landstart_open(
            actor=request.user,
            project_id=form.cleaned_data["project"],
            template_code=form.cleaned_data["template"],
        )
    except ApplicationError as exc:
        form_errors_add(form, exc)
        return runs_render(
            request, open_form=form, open_message=exc.message, status=exc.status_code
        )
    messages.success(request, str(MSG_OPENED))
    return redirect("landstart:board", run_id=run.pk)
