"""The board of one run: the page, its live fragment (htmx polls it every 2 seconds), the
actions on the run and its steps, and its documents.

Each action validates the shape with its form and calls the service the API calls, so the
board and the API move a run the same way; a refusal (403, 409, 422) comes back as the board
with the message beside the form."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from mashang.core.errors import ApplicationError
from mashang.core.files import stored_file_response
from mashang.core.views import or_404
from mashang.landstart import services
from mashang.landstart.forms import AwardForm, ReasonForm
from mashang.landstart.models import StepDocument
from mashang.landstart.selectors import run_board, run_get
from mashang.landstart.selectors.board import ATTACH, COMPLETE, RETURN, STAGE
from mashang.landstart.services.commitments import CommitmentTerms
from mashang.landstart.views.common import (
    MSG_CHECK_FIELDS,
    MSG_DONE,
    MSG_UNKNOWN_ACTION,
    Failure,
    action_label,
)
from mashang.landstart.views.display import FORMS, board_context
from mashang.landstart.views.runs import runs_render

MSG_NO_DOCUMENT = _("No such document.")
STEP_ACTIONS = (COMPLETE, STAGE, RETURN, ATTACH)
RUN_ACTIONS = ("award", "cancel")


def _render(
    request: HttpRequest,
    run_id: int,
    *,
    failure: Failure | None = None,
    notice: str = "",
    status: int = 200,
) -> HttpResponse:
    board = or_404(run_board, actor=request.user, run_id=run_id)
    context = board_context(
        board, failure=failure, posted=request.POST if failure else None, notice=notice
    )
    fragment = bool(request.headers.get("HX-Request"))
    template = "landstart/_board.html" if fragment else "landstart/board.html"
    return render(request, template, context, status=status)


@require_GET
@login_required
def board_page(request: HttpRequest, run_id: int) -> HttpResponse:
    return _render(request, run_id)


@require_GET
@login_required
def board_fragment(request: HttpRequest, run_id: int) -> HttpResponse:
    """The live part of the board, for htmx's polling: one read of the board."""
    board = or_404(run_board, actor=request.user, run_id=run_id)
    response = render(request, "landstart/_board.html", board_context(board))
    response["Cache-Control"] = "no-store"
    return response


def _done(request: HttpRequest, run_id: int, action: str) -> HttpResponse:
    notice = str(MSG_DONE).format(action=action_label(action))
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        messages.success(request, notice)
        return redirect(back)
    if request.headers.get("HX-Request"):
        return _render(request, run_id, notice=notice)
    messages.success(request, notice)
    return redirect("landstart:board", run_id=run_id)


def _refused(request: HttpRequest, run_id: int, failure: Failure) -> HttpResponse:
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        # From the runs list's “my steps”: the message goes back there, beside the step.
        return runs_render(request, failure=failure, failed_run=run_id, status=failure.status)
    return _render(request, run_id, failure=failure, status=failure.status)


@require_POST
@login_required
def step_act(request: HttpRequest, run_id: int, code: str, action: str) -> HttpResponse:
    if action not in STEP_ACTIONS:
        raise Http404(MSG_UNKNOWN_ACTION)
    prefix = f"{code}-{action}"
    form = FORMS[action](data=request.POST, files=request.FILES, prefix=prefix)
    if not form.is_valid():
        failure = Failure(action=action, step=code, message=str(MSG_CHECK_FIELDS), status=422)
        return _refused(request, run_id, failure)
    data = form.cleaned_data
    try:
        if action == ATTACH:
            services.landstart_document_attach(
                actor=request.user, run_id=run_id, step_code=code, files=data.get("files") or []
            )
        elif action == COMPLETE:
            services.landstart_step_complete(
                actor=request.user,
                run_id=run_id,
                step_code=code,
                version=data.get("version"),
                documents=data.get("documents") or [],
                commitment=(
                    CommitmentTerms(promised_by=data.get("promised_by") or "", due_on=data.get("due_on"))
                    if form.wants_commitment()
                    else None
                ),
            )
        elif action == STAGE:
            services.landstart_step_stage(
                actor=request.user, run_id=run_id, step_code=code, version=data.get("version")
            )
        else:
            services.landstart_step_return(
                actor=request.user,
                run_id=run_id,
                step_code=code,
                reason=data.get("reason", ""),
                version=data.get("version"),
            )
    except ApplicationError as exc:
        return _refused(request, run_id, Failure.of(exc, action=action, step=code))
    return _done(request, run_id, action)


@require_POST
@login_required
def run_act(request: HttpRequest, run_id: int, action: str) -> HttpResponse:
    if action not in RUN_ACTIONS:
        raise Http404(MSG_UNKNOWN_ACTION)
    cls = AwardForm if action == "award" else ReasonForm
    form = cls(data=request.POST, prefix=f"run-{action}")
    if not form.is_valid():
        failure = Failure(action=action, message=str(MSG_CHECK_FIELDS), status=422)
        return _render(request, run_id, failure=failure, status=422)
    data = form.cleaned_data
    try:
        if action == "award":
            services.landstart_award(
                actor=request.user,
                run_id=run_id,
                awarded_at=data["awarded_at"],
                version=data.get("version"),
            )
        else:
            services.landstart_cancel(
                actor=request.user,
                run_id=run_id,
                reason=data.get("reason", ""),
                version=data.get("version"),
            )
    except ApplicationError as exc:
        return _render(
            request, run_id, failure=Failure.of(exc, action=action), status=exc.status_code
        )
    return _done(request, run_id, action)


@require_GET
@login_required
def document_download(request: HttpRequest, run_id: int, document_id: int) -> HttpResponse:
    """A step's document, only to someone who may see the run, as a download that never renders."""
    run = or_404(run_get, actor=request.user, run_id=run_id)
    document = StepDocument.objects.filter(step__run=run, pk=document_id).first()
    if document is None:
        raise Http404(str(MSG_NO_DOCUMENT))
    return stored_file_response(document, stem="document", missing=Http404(str(MSG_NO_DOCUMENT)))
