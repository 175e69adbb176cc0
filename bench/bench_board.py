"""The big screen (大屏) of a batch under 60 viewers: answer times of its live part, and how soon
every viewer sees each step a unit completes.

    python bench/bench_board.py            # 6 runs × 8 steps, 60 viewers, a step every 1.5 s
    python bench/bench_board.py --viewers 60 --interval 1.5 --threads 4

1. Creates the PostgreSQL database if missing (default ``mashang_bench_board``) and migrates it;
   makes the five units of the default bundle, the people who watch and act, and a new batch
   of ``--runs`` projects whose runs are awarded now (a fresh batch each time it runs).
2. Starts gunicorn as bench/server.py does (production settings, ``--workers`` × ``--threads``
   gthread) on a free loopback port; each viewing person signs in through the sign-in page.
3. ``--viewers`` threads, each on its own keep-alive connection, ask for the batch screen's live
   part (``/landstart/batches/<id>/screen/live/``) every ``--poll`` seconds with the ETag of what
   they hold (If-None-Match), as the page's script does: a 304 while nothing changed.
4. Meanwhile a driver completes the batch's steps one by one through the services
   (``landstart_step_complete``, as the unit's person), round robin over the runs, one every
   ``--interval`` seconds, until every run is complete.
5. Prints the machine, p50/p95/p99 of the answers (all, 304s, 200s), for every completion the
   time until every viewer saw it (the largest of the viewers' delays) and the CPU used.
Targets: answer p95 < 100 ms; every completion seen by every viewer within 2 s.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import resource
import secrets
import signal
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
for p in (str(ROOT), str(BENCH)):
    if p not in sys.path:
        sys.path.insert(0, p)

import generate  # noqa: E402
from loadgen import percentile  # noqa: E402
from machine import CpuMeter, machine  # noqa: E402
from run import ensure_database  # noqa: E402
from server import Gunicorn  # noqa: E402

DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/mashang_bench_board"
TARGET_P95_MS = 100.0
TARGET_SEEN_S = 2.0
PASSWORD = secrets.token_urlsafe(16)
DONE = re.compile(rb'data-done="(\d+)"')

UNITS = {
    "jyzx": "公共资源交易中心",
    "zrzy": "自然资源局",
    "zjj": "住房和城乡建设局",
    "cz": "财政局",
    "sw": "税务分局",
}


def say(text: str = "") -> None:
    print(text, flush=True)


def heading(text: str) -> None:
    say()
    say(f"== {text} " + "=" * max(0, 72 - len(text)))


# --- the data ----------------------------------------------------------------------------------


@dataclass
class Scene:
    batch_id: int
    runs: list[int]
    people: dict[str, object]  # unit code -> its staff member (who completes its steps)
    viewers: list[str]  # usernames who watch, one per distinct visibility
    total_steps: int


def _credit_code(rng: random.Random) -> str:
    from mashang.org.credit_code import ALPHABET, check_character

    body = "91440" + "".join(rng.choice("0123456789") for _ in range(3))
    body += "".join(rng.choice(ALPHABET) for _ in range(9))
    return body + check_character(body)


def prepare(runs: int) -> Scene:
    """Units, people, the default template, and a new batch of ``runs`` runs awarded now."""
    from django.utils import timezone

    from mashang.core.numbering import number_next
    from mashang.landstart.models import Batch, BatchNumberSequence, Run, RunStep, StepDocument
    from mashang.landstart.services import (
        landstart_award,
        landstart_open,
        template_install_default,
    )
    from mashang.org.models import Enterprise, Unit, User
    from mashang.projects.models import Project

    R = User.Role
    now = timezone.now()
    units = {}
    for code, name in UNITS.items():
        units[code], _ = Unit.objects.get_or_create(code=code, defaults={"name": name})
    enterprise = Enterprise.objects.filter(name="大屏压测企业有限公司").first()
    if enterprise is None:
        enterprise = Enterprise.objects.create(
            name="大屏压测企业有限公司", credit_code=_credit_code(random.Random(7))
        )

    def person(username: str, role, **fields) -> User:
        user = User.objects.filter(username=username).first() or User(username=username)
        user.role, user.display_name, user.is_active = role, username, True
        user.unit, user.enterprise = fields.get("unit"), fields.get("enterprise")
        user.set_password(PASSWORD)
        user.save()
        return user

    officer = person("bench-screen-officer", R.OFFICER)
    people = {
        code: person(f"bench-screen-{code}", R.UNIT_STAFF, unit=u) for code, u in units.items()
    }
    viewers = [
        person("bench-screen-leader", R.LEADER).username,
        officer.username,
        person("bench-screen-supervisor", R.SUPERVISOR).username,
        person("bench-screen-enterprise", R.ENTERPRISE, enterprise=enterprise).username,
        *(p.username for p in people.values()),
    ]
    template_install_default(at=now)
    year = timezone.localtime(now).year
    batch = Batch.objects.create(
        number=number_next(BatchNumberSequence, year=year),
        name=f"大屏压测批次 {timezone.localtime(now):%m-%d %H:%M}",
        award_from=timezone.localdate(now),
        award_to=timezone.localdate(now),
        created_at=now,
        created_by=officer,
    )
    run_ids = []
    tag = secrets.token_hex(3).upper()
    for i in range(runs):
        project = Project.objects.create(
            number=f"DP{tag}-{i + 1:02d}",
            name=f"大屏压测项目{i + 1}",
            investor=enterprise,
            investor_name=enterprise.name,
            project_type="new_land",
            industry="new_energy",
            planned_investment=Decimal("100000000.00"),
            service_officer=officer,
            stage="listed",
            created_at=now,
            updated_at=now,
        )
        run = landstart_open(actor=officer, project_id=project.pk, at=now - timedelta(days=1))
        Run.objects.filter(pk=run.pk).update(batch=batch)
        # Every step's document is on file, as its unit staged it during the listing (rows
        # only, as tests/kit/landstart.py does): the completions need no commitment.
        StepDocument.objects.bulk_create(
            StepDocument(
                step=s,
                file=f"landstart/bench-{run.pk}-{s.code}",
                original_name=f"{s.document}.pdf",
                content_type="application/pdf",
                size=1,
                sha256="0" * 64,
                uploaded_by=officer,
                uploaded_at=now - timedelta(hours=1),
            )
            for s in RunStep.objects.filter(run=run).exclude(document="")
        )
        landstart_award(actor=people["jyzx"], run_id=run.pk, awarded_at=now, at=now)
        run_ids.append(run.pk)
    total = RunStep.objects.filter(run_id__in=run_ids).count()
    return Scene(batch_id=batch.pk, runs=run_ids, people=people, viewers=viewers, total_steps=total)


# --- HTTP ----------------------------------------------------------------------------------------


def _cookies(response: http.client.HTTPResponse) -> dict[str, str]:
    jar = SimpleCookie()
    for header in response.headers.get_all("Set-Cookie") or []:
        jar.load(header)
    return {k: m.value for k, m in jar.items()}


def sign_in(port: int, username: str) -> str:
    """The session cookie of ``username``, signed in through the sign-in page as a browser does."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", "/login/")
        response = conn.getresponse()
        page = response.read().decode()
        csrf = _cookies(response)["csrftoken"]
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        body = urlencode({"csrfmiddlewaretoken": token, "username": username, "password": PASSWORD})
        conn.request(
            "POST",
            "/login/",
            body=body,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": f"csrftoken={csrf}",
            },
        )
        response = conn.getresponse()
        response.read()
        cookies = _cookies(response)
        if response.status != 302 or "sessionid" not in cookies:
            raise RuntimeError(f"signing in as {username} answered {response.status}")
        return f"sessionid={cookies['sessionid']}; csrftoken={csrf}"
    finally:
        conn.close()


