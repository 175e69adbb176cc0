"""Pages of supervision notices: the list for the actor's scope, acknowledging, issuing by hand.

Thin views: they read the filters, call the selectors and services, and render or redirect
with a message. The demand page shows a demand's notices by including
``supervision/_notices.html`` with :func:`notices_context`.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from mashang.core.bulk import BulkResult, SelectedItemsField
from mashang.core.errors import ApplicationError
from mashang.core.views import page_raise
from mashang.demands.models import Demand
from mashang.org.models import Unit, User
from mashang.supervision import services
from mashang.supervision.models import Level
from mashang.supervision.permissions import ALL_NOTICES_ROLES, can_issue, can_view_notices
from mashang.supervision.selectors import (
    NoticeFilters,
    notice_list,
    notices_for_demand,
    with_permissions,
)
from mashang.supervision.services.bulk import notices_acknowledge_bulk, notices_issue_bulk

PAGE_SIZE = 30

MSG_NO_ACCESS = _("Supervision notices are for the zone's staff.")
MSG_ACKNOWLEDGED = _("Notice acknowledged.")
MSG_ISSUED = _("Supervision notice issued.")

ACKNOWLEDGED_CHOICES = [("", _("Any")), ("no", _("Not acknowledged")), ("yes", _("Acknowledged"))]


class NoticeFilterForm(forms.Form):
    level = forms.ChoiceField(label=_("Level"), required=False)
    acknowledged = forms.ChoiceField(
        label=_("Acknowledged"), required=False, choices=ACKNOWLEDGED_CHOICES
    )
    unit = forms.ChoiceField(label=_("Unit"), required=False)

    def __init__(self, *args, actor: User, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level"].choices = [("", _("Any")), *Level.choices]
        if actor.role in ALL_NOTICES_ROLES:
            self.fields["unit"].choices = [
                ("", _("All units")),
                *Unit.objects.filter(is_active=True).order_by("name").values_list("code", "name"),
            ]
        else:
            del self.fields["unit"]

    def filters(self) -> NoticeFilters:
        if not self.is_valid():
            return NoticeFilters()
        data = self.cleaned_data
        acknowledged = {"yes": True, "no": False}.get(data.get("acknowledged") or "")
        return NoticeFilters(
            unit=data.get("unit") or None,
            level=data.get("level") or None,
            acknowledged=acknowledged,
        )


class NoticeIssueForm(forms.Form):
    level = forms.ChoiceField(label=_("Level"), choices=Level.choices)
    comment = forms.CharField(
        label=_("Instructions"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


def notices_context(request: HttpRequest, demand: Demand) -> dict:
    """What ``supervision/_notices.html`` needs on a demand's page."""
    return {
        "notices": notices_for_demand(actor=request.user, demand=demand),
        "notice_demand": demand,
        "notice_form": NoticeIssueForm(auto_id="id_notice_%s") if can_issue(request.user) else None,
        "notice_next": request.get_full_path(),
    }


def _back(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


@require_GET
@login_required
def notice_index(request: HttpRequest) -> HttpResponse:
    """The notices of the actor's scope, newest first, with an acknowledge button where allowed."""
    user = request.user
    if not can_view_notices(user):
        raise PermissionDenied(MSG_NO_ACCESS)
    form = NoticeFilterForm(request.GET or None, actor=user)
    page = Paginator(notice_list(actor=user, filters=form.filters()), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    page.object_list = with_permissions(user, page.object_list)
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "supervision/notices.html",
        {
            "form": form,
            "page": page,
            "notices": page.object_list,
            "query": params.urlencode(),
            "show_demand": True,
            # Several acknowledged at once: a checkbox on each notice the actor may acknowledge.
            "bulk_ack": any(n.can_acknowledge for n in page.object_list),
        },
    )


@require_POST
@login_required
def notice_acknowledge(request: HttpRequest, notice_id: int) -> HttpResponse:
    try:
        services.notice_acknowledge(actor=request.user, notice_id=notice_id)
    except ApplicationError as exc:
        page_raise(exc, forbidden=True)
        messages.error(request, exc.message)
    else:
        messages.success(request, MSG_ACKNOWLEDGED)
    return redirect(_back(request, reverse("supervision:notices")))


@require_POST
@login_required
def notice_issue(request: HttpRequest, demand_id: int) -> HttpResponse:
    form = NoticeIssueForm(request.POST)
    back = _back(request, reverse("demands:detail", args=[demand_id]))
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(back)
    try:
        services.notice_issue(actor=request.user, demand_id=demand_id, **form.cleaned_data)
    except ApplicationError as exc:
        page_raise(exc, forbidden=True)
        messages.error(request, exc.message)
    else:
        messages.success(request, MSG_ISSUED)
    return redirect(back)


# --- several at once: notices to the overdue demands ticked on the watch list, and a unit's
# acknowledgement of the notices ticked on its list. Each item in its own transaction; the
# page says what came of each.


class BulkIssueForm(NoticeIssueForm):
    demands = SelectedItemsField(label=_("Demands"))


class BulkAcknowledgeForm(forms.Form):
    notices = SelectedItemsField(label=_("Notices"), versioned=False)


def _form_errors(request: HttpRequest, form: forms.Form) -> None:
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)


def _failures(request: HttpRequest, result: BulkResult, text: str) -> None:
    for item in result.failed:
        messages.error(request, text % {"number": item.label, "reason": item.message})


@require_POST
@login_required
def notices_issue_many(request: HttpRequest) -> HttpResponse:
    """A supervisor's notice to each demand ticked on the watch list."""
    if not can_issue(request.user):
        raise PermissionDenied(services.notices.MSG_MAY_NOT_ISSUE)
    back = _back(request, reverse("demands:watch"))
    form = BulkIssueForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect(back)
    data = form.cleaned_data
    result = notices_issue_bulk(
        actor=request.user, items=data["demands"], level=data["level"], comment=data["comment"]
    )
    if n := len(result.done):
        messages.success(
            request,
            ngettext("%(count)d supervision notice issued.", "%(count)d supervision notices issued.", n)
            % {"count": n},
        )
    if n := len(result.already):
        messages.info(
            request,
            ngettext(
                "%(count)d notice was already issued: %(numbers)s.",
                "%(count)d notices were already issued: %(numbers)s.",
                n,
            )
            % {"count": n, "numbers": "、".join(i.label for i in result.already)},
        )
    _failures(request, result, gettext("No notice to %(number)s: %(reason)s"))
    return redirect(back)


@require_POST
@login_required
def notices_acknowledge_many(request: HttpRequest) -> HttpResponse:
    """A unit acknowledges each of its notices ticked on its list."""
    if not can_view_notices(request.user):
        raise PermissionDenied(MSG_NO_ACCESS)
    back = _back(request, reverse("supervision:notices"))
    form = BulkAcknowledgeForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect(back)
    result = notices_acknowledge_bulk(actor=request.user, notice_ids=form.cleaned_data["notices"])
    if n := len(result.done):
        messages.success(
            request,
            ngettext("%(count)d notice acknowledged.", "%(count)d notices acknowledged.", n) % {"count": n},
        )
    if n := len(result.already):
        messages.info(
            request,
            ngettext(
                "%(count)d notice was already acknowledged: %(numbers)s.",
                "%(count)d notices were already acknowledged: %(numbers)s.",
                n,
            )
            % {"count": n, "numbers": "、".join(i.label for i in result.already)},
        )
    _failures(request, result, gettext("Notice on %(number)s not acknowledged: %(reason)s"))
    return redirect(back)
