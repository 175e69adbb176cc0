"""The password policy and the second factor on the API (bearer tokens, no pages to send to).

An expired password refuses the token and every request made with one (403, with the message
to change it on the web page); an administrator gets a token only with the code of their
second factor (field ``otp``) — the pages do the same in mashang.org.middleware.
"""

from __future__ import annotations

from mashang.core.errors import NotAuthenticated, PermissionDenied, ValidationFailed
from mashang.org.passwords import MSG_EXPIRED_API, password_expired
from mashang.org.second_factor import (
    MSG_API_ENROL_FIRST,
    MSG_API_OTP_REQUIRED,
    second_factor_check,
    second_factor_enrolled,
    second_factor_required,
)


def api_request_check(user) -> None:
    """Refuse a request made with a token when the person's password has expired."""
    if password_expired(user):
        raise PermissionDenied(str(MSG_EXPIRED_API))


def api_token_check(*, user, otp: str) -> None:
    """After the password: refuse a token to a person whose password has expired, and to an
    administrator without the right code of their second factor (a wrong one is counted)."""
    api_request_check(user)
    if not second_factor_required(user):
        return
    if not second_factor_enrolled(user):
        raise PermissionDenied(str(MSG_API_ENROL_FIRST))
    if not otp:
        raise NotAuthenticated(str(MSG_API_OTP_REQUIRED), fields={"otp": [str(MSG_API_OTP_REQUIRED)]})
    try:
        second_factor_check(user=user, code=otp)
    except ValidationFailed as exc:
        raise NotAuthenticated(exc.message, fields=exc.fields) from exc
