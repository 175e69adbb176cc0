"""The agenda of a monthly demand review over a generated table: seconds per rule, the proposals
per source, peak memory, and the scorecard of the same month beside it.

    .venv/bin/python bench/bench_agenda.py                       # 10,000,000 demands in mashang_bench
    .venv/bin/python bench/bench_agenda.py --database-url postgresql://postgres@127.0.0.1:5432/mashang_bench_1m --demands 1000000
    .venv/bin/python bench/bench_agenda.py --explain             # and PostgreSQL's plans

It creates the PostgreSQL database if missing (as ``run.py`` does), migrates it and makes sure
the table holds ``--demands`` demands: it reuses what is there and generates only the missing
ones (``generate.py``, with its action items). Then, for the month ``--month`` (default: the
last complete month before the newest demand), proposed at ``--at`` (default: the newest
demand's filing time, the data's "now"), it times ``--repeat`` times (min / median):

* each rule of ``mashang.meetings.agenda`` on its own, with the number of its queries;
* ``agenda_propose(kind="demand_review", …)``, all of it, once with no scorecard snapshot kept
  (the assessment rule computes the month's scorecard and the one before: the worst case) and
  once with the snapshots the previous run kept (what a second proposal in a day costs);
* ``scorecard_compute`` of the same month, the same two ways ("assessment as fast as the
  scorecards").

Then the proposals per source, the slowest statements of one cold ``agenda_propose`` (captured
with Django's ``CaptureQueriesContext``), the process's peak RSS and the peak of Python
allocations during one proposal (``tracemalloc``). ``--explain`` prints ``EXPLAIN (ANALYZE,
BUFFERS)`` of every SELECT of the agenda that took ``--explain-ms`` or more, in the settings it
ran with (the scorecard's aggregates without JIT, as ``_analytic`` runs them).

Target: the agenda of a month at 10,000,000 demands on PostgreSQL in under 3 s.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
import tracemalloc
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path

BENCH = Path(__file__).resolve().parent
for _path in (str(BENCH.parent), str(BENCH)):
    if _path not in sys.path:
        sys.path.insert(0, _path)

import generate  # noqa: E402

DEFAULT_DATABASE_URL = generate.DEFAULT_DATABASE_URL
TARGET_SECONDS = 3.0


def _timed(func):
    start = time.perf_counter()
    result = func()
    return time.perf_counter() - start, result


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def ensure_database(url: str) -> None:
    """Create the PostgreSQL database of ``url`` when it is missing (``run.py``'s way)."""
    from run import ensure_database as create

    create(url)


def ensure_demands(wanted: int, now: datetime | None) -> dict | None:
    """Generate the demands the table lacks (none when it holds ``wanted``)."""
    from django.db import connection

    from mashang.demands.models import Demand, Kind

    have = Demand.objects.filter(kind=Kind.DEMAND).count()
    if have >= wanted:
        print(f"{have:,} demands already in the table (≥ {wanted:,} wanted): reusing them")
        return None
    missing = wanted - have
    print(f"{have:,} demands in the table, {wanted:,} wanted: generating {missing:,}", flush=True)
    result = generate.generate(demands=missing, now=now)
    print(
        f"generated {missing:,} demands and {result['action_items']:,} action items in "
        f"{result['seconds_rows']:.1f} s = {result['rows_per_second']:,.0f} rows/s "
        f"({result['jobs']} jobs), VACUUM ANALYZE {result['seconds_analyze']:.1f} s"
    )
    connection.close()  # the workers had their own; start clean
    return result


def _month(newest: datetime, month: str | None) -> tuple[date, date]:
    from django.utils import timezone

    from mashang.meetings.agenda import month_of

    if month:
        year, m = map(int, month.split("-"))
        return month_of(date(year, m, 1))
    first = timezone.localtime(newest).date().replace(day=1)
    return month_of(first - timedelta(days=1))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        default=DEFAULT_DATABASE_URL,
        help=f"PostgreSQL database, created if missing (default {DEFAULT_DATABASE_URL})",
    )
    parser.add_argument(
        "--demands",
        type=int,
        default=10_000_000,
        help="demands the table must hold; the missing ones are generated (default 10,000,000)",
    )
    parser.add_argument(
        "--now",
        type=datetime.fromisoformat,
        default=None,
        help="'now' of the demands generated, if any (ISO with offset; default the current hour)",
    )
    parser.add_argument("--month", help="YYYY-MM (default: the last complete month of the data)")
    parser.add_argument(
        "--at",
        type=datetime.fromisoformat,
        default=None,
        help="when the agenda is proposed (ISO with offset; default the newest demand's filing)",
    )
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--explain", action="store_true", help="print EXPLAIN (ANALYZE, BUFFERS) of the queries"
    )
    parser.add_argument(
        "--explain-ms",
        type=float,
        default=10.0,
        help="with --explain: the statements that took at least this long (default 10 ms)",
    )
    args = parser.parse_args(argv)
    for name in ("now", "at"):
        value = getattr(args, name)
        if value is not None and value.tzinfo is None:
            parser.error(f"--{name} needs a UTC offset, e.g. 2026-12-03T09:00:00+08:00")

    ensure_database(args.database_url)
    generate.django_setup(args.database_url)
    import logging

    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count, Max
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone
    from machine import machine

    from mashang.demands.models import Demand
    from mashang.meetings import agenda
    from mashang.meetings.models import Kind as MeetingKind
    from mashang.supervision.scorecards import formulas as sc
    from mashang.supervision.scorecards.selectors import scorecard_compute
    from mashang.supervision.scorecards.snapshot import scorecard_snapshots_clear
    from mashang.workcal.selectors import calendar_get

    call_command("migrate", verbosity=0, interactive=False)
    generated = ensure_demands(args.demands, args.now)
    logging.getLogger("mashang.workcal").setLevel(logging.ERROR)
    calendar_get()  # loaded once, as a running process has it
    print("machine")
    for key, value in machine().items():
        if value:
            print(f"  {key}: {value}")

    kinds = dict(Demand.objects.values_list("kind").annotate(n=Count("pk")).order_by())
    newest = Demand.objects.aggregate(m=Max("submitted_at"))["m"]
    if newest is None:
        raise SystemExit("no demands in the table")
    start, end = _month(newest, args.month)
    at = args.at or newest
    in_month = agenda._filed(start, end).count()
    print(
        f"data: {kinds.get('demand', 0):,} demands, {kinds.get('action_item', 0):,} action items; "
        f"month {start:%Y-%m}: {in_month:,} demands filed; proposed at {timezone.localtime(at):%Y-%m-%d %H:%M %z}"
    )

    t = agenda.Thresholds.configured()
    period = sc.Period(start, end)
    rules = {
        "difficult": lambda: agenda.difficult(t),
        "overdue": lambda: agenda.overdue(at, t),
        "reopened": lambda: agenda.reopened(t),
        "disputed_return": lambda: agenda.disputed_returns(t),
        "action_item_overdue": lambda: agenda.action_items_overdue(at, t),
        "repeat": lambda: agenda.repeats(start, end, t),
        "volume_rise": lambda: agenda.volume_rises(start, end, t),
        "assessment_fall": lambda: agenda.assessment_falls(start, end, at, t),
    }

    def propose():
        return agenda.agenda_propose(
            kind=MeetingKind.DEMAND_REVIEW, start=start, end=end, at=at, thresholds=t
        )

    def score():
        return scorecard_compute(period=period, now=at)

    timings: dict[str, list[float]] = {}
    queries: dict[str, int] = {}
    found: dict[str, int] = {}
    captured: dict[str, list[dict]] = {}
    for _ in range(args.repeat):
        for name, run in rules.items():
            scorecard_snapshots_clear()  # each rule measured on its own, computing everything
            with CaptureQueriesContext(connection) as ctx:
                seconds, result = _timed(run)
            timings.setdefault(name, []).append(seconds)
            queries[name], found[name] = len(ctx.captured_queries), len(result)
            captured[name] = list(ctx.captured_queries)
    runs = {
        "agenda_propose, no snapshot kept": (scorecard_snapshots_clear, propose),
        "agenda_propose, snapshots kept": (None, propose),
        "scorecard_compute, no snapshot kept": (scorecard_snapshots_clear, score),
        "scorecard_compute, snapshots kept": (None, score),
    }
    proposals: list = []
    for name, (prepare, run) in runs.items():
        for _ in range(args.repeat):
            if prepare is not None:
                prepare()
            with CaptureQueriesContext(connection) as ctx:
                seconds, result = _timed(run)
            timings.setdefault(name, []).append(seconds)
            queries[name] = len(ctx.captured_queries)
            if name.startswith("agenda_propose, no"):
                proposals = result
                captured["agenda_propose"] = list(ctx.captured_queries)
    rss = _rss_mb()

    tracemalloc.start()
    scorecard_snapshots_clear()
    propose()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    print(
        f"\nagenda of {start:%Y-%m} (demand review) on {connection.vendor}, "
        f"{args.repeat} runs: min / median s"
    )
    for name, values in timings.items():
        extra = f"{found[name]:>4} items" if name in found else " " * 10
        print(
            f"  {name:<38} {min(values):7.3f} / {statistics.median(values):7.3f}"
            f"   {extra}  {queries[name]:>4} queries"
        )
    cold = statistics.median(timings["agenda_propose, no snapshot kept"])
    verdict = "ok" if cold < TARGET_SECONDS else "MISSED"
    print(f"target: agenda_propose under {TARGET_SECONDS:.0f} s (median, no snapshot): {verdict}")
    sources = Counter(p.source for p in proposals)
    also = Counter(s for p in proposals for s in p.figures.get("also", []))
    print(
        f"\nproposals: {len(proposals)}; per source: "
        + ", ".join(f"{s} {n}" for s, n in sources.most_common())
    )
    if also:
        print("  also called for by (merged into an earlier item): " + ", ".join(
            f"{s} {n}" for s, n in also.most_common()
        ))
    slow = sorted(captured["agenda_propose"], key=lambda q: -float(q["time"]))[:8]
    print("slowest statements of one agenda_propose (no snapshot kept):")
    for q in slow:
        sql = " ".join(q["sql"].split())
        print(f"  {float(q['time']):7.3f} s  {sql[:150]}{'…' if len(sql) > 150 else ''}")
    if generated:
        print(
            f"generation: {generated['demands']:,} demands + {generated['action_items']:,} action items "
            f"at {generated['rows_per_second']:,.0f} rows/s"
        )
    print(
        f"peak RSS of the process: {rss:.0f} MB; "
        f"peak Python allocations in one agenda_propose: {peak / 1e6:.1f} MB"
    )

    if args.explain and connection.vendor == "postgresql":
        explain(captured, rules, args.explain_ms)
    return 0


