"""The security log's retention job for Celery beat (config/celery.py)."""

from __future__ import annotations

from celery import shared_task

from mashang.audit.security import security_log_purge


@shared_task(name="mashang.audit.security_log_purge")
def security_log_purge_task() -> int:
    return security_log_purge()
