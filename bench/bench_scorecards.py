"""Unit scorecards for one month over a generated table: seconds per part, and peak memory.

    .venv/bin/python bench/generate.py --database-url sqlite:////tmp/scorebench/1m.sqlite3 --demands 1000000
    .venv/bin/python bench/bench_scorecards.py --database-url sqlite:////tmp/scorebench/1m.sqlite3
    .venv/bin/python bench/bench_scorecards.py --database-url postgresql://postgres@127.0.0.1:5432/mashang_score10m

It migrates the database, then computes the scorecard of ``--month`` (default: the last
complete month before the newest demand) ``--repeat`` times as ``scorecard_compute`` does,
timing each part: the lead-unit counts (one grouped aggregate over the month's demands),
the assignment counts (volumes and approved returns), the notices, the working-hour
pairs (fetched as tuples and measured on the calendar) and the previous period's ranking;
then the whole ``scorecard_compute`` call and the Excel export — all with no snapshot kept.
Then what a reader waits for with the snapshots: the month's fingerprint; the scorecard
with nothing kept, with the previous month kept, after one demand of the month changed
(its version bumped, as every transition does: its day is computed again), and with nothing changed (read back); the
six-month trend with none and with all kept. Peak memory: the
process's peak RSS, and the peak of Python allocations during one computation
(``tracemalloc``, measured in a separate run because tracing slows Python down).
``--explain`` prints PostgreSQL's plan of the two aggregate queries.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time
import tracemalloc
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/mashang_score10m"


def _timed(func, *args, **kwargs):
    start = time.perf_counter()
    result = func(*args, **kwargs)
    return time.perf_counter() - start, result


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--month", help="YYYY-MM (default: the last complete month of the data)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--explain", action="store_true", help="print EXPLAIN (ANALYZE, BUFFERS) on PostgreSQL")
    args = parser.parse_args(argv)

    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count, F, Max, Min
    from django.utils import timezone
    from machine import machine

    from mashang.demands.models import Demand
    from mashang.org.models import User
    from mashang.supervision.scorecards import formulas as sc
    from mashang.supervision.scorecards import selectors as sel
    from mashang.supervision.scorecards.export import scorecard_workbook
    from mashang.supervision.scorecards.models import ScorecardSnapshot
    from mashang.supervision.scorecards.snapshot import fingerprint, scorecard_snapshots_clear
    from mashang.workcal.selectors import calendar_get

    call_command("migrate", verbosity=0, interactive=False)
    calendar_get()  # loaded once, as a running process has it
    print("machine")
    for key, value in machine().items():
        if value:
            print(f"  {key}: {value}")

    total = Demand.objects.count()
    newest = Demand.objects.aggregate(m=Max("submitted_at"))["m"]
    if args.month:
        year, month = map(int, args.month.split("-"))
        period = sc.month_of(date(year, month, 1))
    else:
        period = sc.month_of(sc.add_months(timezone.localtime(newest).date(), -1))
    in_month = sel.filed_in(period).count()
    print(f"data: {total:,} demands; month {period.start:%Y-%m}: {in_month:,} demands filed")
    now = timezone.now()

    def analytic(func):
        def run():
            with sel._analytic():
                return func()

        return run

    in_db = connection.vendor == "postgresql"
    parts = {
        "lead-unit counts": analytic(lambda: sel._lead_counts(period, now)),
        "lead + assignment counts": analytic(
            lambda: sel._assignment_counts(period, sel._id_range(sel._lead_counts(period, now)))
        ),
        "notices": analytic(lambda: sel._notice_counts(period)),
        "working hours in SQL": analytic(lambda: sel._hour_quantiles_sql(period)) if in_db else None,
        "working-hour pairs (Python)": lambda: sel._hour_samples(period),
        "previous period": lambda: sel._previous_standing(period, now),
        "scorecard_compute (all)": lambda: sel.scorecard_compute(period=period, now=now),
    }
    parts = {name: run for name, run in parts.items() if run is not None}
    timings: dict[str, list[float]] = {name: [] for name in parts}
    pairs = 0
    for _ in range(args.repeat):
        for name, run in parts.items():
            scorecard_snapshots_clear()  # the parts above measure the computation itself
            seconds, result = _timed(run)
            timings[name].append(seconds)
            if name == "working-hour pairs (Python)":
                pairs = sum(len(v["response"]) + len(v["reply"]) for v in result.values())

    # What a reader waits for with the snapshots (mashang.supervision.scorecards.snapshot).
    month_snapshot = ScorecardSnapshot.objects.filter(period_from__gte=period.start, period_from__lt=period.end)
    one = sel.filed_in(period).order_by("pk").values_list("pk", flat=True).first()

    def changed_one_demand():
        # What any transition does to its day's fingerprint: one demand's version goes up.
        Demand.objects.filter(pk=one).update(version=F("version") + 1)

    snapshot_runs = {
        "fingerprint of the month": (None, lambda: fingerprint(period)),
        "scorecard_compute, no snapshot at all": (
            scorecard_snapshots_clear,
            lambda: sel.scorecard_compute(period=period, now=timezone.now()),
        ),
        "… previous month kept": (
            lambda: month_snapshot.delete(),
            lambda: sel.scorecard_compute(period=period, now=timezone.now()),
        ),
        "… after one demand changed": (
            changed_one_demand,
            lambda: sel.scorecard_compute(period=period, now=timezone.now()),
        ),
        "… nothing changed (snapshot read)": (
            None,
            lambda: sel.scorecard_compute(period=period, now=timezone.now()),
        ),
        "trend (6 months), none kept": (
            scorecard_snapshots_clear,
            lambda: sel.trend(actor=supervisor, period=period, now=timezone.now()),
        ),
        "trend (6 months), all kept": (
            None,
            lambda: sel.trend(actor=supervisor, period=period, now=timezone.now()),
        ),
    }
    supervisor = User(username="bench-supervisor", role=User.Role.SUPERVISOR, is_active=True)
    for name, (prepare, run) in snapshot_runs.items():
        timings[name] = []
        for _ in range(args.repeat):
            if prepare is not None:
                prepare()
            seconds, _result = _timed(run)
            timings[name].append(seconds)
        if name.endswith("(snapshot read)"):
            kept = month_snapshot.filter(part="counts").aggregate(days=Count("pk"), until=Min("valid_until"))
    card = sel.scorecard_compute(period=period, now=now)
    export_s, content = _timed(scorecard_workbook, card)
    rss = _rss_mb()

    tracemalloc.start()
    scorecard_snapshots_clear()
    sel.scorecard_compute(period=period, now=now)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    print(f"\nscorecard of {period.start:%Y-%m} on {connection.vendor}, {args.repeat} runs (min / median s)")
    for name, values in timings.items():
        print(f"  {name:<38} {min(values):7.3f} / {statistics.median(values):7.3f}")
    print(f"  {'Excel export':<38} {export_s:7.3f}        ({len(content) / 1024:.0f} KiB)")
    print(f"working-hour samples measured: {pairs:,}")
    print(
        f"month's snapshots: {kept['days']} days kept; the first to expire valid until "
        f"{kept['until'] or 'a demand of its day changes'}"
    )
    print(f"units: {len(card.units)}; best: " + ", ".join(f"{u.code} {u.composite}" for u in card.units[:3]))
    print(f"peak RSS of the process: {rss:.0f} MB; peak Python allocations in one computation: {peak / 1e6:.1f} MB")

    if args.explain and connection.vendor == "postgresql":
        for label, qs in (
            ("lead-unit counts", _lead_qs(sel, period, now)),
            ("assignment counts", _assignment_qs(sel, period)),
        ):
            print(f"\nEXPLAIN (ANALYZE, BUFFERS) {label}")
            print(qs.explain(analyze=True, buffers=True))
    return 0


def _lead_qs(sel, period, now):
    from django.db.models import Count

    counts = {"led": Count("pk")}
    counts.update({n: Count("pk", filter=q) for n, q in sel.lead_conditions(now).items()})
    return sel.filed_in(period).filter(lead_unit__isnull=False).values("lead_unit_id").annotate(**counts).order_by()


def _assignment_qs(sel, period):
    from django.db.models import Count, Q

    from mashang.demands.models import Assignment, Status

    start, end = sel.bounds(period)
    return (
        Assignment.objects.filter(demand__submitted_at__gte=start, demand__submitted_at__lt=end)
        .exclude(demand__status=Status.MERGED)
        .values("unit_id")
        .annotate(
            lead=Count("pk", filter=Q(role=Assignment.Role.LEAD)),
            co=Count("pk", filter=Q(role=Assignment.Role.CO)),
        )
        .order_by()
    )


if __name__ == "__main__":
    sys.exit(main())
