"""The big screen (大屏) of a batch or a run: a full-screen page without navigation, and its live
part, which the page (static/landstart/screen.js) asks for every second.

The live part answers 304 Not Modified from the screen's stamp alone (one or two small queries)
when nothing changed since the ETag the page sent; only a changed stamp costs the full read and
the rendering. Whoever may see the runs may see their screen; others get a 404."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import parse_etags
from django.views.decorators.http import require_GET

from mashang.core.views import or_404
from mashang.landstart.models import RunState, StepState
from mashang.landstart.selectors.screen import (
    BatchScreen,
    ScreenRun,
    screen_batch,
    screen_batch_stamp,
    screen_run,
    screen_run_stamp,
)
from mashang.landstart.views.common import clock, run_state_label, step_state_label
from mashang.landstart.views.display import STATE_SIGN


def _ms(value: datetime | None) -> str:
    """An instant as the page's script reads it: milliseconds since the epoch."""
    return str(int(value.timestamp() * 1000)) if value is not None else ""


def _hms(value: datetime | None) -> str:
    return timezone.localtime(value).strftime("%H:%M:%S") if value else ""


def _run_context(run: ScreenRun, now: datetime) -> dict[str, Any]:
    steps = []
    for s in run.steps:
        in_hand = run.state == RunState.RUNNING and s.state in (
            StepState.ACTIVE,
            StepState.RETURNED,
        )
        late_at = None
        if in_hand and s.started_at is not None:
            late_at = s.started_at.timestamp() * 1000 + s.expected_minutes * 60_000
        steps.append(
            {
                "step": s,
                "sign": STATE_SIGN.get(s.state, ""),
                "state_text": step_state_label(s.state),
                "in_hand": in_hand,
                "from_ms": _ms(s.started_at),
                "late_at": "" if late_at is None else str(int(late_at)),
                "started": _hms(s.started_at),
                "completed": _hms(s.completed_at),
                "clock": clock(
                    (now - s.started_at).total_seconds() if in_hand and s.started_at else None
                ),
            }
        )
    by_code = {d["step"].code: d for d in steps}
    return {
        "run": run,
        "state_text": run_state_label(run.state),
        "ticking": run.state == RunState.RUNNING,
        "from_ms": _ms(run.awarded_at),
        "until_ms": _ms(run.completed_at),
        "clock": clock(run.elapsed_seconds),
        "steps": steps,
        "active": [by_code[s.code] for s in run.active],
        "columns": [[by_code[s.code] for s in column] for column in run.columns],
    }


#: The live parts rendered lately, by template and stamp, in this process: the 60 screens of a
#: command centre ask for the same figures after each step, and only the first of them after
#: a change costs the full read. The stamp names what the viewer may see (the runs, their
#: versions, the language), so a body serves exactly the viewers whose stamp it is; it was
#: read after its stamp was taken, so it is never older than the stamp says.
_RENDERED: OrderedDict[str, bytes] = OrderedDict()
_RENDERED_LOCK = threading.Lock()
_RENDERED_KEEP = 256


def _rendered(key: str, make: Callable[[], bytes]) -> bytes:
    with _RENDERED_LOCK:
        body = _RENDERED.get(key)
        if body is not None:
            _RENDERED.move_to_end(key)
            return body
    body = make()
    with _RENDERED_LOCK:
        _RENDERED[key] = body
        while len(_RENDERED) > _RENDERED_KEEP:
            _RENDERED.popitem(last=False)
    return body


def _answer(
    request: HttpRequest,
    stamp: str | None,
    read: Callable[[], dict[str, Any]],
    template: str,
    page: bool,
) -> HttpResponse:
    """The page, or its live part: 304 when the page already holds what ``stamp`` names.
    The server's clock goes with every answer (X-Server-Time, ms), for the stopwatches."""
    etag = f'"{stamp}"' if stamp else None

    def make() -> bytes:
        context = or_404(read)
        context.update(stamp=stamp or "", now_ms=_ms(timezone.now()), time_zone=settings.TIME_ZONE)
        return render(request, template, context).content

    if page:
        response = HttpResponse(make())
    elif etag and etag in parse_etags(request.headers.get("If-None-Match", "")):
        response = HttpResponseNotModified()
    elif etag:
        response = HttpResponse(_rendered(f"{template}:{stamp}", make))
    else:
        response = HttpResponse(make())  # not the viewer's to see: the read answers 404
    if etag and not page:
        response["ETag"] = etag
    response["Cache-Control"] = "no-cache, private"
    response["X-Server-Time"] = _ms(timezone.now())
    return response


def _batch_context(screen: BatchScreen) -> dict[str, Any]:
    return {"screen": screen, "runs": [_run_context(r, screen.now) for r in screen.runs]}


@require_GET
@login_required
def batch_screen(request: HttpRequest, batch_id: int) -> HttpResponse:
    return _batch(request, batch_id, page=True)


@require_GET
@login_required
def batch_screen_live(request: HttpRequest, batch_id: int) -> HttpResponse:
    return _batch(request, batch_id, page=False)


def _batch(request: HttpRequest, batch_id: int, *, page: bool) -> HttpResponse:
    stamp = screen_batch_stamp(actor=request.user, batch_id=batch_id)

    def read() -> dict[str, Any]:
        return _batch_context(screen_batch(actor=request.user, batch_id=batch_id))

    template = "landstart/screen_batch.html" if page else "landstart/screen_batch_live.html"
    return _answer(request, stamp, read, template, page)


@require_GET
@login_required
def run_screen(request: HttpRequest, run_id: int) -> HttpResponse:
    return _run(request, run_id, page=True)


@require_GET
@login_required
def run_screen_live(request: HttpRequest, run_id: int) -> HttpResponse:
    return _run(request, run_id, page=False)


def _run(request: HttpRequest, run_id: int, *, page: bool) -> HttpResponse:
    stamp = screen_run_stamp(actor=request.user, run_id=run_id)

    def read() -> dict[str, Any]:
        now = timezone.now()
        return {"r": _run_context(screen_run(actor=request.user, run_id=run_id, now=now), now)}

    template = "landstart/screen_run.html" if page else "landstart/screen_run_live.html"
    return _answer(request, stamp, read, template, page)
