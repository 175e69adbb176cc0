"""The API under /api/v1: one NinjaAPI, its error handler, and the routers of each domain app."""

from __future__ import annotations

from django.contrib.auth import authenticate
from django.utils.translation import gettext_lazy as _
from ninja import NinjaAPI, Schema
from pydantic import Field

from mashang.api import errors
from mashang.api.auth import BearerAuth, api_token_issue
from mashang.api.parser import ApiParser
from mashang.core.errors import NotAuthenticated
from mashang.org.signin import signin_check, signin_failed, signin_succeeded

api = NinjaAPI(
    title="mashang API",
    version="1",
    description="马上办 — enterprise demands with working-time deadlines. "
    "Authenticate with POST /auth/token, then send Authorization: Bearer <token>.",
    auth=BearerAuth(),
    urls_namespace="api-v1",
    openapi_url="/openapi.json",
    docs_url="/docs",
    parser=ApiParser(),
)
errors.install(api)

MSG_BAD_CREDENTIALS = _("Wrong username or password.")


class TokenIn(Schema):
    username: str = Field(min_length=1, max_length=150)
    password: str = Field(min_length=1, max_length=200)


class TokenOut(Schema):
    token: str
    expires_at: str


@api.post("/auth/token", auth=None, response={200: TokenOut}, tags=["auth"])
def token_create(request, payload: TokenIn):
    """Exchange a username and password for a bearer token."""
    signin_check(payload.username)
    user = authenticate(request, username=payload.username, password=payload.password)
    if user is None or not user.is_active:
        signin_failed(payload.username)
        raise NotAuthenticated(MSG_BAD_CREDENTIALS)
    signin_succeeded(payload.username)
    token, record = api_token_issue(user=user)
    return {"token": token, "expires_at": record.expires_at.isoformat()}


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


_mount()


def api_not_found(request, *args, **kwargs):
    """Any other path under /api answers in the API's error shape, not with an HTML page."""
    from django.http import JsonResponse

    return JsonResponse(
        errors.body(str(_("No such endpoint: {method} {path}")).format(method=request.method, path=request.path)),
        status=404,
    )
