"""Land-supply batches (供地批次): the list, the form to make or edit one, adding and removing
runs whose land is listed, the batch board (its live part polled by htmx every 3 seconds) and
its Excel export. Each action calls the service the API calls; a refusal shows beside its form
with the error's status code."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mashang.core.bounds import BoundedDateField
from mashang.core.errors import ApplicationError
from mashang.core.files import export_response
from mashang.core.views import form_errors_add, is_stale, or_404, page_raise
from mashang.landstart import services
from mashang.landstart.batch_export import batch_workbook
from mashang.landstart.models import Batch, RunState
from mashang.landstart.permissions import can_manage
from mashang.landstart.selectors.batches import (
    BatchBoard,
    batch_board,
    batch_get,
    batch_list,
    runs_free_to_batch,
    unit_next_steps,
)
from mashang.landstart.services.batches import MSG_MAY_NOT_WRITE
from mashang.landstart.views.common import (
    RUN_BADGE,
    clock,
    minutes,
    run_state_label,
    step_state_label,
)
from mashang.notify.models import ChatRobot

MSG_BATCH_SAVED = _("The batch is saved.")
MSG_RUN_ADDED = _("The run is in the batch.")
MSG_RUN_REMOVED = _("The run left the batch.")
MSG_CHOOSE_RUN = _("Choose a run whose land is listed.")
MSG_OUTSIDE_DAYS = _("awarded outside the batch's award days")


class BatchForm(forms.Form):
    version = forms.IntegerField(min_value=1, required=False, widget=forms.HiddenInput)
    name = forms.CharField(label=_("Name"), max_length=200, required=False)
    award_from = BoundedDateField(
        label=_("First award day"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    award_to = BoundedDateField(
        label=_("Last award day"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    work_group_robot = forms.TypedChoiceField(
        label=_("Work group's chat robot"), required=False, coerce=int, empty_value=None
    )
    note = forms.CharField(
        label=_("Note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        robots = ChatRobot.objects.filter(is_active=True).order_by("name", "id")
        self.fields["work_group_robot"].choices = [("", "—")] + [
            (r.pk, f"{r.name} ({r.get_platform_display()})") for r in robots
        ]


class AddRunForm(forms.Form):
    version = forms.IntegerField(min_value=1, required=False, widget=forms.HiddenInput)
    run = forms.TypedChoiceField(label=_("Run"), coerce=int, error_messages={"required": MSG_CHOOSE_RUN})

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["run"].choices = [("", "—"), *choices]


def _manager_or_403(request: HttpRequest) -> None:
    if not can_manage(request.user):
        raise PermissionDenied(str(MSG_MAY_NOT_WRITE))


@require_GET
@login_required
def batches(request: HttpRequest) -> HttpResponse:
    rows = [
        {"batch": b, "run_count": b.run_count, "completed_count": b.completed_count}
        for b in batch_list(actor=request.user)[:200]
    ]
    return render(
        request,
        "landstart/batch_list.html",
        {"rows": rows, "can_manage": can_manage(request.user)},
    )


def _form_page(request: HttpRequest, form: BatchForm, batch: Batch | None, message: str = "", status: int = 200):
    return render(
        request,
        "landstart/batch_form.html",
        {"form": form, "batch": batch, "message": message},
        status=status,
    )


@require_http_methods(["GET", "POST"])
@login_required
def batch_edit(request: HttpRequest, batch_id: int | None = None) -> HttpResponse:
    """Make a batch (no id) or change one (service team, administrators)."""
    _manager_or_403(request)
    batch = or_404(batch_get, actor=request.user, batch_id=batch_id) if batch_id else None
    if request.method == "GET":
        initial = {}
        if batch is not None:
            initial = {
                "version": batch.version,
                "name": batch.name,
                "award_from": batch.award_from,
                "award_to": batch.award_to,
                "work_group_robot": batch.work_group_robot_id,
                "note": batch.note,
            }
        return _form_page(request, BatchForm(initial=initial), batch)
    form = BatchForm(request.POST)
    if not form.is_valid():
        return _form_page(request, form, batch, status=422)
    data = form.cleaned_data
    fields = {
        "name": data["name"],
        "award_from": data["award_from"],
        "award_to": data["award_to"],
        "note": data["note"],
        "work_group_robot_id": data["work_group_robot"],
    }
    try:
        if batch is None:
            batch = services.batch_create(actor=request.user, **fields)
        else:
            services.batch_update(
                actor=request.user, batch_id=batch.pk, version=data.get("version"), **fields
            )
    except ApplicationError as exc:
        page_raise(exc, forbidden=True)
        form_errors_add(form, exc)
        return _form_page(request, form, batch, message=exc.message, status=exc.status_code)
    messages.success(request, str(MSG_BATCH_SAVED))
    return redirect("landstart:batch", batch_id=batch.pk)


def _optional_url(name: str, batch_id: int) -> str:
    try:
        return reverse(name, args=[batch_id])
    except NoReverseMatch:
        return ""


def board_context(board: BatchBoard) -> dict:
    """What the batch board's templates show, in words and clocks."""
    batch = board.batch
    runs = []
    for r in board.runs:
        runs.append(
            {
                "r": r,
                "state_label": run_state_label(r.state),
                "badge": RUN_BADGE.get(r.state, ""),
                "clock": clock(r.elapsed_seconds),
                "minutes": minutes(r.elapsed_minutes),
                "ticking": r.state == RunState.RUNNING,
                "active": [
                    {"a": a, "minutes": minutes(a.minutes), "seconds": None if a.minutes is None else int(a.minutes * 60)}
                    for a in r.active
                ],
                "removable": board.can_manage and r.state == RunState.LISTED,
            }
        )
    units = []
    for u in board.units:
        units.append(
            {
                "u": u,
                "median": minutes(u.median_minutes),
                "items": [
                    {
                        "i": i,
                        "state_label": step_state_label(i.state),
                        "minutes": minutes(i.minutes),
                    }
                    for i in u.items
                ],
            }
        )
    record = board.record
    return {
        "board": board,
        "batch": batch,
        "runs": runs,
        "units": units,
        "record": record,
        "slowest_minutes": minutes(record.slowest.elapsed_minutes) if record.slowest else "",
        "fastest_minutes": minutes(record.fastest.elapsed_minutes) if record.fastest else "",
        "median_minutes": minutes(record.median_minutes),
        "live": board.live,
        "outside_text": MSG_OUTSIDE_DAYS,
        "plan_url": _optional_url("landstart:batch-plan", batch.pk),
        "screen_url": _optional_url("landstart:batch-screen", batch.pk),
    }


