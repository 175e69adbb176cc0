"""Bearer-token authentication for the API."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone
from ninja.security import HttpBearer

from mashang.api.models import ApiToken
from mashang.org.models import User


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def api_token_issue(*, user: User, at: datetime | None = None) -> tuple[str, ApiToken]:
    """A new token for ``user``; the clear token is returned once and never stored."""
    at = at or timezone.now()
    token = secrets.token_urlsafe(32)
    record = ApiToken.objects.create(
        user=user,
        key_hash=_digest(token),
        created_at=at,
        expires_at=at + timedelta(days=settings.MASHANG_API_TOKEN_DAYS),
    )
    return token, record


class BearerAuth(HttpBearer):
    def authenticate(self, request, token: str) -> User | None:
        if not token or len(token) > 200:
            return None
        found = (
            ApiToken.objects.select_related("user", "user__enterprise", "user__unit")
            .filter(key_hash=_digest(token), expires_at__gt=timezone.now(), user__is_active=True)
            .first()
        )
        if found is None:
            return None
        request.user = found.user
        return found.user
