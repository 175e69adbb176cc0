"""The size limit of a request body, as Django enforces it (DATA_UPLOAD_MAX_MEMORY_SIZE)."""

from __future__ import annotations

from django.conf import settings


def upload_limit_bytes() -> int | None:
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def upload_limit_text() -> str:
    """The limit in words a person reads: "2.5 MB" for Django's default of 2,621,440 bytes."""
    limit = upload_limit_bytes()
    if limit is None:
        return "no limit"
    megabytes = limit / (1024 * 1024)
    return f"{megabytes:.1f} MB".replace(".0 MB", " MB")
