"""mashang's benchmark: API create throughput and a unit's queue latency on PostgreSQL.

    python bench/run.py                 # the full run (what `make bench` calls)
    python bench/run.py --quick         # a smoke run: small sizes, well under a minute

1. Prints the machine.
2. Makes sure the database holds ``--list-rows`` demands (generates the missing ones with
   bench/generate.py; reuses what is there).
3. Starts gunicorn (config.wsgi:application) on a free loopback port, in production mode.
4. List latency: ``GET /api/v1/demands?unit=<code>&open=true`` (page 1, 20 rows, nearest
   deadline first) sequentially, as the unit's staff and as a service officer; then
   EXPLAIN ANALYZE of the list endpoint's page and count queries.
5. Create throughput: ``POST /api/v1/demands`` as an enterprise contact from a separate
   load-generator process (bench/loadgen.py) with a bounded number of requests in flight.
6. Stops gunicorn whatever happens, and prints a summary table against the targets.
See bench/README.md for what each figure means.
"""

from __future__ import annotations

import argparse
import http.client
import json
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode, urlparse

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
for p in (str(ROOT), str(BENCH)):
    if p not in sys.path:
        sys.path.insert(0, p)

import generate  # noqa: E402
from loadgen import percentile  # noqa: E402
from machine import CpuMeter, machine, wait_until_quiet  # noqa: E402
from server import Gunicorn, Worker, request, token_for  # noqa: E402

QUICK_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/mashang_bench_quick"
TARGET_CREATES = 200.0  # per second, PostgreSQL
TARGET_CREATE_P99 = 100.0  # ms, PostgreSQL
TARGET_CREATE_CPU = 8.0  # ms of server CPU (gunicorn and PostgreSQL) per create
TARGET_SQLITE_P99 = 150.0  # ms, SQLite (the embedded default)
TARGET_LIST_P95 = 50.0  # ms

BENCH_PASSWORD = secrets.token_urlsafe(16)  # the bench's own people get a fresh one each run


def say(text: str = "") -> None:
    print(text, flush=True)


def heading(text: str) -> None:
    say()
    say(f"== {text} " + "=" * max(0, 72 - len(text)))


# --- database and data ---------------------------------------------------------------------


def ensure_database(url: str) -> None:
    """Create the PostgreSQL database named in ``url`` if it does not exist."""
    parsed = urlparse(url)
    if not parsed.scheme.startswith("postgres"):
        raise SystemExit("bench/run.py measures PostgreSQL: give a postgresql:// --database-url")
    import psycopg

    dbname = parsed.path.lstrip("/")
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [dbname]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{dbname}"')
            say(f"created database {dbname}")


def ensure_demands(rows: int) -> tuple[int, dict | None]:
    from mashang.demands.models import Demand

    have = Demand.objects.count()
    if have >= rows:
        say(f"{have:,} demands already in the table (≥ {rows:,} wanted): reusing them")
        return have, None
    missing = rows - have
    say(f"{have:,} demands in the table, {rows:,} wanted: generating {missing:,}")
    result = generate.generate(demands=missing)
    say(
        f"generated {missing:,} demands in {result['seconds_rows']:.1f} s = {result['rows_per_second']:,.0f} demands/s "
        f"({result['jobs']} jobs), VACUUM ANALYZE {result['seconds_analyze']:.1f} s"
    )
    from django.db import connection

    connection.close()  # the pool closed it under us in the parent; start clean
    return Demand.objects.count(), result


