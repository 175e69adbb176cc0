"""The security audit log for the audit administrator: the list with its filters (kind,
person, date range, success) and its Excel export, which is itself logged."""

from __future__ import annotations

from datetime import date

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.core.validators import MaxValueValidator, MinValueValidator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from mashang.audit import permissions
from mashang.audit.models import SecurityEvent
from mashang.audit.selectors import MSG_AUDIT_ONLY, SecurityLogFilters, security_log_list
from mashang.core.files import export_response
from mashang.core.spreadsheet import WHEN, Column, sheet_workbook

EXPORT_CAP = 100_000
PAGE_SIZE = 50
_DATE_BOUNDS = [MinValueValidator(date(2000, 1, 1)), MaxValueValidator(date(2100, 12, 31))]

MSG_BAD_FILTER = _("Correct the filters marked below.")


def _date_field(label):
    return forms.DateField(
        label=label,
        required=False,
        validators=_DATE_BOUNDS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class SecurityLogFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *SecurityEvent.Kind.choices]
    )
    person = forms.CharField(label=_("Person"), required=False, max_length=150)
    date_from = _date_field(_("From"))
    date_to = _date_field(_("To"))
    ok = forms.ChoiceField(
        label=_("Result"),
        required=False,
        choices=[("", _("Any result")), ("1", _("Succeeded")), ("0", _("Failed"))],
    )

    def filters(self) -> SecurityLogFilters:
        if not self.is_bound or not self.is_valid():
            return SecurityLogFilters()
        d = self.cleaned_data
        ok = {"1": True, "0": False}.get(d["ok"])
        return SecurityLogFilters(
            kind=d["kind"], person=d["person"], date_from=d["date_from"], date_to=d["date_to"], ok=ok
        )


def _require_auditor(request: HttpRequest) -> None:
    if not permissions.can_read_security_log(request.user):
        raise DjangoPermissionDenied(str(MSG_AUDIT_ONLY))


@require_GET
@login_required
def security_log(request: HttpRequest) -> HttpResponse:
    _require_auditor(request)
    form = SecurityLogFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        context = {"form": form, "page": None, "error": MSG_BAD_FILTER, "query": ""}
        return render(request, "audit/security_log.html", context, status=422)
    qs = security_log_list(actor=request.user, filters=form.filters())
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode()}
    return render(request, "audit/security_log.html", context)


def security_log_columns() -> list[Column]:
    return [
        Column(gettext("Time"), 17, WHEN),
        Column(gettext("Kind"), 14),
        Column(gettext("User id"), 8),
        Column(gettext("Username"), 16),
        Column(gettext("Address"), 16),
        Column(gettext("Object"), 22),
        Column(gettext("Result"), 8),
        Column(gettext("Detail"), 60),
    ]


def security_log_row(e: SecurityEvent) -> list[object]:
    return [
        e.at,
        str(e.get_kind_display()),
        e.user_id,
        e.username,
        e.address or "",
        f"{e.object_type}#{e.object_id}" if e.object_type else "",
        gettext("Succeeded") if e.ok else gettext("Failed"),
        e.detail,
    ]


@require_GET
@login_required
def security_log_export(request: HttpRequest) -> HttpResponse:
    """The filtered log as .xlsx (its download enters the log as an export)."""
    _require_auditor(request)
    form = SecurityLogFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        context = {"form": form, "page": None, "error": MSG_BAD_FILTER, "query": ""}
        return render(request, "audit/security_log.html", context, status=422)
    now = timezone.now()
    qs = security_log_list(actor=request.user, filters=form.filters())
    total = qs.order_by()[: EXPORT_CAP + 1].count()
    notes = [gettext("As of %(at)s") % {"at": timezone.localtime(now).strftime("%Y-%m-%d %H:%M")}]
    if total > EXPORT_CAP:
        notes.append(
            gettext("Only the newest %(n)s events are listed: narrow the filters to see the others.")
            % {"n": f"{EXPORT_CAP:,}"}
        )
    else:
        notes.append(ngettext("%(n)d event", "%(n)d events", total) % {"n": total})
    rows = (security_log_row(e) for e in qs[:EXPORT_CAP].iterator(chunk_size=2000))
    content = sheet_workbook(
        title=gettext("Security audit log"), columns=security_log_columns(), rows=rows, notes=notes
    )
    filename = f"security-log-{timezone.localtime(now).strftime('%Y-%m-%d-%H%M')}.xlsx"
    return export_response(content, filename=filename)
