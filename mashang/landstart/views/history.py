"""The history of finished runs across projects: minutes from the award to the construction
permit in award order (so 145 → 40 reads as a falling line, with the running best), minutes per
step, the best record; and for the zone's staff what the history teaches — per template the
distribution of each step's minutes and how often it decided the finish, per unit its figures,
the unit that most often decided the finish — with the Excel export of it all."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from mashang.core.bounds import BoundedDateField
from mashang.core.errors import NotFound, PermissionDenied
from mashang.core.files import export_response
from mashang.core.spreadsheet import WHEN, Column, Sheet, sheets_workbook
from mashang.landstart.default_bundle import DEFAULT_CODE
from mashang.landstart.selectors import (
    Learning,
    LearningFilters,
    history_learning,
    learning_check,
    template_get,
    template_list,
)
from mashang.landstart.selectors.learning import (
    MSG_DATES_REVERSED,
    MSG_SEND_BACK_NOTE,
    Distribution,
)
from mashang.landstart.views.common import clock, minutes

MSG_ALL_TEMPLATES = _("All templates")
MSG_DECIDING = _(
    "The steps of %(unit)s most often decided the finish: its steps took the most minutes on "
    "the critical path in %(decided)d of %(runs)s (%(minutes)s minutes on the critical path in "
    "all, %(share)s of the critical minutes)."
)
MSG_SENT_BACK = _("%(n)d of these runs had a step sent back and done again.")

PERCENT = "0.0%"
MINUTES = "0.##"


class HistoryFilterForm(forms.Form):
    template = forms.ChoiceField(label=_("Template"), required=False)
    date_from = BoundedDateField(
        label=_("Awarded from"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    date_to = BoundedDateField(
        label=_("Awarded to"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, templates: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].choices = [("", MSG_ALL_TEMPLATES), *templates]

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", MSG_DATES_REVERSED)
        return data

    def filters(self) -> LearningFilters:
        if not self.is_valid():
            return LearningFilters()
        data = self.cleaned_data
        return LearningFilters(
            template=data.get("template") or None,
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )


def _form(request: HttpRequest) -> HistoryFilterForm:
    templates = [(t.template.code, t.template.name) for t in template_list(actor=request.user)]
    return HistoryFilterForm(request.GET or None, templates=templates)


def _columns(actor, code: str, learning: Learning) -> list[tuple[str, str]]:
    """The table's step columns: the chosen (or default) bundle's steps (code, name), then any
    step code a run of another template has that the bundle lacks."""
    try:
        detail = template_get(actor=actor, code=code)
        columns = [(s.code, s.name) for s in detail.steps]
    except NotFound:
        columns = []
    known = {c for c, _ in columns}
    for row in learning.records:
        for step in row.step_minutes:
            if step not in known:
                known.add(step)
                columns.append((step, step))
    return columns


def _percent(share: float) -> str:
    return f"{share * 100:.0f}%"


def runs_count(n: int) -> str:
    return ngettext("%(n)d completed run", "%(n)d completed runs", n) % {"n": n}


def _deciding_sentence(learning: Learning) -> str:
    unit = learning.deciding
    if unit is None:
        return ""
    return str(MSG_DECIDING) % {
        "unit": unit.unit_name,
        "decided": unit.decided_runs,
        "runs": runs_count(len(learning.records)),
        "minutes": minutes(unit.critical_minutes),
        "share": _percent(unit.critical_share),
    }


def _spread(d: Distribution) -> dict[str, str]:
    return {k: minutes(getattr(d, k)) for k in ("min", "median", "p90", "max", "mean")}


@require_GET
@login_required
def history(request: HttpRequest) -> HttpResponse:
    form = _form(request)
    filters = form.filters()
    learning = history_learning(actor=request.user, filters=filters)
    rows = learning.records
    columns = _columns(request.user, filters.template or DEFAULT_CODE, learning)
    best = learning.best
    table = []
    for r in rows:
        table.append(
            {
                "row": r,
                "best": best is not None and r.run_id == best.run_id,
                "total": minutes(r.total_minutes),
                "clock": clock(r.total_minutes * 60),
                "best_so_far": minutes(r.best_minutes),
                "steps": [
                    {
                        "minutes": minutes(r.step_minutes[c]) if c in r.step_minutes else "—",
                        "critical": c in r.critical_path,
                    }
                    for c, _name in columns
                ],
            }
        )
    chart = {
        "labels": [f"{r.project_number}\n{timezone.localtime(r.awarded_at):%Y-%m-%d}" for r in rows],
        "projects": [f"{r.project_number} {r.project_name}" for r in rows],
        "minutes": [r.total_minutes for r in rows],
        "best_so_far": [r.best_minutes for r in rows],
        "best": rows.index(best) if best else None,
        "names": {
            "series": gettext("Minutes from the award to the construction permit"),
            "axis": gettext("minutes"),
            "best": gettext("Best record"),
            "best_so_far": gettext("Best so far"),
        },
    }
    templates = [
        {
            "figures": t,
            "totals": _spread(t.totals),
            "steps": [
                {
                    "figures": s,
                    "spread": _spread(s.minutes),
                    "share": _percent(s.critical_share),
                }
                for s in t.steps
            ],
        }
        for t in learning.templates
    ]
    units = [
        {"figures": u, "spread": _spread(u.minutes), "share": _percent(u.critical_share),
         "critical_minutes": minutes(u.critical_minutes)}
        for u in learning.units
    ]
    query = request.GET.urlencode() if form.is_bound and form.is_valid() else ""
    return render(
        request,
        "landstart/history.html",
        {
            "form": form,
            "query": query,
            "learning": learning,
            "table": table,
            "columns": columns,
            "best": best,
            "best_total": minutes(best.total_minutes) if best else "",
            "first": table[0] if table else None,
            "latest": table[-1] if table else None,
            "chart": chart,
            "templates": templates,
            "units": units,
            "deciding": _deciding_sentence(learning),
            "send_back_note": MSG_SEND_BACK_NOTE,
            "sent_back": (str(MSG_SENT_BACK) % {"n": learning.sent_back_runs}) if learning.sent_back_runs else "",
        },
    )


# --- the Excel export ------------------------------------------------------------------------------


def _distribution_columns() -> list[Column]:
    return [
        Column(gettext("Count"), 8),
        Column(gettext("Minimum (min)"), 12, MINUTES),
        Column(gettext("Median (min)"), 12, MINUTES),
        Column(gettext("90th percentile (min)"), 14, MINUTES),
        Column(gettext("Maximum (min)"), 12, MINUTES),
        Column(gettext("Mean (min)"), 12, MINUTES),
    ]


def _distribution_row(d: Distribution) -> list[object]:
    return [d.count, d.min, d.median, d.p90, d.max, d.mean]


def history_workbook(learning: Learning, *, now) -> bytes:
    """Three sheets: the records (each run), the steps (per template and step), the units."""
    step_names = {(t.code, s.code): s.name for t in learning.templates for s in t.steps}
    unit_names = {u.unit_code: u.unit_name for u in learning.units}
    as_of = gettext("As of %(at)s") % {"at": timezone.localtime(now).strftime("%Y-%m-%d %H:%M")}
    filters = learning.filters
    shown = [as_of]
    if filters.template:
        shown.append(gettext("Template: %(code)s") % {"code": filters.template})
    if filters.date_from or filters.date_to:
        shown.append(
            gettext("Awarded from %(start)s to %(end)s")
            % {
                "start": filters.date_from.isoformat() if filters.date_from else "…",
                "end": filters.date_to.isoformat() if filters.date_to else "…",
            }
        )
    notes = [*shown, str(MSG_SEND_BACK_NOTE)]
    records = Sheet(
        title=gettext("Land start records"),
        name=gettext("Records"),
        notes=notes,
        columns=[
            Column(gettext("Project number"), 14),
            Column(gettext("Project"), 28),
            Column(gettext("Template"), 14),
            Column(gettext("Template version"), 10),
            Column(gettext("Awarded at"), 17, WHEN),
            Column(gettext("Completed at"), 17, WHEN),
            Column(gettext("Total (min)"), 12, MINUTES),
            Column(gettext("Best so far (min)"), 14, MINUTES),
            Column(gettext("New best record"), 10),
            Column(gettext("Critical path"), 60),
            Column(gettext("Deciding unit"), 18),
            Column(gettext("Steps sent back"), 24),
        ],
        rows=[
            [
                r.project_number,
                r.project_name,
                r.template_code,
                r.template_version,
                r.awarded_at,
                r.completed_at,
                r.total_minutes,
                r.best_minutes,
                gettext("yes") if r.record else "",
                " → ".join(step_names.get((r.template_code, c), c) for c in r.critical_path),
                unit_names.get(r.deciding_unit, r.deciding_unit),
                "、".join(step_names.get((r.template_code, c), c) for c in r.sent_back),
            ]
            for r in learning.records
        ],
    )
    steps = Sheet(
        title=gettext("Land start steps: minutes and the critical path"),
        name=gettext("Steps"),
        notes=notes,
        columns=[
            Column(gettext("Template"), 14),
            Column(gettext("Template name"), 24),
            Column(gettext("Step code"), 18),
            Column(gettext("Step"), 22),
            Column(gettext("Unit"), 18),
            Column(gettext("Expected (min)"), 10, MINUTES),
            *_distribution_columns(),
            Column(gettext("On the critical path (runs)"), 14),
            Column(gettext("On the critical path (share)"), 14, PERCENT),
        ],
        rows=[
            [
                t.code,
                t.name,
                s.code,
                s.name,
                s.unit_name,
                s.expected_minutes,
                *_distribution_row(s.minutes),
                s.critical_runs,
                s.critical_share,
            ]
            for t in learning.templates
            for s in t.steps
        ],
    )
    deciding = _deciding_sentence(learning)
    units = Sheet(
        title=gettext("Land start units: minutes and the critical path"),
        name=gettext("Units"),
        notes=[*notes, deciding] if deciding else notes,
        columns=[
            Column(gettext("Unit code"), 12),
            Column(gettext("Unit"), 20),
            *_distribution_columns(),
            Column(gettext("Steps on the critical path"), 14),
            Column(gettext("Critical minutes"), 12, MINUTES),
            Column(gettext("Share of the critical minutes"), 14, PERCENT),
            Column(gettext("Runs decided"), 12),
        ],
        rows=[
            [
                u.unit_code,
                u.unit_name,
                *_distribution_row(u.minutes),
                u.critical_steps,
                u.critical_minutes,
                u.critical_share,
                u.decided_runs,
            ]
            for u in learning.units
        ],
    )
    return sheets_workbook(title=gettext("Land start history"), sheets=[records, steps, units])


@require_GET
@login_required
def history_export(request: HttpRequest) -> HttpResponse:
    """The history page's figures (same filters) as .xlsx: the zone's staff only."""
    try:
        learning_check(request.user)
    except PermissionDenied as exc:
        raise DjangoPermissionDenied(exc.message) from exc
    now = timezone.now()
    learning = history_learning(actor=request.user, filters=_form(request).filters())
    filename = f"landstart-history-{timezone.localtime(now):%Y-%m-%d}.xlsx"
    return export_response(history_workbook(learning, now=now), filename=filename)

