"""The figures the operator watches, read from the database when asked (a scrape, a probe).

Each is one grouped query, cheap on a large database: the outbox by status and channel (the
delivery index), the open demands by the unit that holds them, the land-start runs by state,
and the sweeps' tally row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Case, CharField, Count, F, Min, Q, Value, When
from django.utils import timezone

from mashang.demands.deadlines import RUNNING_STATUSES, UNIT_STATUSES
from mashang.demands.models import OPEN_STATUSES, Demand, Status
from mashang.landstart.models import OPEN_RUN_STATES, Run
from mashang.notify.models import DUE_STATUSES, DeliveryStatus, Message, Notification
from mashang.operations.models import SweepTally

#: The label of the demands the service team holds (awaiting triage, returned, not resolved).
SERVICE_TEAM = "team"
#: Statuses whose demand the lead unit holds (its clocks, or waiting on the enterprise).
_HELD_BY_UNIT = (*UNIT_STATUSES, Status.WAITING, Status.REPLIED)


@dataclass(frozen=True)
class OutboxFigures:
    #: (status, channel) -> rows, for every status but sent.
    by_status: dict[tuple[str, str], int]
    #: Messages written by a move and not yet fanned out by the worker.
    waiting_fan_out: int
    #: How long the longest-waiting due row (or message to fan out) has waited, in seconds.
    oldest_due_seconds: float

    @property
    def dead(self) -> int:
        return sum(n for (status, _), n in self.by_status.items() if status == DeliveryStatus.DEAD)


def outbox_figures(*, now: datetime | None = None) -> OutboxFigures:
    """The outbox's backlog (3 queries). A row is due once its next attempt's time has come
    (a row being sent, once its sender's lease ran out): a due row that waits long means no
    worker is delivering."""
    now = now or timezone.now()
    rows = (
        Notification.objects.exclude(status=DeliveryStatus.SENT)
        .values_list("status", "channel")
        .annotate(n=Count("pk"))
        .order_by()
    )
    by_status = {(status, channel): n for status, channel, n in rows}
    oldest_due = Notification.objects.filter(
        status__in=DUE_STATUSES, next_attempt_at__lte=now
    ).aggregate(at=Min("next_attempt_at"))["at"]
    to_fan_out = Message.objects.filter(fanned_out_at__isnull=True).aggregate(
        n=Count("pk"), at=Min("created_at")
    )
    waits = [now - at for at in (oldest_due, to_fan_out["at"]) if at is not None]
    return OutboxFigures(
        by_status=by_status,
        waiting_fan_out=to_fan_out["n"],
        oldest_due_seconds=max(0.0, max(waits).total_seconds()) if waits else 0.0,
    )


@dataclass(frozen=True)
class UnitDemands:
    unit: str  # the unit's code, or SERVICE_TEAM
    open: int
    overdue: int


def demands_by_unit(*, now: datetime | None = None) -> list[UnitDemands]:
    """Open demands and the overdue among them (their running deadline passed), by the unit that
    holds each: the lead unit once dispatched, else the service team. One grouped query."""
    now = now or timezone.now()
    holder = Case(
        When(status__in=_HELD_BY_UNIT, lead_unit__isnull=False, then=F("lead_unit__code")),
        default=Value(SERVICE_TEAM),
        output_field=CharField(),
    )
    overdue = Q(status__in=RUNNING_STATUSES, next_due_at__lt=now)
    rows = (
        Demand.objects.filter(status__in=OPEN_STATUSES)
        .annotate(holder=holder)
        .values("holder")
        .annotate(open=Count("pk"), overdue=Count("pk", filter=overdue))
        .order_by("holder")
    )
    return [UnitDemands(unit=r["holder"], open=r["open"], overdue=r["overdue"]) for r in rows]


def landstart_runs_open() -> dict[str, int]:
    """Land-start runs listed (waiting for the award) and running, by state."""
    counts = dict.fromkeys((str(s) for s in OPEN_RUN_STATES), 0)
    rows = (
        Run.objects.filter(state__in=OPEN_RUN_STATES)
        .values_list("state")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts.update({state: n for state, n in rows})
    return counts


def sweep_tally() -> SweepTally:
    """The sweeps' tally (all zero before the first sweep)."""
    return SweepTally.objects.filter(pk=1).first() or SweepTally(pk=1)
