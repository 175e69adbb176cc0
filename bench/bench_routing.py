"""The suggestion classifier (``mashang.routing.classifier``): training time and peak memory on
N demands, and the time of one suggestion (top three with the words behind them).

    .venv/bin/python bench/bench_routing.py                      # 100,000 demands, 30 units
    .venv/bin/python bench/bench_routing.py --demands 1000000
    .venv/bin/python bench/bench_routing.py --demands 20000 --labels 12

The demands are generated: each label (a lead unit) has its own words, and every demand mixes
them with words shared by all (places, "请协助", "影响生产"…), a title of 8–20 characters and a
description of 60–200, one in ten labelled as another unit (as a real history is noisy). No
database: this times the classifier alone; the page adds one query per target.
Targets: a suggestion under 20 ms at p95; 1 M demands trained in under 10 minutes and 2 GB.
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from mashang.routing import classifier  # noqa: E402

SHARED = ["园区", "厂区", "我司", "企业", "请协助", "影响生产", "尽快处理", "二期", "项目", "申请", "问题", "情况"]
SYLLABLES = "电税工地路水气环安消规划审批招聘补贴证照仓储物流排污噪音围墙道路排水绿化燃气通信网络设备融资贷款"


def _words(rng: random.Random, count: int) -> list[str]:
    return ["".join(rng.sample(SYLLABLES, rng.randint(2, 3))) for _ in range(count)]


def generate(n: int, labels: int, seed: int = 0):
    rng = random.Random(seed)
    vocab = {f"unit{k:02d}": _words(rng, 25) for k in range(labels)}
    names = list(vocab)
    docs, y = [], []
    for _ in range(n):
        label = rng.choice(names)
        own = vocab[label]
        title = "".join(rng.choice(own) if rng.random() < 0.6 else rng.choice(SHARED) for _ in range(rng.randint(4, 7)))
        body = "，".join(
            "".join(rng.choice(own) if rng.random() < 0.4 else rng.choice(SHARED) for _ in range(rng.randint(3, 6)))
            for _ in range(rng.randint(4, 10))
        )
        if rng.random() < 0.1:
            label = rng.choice(names)
        docs.append((title[:20], body[:200]))
        y.append(label)
    return docs, y


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--demands", type=int, default=100_000)
    parser.add_argument("--labels", type=int, default=30)
    parser.add_argument("--suggestions", type=int, default=2000)
    args = parser.parse_args()

    started = time.perf_counter()
    docs, y = generate(args.demands + args.suggestions, args.labels)
    probe, docs, y = docs[: args.suggestions], docs[args.suggestions :], y[args.suggestions :]
    print(f"generated {len(docs):,} demands, {args.labels} labels in {time.perf_counter() - started:.1f} s; "
          f"peak memory so far {peak_mb():.0f} MB")

    before = peak_mb()
    started = time.perf_counter()
    last = [0.0]

    def progress(text: str) -> None:
        now = time.perf_counter()
        if now - last[0] > 15:
            last[0] = now
            print(f"  {now - started:6.1f} s  {text}", flush=True)

    model = classifier.train(docs, y, progress=progress)
    seconds = time.perf_counter() - started
    print(f"training: {len(docs):,} demands in {seconds:.1f} s ({len(docs) / seconds:,.0f} rows/s); "
          f"peak memory {peak_mb():.0f} MB (data alone {before:.0f} MB); model {len(model.to_bytes()) / 1e6:.1f} MB stored")

    timings = []
    for title, body in probe:
        t = time.perf_counter()
        model.top(title, body)
        timings.append((time.perf_counter() - t) * 1000)
    timings.sort()
    p95 = timings[int(0.95 * len(timings)) - 1]
    print(f"suggestion (top 3 with words): p50 {statistics.median(timings):.2f} ms, p95 {p95:.2f} ms, "
          f"max {timings[-1]:.2f} ms over {len(timings)}")


if __name__ == "__main__":
    main()
