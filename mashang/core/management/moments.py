"""The ``--at`` option the sweeps and the hot topics take: a moment in ISO 8601."""

from __future__ import annotations

from datetime import datetime

from django.core.management.base import CommandError
from django.utils import timezone

MSG_BAD_AT = "--at 需要 ISO 8601 时间，例如 2026-10-09T14:30:00+08:00（不带时区按本地时间）。"


def at_option_parse(value: str | None) -> datetime | None:
    """``--at``'s moment (local time when it names no zone), or None when not given."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise CommandError(MSG_BAD_AT) from None
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed
