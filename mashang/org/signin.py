"""One sign-in throttle for every way in: the sign-in page, ``/admin/login/`` and
``POST /api/v1/auth/token`` (docs/configuration.md, docs/security.md).

django-axes does the work: its authentication backend refuses a locked-out client before the
password is checked, Django's ``user_login_failed`` signal counts every failure, and the
failures are rows in the database (``axes.AccessAttempt``), shared by every process and kept
across restarts. Two limits apply, so that nobody can lock the staff out from elsewhere:

- ``MASHANG_SIGNIN_MAX_FAILURES`` wrong passwords for one username from one client address
  lock that pair only: the same person still signs in from a client that has not been failing;
- ``MASHANG_SIGNIN_ADDRESS_MAX_FAILURES`` failures from one address, whatever the usernames,
  refuse that address (0: no such limit).

Both last ``MASHANG_SIGNIN_LOCK_SECONDS`` after the last failure. axes compares one number
with one limit, so ``SigninThrottle.get_failures`` measures each group against its own limit
and reports the worst in units of the pair's limit. This module is named by the ``AXES_*``
settings in ``config/settings/base.py``.
"""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_lockout_parameters
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from mashang.core.errors import ApplicationError

MSG_TOO_MANY = _("Too many failed sign-ins; try again in {minutes} minutes.")

#: The lockout group of one username from one client address, and the group of one address.
PAIR = ("username", "ip_address")
ADDRESS = "ip_address"


class TooManyAttempts(ApplicationError):
    status_code = 429


# --- What the AXES_* settings name --------------------------------------------------------------


def lock_seconds() -> int:
    return max(1, int(settings.MASHANG_SIGNIN_LOCK_SECONDS))


def cool_off(request: Any = None) -> timedelta:
    """AXES_COOLOFF_TIME: failures older than this are forgotten."""
    return timedelta(seconds=lock_seconds())


def failure_limit(request: Any = None, credentials: dict | None = None) -> int:
    """AXES_FAILURE_LIMIT: the pair's limit (the address's is scaled to it in get_failures)."""
    return max(1, int(settings.MASHANG_SIGNIN_MAX_FAILURES))


def lockout_parameters(request_or_attempt: Any = None, credentials: dict | None = None) -> list:
    """AXES_LOCKOUT_PARAMETERS: the pair always, the address when it has a limit."""
    groups: list = [list(PAIR)]
    if int(settings.MASHANG_SIGNIN_ADDRESS_MAX_FAILURES) > 0:
        groups.append(ADDRESS)
    return groups


def signin_username(request: Any, credentials: dict | None = None) -> str | None:
    """AXES_USERNAME_CALLABLE: ``Officer`` and `` officer`` are the same username to the throttle."""
    value = (credentials or {}).get("username")
    if value is None and request is not None:
        value = getattr(request, "POST", {}).get("username")
    if value is None:
        return None
    return str(value).strip().lower()[:255]


def _group_limit(group: str | list | tuple) -> int:
    if group == ADDRESS or (not isinstance(group, str) and list(group) == [ADDRESS]):
        return max(1, int(settings.MASHANG_SIGNIN_ADDRESS_MAX_FAILURES))
    return failure_limit()


class SigninThrottle(AxesDatabaseHandler):
    """axes' database handler with a limit per lockout group, and a success that forgets the
    failures of that username from that address only (never the address's other failures, so
    an attacker's own account cannot reset the address limit)."""

    def get_failures(self, request, credentials: dict | None = None) -> int:
        unit = failure_limit()
        groups = get_lockout_parameters(request, credentials)
        worst = 0
        for group, attempts in zip(groups, self.get_user_attempts(request, credentials), strict=True):
            failures = attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
            # failures >= the group's limit exactly when this reaches the pair's limit.
            worst = max(worst, failures * unit // _group_limit(group))
        return worst

    def user_logged_in(self, sender, request, user, **kwargs):
        super().user_logged_in(sender, request, user, **kwargs)
        signin_succeeded(request, user)


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict | None = None
) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: the answer to a locked-out attempt. The sign-in page and the API
    answer 429 themselves (with the form, in the API's shape); anything else (the admin's
    sign-in) gets the sign-in page with the message. Always with Retry-After."""
    if original_response is not None and original_response.status_code == 429:
        response = original_response
    elif request.path_info.startswith("/api/"):
        response = JsonResponse(
            {"message": signin_refused_message(), "fields": {}},
            status=429,
            json_dumps_params={"ensure_ascii": False},
        )
    else:
        username = (credentials or {}).get("username") or request.POST.get("username", "")
        context = {"error": signin_refused_message(), "username": str(username)[:150], "next": ""}
        response = render(request, "web/login.html", context, status=429)
    if not response.has_header("Retry-After"):
        response["Retry-After"] = str(lock_seconds())
    return response


# --- What the sign-in views use -----------------------------------------------------------------


def signin_refused_message() -> str:
    return str(MSG_TOO_MANY).format(minutes=math.ceil(lock_seconds() / 60))


def signin_locked(request: HttpRequest) -> bool:
    """Whether the failed ``authenticate(request, …)`` just made was refused by the throttle
    (or reached its limit), rather than a wrong password under the limit."""
    return bool(getattr(request, "axes_locked_out", False))


def signin_succeeded(request: HttpRequest, user: Any) -> None:
    """Forget the earlier failures of this username from this address (the page's sign-in does
    it through ``user_logged_in``; the API token, which signs no session in, calls it)."""
    address = getattr(request, "axes_ip_address", None)
    if address is None:
        return
    AccessAttempt.objects.filter(
        username=signin_username(request, {"username": user.get_username()}), ip_address=address
    ).delete()
