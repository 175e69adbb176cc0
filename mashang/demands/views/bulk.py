"""Several demands at once from the service team's queue: dispatch a batch.

A thin view: the form checks the shape, :func:`demands_dispatch_bulk` moves each demand in
its own transaction, and the queue comes back with what came of each (done, already done
by an earlier send of the same form, or refused with the reason).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_POST

from mashang.core.bulk import BulkResult
from mashang.demands.forms import BulkDispatchForm
from mashang.demands.services.bulk import demands_dispatch_bulk
from mashang.demands.views.workbench import MSG_TEAM_ONLY
from mashang.org.models import User


def back_to(request: HttpRequest, default: str) -> str:
    """Where the form came from (``next``), when it is a page of this site; else ``default``."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _report(request: HttpRequest, result: BulkResult) -> None:
    if result.done:
        n = len(result.done)
        messages.success(
            request,
            ngettext("%(count)d demand dispatched.", "%(count)d demands dispatched.", n) % {"count": n},
        )
    if result.already:
        n = len(result.already)
        numbers = "、".join(i.label for i in result.already)
        messages.info(
            request,
            ngettext(
                "%(count)d was already dispatched: %(numbers)s.",
                "%(count)d were already dispatched: %(numbers)s.",
                n,
            )
            % {"count": n, "numbers": numbers},
        )
    for item in result.failed:
        messages.error(
            request,
            gettext("%(number)s not dispatched: %(reason)s") % {"number": item.label, "reason": item.message},
        )


@require_POST
@login_required
def team_dispatch_bulk(request: HttpRequest) -> HttpResponse:
    """Dispatch the ticked demands of the queue; back to the queue with the result of each."""
    if request.user.role != User.Role.OFFICER:
        raise PermissionDenied(MSG_TEAM_ONLY)
    back = back_to(request, reverse("demands:team"))
    form = BulkDispatchForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(back)
    data = form.cleaned_data
    result = demands_dispatch_bulk(
        actor=request.user,
        items=data["demands"],
        lead_unit=data["lead_unit"],
        co_units=data["co_units"],
        note=data["note"],
    )
    _report(request, result)
    return redirect(back)
