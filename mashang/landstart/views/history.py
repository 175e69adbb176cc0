"""The history of finished runs across projects: minutes from the award to the construction
permit in award order (so 145 → 40 reads as a falling line), minutes per step, the best record."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET

from mashang.core.errors import NotFound
from mashang.landstart.default_bundle import DEFAULT_CODE
from mashang.landstart.selectors import run_history, template_get
from mashang.landstart.views.common import clock, minutes


def _columns(actor, rows) -> list[tuple[str, str]]:
    """The table's step columns: the default bundle's steps (code, name), then any step code a
    run of another template has that the default bundle lacks."""
    try:
        detail = template_get(actor=actor, code=DEFAULT_CODE)
        columns = [(s.code, s.name) for s in detail.steps]
    except NotFound:
        columns = []
    known = {c for c, _ in columns}
    for row in rows:
        for code in row.step_minutes:
            if code not in known:
                known.add(code)
                columns.append((code, code))
    return columns


@require_GET
@login_required
def history(request: HttpRequest) -> HttpResponse:
    rows = run_history(actor=request.user)
    columns = _columns(request.user, rows)
    best = min(rows, key=lambda r: (r.total_minutes, r.awarded_at)) if rows else None
    table = []
    for r in rows:
        table.append(
            {
                "row": r,
                "best": best is not None and r.run_id == best.run_id,
                "total": minutes(r.total_minutes),
                "clock": clock(r.total_minutes * 60),
                "steps": [
                    {
                        "minutes": minutes(r.step_minutes[c]) if c in r.step_minutes else "—",
                        "critical": c in r.critical_path,
                    }
                    for c, _ in columns
                ],
            }
        )
    chart = {
        "labels": [
            f"{r.project_number}\n{timezone.localtime(r.awarded_at):%Y-%m-%d}" for r in rows
        ],
        "projects": [f"{r.project_number} {r.project_name}" for r in rows],
        "minutes": [r.total_minutes for r in rows],
        "best": rows.index(best) if best else None,
        "names": {
            "series": gettext("Minutes from the award to the construction permit"),
            "axis": gettext("minutes"),
            "best": gettext("Best record"),
        },
    }
    return render(
        request,
        "landstart/history.html",
        {
            "table": table,
            "columns": columns,
            "best": best,
            "best_total": minutes(best.total_minutes) if best else "",
            "first": table[0] if table else None,
            "latest": table[-1] if table else None,
            "chart": chart,
        },
    )
