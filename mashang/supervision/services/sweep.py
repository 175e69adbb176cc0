"""The supervision sweep: raise the notices that deadlines near or past have earned.

Run periodically (``mashang sweep``; every few minutes in production). For every demand
whose clock runs, the deadline it is held to now (``next_due_at``, of the kind
``deadline_kind`` names) is looked at against three bounds computed once per sweep on the
zone's calendar (:mod:`mashang.supervision.rules`): reminder, yellow, red. The highest
level reached is raised unless it (or a higher one) was raised already for that deadline;
levels skipped are not raised after the fact. Each level is raised at most once per
deadline — the partial unique constraint on notices guarantees it — and a deadline that
moves is a new deadline with its own notices. A paused clock (waiting on the enterprise)
or a demand awaiting confirmation has no running deadline and raises nothing.

How it stays fast on millions of demands:

1. one query finds the candidates: an index range on ``next_due_at`` over the running
   statuses, keeping only the rows that have no automatic notice for their current
   deadline at the level they reached (an anti-join on the notices' unique index). In the
   common case — everything due already noticed — it returns nothing;
2. candidates are then handled in chunks, each in its own transaction: the demand rows
   are locked (in id order, so concurrent sweeps queue instead of deadlocking, and a
   concurrent transition either happens before — and the sweep sees its new deadline —
   or waits), their level is decided again from the locked row, the notices already
   raised for the chunk are read in one query, and the new notices, their addressees,
   the demands' ``notice`` events and the version bumps are written in bulk.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import (
    Case,
    CharField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.utils import timezone

from mashang.audit.models import Event
from mashang.demands.deadlines import (
    INTERIM_PENDING,
    RUNNING_STATUSES,
    TRIAGE_STATUSES,
    DeadlineKind,
    deadline_kind,
)
from mashang.demands.models import Demand
from mashang.supervision.messages import notices_notify
from mashang.supervision.models import LEVEL_RANK, Level, SupervisionNotice
from mashang.supervision.rules import (
    DAY_KINDS,
    HOUR_KINDS,
    Windows,
    level_reached,
    to_raise,
    windows_at,
)
from mashang.supervision.services.notices import NOTICE_ACTION, Addressing, notice_payload
from mashang.supervision.signals import sweep_finished
from mashang.workcal.calendar import WorkCalendar
from mashang.workcal.selectors import calendar_get

#: Demands locked and written per transaction.
CHUNK = 500
#: What deciding and recording a notice reads of a demand (not its long texts).
_FIELDS = (
    "status",
    "lead_unit_id",
    "next_due_at",
    "triage_due_at",
    "first_response_due_at",
    "interim_reply_due_at",
    "resolution_due_at",
    "first_responded_at",
    "assessed_at",
    "replied_at",
    "kind",
)


@dataclass
class SweepResult:
    at: datetime
    dry_run: bool
    windows: Windows
    candidates: int = 0  # demands the range query found without their level's notice
    raised: dict[str, int] = field(default_factory=lambda: dict.fromkeys(Level.values, 0))
    notice_ids: list[int] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def total(self) -> int:
        return sum(self.raised.values())


def sweep_windows(cal: WorkCalendar, at: datetime) -> Windows:
    return windows_at(
        cal,
        at,
        reminder_hours_minutes=settings.MASHANG_REMINDER_BEFORE_MINUTES,
        reminder_days_minutes=settings.MASHANG_REMINDER_BEFORE_DAYS_MINUTES,
        grace_minutes=settings.MASHANG_RED_GRACE_MINUTES,
    )


def _level_rank(field_name: str, w: Windows | None = None) -> Case:
    """The rank of a notice's level; or, with ``w``, of the level a deadline has reached."""
    if w is None:
        whens = [
            When(**{field_name: level}, then=Value(rank)) for level, rank in LEVEL_RANK.items()
        ]
        return Case(*whens, default=Value(0), output_field=IntegerField())
    return Case(
        When(**{f"{field_name}__lte": w.red_from}, then=Value(LEVEL_RANK[Level.RED])),
        When(**{f"{field_name}__lte": w.now}, then=Value(LEVEL_RANK[Level.YELLOW])),
        default=Value(LEVEL_RANK[Level.REMINDER]),
        output_field=IntegerField(),
    )


def _kind() -> Case:
    """``deadlines.deadline_kind`` in SQL, for the demands whose clock runs."""
    return Case(
        When(status__in=TRIAGE_STATUSES, then=Value(DeadlineKind.TRIAGE)),
        When(
            Q(first_responded_at__isnull=True, next_due_at=F("first_response_due_at")),
            then=Value(DeadlineKind.FIRST_CONTACT),
        ),
        When(
            INTERIM_PENDING & Q(next_due_at=F("interim_reply_due_at")),
            then=Value(DeadlineKind.INTERIM_REPLY),
        ),
        default=Value(DeadlineKind.RESOLUTION),
        output_field=CharField(),
    )


