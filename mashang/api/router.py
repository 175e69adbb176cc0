"""The API under /api/v1: one NinjaAPI, its error handler, and the routers of each domain app."""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from ninja import Schema
from pydantic import Field

from mashang.api import errors, tokens_api
from mashang.api.auth import BearerAuth, api_token_issue
from mashang.api.docs import SwaggerSelfHosted
from mashang.api.openapi import MashangAPI
from mashang.api.parser import ApiParser
from mashang.core.errors import NotAuthenticated
from mashang.org.account_checks import api_token_check
from mashang.org.signin import (
    TooManyAttempts,
    signin_locked,
    signin_refused_message,
    signin_succeeded,
)

api = MashangAPI(
    title="mashang API",
    version="1",
    description="马上办 — enterprise demands with working-time deadlines. "
    "Authenticate with `POST /auth/token`, then send `Authorization: Bearer <token>`.",
    auth=BearerAuth(),
    urls_namespace="api-v1",
    openapi_url="/openapi.json",
    docs_url="/docs",
    docs=SwaggerSelfHosted(),  # Swagger UI from our static files, under the strict CSP
    parser=ApiParser(),
)
errors.install(api)

MSG_BAD_CREDENTIALS = _("Wrong username or password.")


class TokenIn(Schema):
    username: str = Field(min_length=1, max_length=150)
    password: str = Field(min_length=1, max_length=200)
    # Which client or script the token is for, shown in GET /auth/tokens (default: User-Agent).
    label: str = Field("", max_length=100)
    # The code of the second factor: required of administrators (mashang.org.account_checks).
    otp: str = Field("", max_length=20)


class TokenOut(Schema):
    id: int
    token: str
    expires_at: str


@api.post("/auth/token", auth=None, response={200: TokenOut}, tags=["auth"])
def token_create(request, payload: TokenIn):
    """Exchange a username and password for a bearer token."""
    # The same throttle as the sign-in page (django-axes, mashang.org.signin): authenticate with
    # the request counts the failure; a locked-out client gets 429 with Retry-After.
    user = authenticate(request, username=payload.username, password=payload.password)
    if user is None or not user.is_active:
        if signin_locked(request):
            raise TooManyAttempts(signin_refused_message())
        raise NotAuthenticated(MSG_BAD_CREDENTIALS)
    api_token_check(user=user, otp=payload.otp)  # expired password; administrators' second factor
    signin_succeeded(request, user)
    label = payload.label or request.headers.get("User-Agent", "")
    token, record = api_token_issue(user=user, label=label, request=request)
    return {"id": record.pk, "token": token, "expires_at": record.expires_at.isoformat()}


tokens_api.install(api)  # DELETE /auth/token, POST /auth/token/refresh, /auth/tokens


def _mount() -> None:
    from mashang.demands.api import router as demands_router
    from mashang.notify.api import router as notify_router
    from mashang.org.api import router as org_router

    api.add_router("/", org_router)
    api.add_router("/", demands_router)
    api.add_router("/", notify_router)
    api.add_router("/", "mashang.supervision.api.router")
    api.add_router("/", "mashang.supervision.scorecards.api.router")
    api.add_router("/", "mashang.projects.api.router")
    # Before landstart.api: its GET /landstart-templates/{code} would otherwise take the path
    # /landstart-templates/import and answer its POST with 405.
    api.add_router("/", "mashang.landstart.bpmn_api.router")
    api.add_router("/", "mashang.landstart.history_api.router")
    api.add_router("/", "mashang.landstart.api.router")
    api.add_router("/", "mashang.landstart.commitments_api.router")
    api.add_router("/", "mashang.landstart.plan_api.router")
    api.add_router("/", "mashang.landstart.batches_api.router")
    api.add_router("/", "mashang.meetings.api.router")
    api.add_router("/", "mashang.routing.api.router")


_mount()


@csrf_exempt  # a POST to an unknown path is a 404, not Django's HTML CSRF page
def api_not_found(request, *args, **kwargs):
    """Any other path under /api answers in the API's error shape, not with an HTML page."""
    from django.http import JsonResponse

    return JsonResponse(
        errors.body(str(_("No such endpoint: {method} {path}")).format(method=request.method, path=request.path)),
        status=404,
    )
