"""Before any page: an administrator's second factor, then a password that has not expired.

After the password, an administrator without a second factor is sent to set one up, one with
a second factor is asked for its code; then a person whose password has expired is sent to
change it. Only those pages, signing out, the language switch and static files stay open.
The API (bearer tokens) checks the same in its authentication (mashang.api.auth) and its
token endpoint; this middleware leaves ``/api/`` alone.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from mashang.org.passwords import password_expired
from mashang.org.second_factor import second_factor_enrolled, second_factor_required

_ALWAYS_OPEN = ("/static/", "/api/", "/i18n/", "/login/", "/logout/", "/favicon")
# The operator's probes and metrics (mashang.operations) answer whoever asks, signed in or not.
_ALWAYS_OPEN += ("/healthz", "/readyz", "/metrics")


class AccountSecurityMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self._gate(request)
        return response if response is not None else self.get_response(request)

    def _gate(self, request: HttpRequest) -> HttpResponse | None:
        path = request.path_info
        if path.startswith(_ALWAYS_OPEN):
            return None
        user = request.user
        if not user.is_authenticated:
            return None
        if second_factor_required(user) and not user.is_verified():
            enrolled = second_factor_enrolled(user)
            target = reverse("org:second_factor_verify" if enrolled else "org:second_factor_enrol")
            open_paths = {reverse("org:second_factor_verify"), reverse("org:second_factor_enrol")}
            return None if path in open_paths else _send(request, target)
        if password_expired(user):
            target = reverse("org:password_change")
            open_paths = {
                target,
                reverse("org:second_factor_verify"),
                reverse("org:second_factor_enrol"),
            }
            return None if path in open_paths else _send(request, target)
        return None


def _send(request: HttpRequest, target: str) -> HttpResponse:
    if request.method == "GET":
        target = f"{target}?{urlencode({'next': request.get_full_path()})}"
    if request.headers.get("HX-Request"):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = target
        return response
    return redirect(target)
