"""The security audit log's writes: ``security_event`` records one security-relevant action
(sign-in, lock-out, token, password, role, export, download, admin change) with who did it,
from which address and whether it succeeded; ``security_log_purge`` is the retention job.

The log is separate from the domain events: it is kept for the assessor (等保 2.0), read by the
audit administrator alone, and never changed (see ``SecurityEvent``).
"""

from __future__ import annotations

import ipaddress
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mashang.audit.models import SecurityEvent
from mashang.core.errors import ValidationFailed

Kind = SecurityEvent.Kind

#: The least number of days the log is kept (the Cybersecurity Law's six months).
MIN_KEEP_DAYS = 180

MSG_KEEP_TOO_SHORT = _("The security log is kept at least %(days)d days.")


def _valid_ip(value: str) -> str | None:
    value = value.strip()
    if value.startswith("[") and "]" in value:  # [::1]:443
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # 10.0.0.1:443
        value = value.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def client_address(request: Any) -> str | None:
    """The client's address. Behind ``MASHANG_PROXY_COUNT`` trusted reverse proxies it is the
    address the outermost trusted proxy saw (that many entries from the right of
    ``X-Forwarded-For``); with none, the socket's peer (``REMOTE_ADDR``), so a client cannot
    forge it with a header."""
    if request is None:
        return None
    meta = getattr(request, "META", {}) or {}
    proxies = int(getattr(settings, "MASHANG_PROXY_COUNT", 0) or 0)
    if proxies > 0:
        forwarded = [p for p in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if p.strip()]
        if len(forwarded) >= proxies:
            found = _valid_ip(forwarded[-proxies])
            if found:
                return found
    return _valid_ip(meta.get("REMOTE_ADDR", "") or "")


def security_event(
    request: Any,
    kind: str,
    *,
    user: Any | None = None,
    username: str = "",
    obj: Any | None = None,
    object_type: str = "",
    object_id: Any = "",
    ok: bool = True,
    detail: str = "",
    at: datetime | None = None,
) -> SecurityEvent:
    """Record one security event. ``user`` defaults to the request's signed-in user; ``username``
    names someone who is not a user (a failed sign-in's attempted name); ``obj`` (or
    ``object_type``/``object_id``) is what the action was about."""
    if user is None and request is not None:
        candidate = getattr(request, "user", None)
        if candidate is not None and getattr(candidate, "is_authenticated", False):
            user = candidate
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
    return SecurityEvent.objects.create(
        at=at or timezone.now(),
        kind=str(kind),
        user_id=getattr(user, "pk", None),
        username=(getattr(user, "username", "") if user is not None else "") or username[:150],
        address=client_address(request),
        object_type=object_type[:60],
        object_id=str(object_id if object_id is not None else "")[:64],
        ok=ok,
        detail=str(detail)[:300],
    )


def security_log_keep_days(days: int | None = None) -> int:
    """The days the log is kept: ``days`` or ``MASHANG_SECURITY_LOG_DAYS``; never under 180."""
    if days is None:
        days = int(getattr(settings, "MASHANG_SECURITY_LOG_DAYS", MIN_KEEP_DAYS))
    if days < MIN_KEEP_DAYS:
        raise ValidationFailed(MSG_KEEP_TOO_SHORT % {"days": MIN_KEEP_DAYS})
    return days


def security_log_purge(*, days: int | None = None, now: datetime | None = None) -> int:
    """Delete the security events older than the kept period; return how many went. On
    PostgreSQL through the one database function the append-only trigger lets through."""
    keep = security_log_keep_days(days)
    cutoff = (now or timezone.now()) - timedelta(days=keep)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT audit_securityevent_purge(%s)", [cutoff])
            return int(cursor.fetchone()[0])
    return SecurityEvent.objects.filter(at__lt=cutoff)._purge()
