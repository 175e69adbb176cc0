"""Registering a demand for an enterprise: a phone call, a visit, a chat message or a 12345
transfer, logged by a service officer (who may classify and dispatch it in the same go) or by
a unit's member who received the enterprise (the service team then triages it).

The enterprise is picked with a search (:func:`enterprise_picker`, an htmx fragment; without
scripts the form's "Find" button does the same) or added by its credit code and name.
Registering, triage and dispatch are three services, three moves and three events, as on the
demand's page: a refused dispatch leaves the demand registered and classified, and the
officer lands on it with the dispatch form open and the reason.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.forms import MultipleChoiceField
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from mashang.core.errors import ApplicationError
from mashang.core.views import form_errors_add, page_raise
from mashang.demands.intake_forms import DISPATCH, REGISTER, IntakeForm
from mashang.demands.models import Demand
from mashang.demands.permissions import can_submit_for_any_enterprise, can_triage_on_intake
from mashang.demands.services import demand_dispatch, demand_submit, demand_triage
from mashang.demands.services.attachments import SUBMIT_STEP, demand_attach
from mashang.org.models import Enterprise, User
from mashang.org.selectors import enterprise_search

MSG_STAFF_ONLY = _(
    "Registering a demand for an enterprise is for the service team and the units' staff. "
    "An enterprise files its own demands on its portal."
)
MSG_REGISTERED = _("Demand {number} was registered for {enterprise}.")
MSG_REGISTERED_FOR_TEAM = _(
    "Demand {number} was registered for {enterprise}; the service team will classify and dispatch it."
)
MSG_TRIAGED = _("Demand {number} was registered and classified; dispatch it when you are ready.")
MSG_DISPATCHED = _("Demand {number} was registered and dispatched to {unit}.")
MSG_NOT_TRIAGED = _("Demand {number} was registered, but not classified: {message}")
MSG_NOT_DISPATCHED = _("Demand {number} was registered and classified, but not dispatched: {message}")
MSG_CHECK_FIELDS = _("Please check the fields marked below.")


def _allowed(user: User) -> bool:
    return can_submit_for_any_enterprise(user)


def _forbidden(request: HttpRequest) -> HttpResponse:
    """A page that says who registers demands here, and where this person goes instead."""
    return render(request, "demands/intake_forbidden.html", {"message": MSG_STAFF_ONLY}, status=403)


@require_GET
@login_required
def enterprise_picker(request: HttpRequest) -> HttpResponse:
    """The enterprises a search finds, as the picker's list of choices (an htmx fragment)."""
    if not _allowed(request.user):
        raise PermissionDenied(MSG_STAFF_ONLY)
    query = request.GET.get("q", "")[:100]
    found = enterprise_search(actor=request.user, query=query)
    return render(
        request,
        "demands/_intake_enterprises.html",
        {"enterprises": found, "query": query.strip(), "picked": ""},
    )


def _picker_context(form: IntakeForm, data) -> dict[str, Any]:
    """What the picker shows when the page is drawn: the picked enterprise (checked) and, after
    the "Find" button without scripts, what the search found."""
    if data is None:
        return {"enterprises": [], "picked": "", "query": ""}
    picked = (data.get("enterprise") or "").strip()
    query = (data.get("q") or "").strip()[:100] if data.get("find") else ""
    enterprises = list(Enterprise.objects.filter(credit_code=picked)) if picked else []
    if query:
        enterprises += [e for e in enterprise_search(actor=form.actor, query=query) if e.credit_code != picked]
    return {"enterprises": enterprises, "picked": picked, "query": query}


def _render(request: HttpRequest, form: IntakeForm, data=None, *, status: int = 200, message: str = ""):
    return render(
        request,
        "demands/intake.html",
        {"form": form, "team": form.team, "message": message, **_picker_context(form, data)},
        status=status,
    )