@dataclass
class Viewer:
    """One screen: polls the live part with its ETag; notes each answer and when it first saw
    each number of done steps."""

    port: int
    path: str
    cookie: str
    poll: float
    stop: threading.Event
    warmup_until: float
    times: list[tuple[int, float]] = field(default_factory=list)  # (status, ms), after warm-up
    errors: int = 0
    seen: dict[int, float] = field(default_factory=dict)  # done count -> first wall time seen
    done: int = -1

    def run(self) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        etag = ""
        next_at = (
            time.monotonic() + random.random() * self.poll
        )  # screens were not started together
        while not self.stop.is_set():
            delay = next_at - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            next_at = time.monotonic() + self.poll
            headers = {"Cookie": self.cookie, "X-Requested-With": "fetch"}
            if etag:
                headers["If-None-Match"] = etag
            t0 = time.perf_counter()
            try:
                conn.request("GET", self.path, headers=headers)
                response = conn.getresponse()
                body = response.read()
            except (OSError, http.client.HTTPException):
                self.errors += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
                continue
            ms = (time.perf_counter() - t0) * 1000
            now = time.time()
            if response.status not in (200, 304):
                self.errors += 1
                continue
            if time.monotonic() >= self.warmup_until:
                self.times.append((response.status, ms))
            if response.status == 200:
                etag = response.headers.get("ETag", "")
                match = DONE.search(body)
                if match:
                    done = int(match.group(1))
                    if done > self.done:
                        for k in range(self.done + 1, done + 1):
                            self.seen.setdefault(k, now)
                        self.done = done
        conn.close()


