"""Writes to the calendar: set or clear the admin override of one date."""

from __future__ import annotations

from datetime import date

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction

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
        # TODO(audit): record the change by ``actor`` here, in this transaction, once the
        # audit app's recording function is settled.
        transaction.on_commit(calendar_invalidate)
    return calendar_day


def calendar_day_clear(*, actor: AbstractBaseUser, day: date) -> None:
    """Remove the override of ``day``, if any: the statutory calendar applies again."""
    with transaction.atomic():
        deleted, _ = CalendarDay.objects.filter(date=day).delete()
        if deleted:
            # TODO(audit): record the removal by ``actor`` here, in this transaction.
            transaction.on_commit(calendar_invalidate)
