"""The plan of a batch's day: the sentence the leader reads before the day, each run's expected
finish, the bottleneck unit, a what-if of the units' capacities (GET parameters ``cap-<unit
code>``, never saved) and a chart of each unit's steps over the day, drawn as SVG here. The page
refreshes itself every 30 seconds (htmx), computed afresh from the runs' state each time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from mashang.core.views import or_404
from mashang.landstart.selectors.plan import BatchPlanView, batch_plan, clock_text
from mashang.landstart.services.capacity import MOST
from mashang.landstart.views.common import minutes

PARAM = "cap-"
MSG_BAD_WHAT_IF = _(
    "“{value}” is not a number of steps at once from 1 to {most}; {unit} keeps its own."
)

#: The chart's geometry, in SVG user units.
WIDTH, LABEL, PAD, LANE, HEAD = 1000, 180, 16, 24, 28
TICKS = (5, 10, 15, 30, 60, 120, 240, 480, 720, 1440)


def what_if_of(query: QueryDict) -> tuple[dict[str, int], list[tuple[str, str]]]:
    """The capacities the reader tries (unit code -> steps at once), and the values refused."""
    asked: dict[str, int] = {}
    refused: list[tuple[str, str]] = []
    for key, value in query.items():
        if not key.startswith(PARAM) or not value.strip():
            continue
        unit = key[len(PARAM) :]
        try:
            n = int(value)
        except ValueError:
            n = 0
        if 1 <= n <= MOST:
            asked[unit] = n
        else:
            refused.append((unit, value))
    return asked, refused


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    label: str
    title: str
    kind: str
    state: str
    waited: bool
    show_label: bool


@dataclass(frozen=True)
class Row:
    name: str
    code: str
    y: float
    height: float
    label_y: float
    bars: tuple[Bar, ...]


def _chart(view: BatchPlanView) -> dict | None:
    """Rows = units (a lane per step at once), bars placed by expected start and finish, the
    axis from the earlier of now and the first award still to come to the last finish."""
    open_runs = [r for r in view.runs if not r.done]
    if not open_runs:
        return None
    begin = min([view.now, *(r.award_at for r in open_runs)])
    end = max(r.finish for r in open_runs)
    span = max((end - begin).total_seconds() / 60, 1.0)
    inner = WIDTH - LABEL - PAD

    def x(t: datetime) -> float:
        return LABEL + max(min((t - begin).total_seconds() / 60 / span, 1.0), 0.0) * inner

    step = next((t for t in TICKS if span / t <= 10), TICKS[-1])
    first = timezone.localtime(begin).replace(second=0, microsecond=0)
    first += timedelta(minutes=-(first.hour * 60 + first.minute) % step)
    ticks = []
    t = first
    while t <= end:
        ticks.append({"x": round(x(t), 1), "label": clock_text(t, view.now)})
        t += timedelta(minutes=step)
    rows: list[Row] = []
    y = HEAD
    for unit in view.units:
        bars = []
        for b in unit.bars:
            if b.finish < begin:
                continue
            left, right = x(b.start), x(b.finish)
            width = max(right - left, 2.0)
            label = b.project_number or "·"
            span_text = f"{clock_text(b.start, view.now)}–{clock_text(b.finish, view.now)}"
            bars.append(
                Bar(
                    x=round(left, 1),
                    y=y + 4 + b.lane * LANE,
                    width=round(width, 1),
                    label=label,
                    title=f"{b.project_number or ''} {b.step_name} {span_text}".strip(),
                    kind=b.kind,
                    state=b.state,
                    waited=b.waited_minutes > 0,
                    show_label=width >= 8 * len(label),
                )
            )
        height = unit.lanes * LANE + 8
        rows.append(Row(unit.name, unit.code, y, height, y + height / 2 + 5, tuple(bars)))
        y += height
    return {
        "width": WIDTH,
        "height": y + 4,
        "label_x": 8,
        "lane": LANE - 6,
        "rows": rows,
        "ticks": ticks,
        "now_x": round(x(view.now), 1),
        "top": HEAD - 6,
        "bottom": y,
    }


def plan_context(view: BatchPlanView, request: HttpRequest, refused: list[tuple[str, str]]) -> dict:
    names = {u.code: u.name for u in view.units}
    notes = [
        str(MSG_BAD_WHAT_IF).format(value=value, most=MOST, unit=names.get(code, code))
        for code, value in refused
        if code in names
    ]
    runs = [
        {
            "row": r,
            "finish": clock_text(r.finish, view.now),
            "minutes": minutes(r.minutes),
            "award": clock_text(r.award_at, view.now),
            "before": clock_text(r.baseline_finish, view.now) if r.baseline_finish else "",
            "shift": minutes(abs(r.shift_minutes)),
            "earlier": r.shift_minutes < 0,
            "later": r.shift_minutes > 0,
            "last": view.last_run is not None and r.run_id == view.last_run.run_id,
        }
        for r in view.runs
    ]
    units = [
        {
            "row": u,
            "waited": minutes(u.waited_minutes),
            "deciding": minutes(u.deciding_minutes),
            "finish": clock_text(u.finish, view.now) if u.finish else "—",
            "bottleneck": view.bottleneck is not None and u.code == view.bottleneck.code,
        }
        for u in view.units
    ]
    return {
        "view": view,
        "batch": view.batch,
        "runs": runs,
        "units": units,
        "chart": _chart(view),
        "notes": notes,
        "now_text": clock_text(view.now, view.now),
        "live_url": request.get_full_path(),
        "what_if": bool(view.what_if),
        "bottleneck_wait": minutes(view.bottleneck.waited_minutes) if view.bottleneck else "",
    }


@require_GET
@login_required
def batch_plan_page(request: HttpRequest, batch_id: int) -> HttpResponse:
    asked, refused = what_if_of(request.GET)
    view = or_404(batch_plan, actor=request.user, batch_id=batch_id, what_if=asked)
    response = render(request, "landstart/batch_plan.html", plan_context(view, request, refused))
    response["Cache-Control"] = "no-store"
    return response
