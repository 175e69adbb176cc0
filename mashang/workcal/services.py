"""Writes to the calendar: set or clear the admin override of one date."""

from __future__ import annotations

from datetime import date

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from mashang.audit.services import event_record
from mashang.workcal.models import CalendarDay
from mashang.workcal.selectors import calendar_invalidate


def calendar_day_set(
    *, actor: AbstractBaseUser, day: date, is_working_day: bool, note: str
) -> CalendarDay:
    """Declare ``day`` a working day or a rest day, replacing any earlier override of it."""
    with transaction.atomic():
        calendar_day, _ = CalendarDay.objects.update_or_create(
            date=day, defaults={"is_working_day": is_working_day, "note": note}
        )
        event_record(
            subject_type="calendar_day",
            subject_id=calendar_day.pk,
            action="set",
            actor=actor,
            at=timezone.now(),
            to_state="working" if is_working_day else "rest",
            reason=note,
            payload={"date": day.isoformat()},
        )
        transaction.on_commit(calendar_invalidate)
    return calendar_day


def calendar_day_clear(*, actor: AbstractBaseUser, day: date) -> None:
    """Remove the override of ``day``, if any: the statutory calendar applies again."""
    with transaction.atomic():
        existing = CalendarDay.objects.filter(date=day).first()
        if existing is not None:
            event_record(
                subject_type="calendar_day",
                subject_id=existing.pk,
                action="clear",
                actor=actor,
                at=timezone.now(),
                from_state="working" if existing.is_working_day else "rest",
                payload={"date": day.isoformat()},
            )
            existing.delete()
            transaction.on_commit(calendar_invalidate)
