"""Answers that Django or django-ninja give outside our handlers, put in the API's error shape."""

from __future__ import annotations

from django.http import JsonResponse
from django.utils.translation import gettext_lazy as _

from mashang.api.errors import body

MSG_METHOD = _("{method} is not allowed here; allowed: {allowed}.")


class ApiMethodNotAllowedMiddleware:
    """A wrong HTTP method on an API path gets a JSON 405 instead of django-ninja's plain text."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code == 405
            and request.path.startswith("/api/")
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            allowed = response.get("Allow", "")
            replaced = JsonResponse(
                body(str(MSG_METHOD).format(method=request.method, allowed=allowed)), status=405
            )
            if allowed:
                replaced["Allow"] = allowed
            return replaced
        return response
