"""The one function that records an event, and the bookkeeping every versioned change shares
(bump the version, save the changed fields, record the event). Call them inside the
transaction of the change, with the changed row locked."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, Protocol

from django.db import transaction

from mashang.audit.models import Event


class Versioned(Protocol):
    """A row whose ``version`` counts its changes (a demand, a project, a land-start run or step)."""

    pk: Any
    version: int

    def save(self, *args: Any, **kwargs: Any) -> None: ...


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


def version_bump(obj: Versioned, *, fields: Iterable[str] = ()) -> None:
    """Bump ``obj``'s version and save the changed ``fields`` with it (and nothing else)."""
    obj.version += 1
    obj.save(update_fields=sorted({"version", *fields}))


def versioned_save(
    obj: Versioned,
    *,
    fields: Iterable[str] = (),
    subject_type: str,
    action: str,
    actor: Any | None,
    at: datetime,
    from_state: str = "",
    to_state: str = "",
    reason: str = "",
    payload: dict[str, Any] | None = None,
) -> Event:
    """One change of ``obj``: bump its version, save the changed ``fields`` with it, then
    record the change's one event about ``obj``."""
    version_bump(obj, fields=fields)
    return event_record(
        subject_type=subject_type,
        subject_id=obj.pk,
        action=action,
        actor=actor,
        at=at,
        from_state=from_state,
        to_state=to_state,
        reason=reason,
        payload=payload,
    )
