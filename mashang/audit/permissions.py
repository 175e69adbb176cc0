"""Separation of administrative duties (三员分立): the system administrator runs the zone's data,
the security administrator the accounts' security, the audit administrator reads the security
log. Roles are named by their stored values (the audit app sits below the people's app)."""

from __future__ import annotations

from typing import Any

SYSTEM_ADMIN = "admin"
SECURITY_ADMIN = "security_admin"
AUDIT_ADMIN = "audit_admin"


def _role(actor: Any) -> str | None:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return None
    if not getattr(actor, "is_active", False):
        return None
    return getattr(actor, "role", None)


def can_read_security_log(actor: Any) -> bool:
    """The audit administrator alone reads (and exports) the security log."""
    return _role(actor) == AUDIT_ADMIN


def can_manage_account_security(actor: Any) -> bool:
    """The security administrator alone clears lock-outs, resets second factors and revokes
    other people's tokens."""
    return _role(actor) == SECURITY_ADMIN
