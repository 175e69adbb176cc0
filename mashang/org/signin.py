"""Sign-in throttling for the API and the pages: after too many wrong passwords for one username, wait."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

from mashang.core.errors import ApplicationError

MSG_TOO_MANY = _("Too many failed sign-ins for this user; try again in {minutes} minutes.")


class TooManyAttempts(ApplicationError):
    status_code = 429


def _key(username: str) -> str:
    digest = hashlib.sha256(username.strip().lower().encode()).hexdigest()
    return f"signin-failures:{digest}"


def signin_check(username: str) -> None:
    """Refuse before checking the password when this username has failed too often recently."""
    if cache.get(_key(username), 0) >= settings.MASHANG_SIGNIN_MAX_FAILURES:
        minutes = max(1, settings.MASHANG_SIGNIN_LOCK_SECONDS // 60)
        raise TooManyAttempts(str(MSG_TOO_MANY).format(minutes=minutes))


def signin_failed(username: str) -> None:
    key = _key(username)
    if cache.add(key, 1, timeout=settings.MASHANG_SIGNIN_LOCK_SECONDS):
        return
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=settings.MASHANG_SIGNIN_LOCK_SECONDS)


def signin_succeeded(username: str) -> None:
    cache.delete(_key(username))
