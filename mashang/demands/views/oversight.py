"""Pages of supervisors and leaders: the overdue and at-risk list, and the dashboard.

Thin views: they check the role, read the filters, call the selectors of ``stats`` and
render. The dashboard's charts are drawn by ``web/dashboard.js`` from ``dashboard_data``.
"""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from mashang.core.bounds import BoundedDateField
from mashang.demands import permissions, rates
from mashang.demands.selectors import dashboard as dashboards
from mashang.demands.selectors import watch as watches
from mashang.org.models import Category, Unit

MSG_NO_ACCESS = _("This page is for supervisors and leaders.")
MSG_PERIOD_ORDER = _("The end of the period cannot be before its start.")
MSG_PERIOD_LONG = _("Choose a period of at most %(months)d months.")
MSG_BAD_FILTER = _("Check the filter.")

LEADING_UNIT_KINDS = (Unit.Kind.DEPARTMENT, Unit.Kind.PARTNER)


def _units():
    return Unit.objects.filter(is_active=True, kind__in=LEADING_UNIT_KINDS).order_by("name")


class WatchFilterForm(forms.Form):
    unit = forms.ChoiceField(label=_("Unit"), required=False)
    category = forms.ChoiceField(label=_("Category"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [
            ("", _("All units")),
            (watches.SERVICE_TEAM, _("Service team (triage)")),
            *_units().values_list("code", "name"),
        ]
        self.fields["category"].choices = [
            ("", _("All categories")),
            *Category.objects.filter(is_active=True).order_by("name").values_list("code", "name"),
        ]

    def filters(self) -> watches.WatchFilters:
        if not self.is_valid():
            return watches.WatchFilters()
        return watches.WatchFilters(
            unit=self.cleaned_data["unit"] or None, category=self.cleaned_data["category"] or None
        )


_DATE = {"type": "date"}


class PeriodForm(forms.Form):
    start = BoundedDateField(
        label=_("From"), required=False, widget=forms.DateInput(_DATE, format="%Y-%m-%d")
    )
    end = BoundedDateField(
        label=_("To"), required=False, widget=forms.DateInput(_DATE, format="%Y-%m-%d")
    )
    unit = forms.ModelChoiceField(
        label=_("Lead unit"),
        queryset=Unit.objects.none(),
        to_field_name="code",
        required=False,
        empty_label=_("All units"),
    )

    def __init__(self, *args, today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = _units()
        self.default = dashboards.period_default(today=today)

    def clean(self):
        data = super().clean()
        start = data.get("start") or self.default[0]
        end = data.get("end") or self.default[1]
        if end < start:
            self.add_error("end", MSG_PERIOD_ORDER)
        elif len(dashboards.months_between(start, end)) > dashboards.MAX_PERIOD_MONTHS:
            self.add_error("start", MSG_PERIOD_LONG % {"months": dashboards.MAX_PERIOD_MONTHS})
        data["start"], data["end"] = start, end
        return data

    def period(self) -> dashboards.Period:
        """The period asked for; the default (last 12 months, all units) when the input is bad."""
        if not self.is_valid():
            return dashboards.Period(*self.default)
        d = self.cleaned_data
        return dashboards.Period(start=d["start"], end=d["end"], unit=d["unit"])


def _period_form(request: HttpRequest) -> PeriodForm:
    """The period form, its empty dates filled with the default period so the page shows them."""
    today = timezone.localdate()
    data = request.GET.copy()
    default = dashboards.period_default(today=today)
    for name, value in zip(("start", "end"), default, strict=True):
        if not data.get(name):
            data[name] = value.isoformat()
    return PeriodForm(data, today=today)


def _require(request: HttpRequest, allowed) -> None:
    if not allowed(request.user):
        raise PermissionDenied(MSG_NO_ACCESS)


@require_GET
@login_required
def watch(request: HttpRequest) -> HttpResponse:
    _require(request, permissions.can_watch)
    form = WatchFilterForm(request.GET or None)
    filters = form.filters() if form.is_bound else watches.WatchFilters()
    data = watches.watch_get(actor=request.user, filters=filters)
    return render(
        request,
        "demands/watch.html",
        {
            "form": form,
            "filters": filters,
            "watch": data,
            "at_risk_hours": watches.AT_RISK_HOURS,
            "can_decide_extensions": request.user.role == request.user.Role.SUPERVISOR,
            # Supervisors tick overdue demands to issue a notice to each (supervision's form).
            "can_issue_notices": request.user.role == request.user.Role.SUPERVISOR,
        },
    )


@require_GET
@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    _require(request, permissions.can_view_dashboard)
    form = _period_form(request)
    period = form.period()
    data = dashboards.dashboard_get(actor=request.user, period=period)
    return render(
        request,
        "demands/dashboard.html",
        {
            "form": form,
            "period": period,
            "dash": data,
            "basic_weight": rates.basic_weight(),
            "filtered": bool(request.GET),
            # The charts draw the period the tables show, even when the input was refused.
            "query": urlencode(
                {
                    "start": period.start.isoformat(),
                    "end": period.end.isoformat(),
                    **({"unit": period.unit.code} if period.unit else {}),
                }
            ),
        },
        # A refused period shows the default one with the fields' messages, as a 422.
        status=422 if form.errors else 200,
    )


@require_GET
def dashboard_data(request: HttpRequest) -> JsonResponse:
    """The dashboard's figures as JSON: numbers, translated labels and chart series."""
    if not request.user.is_authenticated or not permissions.can_view_dashboard(request.user):
        return JsonResponse({"message": str(MSG_NO_ACCESS)}, status=403)
    form = _period_form(request)
    if not form.is_valid():
        return JsonResponse(
            {
                "message": str(MSG_BAD_FILTER),
                "fields": {name: [str(m) for m in msgs] for name, msgs in form.errors.items()},
            },
            status=422,
        )
    data = dashboards.dashboard_get(actor=request.user, period=form.period())
    response = JsonResponse(dashboard_payload(data), json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "private, no-store"
    return response


def dashboard_payload(d: dashboards.Dashboard) -> dict:
    """The figures of the dashboard in the shape ``dashboard.js`` draws (labels translated)."""
    h = d.headline
    months = [m.month.strftime("%Y-%m") for m in d.months]
    on_time = d.units_by_on_time
    rated = d.units_rated
    return {
        "period": {
            "start": d.period.start.isoformat(),
            "end": d.period.end.isoformat(),
            "unit": d.period.unit.code if d.period.unit else None,
        },
        "headline": {
            "filed": h.filed,
            "open": d.open_now,
            "overdue": d.overdue_now,
            "first_contact_rate": h.first_contact_rate,
            "resolution_rate": h.resolution_rate,
            "satisfaction_rate": h.satisfaction_rate,
            "rated": h.rated,
        },
        "labels": {
            "volume": gettext("Demands filed and closed per month"),
            "on_time": gettext("On-time rates by lead unit"),
            "satisfaction": gettext("Satisfaction by lead unit, share of rated demands"),
            "categories": gettext("Demands by category"),
            "trend": gettext("On-time and satisfaction rates per month"),
            "filed": gettext("Filed"),
            "closed": gettext("Closed"),
            "first_contact": gettext("First contact on time"),
            "resolution": gettext("Resolution on time"),
            "satisfaction_rate": gettext("Satisfaction rate"),
            "satisfied": gettext("Satisfied"),
            "basic": gettext("Basically satisfied"),
            "unsatisfied": gettext("Unsatisfied"),
            "demands": gettext("Demands"),
            "no_data": gettext("No demands in this period."),
        },
        "volume": {
            "months": months,
            "filed": [m.rates.filed for m in d.months],
            "closed": [m.closed for m in d.months],
        },
        "on_time": {
            "units": [u.name for u in on_time],
            "first_contact": [u.rates.first_contact_rate for u in on_time],
            "resolution": [u.rates.resolution_rate for u in on_time],
        },
        "satisfaction": {
            "units": [u.name for u in rated],
            "rated": [u.rates.rated for u in rated],
            "satisfied": [u.rates.satisfied_share for u in rated],
            "basic": [u.rates.basic_share for u in rated],
            "unsatisfied": [u.rates.unsatisfied_share for u in rated],
        },
        "categories": {
            "names": [c.name for c in d.categories],
            "counts": [c.count for c in d.categories],
        },
        "trend": {
            "months": months,
            "first_contact": [m.rates.first_contact_rate for m in d.months],
            "resolution": [m.rates.resolution_rate for m in d.months],
            "satisfaction": [m.rates.satisfaction_rate for m in d.months],
        },
    }
