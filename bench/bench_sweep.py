"""The supervision sweep over a generated table: seconds per sweep, notices per second, memory.

    .venv/bin/python bench/generate.py --database-url postgresql://postgres@127.0.0.1:5432/mashang_score10m --demands 10000000
    .venv/bin/python bench/bench_sweep.py --database-url postgresql://postgres@127.0.0.1:5432/mashang_score10m

What it does, in order (each step prints its figures):

1. **near deadline** — puts ``--near`` (default 1 %) of all demands within the reminder
   window of their resolution deadline: running demands whose clock is on the resolution
   deadline get a resolution deadline (and ``next_due_at``) spread over the next
   ``MASHANG_REMINDER_BEFORE_DAYS_MINUTES`` of working time. They are marked by their
   ``extension_reason`` (``bench: near deadline``), so a second run only tops the count up.
2. **catch-up sweep** — one sweep that raises whatever the table has earned and not yet got:
   on a freshly generated table every overdue demand (a red card each) and the demands near
   their deadline (a reminder each). It is what the first sweep after an outage or an import
   does; it is timed and reported, but it is not the sweep that runs every minute.
3. **steady sweeps** — ``--repeat`` sweeps one after another with nothing new to raise: what
   the scheduled sweep costs every minute on a table this size (the target: under 5 s).
4. **a minute's new deadlines** — ``--fresh`` more demands (default 1,000) enter the reminder
   window, then one sweep raises their reminders: the steady sweep plus the writing.

Memory: the peak RSS of this process (which runs the sweep as the worker does), and the peak
of Python allocations during one steady sweep (``tracemalloc``).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time
import tracemalloc
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/mashang_score10m"
#: How the demands this benchmark moved are marked (``extension_reason``); the ones moved
#: before the last sweep add " (fresh)", and neither is picked again.
MARKER = "bench: near deadline"


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--near", type=float, default=0.01, help="share of all demands near their deadline")
    parser.add_argument("--fresh", type=int, default=1000, help="demands entering the window before the last sweep")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)

    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone
    from machine import machine

    from mashang.demands.models import Demand
    from mashang.supervision.models import SupervisionNotice
    from mashang.supervision.services import supervision_sweep
    from mashang.workcal.selectors import calendar_get

    call_command("migrate", verbosity=0, interactive=False)
    cal = calendar_get()
    print("machine")
    for key, value in machine().items():
        if value:
            print(f"  {key}: {value}")

    total = Demand.objects.count()
    print(f"data: {total:,} demands, {SupervisionNotice.objects.count():,} notices")
    window = timedelta(minutes=settings.MASHANG_REMINDER_BEFORE_DAYS_MINUTES)

    def near_deadline(count: int, *, marker: str) -> int:
        """Give ``count`` running demands on their resolution clock a deadline in the window."""
        start = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(
                """
                SELECT id FROM demands_demand
                WHERE status IN ('dispatched', 'in_progress', 'difficult')
                  AND first_responded_at IS NOT NULL AND (assessed_at IS NOT NULL OR replied_at IS NOT NULL)
                  AND resolution_due_at IS NOT NULL AND next_due_at = resolution_due_at
                  AND extension_reason NOT LIKE %s
                ORDER BY md5(id::text) LIMIT %s
                """,
                [MARKER + "%", count],
            )
            ids = [row[0] for row in cursor.fetchall()]
            now = timezone.now()
            dues = [cal.add_working_time(now, window * ((i % 997) + 1) / 999) for i in range(len(ids))]
            cursor.execute(
                """
                UPDATE demands_demand AS d
                SET resolution_due_at = v.due, next_due_at = v.due, extension_reason = %s
                FROM unnest(%s::bigint[], %s::timestamptz[]) AS v(id, due) WHERE d.id = v.id
                """,
                [marker, ids, dues],
            )
            cursor.execute(
                "UPDATE demands_assignment AS a SET due_at = v.due "
                "FROM unnest(%s::bigint[], %s::timestamptz[]) AS v(id, due) WHERE a.demand_id = v.id",
                [ids, dues],
            )
        print(f"  {len(ids):,} demands moved into the window in {time.perf_counter() - start:.1f} s")
        return len(ids)

    marker = MARKER
    already = Demand.objects.filter(extension_reason=marker).count()
    wanted = int(total * args.near)
    print(f"\n1. near deadline: {already:,} of {wanted:,} already there")
    if wanted > already:
        near_deadline(wanted - already, marker=marker)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE demands_demand")

    print("\n2. catch-up sweep")
    result = supervision_sweep(at=timezone.now())
    print(
        f"  {result.seconds:.1f} s: {result.candidates:,} candidates, raised {result.raised} "
        f"({result.total / result.seconds if result.seconds else 0:,.0f} notices/s)"
    )

    print(f"\n3. steady sweeps ({args.repeat}, nothing new)")
    seconds = []
    for _ in range(args.repeat):
        r = supervision_sweep(at=timezone.now())
        seconds.append(r.seconds)
        print(f"  {r.seconds:.2f} s: {r.candidates:,} candidates, raised {r.total}")
    tracemalloc.start()
    supervision_sweep(at=timezone.now())
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    print(f"\n4. a minute's new deadlines: {args.fresh:,} demands enter the window")
    near_deadline(args.fresh, marker=marker + " (fresh)")
    r = supervision_sweep(at=timezone.now())
    print(f"  {r.seconds:.2f} s: {r.candidates:,} candidates, raised {r.raised}")

    print("\nsummary")
    print(f"  demands: {total:,}; near their deadline: {Demand.objects.filter(extension_reason__startswith=marker).count():,}")
    print(f"  steady sweep: min {min(seconds):.2f} s, median {statistics.median(seconds):.2f} s (target < 5 s)")
    print(f"  catch-up sweep: {result.seconds:.1f} s for {result.total:,} notices")
    print(f"  sweep raising {r.total:,} notices: {r.seconds:.2f} s")
    print(f"  peak RSS of the process: {_rss_mb():.0f} MB (target < 200 MB); peak Python allocations in one steady sweep: {peak / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
