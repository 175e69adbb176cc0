"""The API's token operations beside ``POST /auth/token`` (in ``mashang.api.router``): sign out
with the token in use, refresh it, list one's own tokens and revoke one. Installed on the API's
own router by ``install(api)`` so that ``DELETE /auth/token`` shares its path with the POST."""

from __future__ import annotations

from datetime import datetime

from ninja import NinjaAPI, Schema

from mashang.api.models import ApiToken
from mashang.api.openapi import ErrorOut
from mashang.api.tokens import api_token_list, api_token_refresh, api_token_revoke


class RefreshedTokenOut(Schema):
    id: int
    token: str
    expires_at: str


class ApiTokenOut(Schema):
    """One of your tokens, without its secret: ``prefix`` is its first characters."""

    id: int
    prefix: str
    label: str
    created_at: datetime
    expires_at: datetime
    last_used_at: datetime | None
    in_use: bool


def _out(token: ApiToken, in_use: ApiToken | None) -> ApiTokenOut:
    return ApiTokenOut(
        id=token.pk,
        prefix=token.prefix,
        label=token.label,
        created_at=token.created_at,
        expires_at=token.expires_at,
        last_used_at=token.last_used_at,
        in_use=in_use is not None and in_use.pk == token.pk,
    )


def token_revoke_in_use(request):
    """Sign out: revoke the token this request carries; the next request with it gets 401."""
    current = request.api_token
    api_token_revoke(
        actor=current.user, token_id=current.pk, because=ApiToken.RevokedBecause.SIGNED_OUT, request=request
    )
    return 204, None


def token_refresh(request):
    """A new token for the one this request carries, which is revoked at once. A client keeps
    working without the password — until ``MASHANG_API_TOKEN_MAX_DAYS`` after it was given
    (then 401: sign in again)."""
    token, record = api_token_refresh(current=request.api_token, request=request)
    return {"id": record.pk, "token": token, "expires_at": record.expires_at.isoformat()}


def token_list(request):
    """Your tokens still usable, newest first: when made, by which client, last used (to the
    minute), when they expire. Never the token itself."""
    current = getattr(request, "api_token", None)
    return [_out(t, current) for t in api_token_list(actor=request.auth)]


def token_revoke(request, token_id: int):
    """Revoke one of your tokens (another person's is 404)."""
    api_token_revoke(actor=request.auth, token_id=token_id, request=request)
    return 204, None


def install(api: NinjaAPI) -> None:
    unauthorized = {401: ErrorOut}
    api.delete("/auth/token", response={204: None, **unauthorized}, tags=["auth"])(token_revoke_in_use)
    api.post("/auth/token/refresh", response={200: RefreshedTokenOut, **unauthorized}, tags=["auth"])(
        token_refresh
    )
    api.get("/auth/tokens", response={200: list[ApiTokenOut], **unauthorized}, tags=["auth"])(token_list)
    api.delete(
        "/auth/tokens/{token_id}", response={204: None, 404: ErrorOut, **unauthorized}, tags=["auth"]
    )(token_revoke)
