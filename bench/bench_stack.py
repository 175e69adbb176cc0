"""The production stack with one and with two gunicorn instances on one PostgreSQL: creates per
second through the API by concurrent clients, and a unit's queue list latency (p50 / p95).

    .venv/bin/python bench/bench_stack.py            # ~1 minute plus the migration
    .venv/bin/python bench/bench_stack.py --quick    # smoke run

The stack is tests/kit/stack.py's (the processes of deploy/systemd/, ``MASHANG_ENV=production``):
a fresh database (``--database-url``, dropped at the end unless ``--keep``) migrated with
``mashang migrate``, a Redis database (flushed), a Celery worker and beat, and two gunicorn
instances started at once. The same run measures both shapes: "one instance" sends every
request to the first, "two instances" alternates between them as nginx's round robin does.

- **creates** — ``--clients`` threads, each signed in as the enterprise contact with its own
  token, file demands (``POST /api/v1/demands``) one after another for ``--seconds``; the
  creates per second of all of them, and the p50 / p95 of one create in ms.
- **queue** — ``GET /api/v1/demands?unit=zrzy&open=true&page_size=20`` as the unit's staff
  member, sent one after another (``--list-requests``) after 10 unmeasured ones, over a queue
  of ``--queue`` dispatched demands; p50 / p95 in ms (nearest rank).

The clients run in this process (threads): on a small machine they take some of the CPU the
servers could use, the same in both shapes.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import httpx  # noqa: E402

from tests.kit.stack import running_stack  # noqa: E402

DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/mashang_bench_stack"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/12"
HEADERS = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.10"}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, int(round(share * len(ordered) + 0.5)) - 1))]


def token(base: str, username: str) -> str:
    response = httpx.post(
        f"{base}/api/v1/auth/token",
        json={"username": username, "password": "pw"},
        headers=HEADERS,
        timeout=30,
    )
    response.raise_for_status()
    return response.json()["token"]


def creates(bases: list[str], *, clients: int, seconds: float) -> tuple[float, list[float], int]:
    """Creates per second, each create's seconds, and the failed requests."""
    tokens = [token(bases[i % len(bases)], "ent-a") for i in range(clients)]
    timings: list[float] = []
    failures = [0]
    lock = threading.Lock()
    start = threading.Barrier(clients + 1)
    stop_at: list[float] = [0.0]

    def client(i: int) -> None:
        headers = {**HEADERS, "Authorization": f"Bearer {tokens[i]}"}
        mine: list[float] = []
        bad = 0
        with httpx.Client(timeout=30, headers=headers) as http:
            start.wait()
            n = i
            while time.monotonic() < stop_at[0]:
                base = bases[n % len(bases)]  # round robin over the instances
                n += 1
                began = time.perf_counter()
                response = http.post(
                    f"{base}/api/v1/demands",
                    json={
                        "title": f"基准诉求 {i}-{n}",
                        "description": "压测：用地手续咨询",
                        "category": "land",
                    },
                )
                if response.status_code == 201:
                    mine.append(time.perf_counter() - began)
                else:
                    bad += 1
        with lock:
            timings.extend(mine)
            failures[0] += bad

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    stop_at[0] = time.monotonic() + seconds
    began = time.monotonic()
    start.wait()
    for thread in threads:
        thread.join()
    return len(timings) / (time.monotonic() - began), timings, failures[0]


def queue_latency(bases: list[str], *, requests: int) -> list[float]:
    headers = {**HEADERS, "Authorization": f"Bearer {token(bases[0], 'unit-zrzy')}"}
    timings: list[float] = []
    clients = [httpx.Client(base_url=b, timeout=30, headers=headers) for b in bases]
    try:
        for n in range(requests + 10):
            began = time.perf_counter()
            response = clients[n % len(clients)].get(
                "/api/v1/demands", params={"unit": "zrzy", "open": "true"}
            )
            response.raise_for_status()
            if n >= 10:
                timings.append(time.perf_counter() - began)
    finally:
        for client in clients:
            client.close()
    return timings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url", default=DEFAULT_DATABASE_URL, help="created afresh, dropped at the end"
    )
    parser.add_argument("--redis-url", default=DEFAULT_REDIS_URL, help="flushed first")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=15.0, help="of creates per shape")
    parser.add_argument("--list-requests", type=int, default=300)
    parser.add_argument(
        "--queue", type=int, default=300, help="dispatched demands in the unit's queue"
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per instance")
    parser.add_argument("--threads", type=int, default=2, help="threads per gunicorn worker")
    parser.add_argument(
        "--quick", action="store_true", help="4 s of creates, 50 list requests, a queue of 50"
    )
    parser.add_argument("--keep", action="store_true", help="keep the database")
    args = parser.parse_args(argv)
    if args.quick:
        args.seconds, args.list_requests, args.queue = 4.0, 50, 50

    cpus = os.cpu_count()
    print(f"machine: {cpus} CPUs, load average {os.getloadavg()[0]:.2f} before the run")
    with (
        tempfile.TemporaryDirectory(prefix="mashang-bench-stack-") as folder,
        running_stack(
            database_url=args.database_url,
            redis_url=args.redis_url,
            folder=Path(folder),
            keep=args.keep,
        ) as stack,
    ):
        urls = [
            stack.start_web(n, workers=args.workers, threads=args.threads, wait=False)
            for n in ("web-a", "web-b")
        ]
        stack.start_worker(wait=False)
        stack.start_beat(wait=False)
        stack.call("tests.kit.stack:seed_zone")
        queued = stack.call("tests.kit.stack:seed_queue", demands=args.queue)
        stack.wait_ready()
        print(
            f"stack: 2 gunicorn instances × {args.workers} workers × {args.threads} threads, a Celery worker and "
            f"beat, one PostgreSQL; {args.clients} clients; a queue of {queued} open demands"
        )
        print(
            f"{'':16}{'creates/s':>10}{'create p50':>12}{'create p95':>12}{'queue p50':>11}{'queue p95':>11}"
        )
        for label, bases in (("one instance", urls[:1]), ("two instances", urls)):
            rate, create_times, failed = creates(bases, clients=args.clients, seconds=args.seconds)
            list_times = queue_latency(bases, requests=args.list_requests)
            ms = [1000 * percentile(t, p) for t in (create_times, list_times) for p in (0.5, 0.95)]
            print(
                f"{label:16}{rate:10.1f}{ms[0]:10.1f}ms{ms[1]:10.1f}ms{ms[2]:9.1f}ms{ms[3]:9.1f}ms"
                + (f"  ({failed} failed)" if failed else "")
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
