"""API tokens: issue, refresh, revoke (one, or all of a person's), and the reads of one's own.

A token lives ``MASHANG_API_TOKEN_HOURS``; a client refreshes it with the token itself (the old
one is revoked in the same transaction), so it keeps working without the password, but never
beyond ``MASHANG_API_TOKEN_MAX_DAYS`` after the password was given. Only the SHA-256 of a token
is stored, with its first characters to tell tokens apart. Every issue and revocation is written
to the security log (``mashang.audit.security``)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mashang.api.models import ApiToken
from mashang.audit.models import SecurityEvent
from mashang.audit.permissions import can_manage_account_security
from mashang.audit.security import security_event
from mashang.core.errors import NotAuthenticated, NotFound, PermissionDenied
from mashang.org.models import User

Because = ApiToken.RevokedBecause

PREFIX_LENGTH = 8
# last_used_at is written at most this often per token, so a busy client costs no write per request.
LAST_USED_EVERY = timedelta(minutes=1)

MSG_TOKEN_NOT_FOUND = _("No such token among yours.")
MSG_REFRESH_TOO_LATE = _(
    "This token can no longer be refreshed: sign in again with your password (POST /api/v1/auth/token)."
)
MSG_NOT_SECURITY_ADMIN = _("Only a security administrator may revoke other people's tokens.")


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _lifetime() -> timedelta:
    return timedelta(hours=settings.MASHANG_API_TOKEN_HOURS)


def _refresh_limit(signed_in_at: datetime) -> datetime:
    return signed_in_at + timedelta(days=settings.MASHANG_API_TOKEN_MAX_DAYS)


def api_token_issue(
    *,
    user: User,
    label: str = "",
    at: datetime | None = None,
    signed_in_at: datetime | None = None,
    request: Any = None,
) -> tuple[str, ApiToken]:
    """A new token for ``user``; the clear token is returned once and never stored.
    ``signed_in_at`` is when the password was given (now, unless this is a refresh)."""
    at = at or timezone.now()
    signed_in_at = signed_in_at or at
    token = secrets.token_urlsafe(32)
    expires_at = min(at + _lifetime(), _refresh_limit(signed_in_at))
    with transaction.atomic():
        record = ApiToken.objects.create(
            user=user,
            key_hash=token_digest(token),
            prefix=token[:PREFIX_LENGTH],
            label=label[:100],
            created_at=at,
            expires_at=expires_at,
            signed_in_at=signed_in_at,
        )
        security_event(request, SecurityEvent.Kind.TOKEN_ISSUED, user=user, obj=record, at=at)
    return token, record


def api_token_authenticate(*, token: str, at: datetime | None = None) -> ApiToken | None:
    """The live token ``token`` (not revoked, not expired, its person active) or None; notes
    when it was used, at most once a minute."""
    if not token or len(token) > 200:
        return None
    at = at or timezone.now()
    found = (
        ApiToken.objects.select_related("user", "user__enterprise", "user__unit")
        .filter(
            key_hash=token_digest(token), revoked_at__isnull=True, expires_at__gt=at, user__is_active=True
        )
        .first()
    )
    if found is None:
        return None
    if found.last_used_at is None or found.last_used_at <= at - LAST_USED_EVERY:
        # A filtered UPDATE: of parallel requests in the same minute at most one writes.
        ApiToken.objects.filter(pk=found.pk).exclude(last_used_at__gt=at - LAST_USED_EVERY).update(
            last_used_at=at
        )
        found.last_used_at = at
    return found


def _revoke(
    tokens: QuerySet[ApiToken], *, because: str, actor: User | None, at: datetime, request: Any
) -> int:
    live = list(
        tokens.select_for_update(of=("self",)).filter(revoked_at__isnull=True).select_related("user")
    )
    if not live:
        return 0
    ApiToken.objects.filter(pk__in=[t.pk for t in live]).update(
        revoked_at=at, revoked_because=because, revoked_by=actor
    )
    for token in live:
        security_event(
            request,
            SecurityEvent.Kind.TOKEN_REVOKED,
            user=actor or token.user,
            obj=token,
            detail=f"{token.user.username}: {because}",
            at=at,
        )
    return len(live)


def api_token_revoke(
    *,
    actor: User,
    token_id: int,
    because: str = Because.BY_OWNER,
    at: datetime | None = None,
    request: Any = None,
) -> ApiToken:
    """Revoke one of ``actor``'s own tokens (another's is not found). Revoking a revoked one
    changes nothing."""
    at = at or timezone.now()
    with transaction.atomic():
        token = api_token_get(actor=actor, token_id=token_id)
        _revoke(ApiToken.objects.filter(pk=token.pk), because=because, actor=actor, at=at, request=request)
        token.refresh_from_db()
    return token


def api_tokens_revoke_by_admin(
    *, actor: User, token_ids: list[int], at: datetime | None = None, request: Any = None
) -> int:
    """The security administrator revokes any people's tokens (三员分立: the accounts' security
    is theirs alone)."""
    if not can_manage_account_security(actor):
        raise PermissionDenied(MSG_NOT_SECURITY_ADMIN)
    at = at or timezone.now()
    with transaction.atomic():
        return _revoke(
            ApiToken.objects.filter(pk__in=token_ids),
            because=Because.BY_ADMIN,
            actor=actor,
            at=at,
            request=request,
        )


def api_tokens_revoke_all(
    *, user: User, because: str, actor: User | None = None, at: datetime | None = None, request: Any = None
) -> int:
    """Revoke every live token of ``user`` (their password changed, they were deactivated)."""
    at = at or timezone.now()
    with transaction.atomic():
        return _revoke(
            ApiToken.objects.filter(user=user), because=because, actor=actor, at=at, request=request
        )


def api_token_refresh(
    *, current: ApiToken, at: datetime | None = None, request: Any = None
) -> tuple[str, ApiToken]:
    """A new token for the person of the live token ``current``, which is revoked in the same
    transaction; refused once ``MASHANG_API_TOKEN_MAX_DAYS`` have passed since the password."""
    at = at or timezone.now()
    signed_in_at = current.signed_in_at or current.created_at
    if at >= _refresh_limit(signed_in_at):
        raise NotAuthenticated(MSG_REFRESH_TOO_LATE)
    with transaction.atomic():
        revoked = _revoke(
            ApiToken.objects.filter(pk=current.pk),
            because=Because.REFRESHED,
            actor=current.user,
            at=at,
            request=request,
        )
        if not revoked:  # refreshed or revoked by a parallel request meanwhile
            raise NotAuthenticated(MSG_REFRESH_TOO_LATE)
        return api_token_issue(
            user=current.user, label=current.label, at=at, signed_in_at=signed_in_at, request=request
        )


# --- reads -----------------------------------------------------------------------------------


def api_token_list(*, actor: User, include_revoked: bool = False) -> QuerySet[ApiToken]:
    """``actor``'s own tokens, newest first; by default only those still usable."""
    tokens = ApiToken.objects.filter(user=actor).order_by("-created_at", "-id")
    if not include_revoked:
        tokens = tokens.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())
    return tokens


def api_token_get(*, actor: User, token_id: int) -> ApiToken:
    """One of ``actor``'s own tokens; another's, or none, is NotFound."""
    token = ApiToken.objects.filter(user=actor, pk=token_id).first()
    if token is None:
        raise NotFound(MSG_TOKEN_NOT_FOUND)
    return token
