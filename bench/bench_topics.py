"""The hot topics (未诉先办, ``mashang.routing.topics``) over a month of generated demands:
seconds of one computation, peak memory, and how clean the topics are.

    .venv/bin/python bench/bench_topics.py --database-url postgresql://postgres@127.0.0.1:5432/mashang_bench_topics
    .venv/bin/python bench/bench_topics.py --rows 100000 --before 100000

It creates the PostgreSQL database if missing, migrates it, and makes sure it holds ``--rows``
demands filed in the 30 days before ``--at`` (default: the current hour) and ``--before`` in
the 30 days before those (the window the growth is measured against); it generates only what is
missing (this bench's demands are numbered ``TB-…``; the theme each was generated from is kept
in its contact name). The texts combine templates of 24 themes (``topic_texts.py``) with
openings, places, details and asks; 2 % of the window's demands are a planted surge of power
cuts in its last week (none before), which must come out as the rising topic.

Then one ``topics_compute`` (reading both windows, cutting words, TF-IDF, k-means, storing the
run) is timed, with the process's peak RSS (``--tracemalloc`` runs it a second time under
tracemalloc for the peak of Python allocations: several times slower, so not timed); and the
topics printed with their purity (the share of a topic's demands from its most common
theme) and the share of the window's demands that fell into a topic.

Target: under 60 s for 100,000 demands in the window on the 2-core bench machine.
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import time
import tracemalloc
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

BENCH = Path(__file__).resolve().parent
for _path in (str(BENCH.parent), str(BENCH)):
    if _path not in sys.path:
        sys.path.insert(0, _path)

import generate  # noqa: E402
from run import ensure_database  # noqa: E402
from topic_texts import THEMES, TopicTexts  # noqa: E402

DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/mashang_bench_topics"
TARGET_SECONDS = 60.0
PREFIX = "TB-"
ENTERPRISES = 2000
SURGE_SHARE = 0.02
BATCH = 5000


def say(text: str) -> None:
    print(text, flush=True)


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _reference():
    from mashang.org.models import Enterprise, User

    have = list(Enterprise.objects.filter(name__startswith="话题企业").order_by("id"))
    if len(have) < ENTERPRISES:
        rng = random.Random(3)
        Enterprise.objects.bulk_create(
            Enterprise(
                name=f"话题企业{i:04d}有限公司",
                credit_code=f"91{rng.randrange(10**15, 10**16)}",
            )
            for i in range(len(have), ENTERPRISES)
        )
        have = list(Enterprise.objects.filter(name__startswith="话题企业").order_by("id"))
    officer, _ = User.objects.get_or_create(
        username="bench-topics", defaults={"role": User.Role.OFFICER, "display_name": "话题基准"}
    )
    return have, officer


def ensure_demands(*, rows: int, before: int, at: datetime) -> None:
    from django.db import transaction

    from mashang.demands.models import Demand, Urgency

    span = timedelta(days=30)
    ours = Demand.objects.filter(number__startswith=PREFIX)
    in_window = ours.filter(submitted_at__gte=at - span, submitted_at__lt=at).count()
    in_before = ours.filter(submitted_at__gte=at - 2 * span, submitted_at__lt=at - span).count()
    if in_window == rows and in_before == before:
        say(f"{rows:,} + {before:,} bench demands already there: reusing them")
        return
    say(f"generating {rows:,} demands in the window and {before:,} before it")
    ours.delete()
    enterprises, officer = _reference()
    texts = TopicTexts(seed=1)
    rng = random.Random(5)
    themes = list(THEMES)
    surge = int(rows * SURGE_SHARE)
    urgencies = [Urgency.NORMAL] * 17 + [Urgency.URGENT] * 2 + [Urgency.CRITICAL]
    plan = (
        [(at - span - span * rng.random(), rng.choice(themes)) for _ in range(before)]
        + [(at - span * rng.random(), rng.choice(themes)) for _ in range(rows - surge)]
        + [(at - timedelta(days=7) * rng.random(), "power") for _ in range(surge)]
    )
    plan.sort(key=lambda p: p[0])
    started = time.perf_counter()
    batch = []
    for i, (when, theme) in enumerate(plan):
        title, description = texts.demand(theme)
        batch.append(
            Demand(
                number=f"{PREFIX}{i:08d}",
                enterprise=rng.choice(enterprises),
                submitted_by=officer,
                channel="web",
                title=title,
                description=description,
                contact_name=theme,
                urgency=rng.choice(urgencies),
                submitted_at=when,
            )
        )
        if len(batch) == BATCH:
            with transaction.atomic():
                Demand.objects.bulk_create(batch)
            batch = []
    if batch:
        Demand.objects.bulk_create(batch)
    say(f"generated {len(plan):,} demands in {time.perf_counter() - started:.0f} s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--rows", type=int, default=100_000, help="demands in the 30-day window")
    parser.add_argument("--before", type=int, default=None, help="demands in the 30 days before (default: --rows)")
    parser.add_argument("--at", help="the window's end (ISO 8601); default: the current hour")
    parser.add_argument("--tracemalloc", action="store_true", help="also measure Python's peak allocations")
    args = parser.parse_args(argv)
    before = args.rows if args.before is None else args.before

    ensure_database(args.database_url)
    generate.django_setup(args.database_url)
    from django.core.management import call_command
    from django.utils import timezone

    from mashang.demands.models import Demand
    from mashang.routing.topics import topics_compute

    call_command("migrate", verbosity=0)
    at = datetime.fromisoformat(args.at) if args.at else timezone.now().replace(minute=0, second=0, microsecond=0)
    if timezone.is_naive(at):
        at = timezone.make_aware(at)
    ensure_demands(rows=args.rows, before=before, at=at)

    rss_before = _rss_mb()
    started = time.perf_counter()
    computed = topics_compute(at=at)
    seconds = time.perf_counter() - started
    rss = _rss_mb()
    peak = None
    if args.tracemalloc:
        tracemalloc.start()
        topics_compute(at=at)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()

    run = computed.run
    say("")
    say(f"rows in the window: {run.demands:,} (and {before:,} in the window before)")
    say(f"seconds: {seconds:.1f} (target < {TARGET_SECONDS:.0f}) {'OK' if seconds < TARGET_SECONDS else 'TOO SLOW'}")
    say(
        f"peak memory: {rss:.0f} MB RSS (the process held {rss_before:.0f} MB before)"
        + (f", {peak / 2**20:.0f} MB of Python allocations" if peak is not None else "")
    )
    theme_of = dict(
        Demand.objects.filter(number__startswith=PREFIX, submitted_at__gte=run.window_start)
        .values_list("id", "contact_name")
        .iterator(chunk_size=20000)
    )
    covered = 0
    say(f"topics: {len(computed.topics)}")
    say(" rank   heat  volume  before   growth  ent.  purity  theme       label")
    for t in computed.topics:
        themes = Counter(theme_of.get(i, "?") for i in t.demand_ids)
        top, n = themes.most_common(1)[0]
        covered += t.volume
        say(
            f"{t.rank:>5} {t.heat:>6.1f} {t.volume:>7} {t.previous:>7} {t.growth:>+8.0%} {t.enterprises:>5}"
            f" {n / t.volume:>7.0%}  {top:<10}  {t.label}{'  [rising]' if t.is_rising else ''}"
        )
    say(f"demands of the window in a topic: {covered / max(run.demands, 1):.0%}")
    rising = [t for t in computed.topics if t.is_rising]
    say(f"rising: {', '.join(t.label for t in rising) or 'none'}")
    return 0 if seconds < TARGET_SECONDS else 1


if __name__ == "__main__":
    raise SystemExit(main())