def ensure_bench_people() -> dict[str, object]:
    """The people the benchmark logs in as, with a password fresh for this run, and the unit
    with the longest open queue (the worst case of the list)."""
    from django.db.models import Count

    from mashang.demands.models import Assignment
    from mashang.org.models import Enterprise, Unit, User

    queues = (
        Assignment.objects.filter(is_current=True, is_open=True)
        .values("unit")
        .annotate(n=Count("id"))
        .order_by("-n")
    )
    top = queues.first()
    unit = Unit.objects.get(pk=top["unit"]) if top else Unit.objects.filter(code="natres").first()
    queue_len = top["n"] if top else 0
    enterprise = Enterprise.objects.order_by("id").first()
    people = {
        "bench-api-enterprise": dict(role=User.Role.ENTERPRISE, enterprise=enterprise, unit=None),
        "bench-api-staff": dict(role=User.Role.UNIT_STAFF, enterprise=None, unit=unit),
        "bench-api-officer": dict(role=User.Role.OFFICER, enterprise=None, unit=None),
    }
    for username, fields in people.items():
        user = User.objects.filter(username=username).first() or User(username=username)
        user.role, user.enterprise, user.unit = fields["role"], fields["enterprise"], fields["unit"]
        user.display_name = {
            "bench-api-enterprise": "压测企业联系人",
            "bench-api-staff": "压测承办人",
            "bench-api-officer": "压测店小二",
        }[username]
        user.is_active = True
        user.set_password(BENCH_PASSWORD)
        user.save()
    return {"unit": unit.code, "unit_name": unit.name, "queue": queue_len}


# --- the measurements ----------------------------------------------------------------------


def list_latency(port: int, token: str, unit: str, n: int, warmup: int = 20) -> dict:
    path = "/api/v1/demands?" + urlencode({"unit": unit, "open": "true", "page_size": 20})
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    times: list[float] = []
    errors = 0
    count = None
    try:
        for i in range(warmup + n):
            t0 = time.perf_counter()
            try:
                status, body = request(port, "GET", path, token=token, conn=conn)
            except (OSError, http.client.HTTPException):
                conn.close()
                errors += 1
                continue
            elapsed = time.perf_counter() - t0
            if status != 200:
                errors += 1
                if errors == 1:
                    say(f"  GET {path} answered {status}: {body[:300]!r}")
                continue
            if count is None:
                page = json.loads(body)
                count = page["count"]
                rows = len(page["results"])
            if i >= warmup:
                times.append(elapsed)
    finally:
        conn.close()
    times.sort()
    return {
        "path": path,
        "n": len(times),
        "errors": errors,
        "count": count,
        "rows": rows if count is not None else 0,
        "p50_ms": percentile(times, 50) * 1000,
        "p95_ms": percentile(times, 95) * 1000,
        "p99_ms": percentile(times, 99) * 1000,
        "max_ms": (times[-1] * 1000) if times else 0.0,
    }


def explain_list(username: str, unit: str) -> list[tuple[str, str, list[str]]]:
    """EXPLAIN (ANALYZE, BUFFERS) of the queries the list endpoint runs: demand_list's page and demand_count."""
    from django.db import connection

    from mashang.demands.selectors import DemandFilters, demand_count, demand_list
    from mashang.org.models import User

    actor = User.objects.select_related("unit").get(username=username)
    filters = DemandFilters(unit=unit, open=True)
    qs = demand_list(actor=actor, filters=filters)
    captured: list[tuple[str, tuple]] = []

    def capture(execute, sql, params, many, context):
        captured.append((sql, params))
        return execute(sql, params, many, context)

    plans = []
    for label, run in (("page (LIMIT 20)", lambda: list(qs[:20])), ("count", lambda: demand_count(actor=actor, filters=filters))):
        captured.clear()
        with connection.execute_wrapper(capture):
            run()
        sql, params = captured[-1]
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
            plan = [row[0] for row in cursor.fetchall()]
            shown = cursor.mogrify(sql, params) if hasattr(cursor, "mogrify") else sql
        plans.append((label, shown if isinstance(shown, str) else shown.decode(), plan))
    return plans


