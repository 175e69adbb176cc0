"""One demand, for every role that may see it: its facts, timeline and the actions the actor may take.

The action forms post to :func:`demand_act`, which validates the shape with the action's form
and calls the service ``services.ACTIONS`` names for that action, so the page and
the API move a demand the same way.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from mashang.audit.labels import event_label
from mashang.core.errors import ApplicationError
from mashang.core.files import stored_file_response
from mashang.core.masking import phone_mask
from mashang.core.views import form_errors_add, is_stale, or_404, page_raise
from mashang.demands import permissions
from mashang.demands.advice import advice_for
from mashang.demands.deadlines import DeadlineKind, deadline_kind, deadline_rows
from mashang.demands.disclosure import form_audience_mark, text_is_public
from mashang.demands.forms import ACTION_FORMS, TRIAGE_DISPATCH, TriageDispatchForm
from mashang.demands.messages import demand_topic
from mashang.demands.models import Assignment, Demand, Status
from mashang.demands.selectors import DemandDetail, demand_get
from mashang.demands.selectors.opinions import demand_opinions, opinions_readable
from mashang.demands.services import ACTIONS
from mashang.demands.services.attachments import ATTACH_ACTION
from mashang.demands.transitions import Action
from mashang.demands.views.files import (
    attach_form,
    event_files,
    file_groups,
    files_act,
    files_keep,
    timeline_fold,
)
from mashang.notify.services import inbox_mark_topic_read
from mashang.org.models import User

MSG_DONE = _("Done: {action}.")
MSG_TRIAGED_NOT_DISPATCHED = _(
    "The demand was accepted and classified, but not dispatched: {message}"
)
MSG_UNKNOWN_ACTION = _("There is no such action.")
MSG_CHECK_FIELDS = _("Please check the fields marked below.")
MSG_NO_ATTACHMENT = _("No such file.")
TRIAGE_DISPATCH_LABEL = _("triage and dispatch")
ATTACH_LABEL = _("attach files")

#: What each action form's button says (the action's own label otherwise).
SUBMIT_LABELS = {
    "confirm": _("Send my answer"),
    "resume": _("Send the answer"),
}


def _submit_label(request: HttpRequest, action: str) -> str:
    # The enterprise answers the unit's question; a unit just resumes.
    if action == "resume" and request.user.role != User.Role.ENTERPRISE:
        return action_label(action)
    return str(SUBMIT_LABELS.get(action, "")) or action_label(action)


def action_label(action: str) -> str:
    if action == TRIAGE_DISPATCH:
        return str(TRIAGE_DISPATCH_LABEL)
    if action == ATTACH_ACTION:
        return str(ATTACH_LABEL)
    try:
        return str(Action(action).label)
    except ValueError:
        # An action another app records on a demand (a supervision notice) is named by that app.
        return event_label(subject_type="demand", action=action) or action


def status_label(value: str) -> str:
    try:
        return str(Status(value).label) if value else ""
    except ValueError:
        return value


def _load(request: HttpRequest, demand_id: int) -> DemandDetail:
    return or_404(demand_get, actor=request.user, demand_id=demand_id)


def _page_actions(detail: DemandDetail) -> list[str]:
    """The allowed actions as the page offers them: triage of a new demand comes with dispatch."""
    actions = list(detail.allowed_actions)
    if "triage" in actions:
        actions[actions.index("triage")] = TRIAGE_DISPATCH
    return actions


def _initial(action: str, demand: Demand) -> dict[str, Any]:
    initial: dict[str, Any] = {"version": demand.version}
    if action in ("triage", TRIAGE_DISPATCH):
        initial["category"] = demand.category.code if demand.category else ""
        initial["urgency"] = demand.urgency
    if action == "dispatch" and demand.category and demand.category.default_lead_unit:
        initial["lead_unit"] = demand.category.default_lead_unit.code
    if action in (TRIAGE_DISPATCH, "dispatch"):
        # A matching routing rule, or a confident suggestion, fills in what it decides.
        advice = advice_for(demand)
        if advice is not None:
            if advice.category and action == TRIAGE_DISPATCH:
                initial["category"] = advice.category
            if advice.urgency and action == TRIAGE_DISPATCH:
                initial["urgency"] = advice.urgency
            if advice.lead_unit:
                initial["lead_unit"] = advice.lead_unit
            if advice.co_units:
                initial["co_units"] = list(advice.co_units)
    if action == "assign-case" and demand.lead_unit_id:
        initial["lead_unit"] = demand.lead_unit.code
    if action == "approve-extension":
        initial["days"] = demand.extension_requested_days
    return initial


def _form(action: str, demand: Demand, data: QueryDict | None = None, files=None):
    return ACTION_FORMS[action](
        data=data,
        files=files,
        initial=_initial(action, demand),
        auto_id=f"id_{action}_%s",
        label_suffix="",
    )


def _timeline(detail: DemandDetail) -> list[dict[str, Any]]:
    rows = []
    for e in detail.events:
        rows.append(
            {
                "who": str(e.actor) if e.actor else gettext("the system"),
                "role": e.actor.get_role_display() if e.actor else "",
                "at": e.at,
                "action": action_label(e.action),
                "code": e.action,
                "from": status_label(e.from_state) if e.from_state != e.to_state else "",
                "to": status_label(e.to_state) if e.from_state != e.to_state else "",
                "reason": e.reason,
                # Internal text the reader may not read (demands.disclosure): said, not shown.
                "withheld": getattr(e, "withheld", False),
                **event_files(detail.demand, e),
            }
        )
    return timeline_fold(rows, detail.events)


def _open_question(detail: DemandDetail) -> str:
    """While the demand waits on the enterprise: the unit's question, to answer beside the form."""
    if detail.demand.status != Status.WAITING:
        return ""
    asked = [e for e in detail.events if e.action == "wait"]
    return asked[-1].reason if asked else ""


