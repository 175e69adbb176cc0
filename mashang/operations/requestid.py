"""The request id: one id per request, in every log line of the request and of the jobs it causes.

``RequestIdMiddleware`` (first in ``MIDDLEWARE``) takes the id of an incoming ``X-Request-ID``
when it is well formed (a proxy's or a client's), else makes one, keeps it in a context
variable until the request is finished and answers it in ``X-Request-ID``.
``RequestIdFilter`` (on the console handler, ``LOGGING``) puts it on every record as
``request_id`` (``-`` outside a request). A Celery task published during the request carries it in its headers
(``before_task_publish``) and the worker restores it while the task runs (``task_prerun``):
the connections are made in ``OperationsConfig.ready``.

This module is imported by ``LOGGING`` before the apps are ready: it imports no models.
"""

from __future__ import annotations

import logging
import re
import uuid
from contextvars import ContextVar, Token

from django.http import HttpRequest, HttpResponse

#: The header a request id travels in, both ways, and the task header that carries it.
HEADER = "X-Request-ID"
TASK_HEADER = "mashang_request_id"
#: What a record carries outside any request or job.
NO_ID = "-"

_WELL_FORMED = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")
_current: ContextVar[str | None] = ContextVar("mashang_request_id", default=None)


def request_id_get() -> str | None:
    """The id of the request (or job) this code runs for, or None."""
    return _current.get()


def request_id_from(value: str | None) -> str:
    """An incoming id if it is well formed (letters, digits, ``._:-``, at most 128), else a new one."""
    if value and _WELL_FORMED.fullmatch(value):
        return value
    return uuid.uuid4().hex


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every record (a filter that never drops one)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = _current.get() or NO_ID
        return True


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        rid = request_id_from(request.headers.get(HEADER))
        request.request_id = rid
        # Kept until the request is finished (``on_request_finished``), not reset on the way
        # out: Django logs a 4xx/5xx answer after the middleware has returned it.
        _current.set(rid)
        response = self.get_response(request)
        response[HEADER] = rid
        return response


def on_request_finished(sender=None, **kwargs) -> None:
    """Receiver of ``request_finished``: the thread's next log lines belong to no request."""
    _current.set(None)


# --- Celery: the id travels with the tasks a request publishes --------------------------------

_task_tokens: dict[str, Token] = {}


def on_before_task_publish(sender=None, headers=None, **kwargs) -> None:
    rid = _current.get()
    if rid and headers is not None and TASK_HEADER not in headers:
        headers[TASK_HEADER] = rid


def on_task_prerun(sender=None, task_id=None, task=None, **kwargs) -> None:
    request = getattr(task, "request", None)
    rid = getattr(request, TASK_HEADER, None) or (getattr(request, "headers", None) or {}).get(
        TASK_HEADER
    )
    if rid and task_id:
        _task_tokens[task_id] = _current.set(request_id_from(rid))


def on_task_postrun(sender=None, task_id=None, **kwargs) -> None:
    token = _task_tokens.pop(task_id, None) if task_id else None
    if token is not None:
        try:
            _current.reset(token)
        except ValueError:  # set in another context (a thread pool): just clear it
            _current.set(None)
