"""Similar demands (``mashang.demands.similarity``) over N candidate demands: the routing panel's
query for one demand, the team queue's hint for a page, and the review agenda's near-duplicate
repeats of a month.

    .venv/bin/python bench/bench_similar.py                 # 3,000 demands in mashang_bench_similar
    .venv/bin/python bench/bench_similar.py --demands 10000 --repeat 7
    .venv/bin/python bench/bench_similar.py --database-url postgresql://postgres@127.0.0.1:5432/mydb

It creates the PostgreSQL database if missing (as ``run.py`` does), migrates it and makes sure
it holds ``--demands`` bench demands (numbered ``SIMB-…``, made again when their number
differs): the demo's demand texts (``mashang.demo.texts``) filled for ``--demands / 8``
enterprises, filed over the 60 days before now, four in five open (every one a candidate of
the panel), 2.5 % of them re-filed by their enterprise. Then it times ``--repeat`` times
(min / median), as an officer who sees every demand:

* the panel: ``routing.similar.similar_demands`` for the newest demand (candidates query,
  vectorizer fit, scores, the merge check);
* the queue hint: ``demands.queues.demand_possible_duplicates`` for a page of 25;
* the agenda: ``meetings.agenda.similar_repeats`` over the last 30 days;

with the number of queries and the time spent in them. Target: the panel and the queue hint
under 0.5 s at a few thousand candidates.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

BENCH = Path(__file__).resolve().parent
for _path in (str(BENCH.parent), str(BENCH)):
    if _path not in sys.path:
        sys.path.insert(0, _path)

import generate  # noqa: E402

DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/mashang_bench_similar"
PREFIX = "SIMB-"
PAGE = 25
TARGET_SECONDS = 0.5


def ensure_database(url: str) -> None:
    from run import ensure_database as create

    create(url)


def ensure_demands(wanted: int, seed: int) -> None:
    """Make the bench's demands again unless exactly ``wanted`` are there."""
    from django.db import transaction
    from django.utils import timezone

    from mashang.demands.models import OPEN_STATUSES, Demand, Kind, Status
    from mashang.demo.texts import TOPICS, fill
    from mashang.org.models import Enterprise, User

    officer, _ = User.objects.get_or_create(
        username="bench-similar-officer", defaults={"role": User.Role.OFFICER}
    )
    bench = Demand.objects.filter(number__startswith=PREFIX)
    have = bench.count()
    if have == wanted:
        print(f"{have:,} bench demands already there: reusing them")
        return
    rng = random.Random(seed)
    now = timezone.now()
    products = ("电池模组", "注塑件", "精密轴承", "光伏组件", "医用敷料", "汽车线束")
    lines = ("注塑生产线", "涂装线", "电芯产线", "SMT 贴片线", "冲压线")
    weights = [t.weight for t in TOPICS]
    open_statuses = sorted(OPEN_STATUSES - {Status.REPLIED})
    started = time.perf_counter()
    with transaction.atomic():
        bench.delete()
        enterprises = []
        for k in range(max(20, wanted // 8)):
            e, _ = Enterprise.objects.get_or_create(
                credit_code=f"91BENCHSIM{k:08d}", defaults={"name": f"基准企业{k:04d}有限公司"}
            )
            enterprises.append(e)
        rows: list[Demand] = []
        for k in range(wanted):
            if rows and rng.random() < 0.025:  # re-filed: the same text, perhaps a prefix
                first = rng.choice(rows)
                enterprise, title, description = first.enterprise, first.title, first.description
                if rng.random() < 0.4:
                    title = f"再次反映：{title}"[:200]
            else:
                topic = rng.choices(TOPICS, weights)[0]
                title, description = fill(
                    (topic.title, topic.description),
                    rng,
                    {"product": rng.choice(products), "line": rng.choice(lines), "today": now.date()},
                )
                enterprise = rng.choice(enterprises)
            rows.append(
                Demand(
                    number=f"{PREFIX}{k:08d}",
                    kind=Kind.DEMAND,
                    enterprise=enterprise,
                    submitted_by=officer,
                    channel="phone",
                    title=title,
                    description=description,
                    status=rng.choice(open_statuses) if rng.random() < 0.8 else Status.CLOSED,
                    submitted_at=now - timedelta(minutes=rng.uniform(0, 60 * 24 * 60)),
                )
            )
        Demand.objects.bulk_create(rows, batch_size=2000)
    print(f"made {wanted:,} bench demands in {time.perf_counter() - started:.1f} s")


def timed(label: str, func, repeat: int) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    seconds, queries = [], None
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            result = func()
            seconds.append(time.perf_counter() - start)
        queries = captured.captured_queries
    in_sql = sum(float(q["time"]) for q in queries)
    flag = "ok" if min(seconds) < TARGET_SECONDS else "SLOW"
    print(
        f"{label:<34} min {min(seconds):7.3f} s  median {statistics.median(seconds):7.3f} s  "
        f"{len(queries)} queries ({in_sql:.3f} s in SQL)  {flag}  → {result}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--demands", type=int, default=3000, help="candidate demands (N)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)

    ensure_database(args.database_url)
    generate.django_setup(args.database_url)
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    ensure_demands(args.demands, args.seed)

    from django.utils import timezone

    from mashang.demands.models import OPEN_STATUSES, Demand
    from mashang.demands.queues import demand_possible_duplicates
    from mashang.meetings.agenda import Thresholds, similar_repeats
    from mashang.org.models import User
    from mashang.routing.similar import similar_demands

    officer = User.objects.get(username="bench-similar-officer")
    bench = Demand.objects.filter(number__startswith=PREFIX)
    candidates = bench.filter(status__in=OPEN_STATUSES).count()
    print(f"{bench.count():,} bench demands, {candidates:,} open (the panel's candidates at least)")
    newest = list(bench.filter(status__in=OPEN_STATUSES).order_by("-submitted_at")[:PAGE])
    demand = newest[0]
    today = timezone.localdate()

    timed(
        "panel: similar to one demand",
        lambda: len(similar_demands(demand=demand, actor=officer)),
        args.repeat,
    )
    timed(
        f"queue hint: a page of {PAGE}",
        lambda: sum(
            map(len, demand_possible_duplicates(actor=officer, demands=newest).values())
        ),
        args.repeat,
    )
    timed(
        "agenda: near-duplicate repeats",
        lambda: len(similar_repeats(today - timedelta(days=30), today, Thresholds(), covered=set())),
        args.repeat,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
