"""The page of commitments (容缺受理 / 告知承诺制): documents promised in place of missing
papers, soonest due first (or latest), open ones by default; a unit sees its own; the list
as an Excel sheet. Fulfilling and cancelling happen through the services the API calls."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from mashang.core.errors import ApplicationError
from mashang.core.files import export_response
from mashang.core.forms import MultipleFileField
from mashang.core.spreadsheet import WHEN, Column, sheet_workbook
from mashang.core.views import page_raise
from mashang.landstart.models import CommitmentState
from mashang.landstart.permissions import can_manage, can_work_on
from mashang.landstart.selectors.commitments import (
    MSG_MAY_NOT_LIST,
    CommitmentFilters,
    can_list,
    commitment_list,
    is_overdue,
    state_label,
)
from mashang.landstart.services.commitments import commitment_cancel, commitment_fulfil

MSG_OPEN = _("Still open")
MSG_CLOSED = _("Fulfilled or cancelled")
MSG_ALL = _("All")
MSG_SOONEST = _("Soonest due first")
MSG_LATEST = _("Latest due first")
MSG_FULFILLED = _("The promised document is recorded: the commitment is fulfilled.")
MSG_CANCELLED = _("The commitment is cancelled.")
MSG_OVERDUE = _("overdue")
#: The last notice the sweep raised, in words.
LEVEL_LABELS = {"reminder": _("reminded"), "yellow": _("yellow notice"), "red": _("red notice")}
#: Rows the page shows (the export has them all).
PAGE_ROWS = 500


class CommitmentFilterForm(forms.Form):
    show = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[("open", MSG_OPEN), ("closed", MSG_CLOSED), ("all", MSG_ALL)],
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    order = forms.ChoiceField(
        label=_("Order"), required=False, choices=[("due", MSG_SOONEST), ("-due", MSG_LATEST)]
    )

    def filters(self) -> CommitmentFilters:
        data = self.cleaned_data if self.is_valid() else {}
        show = data.get("show") or "open"
        return CommitmentFilters(
            open={"open": True, "closed": False}.get(show),
            overdue=True if data.get("overdue") else None,
            order=data.get("order") or "due",
        )


class FulfilForm(forms.Form):
    files = MultipleFileField(label=_("The promised document"), required=False)


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=2000, required=False)


def _checked(request: HttpRequest) -> None:
    if not can_list(request.user):
        raise DjangoPermissionDenied(str(MSG_MAY_NOT_LIST))


def _rows(request: HttpRequest, filters: CommitmentFilters, now, *, limit: int | None):
    qs = commitment_list(actor=request.user, filters=filters, now=now)
    rows = []
    for c in qs[:limit] if limit else qs:
        step = c.step
        rows.append(
            {
                "c": c,
                "run": step.run,
                "project": step.run.project,
                "step": step,
                "overdue": is_overdue(c, now),
                "level": LEVEL_LABELS.get(c.notice_level, ""),
                "state": state_label(c.state),
                "may_fulfil": c.state == CommitmentState.OPEN
                and (can_work_on(request.user, step) or can_manage(request.user)),
                "may_cancel": c.state == CommitmentState.OPEN and can_manage(request.user),
            }
        )
    return rows


@require_GET
@login_required
def commitments_page(request: HttpRequest) -> HttpResponse:
    _checked(request)
    form = CommitmentFilterForm(request.GET or None)
    now = timezone.now()
    rows = _rows(request, form.filters(), now, limit=PAGE_ROWS)
    return render(
        request,
        "landstart/commitments.html",
        {
            "form": form,
            "rows": rows,
            "now": now,
            "query": request.GET.urlencode(),
            "fulfil_form": FulfilForm(auto_id=False),
            "cancel_form": CancelForm(auto_id=False),
        },
    )


def commitments_workbook(rows, *, now) -> bytes:
    columns = [
        Column(gettext("Project number"), 16),
        Column(gettext("Project"), 28),
        Column(gettext("Step"), 18),
        Column(gettext("Unit"), 18),
        Column(gettext("Missing document"), 24),
        Column(gettext("Promised by"), 22),
        Column(gettext("Due"), 18, WHEN),
        Column(gettext("State"), 10),
        Column(gettext("Overdue"), 8),
        Column(gettext("Made at"), 18, WHEN),
        Column(gettext("Fulfilled at"), 18, WHEN),
    ]
    return sheet_workbook(
        title=gettext("Commitments in place of missing papers"),
        notes=[gettext("As of %(when)s") % {"when": timezone.localtime(now).strftime("%Y-%m-%d %H:%M")}],
        columns=columns,
        rows=(
            [
                r["project"].number,
                r["project"].name,
                r["step"].name,
                r["step"].unit.name,
                r["c"].document,
                r["c"].promised_by,
                r["c"].due_at,
                state_label(r["c"].state),
                str(MSG_OVERDUE) if r["overdue"] else "",
                r["c"].made_at,
                r["c"].fulfilled_at,
            ]
            for r in rows
        ),
        sheet_name=gettext("Commitments"),
    )


@require_GET
@login_required
def commitments_export(request: HttpRequest) -> HttpResponse:
    """The list as on the page (same filters), every row, as .xlsx."""
    _checked(request)
    now = timezone.now()
    rows = _rows(request, CommitmentFilterForm(request.GET or None).filters(), now, limit=None)
    filename = f"landstart-commitments-{timezone.localtime(now):%Y-%m-%d}.xlsx"
    return export_response(commitments_workbook(rows, now=now), filename=filename)


@require_POST
@login_required
def commitment_act(request: HttpRequest, commitment_id: int, action: str) -> HttpResponse:
    """Fulfil (the promised document) or cancel (with a reason) from the list."""
    _checked(request)
    try:
        if action == "fulfil":
            form = FulfilForm(request.POST, request.FILES)
            form.is_valid()
            commitment_fulfil(
                actor=request.user,
                commitment_id=commitment_id,
                files=form.cleaned_data.get("files") or [],
            )
            messages.success(request, str(MSG_FULFILLED))
        elif action == "cancel":
            commitment_cancel(
                actor=request.user, commitment_id=commitment_id, reason=request.POST.get("reason", "")
            )
            messages.success(request, str(MSG_CANCELLED))
        else:
            raise DjangoPermissionDenied
    except ApplicationError as exc:
        page_raise(exc)  # a commitment the person may not see is not found, as elsewhere
        messages.error(request, exc.message)
    return redirect("landstart:commitments")
