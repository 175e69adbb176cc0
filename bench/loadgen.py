"""A small closed-loop HTTP load generator: N threads, each with one keep-alive connection.

    python bench/loadgen.py --port 8123 --token T --requests 5000 --seconds 20 --concurrency 8

Each thread sends ``POST /api/v1/demands`` as soon as its previous answer arrived, so at
most ``--concurrency`` requests are in flight. It stops at ``--requests`` measured requests
or after ``--seconds``, whichever comes first; the first ``--warmup`` requests are sent but
not measured. It prints one JSON object: counts, errors by kind, the measured window,
creates per second, latency percentiles in ms and the CPU time the generator itself used.
Loopback only: the host is always 127.0.0.1.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import resource
import sys
import threading
import time
from collections import Counter

CATEGORIES = [
    "land",
    "construction",
    "tax",
    "funding",
    "policy",
    "talent",
    "utilities",
    "environment",
    "safety",
    "market",
]


def percentile(sorted_values: list[float], p: float) -> float:
    """Nearest-rank percentile of an ascending list (0 for an empty one)."""
    if not sorted_values:
        return 0.0
    rank = max(1, min(len(sorted_values), round(p / 100 * len(sorted_values) + 0.5)))
    return sorted_values[rank - 1]


def run(
    *,
    port: int,
    token: str,
    requests: int,
    seconds: float,
    concurrency: int,
    warmup: int,
    path: str = "/api/v1/demands",
) -> dict:
    counter = itertools.count()
    lock = threading.Lock()
    latencies: list[float] = []
    errors: Counter[str] = Counter()
    state = {"start": None, "end": None, "deadline": None}
    started = threading.Event()
    headers = {
        "Authorization": f"Bearer {token}",
        "Content-Type": "application/json",
        "Accept": "application/json",
    }
    total = warmup + requests

    def body(i: int) -> bytes:
        return json.dumps(
            {
                "title": f"压测诉求 {i}",
                "description": "企业反映：施工许可证办理进度需要加快，请协调相关部门尽快办理。" * 2,
                "category": CATEGORIES[i % len(CATEGORIES)],
                "channel": "api",
            },
            ensure_ascii=False,
        ).encode()

    def worker() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            while True:
                i = next(counter)
                if i >= total:
                    return
                if i == warmup:
                    with lock:
                        now = time.perf_counter()
                        state["start"] = now
                        state["deadline"] = now + seconds
                    started.set()
                measured = i >= warmup
                if measured and not started.is_set():
                    started.wait(10)
                if (
                    measured
                    and state["deadline"] is not None
                    and time.perf_counter() > state["deadline"]
                ):
                    return
                t0 = time.perf_counter()
                try:
                    conn.request("POST", path, body=body(i), headers=headers)
                    response = conn.getresponse()
                    response.read()
                    status = response.status
                except (OSError, http.client.HTTPException) as exc:
                    conn.close()  # reopened by the next request
                    if measured:
                        with lock:
                            errors[type(exc).__name__] += 1
                    continue
                elapsed = time.perf_counter() - t0
                if measured:
                    with lock:
                        if status == 201:
                            latencies.append(elapsed)
                        else:
                            errors[f"HTTP {status}"] += 1
                        state["end"] = time.perf_counter()
        finally:
            conn.close()

    cpu0 = resource.getrusage(resource.RUSAGE_SELF)
    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + 120)
    cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    window = (state["end"] or 0) - (state["start"] or 0)
    latencies.sort()
    ok = len(latencies)
    return {
        "ok": ok,
        "errors": sum(errors.values()),
        "error_kinds": dict(errors),
        "seconds": window,
        "per_second": ok / window if window > 0 else 0.0,
        "p50_ms": percentile(latencies, 50) * 1000,
        "p95_ms": percentile(latencies, 95) * 1000,
        "p99_ms": percentile(latencies, 99) * 1000,
        "max_ms": (latencies[-1] * 1000) if latencies else 0.0,
        "mean_ms": (sum(latencies) / ok * 1000) if ok else 0.0,
        "concurrency": concurrency,
        "client_cpu_seconds": (cpu1.ru_utime + cpu1.ru_stime) - (cpu0.ru_utime + cpu0.ru_stime),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--warmup", type=int, default=100)
    args = parser.parse_args(argv)
    result = run(
        port=args.port,
        token=args.token,
        requests=args.requests,
        seconds=args.seconds,
        concurrency=args.concurrency,
        warmup=args.warmup,
    )
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
