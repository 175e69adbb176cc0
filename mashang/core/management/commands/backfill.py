from __future__ import annotations

import time
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from mashang.core.backfill import (
    DEFAULT_BATCH_SIZE,
    Step,
    backfill_get,
    backfill_mark_pending,
    backfill_run,
    backfills_registered,
)
from mashang.core.models import BackfillProgress


class Command(BaseCommand):
    """Run the long data changes that migrations left for after the upgrade, in batches.

    Without arguments, lists the backfills and how far each got. `mashang backfill NAME` runs
    one, `--all` every pending one. Each batch commits with its progress, so Ctrl-C (or a
    deploy) loses at most the batch in hand and running it again continues where it stopped;
    two runners at once take turns batch by batch. Prints rows done, rows per second and the
    time left."""

    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument("names", nargs="*", metavar="NAME", help="Backfills to run.")
        parser.add_argument(
            "--all", dest="run_all", action="store_true", help="Run every pending backfill."
        )
        parser.add_argument(
            "--list",
            dest="list_only",
            action="store_true",
            help="List the backfills (the default).",
        )
        parser.add_argument(
            "--batch-size", type=int, default=DEFAULT_BATCH_SIZE, help="Rows per batch."
        )
        parser.add_argument(
            "--max-seconds",
            type=float,
            default=None,
            help="Stop after the batch that passes this time.",
        )
        parser.add_argument(
            "--restart", action="store_true", help="Start the named backfills from the beginning."
        )

    def handle(self, *args, names, run_all, list_only, batch_size, max_seconds, restart, **options):
        if batch_size < 1:
            raise CommandError(_("The batch size must be at least 1."))
        progress = {p.name: p for p in BackfillProgress.objects.all()}
        if list_only or not (names or run_all):
            self._list(progress)
            return
        for name in names:
            try:
                backfill_get(name)
            except LookupError:
                raise CommandError(_("No backfill is called %(name)s.") % {"name": name}) from None
        if run_all:
            names = [
                b.name
                for b in backfills_registered()
                if b.name in progress and progress[b.name].state != "done"
            ]
            if not names:
                self.stdout.write(_("No backfill is pending."))
                return
        deadline = None if max_seconds is None else time.monotonic() + max_seconds
        for name in names:
            if restart:
                backfill_mark_pending(name)
            left = None if deadline is None else max(deadline - time.monotonic(), 0)
            step = self._run(name, batch_size, left)
            if not step.finished:
                self.stdout.write(_("Stopped; run the command again to continue."))
                return

    def _list(self, progress: dict[str, BackfillProgress]) -> None:
        for backfill in backfills_registered():
            row = progress.get(backfill.name)
            if row is None:
                state = _("not needed (done by the migration)")
            else:
                state = f"{row.get_state_display()}, {row.rows_done:,}"
            self.stdout.write(f"{backfill.name:<28} {state}\n    {backfill.description}")

    def _run(self, name: str, batch_size: int, max_seconds: float | None) -> Step:
        backfill = backfill_get(name)
        total = backfill.estimate()
        started = time.monotonic()
        first_done: int | None = None
        shown = 0.0

        def show(step: Step) -> None:
            nonlocal first_done, shown
            if first_done is None:
                first_done = step.rows_done - step.rows
            now = time.monotonic()
            if not step.finished and now - shown < 1:
                return
            shown = now
            elapsed = max(now - started, 1e-6)
            rate = (step.rows_done - first_done) / elapsed
            line = f"{name}: {step.rows_done:,}"
            if total:
                line += f" / {total:,} ({min(step.rows_done / total, 1):.0%})"
            line += " " + _("rows, %(rate)s rows/s") % {"rate": f"{rate:,.0f}"}
            if not step.finished and rate > 0 and total > step.rows_done:
                eta = timedelta(seconds=round((total - step.rows_done) / rate))
                line += ", " + _("about %(eta)s left") % {"eta": eta}
            if step.finished:
                line += " — " + _("backfill done")
            self.stdout.write(line)

        return backfill_run(name, size=batch_size, max_seconds=max_seconds, on_step=show)