def _make_form(request: HttpRequest, data=None, files=None, initial=None) -> IntakeForm:
    form = IntakeForm(data, files, initial=initial, team=can_triage_on_intake(request.user), label_suffix="")
    form.actor = request.user
    return form


def _refilled(request: HttpRequest) -> IntakeForm:
    """An unbound form showing what was typed (no field is judged before it is sent)."""
    fields = _make_form(request).fields
    initial = {
        name: request.POST.getlist(name) if isinstance(field, MultipleChoiceField) else request.POST.get(name)
        for name, field in fields.items()
        if name in request.POST
    }
    return _make_form(request, initial=initial)


@require_http_methods(["GET", "POST"])
@login_required
def demand_intake(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not _allowed(user):
        return _forbidden(request)
    if request.method == "GET":
        return _render(request, _make_form(request))
    if request.POST.get("find"):
        # The picker without scripts: search, and draw the form again as it was, unjudged.
        return _render(request, _refilled(request), request.POST)
    form = _make_form(request, request.POST, request.FILES)
    if not form.is_valid():
        return _render(request, form, request.POST, status=422, message=str(MSG_CHECK_FIELDS))
    data = form.cleaned_data
    try:
        # One transaction: a refused file registers nothing.
        with transaction.atomic():
            demand = demand_submit(actor=user, **form.submit_data())
            demand_attach(
                actor=user, demand_id=demand.pk, files=data.get("attachments") or [], step=SUBMIT_STEP
            )
    except ApplicationError as exc:
        page_raise(exc)
        form_errors_add(form, exc, field_of=form.enterprise_field)
        if not exc.fields:
            form.add_error(None, exc.message)
        return _render(request, form, request.POST, status=exc.status_code, message=exc.message)
    enterprise = demand.enterprise.name
    if not form.team:
        messages.success(request, str(MSG_REGISTERED_FOR_TEAM).format(number=demand.number, enterprise=enterprise))
        return redirect("demands:detail", demand_id=demand.pk)
    then = data["then"]
    if then == REGISTER:
        messages.success(request, str(MSG_REGISTERED).format(number=demand.number, enterprise=enterprise))
        return redirect("demands:detail", demand_id=demand.pk)
    return _triage_and_dispatch(request, demand, data, dispatch=then == DISPATCH)


def _triage_and_dispatch(request: HttpRequest, demand: Demand, data: dict, *, dispatch: bool) -> HttpResponse:
    """Two more moves, each its own transition and event; a refusal keeps what was done."""
    user = request.user
    number = demand.number
    version = Demand.objects.values_list("version", flat=True).get(pk=demand.pk)  # files bump it
    try:
        demand = demand_triage(
            actor=user, demand_id=demand.pk, version=version, category=data["category"], urgency=data["urgency"]
        )
    except ApplicationError as exc:
        messages.error(request, str(MSG_NOT_TRIAGED).format(number=number, message=exc.message))
        return _to_demand(demand.pk, "triage-dispatch")
    if not dispatch:
        messages.success(request, str(MSG_TRIAGED).format(number=number))
        return redirect("demands:detail", demand_id=demand.pk)
    try:
        demand = demand_dispatch(
            actor=user,
            demand_id=demand.pk,
            version=demand.version,
            lead_unit=data["lead_unit"],
            co_units=data["co_units"],
        )
    except ApplicationError as exc:
        messages.error(request, str(MSG_NOT_DISPATCHED).format(number=number, message=exc.message))
        return _to_demand(demand.pk, "dispatch")
    messages.success(request, str(MSG_DISPATCHED).format(number=number, unit=demand.lead_unit.name))
    return redirect("demands:detail", demand_id=demand.pk)


def _to_demand(demand_id: int, action: str) -> HttpResponse:
    """The demand's page with ``action``'s form unfolded."""
    return redirect(f"{reverse('demands:detail', args=[demand_id])}?{urlencode({'open': action})}")
