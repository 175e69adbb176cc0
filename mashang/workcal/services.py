"""Writes to the calendar: set or clear the admin override of one date; apply a year's notice."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from mashang.audit.services import event_record
from mashang.workcal.models import CalendarDay
from mashang.workcal.notice import NoticeDay
from mashang.workcal.selectors import calendar_invalidate


def calendar_day_set(
    *, actor: AbstractBaseUser, day: date, is_working_day: bool, note: str
) -> CalendarDay:
    """Declare ``day`` a working day or a rest day, replacing any earlier override of it (one
    imported from a notice too: the date is then set by hand, and a new import replaces it)."""
    with transaction.atomic():
        calendar_day, _ = CalendarDay.objects.update_or_create(
            date=day, defaults={"is_working_day": is_working_day, "note": note, "notice_year": None}
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


def calendar_year_apply(
    *, actor: AbstractBaseUser, year: int, days: Sequence[NoticeDay], notice_text: str
) -> int:
    """Apply ``year``'s State Council notice, as ``notice_parse`` read it; return the rows written.

    The year's rows from an earlier import of its notice are replaced, every date the notice
    names gets a row marked with the notice's year (replacing a row set by hand on that date:
    the notice is the authority), and the other rows set by hand stay — a local closure day is
    a local decision the notice says nothing about. One transaction, one audit event with the
    notice's text; the calendar caches are dropped after the commit.
    """
    at = timezone.now()
    named = {day.date: day for day in days}
    with transaction.atomic():
        removed = CalendarDay.objects.filter(notice_year=year).exclude(date__in=named).delete()[0]
        replaced = CalendarDay.objects.filter(date__in=named, notice_year__isnull=True).count()
        CalendarDay.objects.filter(date__in=named).delete()
        CalendarDay.objects.bulk_create(
            CalendarDay(
                date=day.date,
                is_working_day=day.is_working_day,
                note=(f"{year}年{day.holiday}" + ("调休上班" if day.is_working_day else "放假"))[
                    :100
                ],
                notice_year=year,
            )
            for day in sorted(named.values())
        )
        event_record(
            subject_type="calendar_year",
            subject_id=year,
            action="notice_apply",
            actor=actor,
            at=at,
            reason=f"{year}",
            payload={
                "year": year,
                "rest_days": [d.date.isoformat() for d in days if not d.is_working_day],
                "working_days": [d.date.isoformat() for d in days if d.is_working_day],
                "removed_earlier": removed,
                "replaced_manual": replaced,
                "notice": notice_text[:20_000],
            },
        )
        transaction.on_commit(calendar_invalidate)
    return len(named)
