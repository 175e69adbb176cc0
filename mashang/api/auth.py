"""Bearer-token authentication for the API (the tokens themselves: ``mashang.api.tokens``)."""

from __future__ import annotations

from ninja.security import HttpBearer

from mashang.api.tokens import api_token_authenticate, api_token_issue
from mashang.org.account_checks import api_request_check
from mashang.org.models import User

__all__ = ["BearerAuth", "api_token_issue"]


class BearerAuth(HttpBearer):
    def authenticate(self, request, token: str) -> User | None:
        found = api_token_authenticate(token=token)
        if found is None:
            return None
        api_request_check(found.user)  # an expired password: 403 until changed (mashang.org)
        request.user = found.user
        request.api_token = found  # the token in use: DELETE /auth/token and the refresh revoke it
        return found.user
