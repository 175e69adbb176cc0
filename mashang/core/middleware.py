"""Headers of a system that holds personal data, and the limits of a signed-in session.

``SecurityHeadersMiddleware`` (right after Django's ``SecurityMiddleware``, before WhiteNoise,
so static files get it too) adds the ``Permissions-Policy`` to every response, and
``Cache-Control: no-store`` to every answer under ``/api/`` and every answer to a signed-in
person: no page or JSON with personal data is kept in a browser's or a proxy's cache. Static
files keep their own caching. (``Referrer-Policy`` comes from Django's
``SECURE_REFERRER_POLICY``.)

``SessionLimitsMiddleware`` (after the authentication and messages middleware) signs a person
out after ``MASHANG_SESSION_IDLE_MINUTES`` without a request and ``MASHANG_SESSION_MAX_HOURS``
after signing in, whatever the activity; the sign-in page then says why. A page that refreshes
itself (the board, the big screen) counts as activity; the absolute limit still applies to it.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

MSG_SIGNED_OUT_IDLE = _(
    "You were signed out after %(minutes)d minutes without activity. Please sign in again."
)
MSG_SIGNED_OUT_MAX = _(
    "You were signed out because a session lasts at most %(hours)d hours. Please sign in again."
)

#: The session keys holding when the person signed in and when they were last seen (epoch s).
SESSION_STARTED = "_mashang_started"
SESSION_SEEN = "_mashang_seen"
#: Activity is written to the session at most this often (seconds), not on every request.
SEEN_GRANULARITY = 60


def _is_static(request: HttpRequest) -> bool:
    static = "/" + settings.STATIC_URL.lstrip("/")
    return request.path_info.startswith(static)


class SecurityHeadersMiddleware:
    """``Permissions-Policy`` on every response; ``no-store`` on the API and signed-in pages."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        policy = settings.MASHANG_PERMISSIONS_POLICY
        if policy and "Permissions-Policy" not in response:
            response["Permissions-Policy"] = policy
        if _is_static(request):
            return response
        user = getattr(request, "user", None)
        if request.path_info.startswith("/api/") or (user is not None and user.is_authenticated):
            patch_cache_control(response, no_store=True)  # a view's own directives stay
        return response


def session_started(*, request: HttpRequest, at: datetime | None = None) -> None:
    """Mark the session of a person who has just signed in (``user_logged_in``)."""
    stamp = int((at or timezone.now()).timestamp())
    request.session[SESSION_STARTED] = stamp
    request.session[SESSION_SEEN] = stamp


def _on_signed_in(sender, request, user, **kwargs) -> None:
    if request is not None and hasattr(request, "session"):
        session_started(request=request)


class SessionLimitsMiddleware:
    """Sign out beyond the idle or the absolute limit, saying why on the sign-in page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        session = getattr(request, "session", None)
        if session is None or user is None or not user.is_authenticated:
            return self.get_response(request)
        now = int(timezone.now().timestamp())
        started = session.get(SESSION_STARTED)
        seen = session.get(SESSION_SEEN)
        if not isinstance(started, int) or not isinstance(seen, int):
            # Signed in before the limits existed (or by a test client): the clock starts now.
            started = seen = now
            session[SESSION_STARTED] = session[SESSION_SEEN] = now
        idle = settings.MASHANG_SESSION_IDLE_MINUTES
        hours = settings.MASHANG_SESSION_MAX_HOURS
        if now - started > hours * 3600:
            return self._signed_out(request, MSG_SIGNED_OUT_MAX % {"hours": hours})
        if now - seen > idle * 60:
            return self._signed_out(request, MSG_SIGNED_OUT_IDLE % {"minutes": idle})
        if now - seen >= SEEN_GRANULARITY:
            session[SESSION_SEEN] = now
        return self.get_response(request)

    def _signed_out(self, request: HttpRequest, message: str) -> HttpResponse:
        logout(request)
        if request.path_info.startswith("/api/"):
            # The API answers 401 on its own; a message for a page nobody sees is useless.
            return self.get_response(request)
        messages.warning(request, message)
        if request.headers.get("HX-Request"):
            # An htmx fragment would put the sign-in page inside the page: go to it instead.
            response = HttpResponse(status=204)
            response["HX-Redirect"] = _login_url(request.headers.get("HX-Current-URL", ""))
            return response
        return self.get_response(request)


def _login_url(current: str) -> str:
    url = resolve_url(settings.LOGIN_URL)
    parts = urlsplit(current)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    if path.startswith("/") and not path.startswith("//"):
        return f"{url}?{urlencode({'next': path})}"
    return url