# --- the driver ----------------------------------------------------------------------------------


def drive(scene: Scene, interval: float, stop: threading.Event) -> list[tuple[int, str, float]]:
    """Complete every step, one every ``interval`` seconds, round robin over the runs: the first
    active step (in the template's order) of the next run that has one. Returns (done count,
    what, commit wall time) per completion."""
    from django.db import connection

    from mashang.landstart.models import RunStep, StepState
    from mashang.landstart.services import landstart_step_complete

    done = RunStep.objects.filter(run_id__in=scene.runs, state=StepState.DONE).count()
    completions = []
    turn = 0
    next_at = time.monotonic() + interval
    while done < scene.total_steps and not stop.is_set():
        delay = next_at - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        next_at += interval
        for offset in range(len(scene.runs)):
            run_id = scene.runs[(turn + offset) % len(scene.runs)]
            step = (
                RunStep.objects.filter(run_id=run_id, state=StepState.ACTIVE)
                .select_related("unit")
                .order_by("position", "id")
                .first()
            )
            if step is not None:
                turn = (turn + offset + 1) % len(scene.runs)
                break
        else:
            break
        landstart_step_complete(
            actor=scene.people[step.unit.code], run_id=run_id, step_code=step.code
        )
        done += 1
        completions.append((done, f"run {run_id} {step.code}", time.time()))
    connection.close()
    return completions


# --- main ----------------------------------------------------------------------------------------