def create_throughput(
    port: int,
    token: str,
    *,
    requests: int,
    seconds: float,
    concurrency: int,
    warmup: int,
    meter: CpuMeter,
    drain: Callable[[], float] | None = None,
) -> dict:
    cmd = [
        sys.executable,
        str(BENCH / "loadgen.py"),
        "--port",
        str(port),
        "--token",
        token,
        "--requests",
        str(requests),
        "--seconds",
        str(seconds),
        "--concurrency",
        str(concurrency),
        "--warmup",
        str(warmup),
    ]
    drained = None
    with meter:
        done = subprocess.run(
            cmd, capture_output=True, text=True, timeout=seconds + 180, check=False
        )
        if drain is not None:  # the worker's work for these creates counts too
            drained = drain()
    if done.returncode != 0:
        raise RuntimeError(f"load generator failed ({done.returncode}):\n{done.stderr[-3000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["drained_seconds"] = drained
    return result


def outbox_drain(database_url: str, timeout: float = 120.0) -> Callable[[], float]:
    """A function that waits until the worker has fanned out every message of the outbox and
    returns how long that took."""

    def drain() -> float:
        import psycopg

        t0 = time.perf_counter()
        with psycopg.connect(database_url, autocommit=True) as conn:
            while time.perf_counter() - t0 < timeout:
                (waiting,) = conn.execute(
                    "SELECT count(*) FROM notify_message WHERE fanned_out_at IS NULL"
                ).fetchone()
                if not waiting:
                    break
                time.sleep(0.05)
        return time.perf_counter() - t0

    return drain


def prepare_sqlite(path: str, password: str) -> None:
    """In a process of its own (Django is set up for PostgreSQL in the main one): a fresh SQLite
    database with the zone's units, categories and enterprises and the bench's people."""
    global BENCH_PASSWORD
    BENCH_PASSWORD = password
    generate.django_setup(f"sqlite:///{path}")
    import genzone
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    genzone.ensure_reference_data(seed=2026, enterprises=200)
    ensure_bench_people()


def _gunicorn(args, database_url: str, logdir: Path, broker_url: str = "") -> Gunicorn:
    """The server as the command line sets it (workers, class, threads, app), on ``database_url``."""
    return Gunicorn(
        database_url=database_url,
        workers=args.workers,
        worker_class=args.worker_class,
        threads=args.threads,
        logdir=logdir,
        app=args.app,
        broker_url=broker_url,
    )


def measure_creates(
    *, label: str, database_url: str, dbname: str, args, logdir: Path, requests: int, seconds: float,
    warmup: int, wait_idle: float,
) -> dict:
    """POST /api/v1/demands against a gunicorn of its own on ``database_url``; the figures and
    the server's CPU per create (gunicorn, and PostgreSQL's backends where it is PostgreSQL).

    On PostgreSQL mashang runs as in production: with a Redis broker and ``mashang worker``,
    which fans the messages out; its CPU counts as the server's, up to the moment the outbox
    is drained. SQLite runs as the embedded default: no broker, the messages' rows written in
    each create's transaction."""
    postgres = database_url.startswith("postgres")
    broker_url = args.broker_url if postgres else ""
    worker = None
    if broker_url:
        import redis

        redis.Redis.from_url(broker_url).flushdb()  # no task left from an earlier run
        worker = Worker(database_url=database_url, broker_url=broker_url, logdir=logdir)
    server = _gunicorn(args, database_url, logdir, broker_url=broker_url)
    try:
        if worker is not None:
            worker.start()
        server.start()
        heading(
            f"create throughput on {label}: POST /api/v1/demands, {args.concurrency} in flight, "
            f"{requests:,} requests or {seconds:.0f} s (after {warmup} warm-up)"
        )
        token = token_for(server.port, "bench-api-enterprise", BENCH_PASSWORD)
        say("  " + wait_until_quiet(wait_idle))
        meter = CpuMeter(server.proc.pid, dbname, worker_pid=worker.proc.pid if worker else None)
        r = create_throughput(
            server.port, token, requests=requests, seconds=seconds, concurrency=args.concurrency,
            warmup=warmup, meter=meter, drain=outbox_drain(database_url) if worker else None,
        )
    finally:
        server.stop()
        if worker is not None:
            worker.stop()
    say(
        f"  {r['ok']:,} created in {r['seconds']:.1f} s: {r['per_second']:.0f} creates/s; "
        f"latency p50 {r['p50_ms']:.1f} ms, p95 {r['p95_ms']:.1f} ms, p99 {r['p99_ms']:.1f} ms, "
        f"max {r['max_ms']:.1f} ms; errors {r['errors']} {r['error_kinds'] or ''}"
    )
    say("  " + meter.describe(r["client_cpu_seconds"]))
    sent = r["ok"] + r["errors"] + warmup  # the meter also saw the warm-up
    per = meter.used
    r["gunicorn_ms"] = per["gunicorn"] / sent * 1000 if sent else 0.0
    r["postgres_ms"] = per["postgres"] / sent * 1000 if sent else 0.0
    r["worker_ms"] = per["worker"] / sent * 1000 if sent else 0.0
    r["server_ms"] = r["gunicorn_ms"] + r["postgres_ms"] + r["worker_ms"]
    if r.get("drained_seconds") is not None:
        say(f"  the worker had fanned out every message {r['drained_seconds']:.2f} s after the last create")
    say(
        f"  per create: server {r['server_ms']:.2f} ms CPU (gunicorn {r['gunicorn_ms']:.2f}, "
        f"postgres {r['postgres_ms']:.2f}"
        + (f", worker {r['worker_ms']:.2f}" if worker else "")
        + f"), load generator {r['client_cpu_seconds'] / sent * 1000:.2f} ms CPU"
    )
    return r


def _commit() -> str:
    done = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    return done.stdout.strip() or "unknown"


# --- main ----------------------------------------------------------------------------------


def _interrupted(signum, frame):
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__,
    )
    parser.add_argument(
        "--database-url",
        default=None,
        help=f"PostgreSQL database to use, created if missing (default {generate.DEFAULT_DATABASE_URL}, "
        f"with --quick {QUICK_DATABASE_URL})",
    )
    parser.add_argument(
        "--quick", action="store_true", help="small sizes: a smoke run well under a minute"
    )
    parser.add_argument(
        "--list-rows",
        type=int,
        default=None,
        help="demands in the table for the list (default 1,000,000; quick 20,000)",
    )
    parser.add_argument(
        "--list-requests",
        type=int,
        default=None,
        help="sequential list requests (default 500; quick 100)",
    )
    parser.add_argument(
        "--create-requests",
        type=int,
        default=None,
        help="measured creates (default 5,000; quick 300)",
    )
    parser.add_argument(
        "--create-seconds",
        type=float,
        default=None,
        help="stop creating after this long (default 20; quick 5)",
    )
    parser.add_argument(
        "--concurrency", type=int, default=8, help="create requests in flight (default 8)"
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument(
        "--worker-class",
        default="gthread",
        choices=["sync", "gthread"],
        help="gunicorn worker class (default gthread: keep-alive, and the best figures here)",
    )
    parser.add_argument(
        "--threads", type=int, default=2, help="threads per gthread worker (default 2)"
    )
    parser.add_argument(
        "--wait-idle",
        type=float,
        default=None,
        help="before each measurement, wait up to this many seconds for the machine to be idle "
        "(default 120; quick 0)",
    )
    parser.add_argument(
        "--app",
        default="config.wsgi:application",
        help="the WSGI application gunicorn serves (to compare a variant; default config.wsgi:application)",
    )
    parser.add_argument(
        "--strict", action="store_true", help="exit with status 1 when a target is missed"
    )
    parser.add_argument("--skip-create", action="store_true", help="measure the list only")
    parser.add_argument("--skip-list", action="store_true", help="measure the creates only")
    parser.add_argument(
        "--skip-sqlite", action="store_true", help="measure the creates on PostgreSQL only"
    )
    parser.add_argument(
        "--broker-url",
        default="redis://127.0.0.1:6379/11",
        help="the Redis database the PostgreSQL creates run their worker on, flushed first "
        "(default redis://127.0.0.1:6379/11; empty: no broker, the rows written in each create)",
    )
    parser.add_argument(
        "--previous",
        default=None,
        help="a commit (or a bench/out/run-*.json file) whose figures to print beside this run's",
    )
    parser.add_argument("--prepare-sqlite", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--password", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.prepare_sqlite:
        prepare_sqlite(args.prepare_sqlite, args.password)
        return 0

    q = args.quick
    database_url = args.database_url or (QUICK_DATABASE_URL if q else generate.DEFAULT_DATABASE_URL)
    list_rows = args.list_rows if args.list_rows is not None else (20_000 if q else 1_000_000)
    list_requests = args.list_requests if args.list_requests is not None else (100 if q else 500)
    create_requests = (
        args.create_requests if args.create_requests is not None else (300 if q else 5_000)
    )
    create_seconds = args.create_seconds if args.create_seconds is not None else (5 if q else 20)
    warmup = 20 if q else 200
    wait_idle = args.wait_idle if args.wait_idle is not None else (0 if q else 120)

    signal.signal(signal.SIGTERM, _interrupted)  # so the finally blocks stop gunicorn
    t_begin = time.perf_counter()
    ensure_database(database_url)
    generate.django_setup(database_url)
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0, interactive=False)
    dbname = connection.settings_dict["NAME"]

    heading("machine")
    info = machine()
    for key, value in info.items():
        say(f"  {key:<22} {value}")

    heading("data")
    total, generated = ensure_demands(list_rows)
    who = ensure_bench_people()
    say(
        f"  the list reads the open queue of unit {who['unit']} ({who['unit_name']}): {who['queue']:,} current open assignments"
    )
    connection.close()

    summary: list[tuple[str, str, str, str]] = []
    if generated:
        summary.append(("generation", f"{generated['rows_per_second']:,.0f} demands/s", "", ""))
    summary.append(("demands in the table", f"{total:,}", "", ""))
    logdir = Path(tempfile.mkdtemp(prefix="mashang-bench-"))
    server = _gunicorn(args, database_url, logdir)
    failed = False
    try:
        if not args.skip_list:  # the creates start servers of their own
            heading(
                f"gunicorn {args.app}: {args.workers} workers, {args.worker_class}"
                + (f" × {args.threads} threads" if args.worker_class == "gthread" else "")
                + f", 127.0.0.1:{server.port}"
            )
            server.start()
            say("  up")
            heading(f"list latency: {list_requests} sequential requests, page size 20")
            say("  " + wait_until_quiet(wait_idle))
            for label, username in (
                ("unit staff", "bench-api-staff"),
                ("service officer", "bench-api-officer"),
            ):
                token = token_for(server.port, username, BENCH_PASSWORD)
                r = list_latency(server.port, token, who["unit"], list_requests)
                say(f"  as {label:<15} GET {r['path']}")
                say(
                    f"  {'':<18} {r['n']} ok, {r['errors']} errors, count={r['count']:,}, rows/page={r['rows']}: "
                    f"p50 {r['p50_ms']:.1f} ms, p95 {r['p95_ms']:.1f} ms, p99 {r['p99_ms']:.1f} ms, max {r['max_ms']:.1f} ms"
                )
                ok = r["p95_ms"] < TARGET_LIST_P95 and r["errors"] == 0
                summary.append((f"list p50 ({label})", f"{r['p50_ms']:.1f} ms", "", ""))
                summary.append(
                    (
                        f"list p95 ({label})",
                        f"{r['p95_ms']:.1f} ms",
                        f"< {TARGET_LIST_P95:.0f} ms",
                        "ok" if ok else "MISSED",
                    )
                )
                failed |= not ok

            heading("EXPLAIN ANALYZE of demand_list(unit=…, open=True), as the unit staff")
            for label, sql, plan in explain_list("bench-api-staff", who["unit"]):
                say(f"-- {label}:")
                say(f"   {sql}")
                for line in plan:
                    say(f"   {line}")
            connection.close()

    finally:
        server.stop()
        connection.close()

    creates: dict[str, dict] = {}
    try:
        if not args.skip_create:
            creates["PostgreSQL"] = measure_creates(
                label="PostgreSQL", database_url=database_url, dbname=dbname, args=args, logdir=logdir,
                requests=create_requests, seconds=create_seconds, warmup=warmup, wait_idle=wait_idle,
            )
            if not args.skip_sqlite:
                path = logdir / "bench.sqlite3"
                heading("SQLite: a fresh database with the zone and the bench's people")
                subprocess.run(
                    [sys.executable, str(Path(__file__).resolve()), "--prepare-sqlite", str(path),
                     "--password", BENCH_PASSWORD],
                    check=True,
                )
                say(f"  {path}")
                creates["SQLite"] = measure_creates(
                    label="SQLite", database_url=f"sqlite:///{path}", dbname="-", args=args,
                    logdir=logdir, requests=create_requests, seconds=create_seconds, warmup=warmup,
                    wait_idle=wait_idle,
                )
    finally:
        shutil.rmtree(logdir, ignore_errors=True)

    for label, r in creates.items():
        pg = label == "PostgreSQL"
        ok_rate = (r["per_second"] >= TARGET_CREATES or not pg) and r["errors"] == 0
        p99_target = TARGET_CREATE_P99 if pg else TARGET_SQLITE_P99
        ok_p99 = r["p99_ms"] < p99_target and r["errors"] == 0
        ok_cpu = r["server_ms"] <= TARGET_CREATE_CPU or not pg
        summary.append(
            (f"creates/s ({label})", f"{r['per_second']:.0f}", f"≥ {TARGET_CREATES:.0f}" if pg else "",
             ("ok" if ok_rate else "MISSED") if pg else "")
        )
        summary.append((f"create p50 ({label})", f"{r['p50_ms']:.1f} ms", "", ""))
        summary.append((f"create p95 ({label})", f"{r['p95_ms']:.1f} ms", "", ""))
        summary.append(
            (f"create p99 ({label})", f"{r['p99_ms']:.1f} ms", f"< {p99_target:.0f} ms", "ok" if ok_p99 else "MISSED")
        )
        summary.append(
            (f"server CPU per create ({label})", f"{r['server_ms']:.2f} ms", f"≤ {TARGET_CREATE_CPU:.0f} ms" if pg else "",
             ("ok" if ok_cpu else "MISSED") if pg else "")
        )
        summary.append(
            (f"create errors ({label})", str(r["errors"]), "0", "ok" if r["errors"] == 0 else "MISSED")
        )
        failed |= not (ok_rate and ok_p99 and ok_cpu)


    heading("summary")
    say(
        f"  {info['CPUs (nproc)']} × {info['CPU model']}, {info['memory']}, {info['database']}, "
        f"Python {info['Python']}, Django {info['Django']}, gunicorn {args.workers} {args.worker_class}"
        + (f" × {args.threads}" if args.worker_class == "gthread" else "")
    )
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    commit = _commit()
    (out / f"run-{commit}.json").write_text(json.dumps({"commit": commit, "summary": summary}, ensure_ascii=False))
    previous: dict[str, str] = {}
    if args.previous:
        given = Path(args.previous)
        source = given if given.is_file() else out / f"run-{args.previous}.json"
        if source.is_file():
            previous = {row[0]: row[1] for row in json.loads(source.read_text())["summary"]}
        else:
            say(f"  (no figures of {args.previous} in {out}: run the bench at that commit first)")
    width = max(len(s[0]) for s in summary)
    before = f"  {'previous':>18}" if previous else ""
    say(f"  {'figure':<{width}}  {'value':>18}{before}  {'target':>10}")
    for name, value, target, verdict in summary:
        was = f"  {previous.get(name, '—'):>18}" if previous else ""
        say(f"  {name:<{width}}  {value:>18}{was}  {target:>10}  {verdict}")
    say(f"  (commit {commit}; figures kept in {out / f'run-{commit}.json'})")
    say(f"  (whole run {time.perf_counter() - t_begin:.0f} s)")
    return 1 if failed and args.strict else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
