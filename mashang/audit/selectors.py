from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mashang.audit import permissions
from mashang.audit.models import Event, SecurityEvent
from mashang.core.errors import PermissionDenied

MSG_AUDIT_ONLY = _("Only the audit administrator reads the security log.")


def event_timeline(*, subject_type: str, subject_id: int) -> QuerySet[Event]:
    """The events of one object, oldest first, with their actors."""
    return (
        Event.objects.filter(subject_type=subject_type, subject_id=subject_id)
        .select_related("actor")
        .order_by("id")
    )


@dataclass(frozen=True)
class SecurityLogFilters:
    kind: str = ""
    person: str = ""  # a username, or a piece of one
    date_from: date | None = None
    date_to: date | None = None
    ok: bool | None = None


def _day_start(d: date) -> datetime:
    return timezone.make_aware(datetime.combine(d, time.min))


def security_log_list(*, actor: Any, filters: SecurityLogFilters) -> QuerySet[SecurityEvent]:
    """The security log, newest first, as filtered; for the audit administrator only."""
    if not permissions.can_read_security_log(actor):
        raise PermissionDenied(MSG_AUDIT_ONLY)
    qs = SecurityEvent.objects.all()
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.person:
        person = filters.person.strip()
        condition = Q(username__icontains=person)
        if person.isdigit():
            condition |= Q(user_id=int(person))
        qs = qs.filter(condition)
    if filters.date_from:
        qs = qs.filter(at__gte=_day_start(filters.date_from))
    if filters.date_to:
        qs = qs.filter(at__lt=_day_start(filters.date_to + timedelta(days=1)))
    if filters.ok is not None:
        qs = qs.filter(ok=filters.ok)
    return qs.order_by("-at", "-id")