def _interrupted(signum, frame):
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__,
    )
    parser.add_argument(
        "--database-url", default=DEFAULT_DATABASE_URL, help="PostgreSQL, created if missing"
    )
    parser.add_argument(
        "--runs", type=int, default=6, help="runs in the batch (default 6, 8 steps each)"
    )
    parser.add_argument("--viewers", type=int, default=60, help="screens polling (default 60)")
    parser.add_argument(
        "--poll", type=float, default=1.0, help="seconds between a screen's polls (default 1)"
    )
    parser.add_argument(
        "--interval", type=float, default=1.5, help="seconds between completions (default 1.5)"
    )
    parser.add_argument(
        "--warmup",
        type=float,
        default=5.0,
        help="seconds of polling before the first completion, not measured (default 5)",
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument(
        "--threads", type=int, default=4, help="threads per gthread worker (default 4)"
    )
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, _interrupted)

    ensure_database(args.database_url)
    generate.django_setup(args.database_url)
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0, interactive=False)
    dbname = connection.settings_dict["NAME"]

    heading("machine")
    for key, value in machine().items():
        say(f"  {key:<22} {value}")

    heading("data")
    scene = prepare(args.runs)
    say(
        f"  batch #{scene.batch_id}: {len(scene.runs)} runs, {scene.total_steps} steps, awarded now"
    )
    connection.close()

    logdir = Path(tempfile.mkdtemp(prefix="mashang-bench-board-"))
    server = Gunicorn(
        database_url=args.database_url,
        workers=args.workers,
        worker_class="gthread",
        threads=args.threads,
        logdir=logdir,
    )
    heading(
        f"gunicorn: {args.workers} workers × {args.threads} threads (gthread), "
        f"127.0.0.1:{server.port}"
    )
    stop = threading.Event()
    viewers: list[Viewer] = []
    threads: list[threading.Thread] = []
    failed = False
    try:
        server.start()
        cookies = {u: sign_in(server.port, u) for u in scene.viewers}
        say(f"  up; {len(cookies)} people signed in, {args.viewers} screens among them")
        path = f"/landstart/batches/{scene.batch_id}/screen/live/"
        warmup_until = time.monotonic() + args.warmup
        for i in range(args.viewers):
            v = Viewer(
                port=server.port,
                path=path,
                cookie=cookies[scene.viewers[i % len(scene.viewers)]],
                poll=args.poll,
                stop=stop,
                warmup_until=warmup_until,
            )
            viewers.append(v)
            threads.append(threading.Thread(target=v.run, daemon=True))
        heading(
            f"{args.viewers} screens polling {path} every {args.poll:g} s; "
            f"a completion every {args.interval:g} s"
        )
        for t in threads:
            t.start()
        time.sleep(args.warmup)
        client_before = resource.getrusage(resource.RUSAGE_SELF)
        with CpuMeter(server.proc.pid, dbname) as cpu:
            completions = drive(scene, args.interval, stop)
            time.sleep(max(3.0, 2 * args.poll))  # the last completion's polls
        client_after = resource.getrusage(resource.RUSAGE_SELF)
        client_cpu = (client_after.ru_utime - client_before.ru_utime) + (
            client_after.ru_stime - client_before.ru_stime
        )
        stop.set()
        for t in threads:
            t.join(15)
    finally:
        stop.set()
        server.stop()
        connection.close()

    # --- figures ---
    all_ms = sorted(ms for v in viewers for _, ms in v.times)
    by_status = {
        s: sorted(ms for v in viewers for st, ms in v.times if st == s) for s in (304, 200)
    }
    errors = sum(v.errors for v in viewers)
    heading("answers of the live part (after the warm-up)")
    for label, values in (
        ("all", all_ms),
        ("304 Not Modified", by_status[304]),
        ("200 (full read)", by_status[200]),
    ):
        if values:
            say(
                f"  {label:<17} n={len(values):>6}  p50 {percentile(values, 50):6.1f} ms  "
                f"p95 {percentile(values, 95):6.1f} ms  p99 {percentile(values, 99):6.1f} ms  "
                f"max {values[-1]:6.1f} ms"
            )
    wall = cpu.wall
    say(f"  {len(all_ms) / wall:.1f} answers/s over {wall:.1f} s; errors {errors}")
    described = cpu.describe(client_cpu).replace(
        "load generator", "screens and driver (this process)"
    )
    say("  " + described)
    say(f"  load average after     {' '.join(f'{x:.2f}' for x in os.getloadavg())}")

    heading("each completion: seconds until every screen saw it (median of the screens)")
    worst = []
    for k, what, at in completions:
        delays = [v.seen[k] - at for v in viewers if k in v.seen]
        missing = sum(1 for v in viewers if k not in v.seen)
        if not delays:
            say(f"  {k:>3} {what:<34} seen by none")
            worst.append(float("inf"))
            continue
        worst.append(max(delays) if not missing else float("inf"))
        say(
            f"  {k:>3} {what:<34} all {max(delays):5.2f} s  "
            f"(median {statistics.median(delays):4.2f} s)"
            + (f"  {missing} screens never saw it" if missing else "")
        )
    p95 = percentile(all_ms, 95)
    slowest = max(worst) if worst else float("inf")
    heading("summary")
    ok_p95 = p95 < TARGET_P95_MS and errors == 0
    ok_seen = slowest <= TARGET_SEEN_S
    say(
        f"  answer p95 {p95:.1f} ms (target < {TARGET_P95_MS:.0f} ms): "
        f"{'ok' if ok_p95 else 'MISSED'}"
    )
    say(
        f"  slowest completion seen by every screen after {slowest:.2f} s "
        f"(target ≤ {TARGET_SEEN_S:.0f} s): {'ok' if ok_seen else 'MISSED'}"
    )
    failed = not (ok_p95 and ok_seen)
    return 1 if failed and args.strict else 0


if __name__ == "__main__":
    sys.exit(main())
