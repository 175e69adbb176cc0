from __future__ import annotations

import sys
import time
from datetime import date

from django.core.management.base import BaseCommand, CommandError, CommandParser

from mashang.demands.working_hours import working_times_recompute
from mashang.supervision.scorecards.snapshot import scorecard_snapshots_clear

MSG_BAD_SINCE = "--since 需要日期，例如 2027-01-01。"


class Command(BaseCommand):
    """Recompute the working time to first contact and to reply stored on each demand, on the
    calendar as it is now. Run it after holidays or make-up working days were entered or
    changed for dates already past, so that the scorecards measure on the corrected calendar."""

    help = __doc__

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--since", help="only the demands filed on or after this date (YYYY-MM-DD)")

    def handle(self, *args, since=None, **options):
        try:
            since_date = date.fromisoformat(since) if since else None
        except ValueError:
            raise CommandError(MSG_BAD_SINCE) from None
        started = time.perf_counter()
        interactive = sys.stderr.isatty()

        def progress(seen: int) -> None:
            if interactive:
                sys.stderr.write(f"\r已核对 {seen:,} 条诉求…")
                sys.stderr.flush()

        seen = working_times_recompute(since=since_date, progress=progress)
        # The scorecards kept from before read the old times: compute them again.
        scorecard_snapshots_clear()
        if interactive:
            sys.stderr.write("\n")
        self.stdout.write(f"已按当前日历重算 {seen:,} 条已派单诉求的工作时长，用时 {time.perf_counter() - started:.1f} 秒。")
