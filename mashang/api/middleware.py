"""Answers that Django or django-ninja give outside our handlers, put in the API's error shape.

Under ``/api/`` every error is ``{"message", "fields"}`` JSON: a wrong method (django-ninja's
plain-text 405), Django's HTML 400 for a request it cannot read (a body over
DATA_UPLOAD_MAX_MEMORY_SIZE read before a view — a 413 here — or too many fields), a CSRF or
other HTML 403, an HTML 404.
"""

from __future__ import annotations

from django.http import JsonResponse
from django.utils.translation import gettext_lazy as _

from mashang.api.errors import MSG_NOT_FOUND, MSG_UNREADABLE, body, too_large_body
from mashang.api.limits import upload_limit_bytes

MSG_METHOD = _("{method} is not allowed here; allowed: {allowed}.")
MSG_FORBIDDEN = _("You may not do this.")
MSG_REFUSED = _("The request was refused (HTTP {status}).")


def _too_large(request) -> bool:
    limit = upload_limit_bytes()
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    return limit is not None and length > limit


def _json_error(request, response) -> JsonResponse:
    status = response.status_code
    if status == 405:
        allowed = response.get("Allow", "")
        replaced = JsonResponse(
            body(str(MSG_METHOD).format(method=request.method, allowed=allowed)), status=405
        )
        if allowed:
            replaced["Allow"] = allowed
        return replaced
    if status in {400, 413} and (status == 413 or _too_large(request)):
        return JsonResponse(too_large_body(), status=413)
    message = {400: MSG_UNREADABLE, 403: MSG_FORBIDDEN, 404: MSG_NOT_FOUND}.get(status)
    text = str(message) if message is not None else str(MSG_REFUSED).format(status=status)
    return JsonResponse(body(text), status=status)


class ApiErrorShapeMiddleware:
    """Every 4xx answer under /api/ that is not JSON already is put in the API's error shape
    (a 500 is the handler500's, mashang.web.errors)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            400 <= response.status_code < 500
            and request.path.startswith("/api/")
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            return _json_error(request, response)
        return response


#: The name settings.MIDDLEWARE knows it by (its first case: django-ninja's plain-text 405).
ApiMethodNotAllowedMiddleware = ApiErrorShapeMiddleware
