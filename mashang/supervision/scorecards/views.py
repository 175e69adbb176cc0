"""Scorecard pages: the ranking with its trend charts, a unit's own figures, publishing.

Mounted under /supervision/scorecards/ by one ``include()`` line of ``supervision/urls.py``.
The period is read from ``from`` and ``to`` (local dates, ``to`` excluded — the API's), or
from the form's ``from`` and ``last`` (the last day, included). Charts are drawn by
``web/scorecards.js`` from ``scorecard_data``.
"""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from mashang.core.bounds import date_problem
from mashang.core.errors import ApplicationError, NotFound, PermissionDenied
from mashang.core.files import export_response
from mashang.core.views import page_raise
from mashang.supervision.scorecards import definitions as defs
from mashang.supervision.scorecards import formulas as sc
from mashang.supervision.scorecards import selectors as sel
from mashang.supervision.scorecards.api import entry, period_of
from mashang.supervision.scorecards.assessment import BLACK, RED
from mashang.supervision.scorecards.export import export_filename, scorecard_workbook
from mashang.supervision.scorecards.services import scorecard_publish

PAGE_SIZE = 50


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _period_asked(request: HttpRequest) -> sc.Period:
    """The period asked for, checked (:func:`period_of` raises naming the field)."""
    start = _date(request.GET.get("from"))
    end = _date(request.GET.get("to"))
    last = _date(request.GET.get("last"))
    if end is None and last is not None:
        # A last day out of range is refused as it is (the day after 9999-12-31 is no date).
        end = last + timedelta(days=1) if date_problem(last) is None else last
    return period_of(start, end)


def _period(request: HttpRequest) -> tuple[sc.Period, str | None]:
    """The period asked for and the message when it had to fall back to the default."""
    try:
        return _period_asked(request), None
    except ApplicationError as exc:
        return period_of(None, None), exc.message


def _refused(exc: ApplicationError) -> JsonResponse:
    return JsonResponse(
        {"message": exc.message, "fields": exc.fields}, status=exc.status_code, json_dumps_params={"ensure_ascii": False}
    )


def _query(period: sc.Period) -> str:
    return urlencode({"from": period.start.isoformat(), "to": period.end.isoformat()})


def _shortcuts(period: sc.Period, today: date) -> list[dict]:
    """Links to this and the previous month, quarter and year, and the neighbours of the period."""
    last_month = sc.month_of(sc.add_months(today, -1))
    items = [
        (_("Last month"), last_month),
        (_("This month"), sc.month_of(today)),
        (_("Last quarter"), sc.quarter_of(sc.add_months(sc.quarter_of(today).start, -3))),
        (_("This quarter"), sc.quarter_of(today)),
        (_("Last year"), sc.year_of(date(today.year - 1, 1, 1))),
        (_("This year"), sc.year_of(today)),
        (_("Previous period"), period.previous()),
    ]
    return [{"label": label, "query": _query(p), "current": p == period} for label, p in items]


def _definitions(card: sel.Scorecard) -> dict:
    """As published (frozen in the site's language), else as computed now."""
    if card.publication is not None and "indicators" in card.publication.definitions:
        return card.publication.definitions
    texts = defs.definitions(scheme=card.scheme, basic_weight=card.basic_weight)
    if card.publication is not None:  # published before the schemes: its texts, today's table
        return {**card.publication.definitions, "indicators": texts["indicators"]}
    return texts


def _guard(request: HttpRequest):
    if not sel.can_view(request.user):
        raise DjangoPermissionDenied(sel.MSG_NO_ACCESS)


@require_GET
@login_required
def scorecard_index(request: HttpRequest) -> HttpResponse:
    _guard(request)
    period, problem = _period(request)
    card = sel.scorecard_get(actor=request.user, period=period)
    today = timezone.localdate()
    rows = [{"u": u, "e": entry(u, card)} for u in card.units]
    return render(
        request,
        "supervision/scorecards.html",
        {
            "card": card,
            "rows": rows,
            "period": period,
            "problem": problem,
            "query": _query(period),
            "shortcuts": _shortcuts(period, today),
            "definitions": _definitions(card),
            "rate_labels": defs.RATE_LABELS,
            "axis_labels": defs.AXIS_LABELS,
            "scheme_title": defs.scheme_title(card.scheme),
            "red_list": card.listed(RED),
            "black_list": card.listed(BLACK),
            "can_publish": sel.can_publish(request.user) and sel.bounds(period)[1] <= timezone.now(),
            "can_view_all": sel.can_view_all(request.user),
            "own_code": getattr(request.user.unit, "code", None),
        },
        # A refused period shows the default one with the message, and says so in its status.
        status=422 if problem else 200,
    )


