"""The one function that records an event. Call it inside the transaction of the change."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction

from mashang.audit.models import Event


def event_record(
    *,
    subject_type: str,
    subject_id: int,
    action: str,
    actor: Any | None,
    at: datetime,
    from_state: str = "",
    to_state: str = "",
    reason: str = "",
    payload: dict[str, Any] | None = None,
) -> Event:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("event_record must run inside the transaction of the change it records")
    return Event.objects.create(
        subject_type=subject_type,
        subject_id=subject_id,
        action=action,
        actor=actor,
        at=at,
        from_state=from_state,
        to_state=to_state,
        reason=reason,
        payload=payload or {},
    )