def explain(captured: dict[str, list[dict]], rules: dict, min_ms: float) -> None:
    """EXPLAIN (ANALYZE, BUFFERS) of each rule's SELECTs that took ``min_ms`` or more (and of
    each rule's slowest), in the settings they ran with."""
    from django.db import connection

    from mashang.supervision.scorecards.period import _analytic

    for rule in rules:
        statements = [q for q in captured[rule] if q["sql"].lstrip().upper().startswith("SELECT")]
        if not statements:
            continue
        slowest = max(statements, key=lambda q: float(q["time"]))
        for q in statements:
            if q is not slowest and float(q["time"]) * 1000 < min_ms:
                continue
            sql = q["sql"]
            # The scorecard's period aggregates run without JIT (``_analytic``); so are they explained.
            analytic = rule == "assessment_fall" and "GROUP BY" in sql.upper()
            print(f"\n-- {rule}: {float(q['time']):.3f} s{' (in _analytic)' if analytic else ''}")
            print(sql)
            if analytic:
                with _analytic(), connection.cursor() as cursor:
                    cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                    plan = [row[0] for row in cursor.fetchall()]
            else:
                with connection.cursor() as cursor:
                    cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                    plan = [row[0] for row in cursor.fetchall()]
            print("\n".join(plan))


if __name__ == "__main__":
    sys.exit(main())
