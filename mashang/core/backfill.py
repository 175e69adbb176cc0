"""Long data changes, run in batches after the migrations instead of inside them.

A schema migration stays short; a change that rewrites every row of a large table (working
times computed for every demand, a column derived from others) is a *backfill*: an app
registers it in its ``AppConfig.ready`` with :func:`backfill_register`, and ``mashang
backfill`` runs it a batch at a time. Each batch commits together with its progress row
(:class:`~mashang.core.models.BackfillProgress`: the last key reached, the rows done), so a run
stopped anywhere (Ctrl-C, a deploy) loses at most the batch in hand and the next run continues
from the last key. The progress row is locked for the batch (``SELECT … FOR UPDATE SKIP
LOCKED``), so two runners at once take turns batch by batch and never do one twice.

A migration that finds its table small (at most ``MASHANG_MIGRATION_INLINE_MAX`` rows) still
does the work inline; on a large one it only marks the backfill pending
(:func:`inline_or_pending`) and tells the operator to run ``mashang backfill``.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from mashang.core.models import BackfillProgress

State = BackfillProgress.State

#: Rows per batch when the command is not told otherwise.
DEFAULT_BATCH_SIZE = 5000


@dataclass(frozen=True)
class Backfill:
    """One registered data change.

    ``batch(after=KEY, size=N)`` processes the rows whose key is greater than ``KEY``, at most
    ``N`` of them in key order, and returns ``(last_key, rows)``: the greatest key it processed
    and how many rows it processed; ``rows == 0`` means nothing is left. It runs inside the
    transaction that records the progress and must not commit on its own. ``estimate()`` says
    about how many rows there are in all (for the progress and the ETA)."""

    name: str
    description: str
    batch: Callable[..., tuple[int, int]]
    estimate: Callable[[], int]


_REGISTRY: dict[str, Backfill] = {}


def backfill_register(backfill: Backfill) -> None:
    """Register a backfill (from an app's ``AppConfig.ready``); registering a name again
    replaces it."""
    _REGISTRY[backfill.name] = backfill


def backfills_registered() -> list[Backfill]:
    return [_REGISTRY[name] for name in sorted(_REGISTRY)]


def backfill_get(name: str) -> Backfill:
    try:
        return _REGISTRY[name]
    except KeyError:
        raise LookupError(name) from None


def backfills_pending() -> list[BackfillProgress]:
    """The backfills marked pending or started and not finished, by name: while one is, the
    feature it feeds works in its degraded way (``docs/upgrading.md``)."""
    return list(BackfillProgress.objects.exclude(state=State.DONE).order_by("name"))


def backfill_is_pending(name: str) -> bool:
    return BackfillProgress.objects.filter(name=name).exclude(state=State.DONE).exists()


def backfill_mark_pending(name: str) -> BackfillProgress:
    """Mark the backfill as to be run from the start (a migration that left it to the
    command, or an operator who wants it done again)."""
    progress, _created = BackfillProgress.objects.update_or_create(
        name=name,
        defaults={
            "state": State.PENDING,
            "last_key": 0,
            "rows_done": 0,
            "started_at": None,
            "finished_at": None,
            "updated_at": timezone.now(),
        },
    )
    return progress


@dataclass(frozen=True)
class Step:
    """What one call of :func:`backfill_step` did."""

    name: str
    state: str
    last_key: int
    rows_done: int  # in all, so far
    rows: int  # in this batch
    busy: bool = False  # another runner holds the progress row; nothing was done

    @property
    def finished(self) -> bool:
        return self.state == State.DONE


def _locked(name: str) -> BackfillProgress | None:
    return BackfillProgress.objects.select_for_update(skip_locked=True).filter(name=name).first()


def backfill_step(name: str, *, size: int = DEFAULT_BATCH_SIZE, at: datetime | None = None) -> Step:
    """Run one batch of the backfill ``name`` and record it, in one transaction. A backfill
    without a progress row gets one; one that is done does nothing."""
    backfill = backfill_get(name)
    if not BackfillProgress.objects.filter(name=name).exists():
        try:
            with transaction.atomic():
                BackfillProgress.objects.create(name=name, updated_at=at or timezone.now())
        except IntegrityError:  # another runner created it first
            pass
    with transaction.atomic():
        progress = _locked(name)
        if progress is None:
            current = BackfillProgress.objects.get(name=name)
            return Step(name, current.state, current.last_key, current.rows_done, 0, busy=True)
        if progress.state == State.DONE:
            return Step(name, progress.state, progress.last_key, progress.rows_done, 0)
        now = at or timezone.now()
        last_key, rows = backfill.batch(after=progress.last_key, size=size)
        if progress.started_at is None:
            progress.started_at = now
        if rows == 0:
            progress.state = State.DONE
            progress.finished_at = now
        else:
            progress.state = State.RUNNING
            progress.last_key = last_key
            progress.rows_done += rows
        progress.updated_at = now
        progress.save(
            update_fields=[
                "state",
                "last_key",
                "rows_done",
                "started_at",
                "finished_at",
                "updated_at",
            ]
        )
        return Step(name, progress.state, progress.last_key, progress.rows_done, rows)


def backfill_run(
    name: str,
    *,
    size: int = DEFAULT_BATCH_SIZE,
    max_seconds: float | None = None,
    on_step: Callable[[Step], None] | None = None,
    wait: float = 0.05,
) -> Step:
    """Run the backfill batch after batch until it is done or ``max_seconds`` have passed
    (checked between batches); returns the last step. While another runner holds the progress
    row this one waits and then takes the next batch."""
    started = time.monotonic()
    while True:
        step = backfill_step(name, size=size)
        if step.busy:
            time.sleep(wait)
        elif on_step is not None:
            on_step(step)
        if step.finished:
            return step
        if max_seconds is not None and time.monotonic() - started >= max_seconds:
            return step


def _rows_over(connection, table: str, limit: int) -> bool:
    """Whether ``table`` holds more than ``limit`` rows (counting no further than that)."""
    with connection.cursor() as cursor:
        quoted = connection.ops.quote_name(table)
        cursor.execute(f"SELECT count(*) FROM (SELECT 1 FROM {quoted} LIMIT %s) t", [limit + 1])
        return cursor.fetchone()[0] > limit


def _ensure_table(schema_editor) -> None:
    """The progress table, created here when a migration needs it before core's own
    migration ran (which then finds it and creates nothing)."""
    if BackfillProgress._meta.db_table not in schema_editor.connection.introspection.table_names():
        schema_editor.create_model(BackfillProgress)


def inline_or_pending(
    schema_editor, *, name: str, table: str, inline: Callable[[], object]
) -> bool:
    """For a migration's data step: run ``inline()`` when ``table`` holds at most
    ``MASHANG_MIGRATION_INLINE_MAX`` rows; otherwise mark the backfill ``name`` pending and
    print what to run. Returns whether it ran inline."""
    if not _rows_over(schema_editor.connection, table, settings.MASHANG_MIGRATION_INLINE_MAX):
        inline()
        return True
    _ensure_table(schema_editor)
    backfill_mark_pending(name)
    sys.stdout.write(
        f"\n  {table} is large: the data change {name!r} is left to the command "
        f"`mashang backfill {name}` (run it after the migrations; see docs/upgrading.md).\n"
    )
    return False
