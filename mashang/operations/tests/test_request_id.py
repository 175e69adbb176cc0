"""Every request has an id: answered in X-Request-ID, on every log line of the request (JSON lines
in production), and carried by the Celery tasks the request publishes into the worker's log."""

from __future__ import annotations

import io
import json
import logging
import logging.config
import re
from contextlib import contextmanager

import pytest
from celery.signals import before_task_publish, task_prerun
from django.conf import settings as django_settings
from pythonjsonlogger.json import JsonFormatter

from mashang.demands.models import Status
from mashang.notify import tasks
from mashang.notify.models import ChatRobot
from mashang.notify.services import delivery_pass_started
from mashang.operations.requestid import TASK_HEADER, request_id_get
from tests.kit.broker import celery_broker
from tests.kit.walk import walk_to

#: A Redis database of this test process's own (config/settings/test.py).
REDIS_URL = django_settings.MASHANG_TEST_REDIS_URL


def console_handler() -> logging.Handler:
    """The console handler LOGGING set up (with the request id filter)."""
    for handler in logging.getLogger().handlers:
        if any(type(f).__name__ == "RequestIdFilter" for f in handler.filters):
            return handler
    raise AssertionError("no console handler with the request id filter")


@contextmanager
def console_lines(*, json_format: bool = False):
    """What the console handler writes meanwhile, as lines (in LOGGING's JSON format if asked).
    Logging is set up from LOGGING first: a test before may have left it otherwise (a Celery
    worker started in a test sets up its own)."""
    logging.config.dictConfig(django_settings.LOGGING)
    handler = console_handler()
    stream = io.StringIO()
    previous_stream = handler.setStream(stream)
    previous_formatter = handler.formatter
    if json_format:
        options = dict(django_settings.LOGGING["formatters"]["json"])
        options.pop("()")
        handler.setFormatter(JsonFormatter(**options))
    lines: list[str] = []
    try:
        yield lines
    finally:
        handler.setStream(previous_stream)
        handler.setFormatter(previous_formatter)
        lines.extend(stream.getvalue().splitlines())


def test_a_well_formed_incoming_id_is_kept_and_answered(client):
    response = client.get("/healthz", headers={"X-Request-ID": "lb-7f3a.42"})
    assert response["X-Request-ID"] == "lb-7f3a.42"


def test_without_an_id_or_with_a_malformed_one_a_new_one_is_made(client):
    first = client.get("/healthz")["X-Request-ID"]
    second = client.get("/healthz", headers={"X-Request-ID": "two words<script>"})["X-Request-ID"]
    too_long = client.get("/healthz", headers={"X-Request-ID": "a" * 200})["X-Request-ID"]
    for rid in (first, second, too_long):
        assert re.fullmatch(r"[0-9a-f]{32}", rid)
    assert len({first, second, too_long}) == 3


def test_the_log_lines_of_a_request_carry_its_id_as_json(client, db):
    with console_lines(json_format=True) as lines:
        client.get("/no-such-page/", headers={"X-Request-ID": "probe-123"})
        logging.getLogger("mashang.test").warning("after the request")
    records = [json.loads(line) for line in lines]
    not_found = [r for r in records if r["logger"] == "django.request"]
    assert not_found and not_found[0]["request_id"] == "probe-123"
    assert not_found[0]["level"] == "WARNING"
    assert "Not Found: /no-such-page/" in not_found[0]["message"]
    assert {"time", "level", "logger", "message", "request_id"} <= set(not_found[0])
    after = [r for r in records if r["logger"] == "mashang.test"]
    assert after[0]["request_id"] == "-"


def test_plain_lines_show_the_id_too(client, db):
    with console_lines() as lines:
        client.get("/no-such-page/", headers={"X-Request-ID": "probe-456"})
    assert any("[probe-456]" in line and "Not Found" in line for line in lines)


@pytest.mark.django_db(transaction=True)
def test_a_task_published_during_a_request_carries_its_id(zone, api, settings):
    """The dispatch tells the unit's chat group: on commit the request asks the broker for a
    delivery pass."""
    settings.MASHANG_BROKER_URL = REDIS_URL
    settings.MASHANG_NOTIFY_DELIVER_INLINE = False
    published: list[tuple[str, dict]] = []

    def capture(sender=None, headers=None, **kwargs):
        published.append((sender, dict(headers or {})))

    before_task_publish.connect(capture, weak=False)
    try:
        with celery_broker(REDIS_URL):
            # The unit's work group robot: its message waits in the outbox for a worker.
            ChatRobot.objects.create(
                name="自然资源分局工作群",
                platform="wecom",
                webhook_url="http://127.0.0.1:9/hook",
                unit=zone.land,
            )
            demand = walk_to(zone, Status.TRIAGED)
            officer = api("officer")
            published.clear()  # only the dispatch's request is looked at,
            delivery_pass_started()  # which asks for a pass of its own
            response = officer.post(
                f"/api/v1/demands/{demand.pk}/actions/dispatch",
                {"version": demand.version, "lead_unit": "zrzy", "co_units": ["zjj"]},
                headers={"X-Request-ID": "filing-789"},
            )
            assert response.status_code == 200, response.content
    finally:
        before_task_publish.disconnect(capture)
    assert response["X-Request-ID"] == "filing-789"
    assert [(sender, headers.get(TASK_HEADER)) for sender, headers in published] == [
        (tasks.DELIVER_TASK, "filing-789")
    ]


def test_a_task_runs_under_the_id_it_carries_and_forgets_it_after(db):
    seen: list[str | None] = []

    def look(sender=None, **kwargs):
        seen.append(request_id_get())

    task_prerun.connect(look, weak=False)
    try:
        tasks.deliver_pending.apply(headers={TASK_HEADER: "filing-789"})
        tasks.deliver_pending.apply()
    finally:
        task_prerun.disconnect(look)
    assert seen == ["filing-789", None]
    assert request_id_get() is None