@require_GET
def scorecard_data(request: HttpRequest) -> JsonResponse:
    """The trend of the composite and the three rates per unit, for the charts (JSON)."""
    if not request.user.is_authenticated or not sel.can_view(request.user):
        return JsonResponse({"message": str(sel.MSG_NO_ACCESS), "fields": {}}, status=403)
    try:
        period = _period_asked(request)
    except ApplicationError as exc:
        return _refused(exc)
    data = sel.trend(actor=request.user, period=period)
    labels = {name: str(label) for name, label in defs.RATE_LABELS.items()}
    payload = {
        "periods": [
            p.start.strftime("%Y-%m") if p.kind == "month" else f"{p.start:%Y-%m-%d}–{p.last_day:%Y-%m-%d}"
            for p in data["periods"]
        ],
        "units": [{"code": code, **e} for code, e in sorted(data["units"].items(), key=lambda kv: kv[1]["name"])],
        "labels": {
            "composite": _("Composite score"),
            **labels,
            "no_data": _("No figures for these periods."),
        },
    }
    response = JsonResponse(payload, json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "private, no-store"
    return response


@require_GET
@login_required
def scorecard_export(request: HttpRequest) -> HttpResponse:
    """The scorecard of the page's period as an Excel workbook, for the signed-in person."""
    _guard(request)
    try:
        period = _period_asked(request)
    except ApplicationError as exc:
        return _refused(exc)
    card = sel.scorecard_get(actor=request.user, period=period)
    return export_response(scorecard_workbook(card), filename=export_filename(period))


@require_POST
@login_required
def scorecard_publish_view(request: HttpRequest) -> HttpResponse:
    if not sel.can_publish(request.user):
        raise DjangoPermissionDenied(sel.MSG_NO_ACCESS)
    start = _date(request.POST.get("from"))
    end = _date(request.POST.get("to"))
    target = reverse("supervision:scorecards")
    try:
        period = period_of(start, end)
        pub = scorecard_publish(actor=request.user, period_from=period.start, period_to=period.end)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect(f"{target}?{request.POST.get('query', '')}")
    messages.success(
        request,
        _("Published the scorecard of %(start)s to %(end)s (version %(version)d).")
        % {"start": period.start.isoformat(), "end": period.last_day.isoformat(), "version": pub.version},
    )
    return redirect(f"{target}?{_query(period)}")


@require_GET
@login_required
def scorecard_unit(request: HttpRequest, code: str) -> HttpResponse:
    _guard(request)
    try:
        unit = sel.unit_get(actor=request.user, code=code)
    except (NotFound, PermissionDenied) as exc:
        page_raise(exc, forbidden=True)
        raise
    period, problem = _period(request)
    card = sel.scorecard_get(actor=request.user, period=period)
    score = card.unit(unit.code)
    figure = request.GET.get("figure", "")
    filters = sel.figure_filters(card.computed_at)
    page = None
    if figure in filters:
        qs = sel.scorecard_demands(
            actor=request.user, unit=unit, period=period, figure=figure, now=card.computed_at
        )
        page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "supervision/scorecard_unit.html",
        {
            "unit": unit,
            "card": card,
            "score": score,
            "e": entry(score, card) if score else None,
            "period": period,
            "problem": problem,
            "query": _query(period),
            "figures": [{"name": name, "label": label} for name, (label, *_rest) in filters.items()],
            "figure": figure if figure in filters else "",
            "figure_label": filters[figure][0] if figure in filters else "",
            "page": page,
            "page_query": f"{_query(period)}&figure={figure}",
            "definitions": _definitions(card),
            "rate_labels": defs.RATE_LABELS,
            "axis_labels": defs.AXIS_LABELS,
            "scheme_title": defs.scheme_title(card.scheme),
        },
        status=422 if problem else 200,
    )


urlpatterns = [
    path("", scorecard_index, name="scorecards"),
    path("data.json", scorecard_data, name="scorecards-data"),
    path("export.xlsx", scorecard_export, name="scorecards-export"),
    path("publish/", scorecard_publish_view, name="scorecards-publish"),
    path("<slug:code>/", scorecard_unit, name="scorecard-unit"),
]
