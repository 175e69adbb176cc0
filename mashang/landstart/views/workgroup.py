"""The run's work group on its board: which chat group follows the run, and the small form the
service team uses to choose it. The form posts here; a refusal comes back as the board with the
message beside the form."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from mashang.core.errors import ApplicationError
from mashang.core.views import or_404
from mashang.landstart import services
from mashang.landstart.models import OPEN_RUN_STATES, Run
from mashang.landstart.permissions import can_manage
from mashang.landstart.selectors import run_board
from mashang.landstart.selectors.workgroup import FROM_BATCH, run_work_group, work_group_robots
from mashang.landstart.views.common import MSG_CHECK_FIELDS, Failure
from mashang.landstart.views.display import board_context
from mashang.notify.models import ChatRobot

ACTION = "work_group"
PREFIX = "work-group"

MSG_SAVED = _("The work group of this run is saved.")
MSG_NONE = _("— none of its own —")


class WorkGroupForm(forms.Form):
    """The run's chat robot among the active ones (none: the batch's, if any), and the version
    of the run the page showed."""

    robot = forms.TypedChoiceField(
        label=_("Work group's chat robot"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_("Every award, step completion, send-back and the final permit is posted to this group."),
    )
    version = forms.IntegerField(min_value=1, required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, robots: list[ChatRobot], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["robot"].choices = [("", MSG_NONE)] + [
            (r.pk, f"{r.name} · {r.get_platform_display()}") for r in robots
        ]


def work_group_panel(*, user, run: Run, failure: Failure | None = None, posted=None) -> dict[str, Any]:
    """What the board's work-group panel shows: the robot that follows the run, where it comes
    from, and (for the service team, while the run is open) the form to choose it."""
    group = run_work_group(run)
    form = None
    if can_manage(user) and run.state in OPEN_RUN_STATES:
        robots = work_group_robots()
        if failure is not None:
            form = WorkGroupForm(data=posted, robots=robots, prefix=PREFIX, label_suffix="")
            form.is_valid()
            for name, msgs in failure.fields.items():
                for m in msgs:
                    form.add_error(name if name in form.fields else None, m)
        else:
            form = WorkGroupForm(
                initial={"robot": run.work_group_robot_id or "", "version": run.version},
                robots=robots,
                prefix=PREFIX,
                label_suffix="",
            )
    return {
        "run": run,
        "group": group,
        "from_batch": group is not None and group.source == FROM_BATCH,
        "form": form,
        "failure": failure,
    }


@require_POST
@login_required
def work_group_set(request: HttpRequest, run_id: int) -> HttpResponse:
    """Choose the run's chat robot (service team, administrators)."""
    form = WorkGroupForm(data=request.POST, robots=work_group_robots(), prefix=PREFIX)
    if form.is_valid():
        try:
            services.landstart_work_group_set(
                actor=request.user,
                run_id=run_id,
                robot_id=form.cleaned_data["robot"],
                version=form.cleaned_data.get("version"),
            )
        except ApplicationError as exc:
            failure = Failure.of(exc, action=ACTION)
        else:
            messages.success(request, str(MSG_SAVED))
            return redirect("landstart:board", run_id=run_id)
    else:
        # The panel checks the posted form again, which puts its errors beside its fields.
        failure = Failure(action=ACTION, message=str(MSG_CHECK_FIELDS), status=422)
    board = or_404(run_board, actor=request.user, run_id=run_id)
    context = board_context(board)
    context["work_group_failure"] = failure
    context["work_group_posted"] = request.POST
    return render(request, "landstart/board.html", context, status=failure.status)
