from __future__ import annotations

from django.db.models import QuerySet

from mashang.audit.models import Event


def event_timeline(*, subject_type: str, subject_id: int) -> QuerySet[Event]:
    """The events of one object, oldest first, with their actors."""
    return (
        Event.objects.filter(subject_type=subject_type, subject_id=subject_id)
        .select_related("actor")
        .order_by("id")
    )
