"""Prometheus metrics: the requests as they are served, the zone's figures when scraped.

``RequestMetricsMiddleware`` counts each request and times it by view (the URL's name, never
the raw path, so a demand's id does not make a new series), method and status. The figures of
the database (outbox, open and overdue demands by unit, land-start runs, the sweeps' tally) are
read by :class:`ZoneCollector` at each scrape, a few grouped queries.

Several gunicorn workers: with ``PROMETHEUS_MULTIPROC_DIR`` set (a directory the workers
share, emptied before they start) prometheus-client keeps each process's counters in files
there and :func:`exposition` adds them up; without it, this process's own counters.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric

from mashang.operations.selectors import (
    demands_by_unit,
    landstart_runs_open,
    outbox_figures,
    sweep_tally,
)

#: The view label of a request no URL matched (404s, static files served before routing).
UNMATCHED = "unmatched"
STATIC = "static"

REQUESTS = Counter(
    "mashang_http_requests",
    "HTTP requests served, by view (URL name), method and status.",
    ["view", "method", "status"],
)
LATENCY = Histogram(
    "mashang_http_request_duration_seconds",
    "Time to answer an HTTP request, by view (URL name) and method.",
    ["view", "method"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)

_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def view_label(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    if match is not None:
        return match.view_name or match.route or UNMATCHED
    static = "/" + settings.STATIC_URL.lstrip("/")
    return STATIC if request.path_info.startswith(static) else UNMATCHED


class RequestMetricsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        view = view_label(request)
        method = request.method if request.method in _METHODS else "other"
        LATENCY.labels(view, method).observe(time.perf_counter() - started)
        REQUESTS.labels(view, method, str(response.status_code)).inc()
        return response


class ZoneCollector:
    """The database's figures, read at each scrape."""

    def collect(self) -> Iterator[Metric]:
        outbox = outbox_figures()
        rows = GaugeMetricFamily(
            "mashang_outbox_notifications",
            "Outbox rows not yet sent, by status (pending, retrying, sending, dead) and channel.",
            labels=["status", "channel"],
        )
        for (status, channel), n in sorted(outbox.by_status.items()):
            rows.add_metric([status, channel], n)
        yield rows
        yield GaugeMetricFamily(
            "mashang_outbox_messages_to_fan_out",
            "Messages written by a move that the worker has not fanned out yet.",
            value=outbox.waiting_fan_out,
        )
        yield GaugeMetricFamily(
            "mashang_outbox_oldest_due_seconds",
            "How long the longest-waiting due outbox row has waited for a worker.",
            value=outbox.oldest_due_seconds,
        )

        open_ = GaugeMetricFamily(
            "mashang_demands_open", "Open demands, by the unit holding them.", labels=["unit"]
        )
        overdue = GaugeMetricFamily(
            "mashang_demands_overdue",
            "Open demands whose running deadline has passed, by the unit holding them.",
            labels=["unit"],
        )
        for row in demands_by_unit():
            open_.add_metric([row.unit], row.open)
            overdue.add_metric([row.unit], row.overdue)
        yield open_
        yield overdue

        runs = GaugeMetricFamily(
            "mashang_landstart_runs", "Land-start runs not over, by state.", labels=["state"]
        )
        for state, n in landstart_runs_open().items():
            runs.add_metric([state], n)
        yield runs

        tally = sweep_tally()
        yield CounterMetricFamily(
            "mashang_sweep_runs", "Supervision sweeps run (by any worker).", value=tally.runs
        )
        yield CounterMetricFamily(
            "mashang_sweep_duration_seconds",
            "Time spent in supervision sweeps.",
            value=tally.seconds,
        )
        raised = CounterMetricFamily(
            "mashang_sweep_notices_raised", "Notices the sweeps raised, by level.", labels=["level"]
        )
        raised.add_metric(["reminder"], tally.reminders)
        raised.add_metric(["yellow"], tally.yellow_cards)
        raised.add_metric(["red"], tally.red_cards)
        yield raised
        yield GaugeMetricFamily(
            "mashang_sweep_last_duration_seconds",
            "How long the last supervision sweep took.",
            value=tally.last_seconds,
        )
        finished = tally.last_finished_at
        yield GaugeMetricFamily(
            "mashang_sweep_last_finished_timestamp_seconds",
            "When the last supervision sweep finished (Unix time; 0: never).",
            value=finished.timestamp() if finished else 0,
        )


class _ThisProcess:
    """The default registry's collectors (requests, process, Python), as one collector."""

    def collect(self) -> Iterator[Metric]:
        yield from REGISTRY.collect()


def exposition() -> bytes:
    """The metrics in Prometheus's text format."""
    registry = CollectorRegistry(auto_describe=False)
    if settings.PROMETHEUS_MULTIPROC_DIR:
        multiprocess.MultiProcessCollector(registry, path=settings.PROMETHEUS_MULTIPROC_DIR)
    else:
        registry.register(_ThisProcess())
    registry.register(ZoneCollector())
    return generate_latest(registry)