def candidates_query(w: Windows) -> QuerySet[Demand]:
    """Demands whose running deadline has reached a level not yet raised for it (ids only).

    A superset of what :func:`_plan` decides from the locked rows: anything it lets
    through is checked again, and nothing it leaves out would be raised.
    """
    raised = (
        SupervisionNotice.objects.filter(
            demand_id=OuterRef("pk"),
            raised_by__isnull=True,
            kind=OuterRef("sweep_kind"),
            due_at=OuterRef("next_due_at"),
        )
        .annotate(level_rank=_level_rank("level"))
        .filter(level_rank__gte=OuterRef("sweep_rank"))
    )
    return (
        Demand.objects.filter(status__in=RUNNING_STATUSES, next_due_at__lt=w.horizon)
        .annotate(sweep_kind=_kind(), sweep_rank=_level_rank("next_due_at", w))
        .filter(
            Q(next_due_at__lte=w.now)
            | Q(sweep_kind__in=sorted(HOUR_KINDS), next_due_at__lt=w.remind_hours_until)
            | Q(sweep_kind__in=sorted(DAY_KINDS), next_due_at__lt=w.remind_days_until)
        )
        .filter(~Exists(raised))
        .order_by()
        .values_list("pk", flat=True)
    )


@dataclass(frozen=True)
class _Plan:
    demand: Demand
    kind: str
    level: Level


def _plan(demands: Iterable[Demand], w: Windows) -> list[_Plan]:
    """The notice each demand needs now, given the automatic notices already raised."""
    demands = list(demands)
    highest: dict[tuple[int, str, datetime], int] = {}
    raised = SupervisionNotice.objects.filter(
        demand_id__in=[d.pk for d in demands], raised_by__isnull=True
    ).values_list("demand_id", "kind", "due_at", "level")
    for demand_id, kind, due_at, level in raised:
        key = (demand_id, kind, due_at)
        highest[key] = max(highest.get(key, 0), LEVEL_RANK[Level(level)])
    plans = []
    for d in demands:
        if d.status not in RUNNING_STATUSES or d.next_due_at is None:
            continue
        kind = deadline_kind(d)
        level = to_raise(
            level_reached(d.next_due_at, kind, w), highest.get((d.pk, kind, d.next_due_at), 0)
        )
        if level is not None:
            plans.append(_Plan(demand=d, kind=kind, level=level))
    return plans


def _raise(
    plans: Sequence[_Plan], *, at: datetime, addressing: Addressing
) -> list[SupervisionNotice]:
    """Write the planned notices, their addressees, events and version bumps (demands locked)."""
    notices = [
        SupervisionNotice(
            demand_id=p.demand.pk,
            kind=p.kind,
            due_at=p.demand.next_due_at,
            level=p.level,
            raised_at=at,
            unit_id=addressing.unit_id_of(p.demand, p.kind),
        )
        for p in plans
    ]
    SupervisionNotice.objects.bulk_create(notices)
    addressing.load_units(n.unit_id for n in notices)
    addressees = {n.pk: addressing.people(kind=n.kind, unit_id=n.unit_id, level=n.level) for n in notices}
    through = SupervisionNotice.addressed_to.through
    through.objects.bulk_create(
        [through(supervisionnotice_id=n.pk, user_id=user_id) for n in notices for user_id in addressees[n.pk]],
        batch_size=5000,
    )
    # The demand events, as ``audit.services.event_record`` writes them, in one insert.
    Event.objects.bulk_create(
        [
            Event(
                subject_type="demand",
                subject_id=p.demand.pk,
                action=NOTICE_ACTION,
                actor=None,
                at=at,
                from_state=p.demand.status,
                to_state=p.demand.status,
                payload=notice_payload(n),
            )
            for p, n in zip(plans, notices, strict=True)
        ]
    )
    Demand.objects.filter(pk__in=[p.demand.pk for p in plans]).update(version=F("version") + 1)
    # The messages to the addressees and the units' work groups, in this transaction.
    shown = Demand.objects.select_related("enterprise").only("number", "title", "enterprise__name").in_bulk(
        [p.demand.pk for p in plans]
    )
    for n in notices:
        n.demand = shown[n.demand_id]
    notices_notify(notices, addressees)
    return notices


def supervision_sweep(*, at: datetime | None = None, dry_run: bool = False) -> SweepResult:
    """Raise the reminders, yellow and red cards due at ``at`` (now); ``dry_run`` writes nothing."""
    started = time.perf_counter()
    at = at or timezone.now()
    w = sweep_windows(calendar_get(), at)
    result = SweepResult(at=at, dry_run=dry_run, windows=w)
    ids = sorted(candidates_query(w))
    result.candidates = len(ids)
    addressing = Addressing()
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        if dry_run:
            for p in _plan(Demand.objects.filter(pk__in=chunk).only(*_FIELDS), w):
                result.raised[p.level] += 1
            continue
        with transaction.atomic():
            locked = (
                Demand.objects.select_for_update()
                .filter(pk__in=chunk, status__in=RUNNING_STATUSES, next_due_at__isnull=False)
                .only(*_FIELDS)
                .order_by("pk")
            )
            plans = _plan(locked, w)
            if not plans:
                continue
            for n in _raise(plans, at=at, addressing=addressing):
                result.raised[n.level] += 1
                result.notice_ids.append(n.pk)
    result.seconds = time.perf_counter() - started
    if not dry_run:
        sweep_finished.send(sender=supervision_sweep, result=result)
    return result
