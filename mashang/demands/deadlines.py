"""Deadlines of demands: which clock runs in which status, which deadline a demand is held to,
and the arithmetic, as pure functions of a calendar, a policy and times."""

from __future__ import annotations

from calendar import monthrange
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from mashang.demands.models import Demand, Kind, Status
from mashang.workcal.calendar import WorkCalendar

#: Statuses in which the service team's triage clock runs (``deadlines.next_due``).
TRIAGE_STATUSES = (Status.SUBMITTED, Status.TRIAGED, Status.RETURNED, Status.UNRESOLVED)
#: Statuses in which the lead unit's clocks run (waiting on the enterprise pauses them).
UNIT_STATUSES = (Status.DISPATCHED, Status.IN_PROGRESS, Status.DIFFICULT)
RUNNING_STATUSES = TRIAGE_STATUSES + UNIT_STATUSES


def interim_pending(demand) -> bool:
    """Whether the lead unit still owes its interim reply: a demand's assessment (研判意见) is
    given once; an action item reports its progress every month, each report setting the
    next one's deadline (``interim_reply_due_at`` after ``assessed_at``) until it is replied."""
    if demand.replied_at is not None:
        return False
    if demand.assessed_at is None:
        return True
    return (
        demand.kind == Kind.ACTION_ITEM
        and demand.interim_reply_due_at is not None
        and demand.interim_reply_due_at > demand.assessed_at
    )


#: :func:`interim_pending` as a query condition (the sweep's deadline kind in SQL).
INTERIM_PENDING = Q(replied_at__isnull=True) & (
    Q(assessed_at__isnull=True) | Q(kind=Kind.ACTION_ITEM, interim_reply_due_at__gt=F("assessed_at"))
)


def progress_report_due(at: datetime, resolution_due_at: datetime | None) -> datetime:
    """An action item's next progress report: the same time a month later (the last day of a
    shorter month), and no later than its deadline."""
    month = at.month % 12 + 1
    year = at.year + (at.month == 12)
    day = min(at.day, monthrange(year, month)[1])
    due = at.replace(year=year, month=month, day=day)
    return min(due, resolution_due_at) if resolution_due_at else due


class DeadlineKind(models.TextChoices):
    TRIAGE = "triage", _("Triage")
    FIRST_CONTACT = "first_contact", _("First contact")
    INTERIM_REPLY = "interim_reply", _("Interim reply")
    RESOLUTION = "resolution", _("Resolution")


def deadline_kind(demand: Demand) -> str | None:
    """Which deadline ``demand`` is held to now, the one :func:`next_due` gives."""
    if demand.status in TRIAGE_STATUSES:
        return DeadlineKind.TRIAGE
    if demand.status not in UNIT_STATUSES:
        return None
    due = next_due(demand)
    if demand.first_responded_at is None and due == demand.first_response_due_at:
        return DeadlineKind.FIRST_CONTACT
    if interim_pending(demand) and due == demand.interim_reply_due_at:
        return DeadlineKind.INTERIM_REPLY
    return DeadlineKind.RESOLUTION


@dataclass(frozen=True)
class Policy:
    """Limits of one category, in working hours (triage, first contact) and working days."""

    triage_hours: Decimal = Decimal(1)
    first_response_hours: Decimal = Decimal(1)
    interim_reply_days: Decimal = Decimal(3)
    resolution_days: Decimal = Decimal(5)

    @classmethod
    def of(cls, category) -> Policy:
        if category is None:
            return cls()
        return cls(
            triage_hours=category.triage_hours,
            first_response_hours=category.first_response_hours,
            interim_reply_days=category.interim_reply_days,
            resolution_days=category.resolution_days,
        )


def triage_due(cal: WorkCalendar, policy: Policy, start: datetime) -> datetime:
    return cal.add_working_hours(start, float(policy.triage_hours))


def unit_deadlines(cal: WorkCalendar, policy: Policy, start: datetime) -> dict[str, datetime]:
    """The lead unit's deadlines, counted from the moment it receives the demand."""
    day = cal.day_length
    return {
        "first_response_due_at": cal.add_working_hours(start, float(policy.first_response_hours)),
        "interim_reply_due_at": cal.add_working_time(start, day * float(policy.interim_reply_days)),
        "resolution_due_at": cal.add_working_time(start, day * float(policy.resolution_days)),
    }


def held_to_hotline(due: dict[str, datetime], external_due_at: datetime | None) -> dict[str, datetime]:
    """The unit's deadlines of a 12345 order: none later than the hotline's own deadline, so
    the zone is held to the city's deadline when it comes before the zone's resolution limit."""
    if external_due_at is None:
        return due
    return {name: min(value, external_due_at) for name, value in due.items()}


def shift_after_pause(
    cal: WorkCalendar, due: datetime | None, paused_at: datetime, resumed_at: datetime
) -> datetime | None:
    """A deadline after the clock paused from ``paused_at`` to ``resumed_at``.

    The working time that was left when the pause began is left again on resuming; a
    deadline already missed before the pause stays missed.
    """
    if due is None or due <= paused_at:
        return due
    return cal.add_working_time(resumed_at, cal.working_time_between(paused_at, due))


def next_due(demand) -> datetime | None:
    """The nearest deadline someone is held to now, given the demand's status and progress."""
    status = demand.status
    if status in TRIAGE_STATUSES:
        return demand.triage_due_at
    if status in UNIT_STATUSES:
        candidates = [demand.resolution_due_at]
        if demand.first_responded_at is None:
            candidates.append(demand.first_response_due_at)
        if interim_pending(demand):
            candidates.append(demand.interim_reply_due_at)
        present = [c for c in candidates if c is not None]
        return min(present) if present else None
    return None


def _done_at(demand, kind: str) -> datetime | None:
    """When the step a deadline holds someone to was done, if it was."""
    if kind == DeadlineKind.TRIAGE:
        return demand.dispatched_at if demand.status not in TRIAGE_STATUSES else None
    if kind == DeadlineKind.FIRST_CONTACT:
        return demand.first_responded_at
    if kind == DeadlineKind.INTERIM_REPLY:
        return None if interim_pending(demand) else demand.assessed_at or demand.replied_at
    return demand.replied_at


@dataclass(frozen=True)
class DeadlineRow:
    kind: str
    due: datetime | None
    current: bool
    #: ``met`` / ``missed`` once its step is done, else "".
    outcome: str


def deadline_rows(demand) -> list[DeadlineRow]:
    """Each stored deadline of ``demand``, the one it is held to now marked by its kind (not by
    its instant: two deadlines may fall on the same moment), and those already done met or
    missed."""
    current = deadline_kind(demand)
    rows = []
    for kind, due in (
        (DeadlineKind.TRIAGE, demand.triage_due_at),
        (DeadlineKind.FIRST_CONTACT, demand.first_response_due_at),
        (DeadlineKind.INTERIM_REPLY, demand.interim_reply_due_at),
        (DeadlineKind.RESOLUTION, demand.resolution_due_at),
    ):
        done = _done_at(demand, kind) if kind != current else None
        outcome = "" if done is None or due is None else ("met" if done <= due else "missed")
        rows.append(DeadlineRow(kind=kind, due=due, current=kind == current, outcome=outcome))
    return rows