def _board_page(
    request: HttpRequest,
    batch_id: int,
    *,
    add_form: AddRunForm | None = None,
    message: str = "",
    stale: bool = False,
    status: int = 200,
) -> HttpResponse:
    board = or_404(batch_board, actor=request.user, batch_id=batch_id)
    context = board_context(board)
    if board.can_manage:
        choices = [
            (r.pk, f"{r.project.number} {r.project.name}") for r in runs_free_to_batch(actor=request.user)[:200]
        ]
        if add_form is None:
            add_form = AddRunForm(initial={"version": board.batch.version}, choices=choices)
        else:
            add_form.fields["run"].choices = [("", "—"), *choices]
    context.update({"add_form": add_form, "message": message, "stale": stale})
    return render(request, "landstart/batch_board.html", context, status=status)


@require_GET
@login_required
def batch_page(request: HttpRequest, batch_id: int) -> HttpResponse:
    return _board_page(request, batch_id)


@require_GET
@login_required
def batch_live(request: HttpRequest, batch_id: int) -> HttpResponse:
    """The live part of the batch board, for htmx's polling: one read of the board."""
    board = or_404(batch_board, actor=request.user, batch_id=batch_id)
    response = render(request, "landstart/_batch_board.html", board_context(board))
    response["Cache-Control"] = "no-store"
    return response


@require_POST
@login_required
def batch_run_add(request: HttpRequest, batch_id: int) -> HttpResponse:
    _manager_or_403(request)
    form = AddRunForm(request.POST, choices=[(request.POST.get("run"), "")] if request.POST.get("run") else ())
    if not form.is_valid():
        return _board_page(request, batch_id, add_form=form, status=422)
    try:
        services.batch_run_add(
            actor=request.user,
            batch_id=batch_id,
            run_id=form.cleaned_data["run"],
            version=form.cleaned_data.get("version"),
        )
    except ApplicationError as exc:
        page_raise(exc, forbidden=True)
        return _board_page(
            request, batch_id, add_form=form, message=exc.message, stale=is_stale(exc), status=exc.status_code
        )
    messages.success(request, str(MSG_RUN_ADDED))
    return redirect("landstart:batch", batch_id=batch_id)


@require_POST
@login_required
def batch_run_remove(request: HttpRequest, batch_id: int, run_id: int) -> HttpResponse:
    _manager_or_403(request)
    try:
        services.batch_run_remove(actor=request.user, batch_id=batch_id, run_id=run_id)
    except ApplicationError as exc:
        page_raise(exc, forbidden=True)
        return _board_page(request, batch_id, message=exc.message, status=exc.status_code)
    messages.success(request, str(MSG_RUN_REMOVED))
    return redirect("landstart:batch", batch_id=batch_id)


@require_GET
@login_required
def batch_export(request: HttpRequest, batch_id: int) -> HttpResponse:
    """The batch board as an Excel workbook: a sheet of the runs and one of the units' queues."""
    board = or_404(batch_board, actor=request.user, batch_id=batch_id)
    now = timezone.localtime(board.now)
    return export_response(
        batch_workbook(board), filename=f"batch-{board.batch.number}-{now:%Y-%m-%d}.xlsx"
    )


#: The order of a unit's “my steps”: what to complete now, what comes next, what to pre-review.
MY_STEP_KINDS = ("active", "next", "prereview")


def my_steps_arrange(rows: list[dict], *, actor) -> list[dict]:
    """A unit's “my steps” in the order a unit member works them: active steps first (how long
    they have been in hand), then the next ones (waiting, with the prerequisites they wait on),
    then the pre-review to do; within each, grouped by batch and run. ``rows`` are the active
    and pre-review rows the runs page made; the waiting ones are added here (two queries, one
    more for the batches)."""
    for row in rows:
        row.setdefault("kind", "active" if row.get("action") == "complete" else "prereview")
    for n in unit_next_steps(actor=actor):
        rows.append(
            {
                "step": n.step,
                "run": n.step.run,
                "action": "",
                "kind": "next",
                "waiting_on": n.waiting_on,
                "state_label": step_state_label(n.step.state),
                "in_hand": None,
                "form": None,
                "message": "",
                "stale": False,
            }
        )
    batch_ids = {r["run"].batch_id for r in rows if r["run"].batch_id}
    batches = {b.pk: b for b in Batch.objects.filter(pk__in=batch_ids)} if batch_ids else {}
    far = timezone.now() + timedelta(days=36500)
    for row in rows:
        row["batch"] = batches.get(row["run"].batch_id)

    def key(row: dict) -> tuple:
        run, batch = row["run"], row["batch"]
        return (
            MY_STEP_KINDS.index(row["kind"]),
            batch is None,
            batch.award_from if batch else far.date(),
            batch.pk if batch else 0,
            run.awarded_at or run.opened_at or far,
            run.pk,
            row["step"].position,
        )

    rows.sort(key=key)
    return rows
