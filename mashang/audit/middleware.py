"""Every export and every file download enters the security log, in one place: a response that
the browser saves (``Content-Disposition: attachment``) is an export when mashang generated it
(an Excel list, a printed form, minutes) and a download when it is a stored file
(``FileResponse``). The middleware also keeps the request at hand for the receivers of model
signals (a role changed in the admin is recorded with the admin's address)."""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

from django.http import FileResponse

from mashang.audit.models import SecurityEvent
from mashang.audit.security import security_event

_current_request: ContextVar[Any | None] = ContextVar("mashang_security_request", default=None)


def current_request() -> Any | None:
    """The request being answered in this thread or task, if any."""
    return _current_request.get()


class SecurityLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current_request.set(request)
        try:
            response = self.get_response(request)
        finally:
            _current_request.reset(token)
        disposition = response.get("Content-Disposition", "") if hasattr(response, "get") else ""
        if disposition.lower().startswith("attachment") and response.status_code < 400:
            kind = (
                SecurityEvent.Kind.DOWNLOAD
                if isinstance(response, FileResponse)
                else SecurityEvent.Kind.EXPORT
            )
            security_event(
                request,
                kind,
                object_type="url",
                object_id=request.path[:64],
                detail=f"{request.get_full_path()} {disposition}",
            )
        return response