def _deadlines(demand: Demand) -> list[dict[str, Any]]:
    """Each stored deadline: the one the demand is held to now, and those met or missed."""
    return [
        {"label": DeadlineKind(r.kind).label, "due": r.due, "current": r.current, "outcome": r.outcome}
        for r in deadline_rows(demand)
    ]


def _context(
    request: HttpRequest,
    detail: DemandDetail,
    *,
    failed: str = "",
    failed_form=None,
    message: str = "",
    stale: bool = False,
    notice: str = "",
) -> dict[str, Any]:
    demand = detail.demand
    forms = []
    for action in _page_actions(detail):
        form = (
            failed_form if action == failed and failed_form is not None else _form(action, demand)
        )
        if request.user.role != User.Role.ENTERPRISE:
            # Staff are told which of their texts the enterprise will read (the enterprise
            # writes only what it reads itself).
            form_audience_mark(form, action)
        forms.append(
            {
                "name": action,
                "label": action_label(action),
                "submit": _submit_label(request, action),
                "form": form,
                "open": action == failed,
                "message": message if action == failed else "",
                "stale": stale and action == failed,
            }
        )
    attach = attach_form(request.user, detail, failed=failed, failed_form=failed_form, message=message)
    # A failure on an action no longer offered (it was done meanwhile) is shown above the forms.
    offered = {f["name"] for f in forms} | ({ATTACH_ACTION} if attach else set())
    orphan_message = message if failed and failed not in offered else ""
    current = [a for a in detail.assignments if a.is_current]
    return {
        "demand": demand,
        "lead": [a for a in current if a.role == Assignment.Role.LEAD],
        "co": [a for a in current if a.role == Assignment.Role.CO],
        "former": [a for a in detail.assignments if not a.is_current],
        "deadlines": _deadlines(demand),
        "assessment": detail.readable("assessment"),
        "assessment_public": text_is_public(Action.ASSESS),
        "extension_reason": detail.readable("extension_reason"),
        "deadline_kind": deadline_kind(demand),
        "file_groups": file_groups(
            demand,
            detail.files(),
            action_label,
        ),
        "attach": attach,
        "timeline": _timeline(detail),
        "opinions": demand_opinions(detail=detail),
        "opinions_readable": opinions_readable(actor=request.user, detail=detail),
        "forms": forms,
        # The routing panel (a rule that matches, suggestions, similar demands) beside triage.
        "routing_advice": request.user.role != User.Role.ENTERPRISE
        and any(f["name"] in (TRIAGE_DISPATCH, "dispatch") for f in forms),
        "question": _open_question(detail),
        "orphan_message": orphan_message,
        "orphan_stale": stale and bool(orphan_message),
        "notice": notice,
        # Personal data minimised: the phone in full for those who handle the demand.
        "contact_phone_full": permissions.sees_contact_phone(request.user, demand, detail.assignments),
        "contact_phone_masked": phone_mask(demand.contact_phone),
    }


