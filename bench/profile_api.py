"""Where one API request spends its time: the SQL it runs and a cProfile of many of them, in-process.

    python bench/profile_api.py                          # POST /api/v1/demands, 300 times
    python bench/profile_api.py --what list --requests 200

It goes through Django's whole request handling (middleware, URL resolution, django-ninja,
services, serialisation) with the test client, against the benchmark database (the data
that bench/run.py or bench/generate.py left there; run one of them first). It prints the
queries of one request with their times, then the functions that took the most time over
``--requests`` requests.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

BENCH = Path(__file__).resolve().parent
for p in (str(BENCH.parent), str(BENCH)):
    if p not in sys.path:
        sys.path.insert(0, p)

import generate  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=generate.DEFAULT_DATABASE_URL)
    parser.add_argument("--what", choices=["create", "list"], default="create")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--top", type=int, default=30, help="functions to show")
    args = parser.parse_args(argv)

    os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1"
    generate.django_setup(args.database_url)
    import logging

    logging.getLogger("mashang.workcal").setLevel(logging.ERROR)
    from django.db import connection
    from django.test import Client

    from mashang.api.auth import api_token_issue
    from mashang.demands.models import Demand
    from mashang.org.models import User

    username = {"create": "bench-api-enterprise", "list": "bench-api-staff"}[args.what]
    user = User.objects.filter(username=username).first()
    if user is None:
        raise SystemExit(f"no user {username}: run bench/run.py once first")
    token, _ = api_token_issue(user=user)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    body = {
        "title": "压测诉求",
        "description": "企业反映：施工许可证办理进度需要加快。",
        "category": "construction",
        "channel": "api",
    }
    unit = user.unit.code if user.unit else "natres"
    list_path = "/api/v1/demands?" + urlencode({"unit": unit, "open": "true", "page_size": 20})

    def one():
        if args.what == "create":
            response = client.post("/api/v1/demands", body, content_type="application/json")
            assert response.status_code == 201, response.content[:300]
        else:
            response = client.get(list_path)
            assert response.status_code == 200, response.content[:300]

    for _ in range(20):  # warm up: imports, URL resolver, calendar cache, connection
        one()
    queries: list[tuple[float, str]] = []

    def timed(execute, sql, params, many, context):
        t = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            queries.append((time.perf_counter() - t, sql))

    with connection.execute_wrapper(timed):
        t0 = time.perf_counter()
        one()
        elapsed = time.perf_counter() - t0
    in_db = sum(t for t, _ in queries)
    print(
        f"one {args.what} request: {elapsed * 1000:.1f} ms wall, {len(queries)} queries, "
        f"{in_db * 1000:.2f} ms waiting for the database, {(elapsed - in_db) * 1000:.1f} ms in Python"
    )
    for t, sql in queries:
        print(f"  {t * 1000:7.3f} ms  {' '.join(sql.split())[:200]}")

    profiler = cProfile.Profile()
    t0 = time.perf_counter()
    profiler.enable()
    for _ in range(args.requests):
        one()
    profiler.disable()
    wall = time.perf_counter() - t0
    print(
        f"\n{args.requests} requests under cProfile: {wall / args.requests * 1000:.2f} ms each (profiler overhead included)"
    )
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs()
    stats.sort_stats("cumulative").print_stats(args.top)
    stats.sort_stats("tottime").print_stats(args.top)
    print(out.getvalue())
    if args.what == "create":
        Demand.objects.filter(
            submitted_by=user, title="压测诉求"
        ).count()  # they stay, like the HTTP bench's
    return 0


if __name__ == "__main__":
    sys.exit(main())
