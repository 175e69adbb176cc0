"""Pre-review while the land is listed: its deadline, and the sweep that tells a unit its
pre-review is late.

The deadline of every pre-reviewable step of a run is the moment the listing closes
(``Run.listing_closes_at``), taken, in this order, from:

1. the day the person who listed the land said the listing closes: the end of that day's
   office hours (the last working day's, when that day is not one);
2. the project's planned award (its "land awarded" milestone): the listing closes when the
   award day's office hours begin;
3. the first award day of the run's batch, the same way (set by the sweep, once the run joined
   a batch and has no deadline yet).

A step is late when it is still not marked ready once the working day before the day the
listing closes has begun: the sweep then tells the step's unit, once
(``RunStep.prereview_late_noticed_at``), through the notification outbox, and writes an event
on the run. Steps of runs already awarded (or cancelled) are never noticed.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mashang.audit.services import event_record
from mashang.landstart import messages
from mashang.landstart.models import Run, RunState, RunStep
from mashang.landstart.services.common import SUBJECT, iso
from mashang.projects.models import Milestone, Project, Stage
from mashang.workcal.calendar import WorkCalendar
from mashang.workcal.selectors import calendar_get

#: The event on the run when a step's pre-review is late, and when the sweep takes a
#: batch's award day as the run's listing close.
LATE_ACTION = "prereview_late"
DEADLINE_ACTION = "prereview_deadline"
MSG_LATE_LABEL = _("pre-review late: the unit was told")
MSG_DEADLINE_LABEL = _("pre-review deadline set from the batch's award day")

_TICK = timedelta(microseconds=1)
#: A step whose deadline is further than this away cannot be late yet (a working day before
#: it is never further back than the longest holiday).
_HORIZON = timedelta(days=20)


def _midnight(cal: WorkCalendar, day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=cal.tz)


def office_opening(cal: WorkCalendar, day: date) -> datetime:
    """When office hours begin on ``day`` (on the next working day if it is not one)."""
    return cal.add_working_time(_midnight(cal, day), _TICK) - _TICK


def office_closing(cal: WorkCalendar, day: date) -> datetime:
    """When office hours end on ``day`` (on the last working day before it if it is not one)."""
    return cal.add_working_time(_midnight(cal, day + timedelta(days=1)), -_TICK) + _TICK


def listing_closes_on_day(day: date, cal: WorkCalendar | None = None) -> datetime:
    """The listing's close on the day the person listing gave: the end of its office hours."""
    return office_closing(cal or calendar_get(), day)


def listing_closes_at_award(day: date, cal: WorkCalendar | None = None) -> datetime:
    """The listing's close before an award on ``day``: when that day's office hours begin."""
    return office_opening(cal or calendar_get(), day)


def listing_closes_default(project: Project, cal: WorkCalendar | None = None) -> datetime | None:
    """The listing's close from the project's planned award, or None when none is planned."""
    planned = (
        Milestone.objects.filter(project=project, stage=Stage.AWARDED)
        .values_list("planned_on", flat=True)
        .first()
    )
    return listing_closes_at_award(planned, cal) if planned else None


def late_from(cal: WorkCalendar, due: datetime) -> datetime:
    """From when a step due at ``due`` and not ready is late: the opening of the working day
    before the day the listing closes."""
    day = due.astimezone(cal.tz).date()
    return cal.add_working_time(office_opening(cal, day), -cal.day_length)


def _deadlines_from_batches(cal: WorkCalendar, now: datetime) -> int:
    """Listed runs of a batch that have no listing close yet take the batch's first award day."""
    filled = 0
    runs = Run.objects.filter(
        state=RunState.LISTED, batch__isnull=False, listing_closes_at__isnull=True
    ).select_related("batch")
    for run in runs:
        closes = listing_closes_at_award(run.batch.award_from, cal)
        with transaction.atomic():
            if not Run.objects.filter(pk=run.pk, listing_closes_at__isnull=True).update(
                listing_closes_at=closes
            ):
                continue
            steps = RunStep.objects.filter(
                run=run, pre_reviewable=True, prereview_due_at__isnull=True
            )
            codes = list(steps.values_list("code", flat=True))
            steps.update(prereview_due_at=closes)
            event_record(
                subject_type=SUBJECT,
                subject_id=run.pk,
                action=DEADLINE_ACTION,
                actor=None,
                at=now,
                from_state=run.state,
                to_state=run.state,
                payload={
                    "listing_closes_at": iso(closes),
                    "batch": run.batch.number,
                    "steps": codes,
                },
            )
        filled += 1
    return filled


def prereview_sweep(*, now: datetime | None = None) -> int:
    """Tell each unit, once, of its pre-review steps that are late; return how many were told.

    Safe to run at the same time in two processes: a step is claimed by one of them only.
    """
    now = now or timezone.now()
    cal = calendar_get()
    _deadlines_from_batches(cal, now)
    candidates = (
        RunStep.objects.filter(
            run__state=RunState.LISTED,
            pre_reviewable=True,
            staged=False,
            prereview_late_noticed_at__isnull=True,
            prereview_due_at__isnull=False,
            prereview_due_at__lte=now + _HORIZON,
        )
        .select_related("run", "run__project", "unit")
        .order_by("prereview_due_at", "run_id", "position")
    )
    told = 0
    for step in candidates:
        if late_from(cal, step.prereview_due_at) > now:
            continue
        with transaction.atomic():
            claimed = RunStep.objects.filter(
                Q(pk=step.pk, staged=False, prereview_late_noticed_at__isnull=True),
                run__state=RunState.LISTED,
            ).update(prereview_late_noticed_at=now)
            if not claimed:
                continue
            step.prereview_late_noticed_at = now
            event_record(
                subject_type=SUBJECT,
                subject_id=step.run_id,
                action=LATE_ACTION,
                actor=None,
                at=now,
                from_state=RunState.LISTED,
                to_state=RunState.LISTED,
                payload={
                    "step": step.code,
                    "unit": step.unit.code,
                    "due": iso(step.prereview_due_at),
                },
            )
            messages.prereview_late_notify(step, now)
        told += 1
    return told