def _render(request: HttpRequest, context: dict[str, Any], status: int = 200) -> HttpResponse:
    template = (
        "demands/_detail_body.html" if request.headers.get("HX-Request") else "demands/detail.html"
    )
    return render(request, template, context, status=status)


@require_GET
@login_required
def demand_detail(request: HttpRequest, demand_id: int) -> HttpResponse:
    detail = _load(request, demand_id)
    inbox_mark_topic_read(actor=request.user, topic=demand_topic(detail.demand.pk))  # opened: its messages are read
    # ``?open=dispatch``: that action's form unfolded (the intake page sends a refused dispatch here).
    return _render(request, _context(request, detail, failed=request.GET.get("open", "")[:30]))


def _failure(
    request, demand_id: int, action: str, data: QueryDict, exc: ApplicationError, *, version=None
):
    """Re-render the demand as it is now, the failed form open with the message beside it."""
    page_raise(exc)
    detail = _load(request, demand_id)
    shown = action
    if version is not None:
        # Triage went through: the dispatch part is offered again on the now-triaged demand.
        data = data.copy()
        data["version"] = str(version)
        shown = "dispatch"
    form = _form(shown, detail.demand, data, request.FILES)
    form.is_valid()
    form_errors_add(form, exc)
    files_keep(request, form)
    # A stale version: someone changed the demand since the page was read.
    stale = is_stale(exc) and data.get("version") != str(detail.demand.version)
    return _render(
        request,
        _context(request, detail, failed=shown, failed_form=form, message=exc.message, stale=stale),
        status=exc.status_code,
    )


@require_POST
@login_required
def demand_act(request: HttpRequest, demand_id: int, action: str) -> HttpResponse:
    if action not in ACTION_FORMS:
        raise Http404(MSG_UNKNOWN_ACTION)
    detail = _load(request, demand_id)
    form = _form(action, detail.demand, request.POST, request.FILES)
    if not form.is_valid():
        files_keep(request, form)
        return _render(
            request,
            _context(
                request, detail, failed=action, failed_form=form, message=str(MSG_CHECK_FIELDS)
            ),
            status=422,
        )
    try:
        if action == TRIAGE_DISPATCH:
            return _triage_and_dispatch(request, demand_id, form)
        demand = files_act(
            request, form, demand_id=demand_id, action=action, move=ACTIONS.get(action)
        )
    except ApplicationError as exc:
        return _failure(request, demand_id, action, request.POST, exc)
    return _success(request, demand, action)


def _triage_and_dispatch(
    request: HttpRequest, demand_id: int, form: TriageDispatchForm
) -> HttpResponse:
    """Two moves, each its own transition and event; a refused dispatch leaves the demand triaged."""
    triage = ACTIONS[Action.TRIAGE]
    dispatch = ACTIONS[Action.DISPATCH]
    demand = triage(actor=request.user, demand_id=demand_id, **form.triage_data())
    try:
        demand = dispatch(
            actor=request.user, demand_id=demand_id, version=demand.version, **form.dispatch_data()
        )
    except ApplicationError as exc:
        wrapped = type(exc)(
            str(MSG_TRIAGED_NOT_DISPATCHED).format(message=exc.message), fields=exc.fields
        )
        return _failure(
            request, demand_id, TRIAGE_DISPATCH, request.POST, wrapped, version=demand.version
        )
    return _success(request, demand, TRIAGE_DISPATCH)


def _success(request: HttpRequest, demand: Demand, action: str) -> HttpResponse:
    notice = str(MSG_DONE).format(action=action_label(action))
    if request.headers.get("HX-Request"):
        return _render(request, _context(request, _load(request, demand.pk), notice=notice))
    messages.success(request, notice)
    return redirect("demands:detail", demand_id=demand.pk)


@require_GET
@login_required
def attachment_download(request: HttpRequest, demand_id: int, attachment_id: int) -> HttpResponse:
    """The file, only to someone who may see the demand, as a download that never renders."""
    detail = _load(request, demand_id)
    attachment = next((a for a in detail.files() if a.pk == attachment_id), None)
    if attachment is None:
        raise Http404(MSG_NO_ATTACHMENT)
    return stored_file_response(attachment, stem="attachment", missing=Http404(attachment.original_name))
