"""The live demo as ``make demo`` runs it: honcho starts Procfile.demo (gunicorn and the
embedded worker) on a small demo zone in its own SQLite database, the supervisor and an
enterprise contact sign in, the worker's sweep raises the yellow card of a live demand whose
triage deadline passes while the demo runs, and Ctrl-C (SIGINT to honcho) stops every process.

The database is this test's own (``DATABASE_URL`` and ``MASHANG_DATA_DIR`` in a temporary
folder), whatever the suite runs on. Office hours cover the whole day and today is made a
working day if the calendar rests, so working minutes are minutes of the clock. A live demand
of the demo falls due two working minutes after the load; the load here is given a clock set
back so that it falls due a few seconds after the demo starts instead.
"""

from __future__ import annotations

import html
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from django.utils import translation
from django.utils.translation import gettext, ngettext

from mashang.demo.live import LIVE_DEMANDS
from tests.kit.stack import free_port, group_alive

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
#: The variables of the calling environment the demo never inherits (as tests/kit/stack.py).
_OWN = ("MASHANG_", "DJANGO_", "DATABASE_URL", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "EMAIL_")
PASSWORD = "mashang-demo"
#: Seconds between the load's "now" and the first live demand's triage deadline.
AHEAD_SECONDS = 20
SWEEP_SECONDS = 3


def load_live(*, ahead: float, demands: int, enterprises: int) -> None:
    """Run in a Django process on the demo's database (see :func:`_django`): make today and
    tomorrow working days where the calendar rests, then load the small demo with a clock set
    back so that the first live demand's triage deadline falls ``ahead`` seconds from now."""
    from django.utils import timezone

    from mashang.demo.load import DemoOptions, demo_load
    from mashang.workcal.models import CalendarDay
    from mashang.workcal.selectors import calendar_get, calendar_invalidate

    tz = calendar_get().tz
    today = timezone.now().astimezone(tz).date()
    for day in (today, today + timedelta(days=1)):  # near midnight the deadline is tomorrow
        if not calendar_get().is_working_day(day):
            CalendarDay.objects.create(date=day, is_working_day=True, note="live demo test")
            calendar_invalidate()
    first = min(minutes for *_, minutes in LIVE_DEMANDS if minutes)
    back = timedelta(minutes=first) - timedelta(seconds=ahead)

    def clock() -> datetime:
        return timezone.now() - back

    options = DemoOptions(
        seed=7, until=clock().astimezone(tz).date(), demands=demands, enterprises=enterprises
    )
    demo_load(options, now=clock)


def _env(folder: Path) -> dict[str, str]:
    """``make demo``'s environment, on the test's own database and with a sweep every 3 s."""
    inherited = {k: v for k, v in os.environ.items() if not k.startswith(_OWN)}
    return {
        **inherited,
        "PATH": f"{BIN}{os.pathsep}{inherited.get('PATH', '')}",
        "PYTHONUNBUFFERED": "1",
        "DATABASE_URL": f"sqlite:///{folder / 'demo.sqlite3'}",
        "MASHANG_DATA_DIR": str(folder),
        "MASHANG_ADMIN_OTP_REQUIRED": "0",
        "MASHANG_OFFICE_HOURS": "00:00-23:59",
        "MASHANG_SWEEP_SECONDS": str(SWEEP_SECONDS),
    }


def _run(argv: list[str], env: dict[str, str]) -> str:
    result = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, f"{argv} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def _django(call: str, env: dict[str, str]) -> str:
    code = (
        "import os, django; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'config.settings.base'); "
        f"django.setup(); from tests.flows.test_live_demo import load_live; {call}"
    )
    return _run([sys.executable, "-c", code], env)


def _rows(database: Path, sql: str, *params) -> list[tuple]:
    """Rows read from the demo's database, read-only, beside the running demo."""
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=10) as conn:
        return conn.execute(sql, params).fetchall()


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _processes() -> dict[int, tuple[int, int, str]]:
    """Every process: pid -> (parent pid, process group, start time)."""
    found = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        found[int(stat.parent.name)] = (int(fields[1]), int(fields[2]), fields[19])
    return found


def _groups_of_tree(root: int) -> set[int]:
    """The process groups of ``root`` and its descendants (honcho starts each of its processes
    in a session of its own; gunicorn's workers are in their master's group)."""
    table = _processes()
    tree, todo = set(), [root]
    while todo:
        pid = todo.pop()
        tree.add(pid)
        todo.extend(p for p, (ppid, _, _) in table.items() if ppid == pid and p not in tree)
    return {table[p][1] for p in tree if p in table}


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.TransportError:
        return False


def _sign_in(base: str, username: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=20)
    page = client.get("/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert page.status_code == 200 and token, page.text[:500]
    response = client.post(
        "/login/",
        data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token[1]},
    )
    assert response.status_code == 302, response.text[:500]
    assert not response.headers["location"].startswith("/login/")
    return client


def test_the_live_demo_runs_sweeps_and_stops_on_ctrl_c(tmp_path):
    env = _env(tmp_path)
    database = tmp_path / "demo.sqlite3"
    mashang = str(BIN / "mashang")
    _run([mashang, "migrate", "--noinput", "-v0"], env)
    _django(f"load_live(ahead={AHEAD_SECONDS}, demands=40, enterprises=5)", env)
    users = _run([mashang, "demo_users"], env)
    assert "supervisor" in users and "ent001" in users
    loaded, last = _rows(
        database, "select count(*), coalesce(max(id), 0) from supervision_supervisionnotice"
    )[0]
    live = _rows(
        database,
        "select id, number, title from demands_demand where title = ? and status = 'submitted'",
        LIVE_DEMANDS[0][2],  # due 2 working minutes after the load
    )
    assert loaded > 0 and len(live) == 1, (loaded, live)
    live_id, live_number, live_title = live[0]

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log_path = tmp_path / "honcho.log"
    with log_path.open("wb") as out:
        honcho = subprocess.Popen(
            [str(BIN / "honcho"), "-f", "Procfile.demo", "start", "-p", str(port)],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    started = datetime.now(UTC)
    groups = {honcho.pid}

    def log() -> str:
        return log_path.read_text(errors="replace")

    try:
        deadline = time.monotonic() + 60
        while not _answers(f"{base}/healthz"):
            assert honcho.poll() is None, f"honcho stopped:\n{log()}"
            assert time.monotonic() < deadline, f"no answer on /healthz:\n{log()}"
            time.sleep(0.2)
        groups |= _groups_of_tree(honcho.pid)
        assert len(groups) >= 3, groups  # honcho's, gunicorn's and the worker's

        # The supervisor sees every notice, those the sweep raised marked as such (the worker
        # may have raised one more by then).
        supervisor = _sign_in(base, "supervisor")
        page = supervisor.get("/supervision/notices/")
        now = _rows(database, "select count(*) from supervision_supervisionnotice")[0][0]
        assert page.status_code == 200
        with translation.override("zh-hans"):
            assert gettext("deadline sweep") in page.text
            assert any(
                ngettext("%(n)s notice", "%(n)s notices", n) % {"n": n} in page.text
                for n in range(loaded, now + 1)
            )

        # The enterprise contact's inbox shows the messages delivered to it during the year,
        # the latest first.
        subjects = _rows(
            database,
            "select n.subject from notify_notification n join org_user u on u.id = n.recipient_id"
            " where u.username = 'ent001' and n.channel = 'inbox' and n.status = 'sent'"
            " order by n.created_at desc, n.id desc",
        )
        inbox = _sign_in(base, "ent001").get("/inbox/")
        assert inbox.status_code == 200 and subjects
        assert html.escape(subjects[0][0]) in inbox.text

        # The worker's sweep raises the live demand's yellow card once its deadline passes.
        deadline = time.monotonic() + 90
        while True:
            raised = _rows(
                database,
                "select demand_id, level, raised_at from supervision_supervisionnotice"
                " where id > ? and raised_by_id is null",
                last,
            )
            if any(d == live_id and level == "yellow" for d, level, _ in raised):
                break
            assert honcho.poll() is None, f"honcho stopped:\n{log()}"
            assert time.monotonic() < deadline, f"no yellow card after 90 s:\n{log()}"
            groups |= _groups_of_tree(honcho.pid)
            time.sleep(1)
        assert all(_utc(at) >= started for *_, at in raised), raised
        page = supervisor.get("/supervision/notices/", params={"level": "yellow"})
        assert live_title in page.text
        # ... and its message is in the supervisor's inbox.
        (subject,) = _rows(
            database,
            "select n.subject from notify_notification n join org_user u on u.id = n.recipient_id"
            " where u.username = 'supervisor' and n.kind = 'supervision.yellow' and n.link = ?",
            f"/demands/{live_id}/",
        )[0]
        assert live_number in subject and html.escape(subject) in supervisor.get("/inbox/").text

        honcho.send_signal(signal.SIGINT)  # Ctrl-C in the terminal
        honcho.wait(timeout=15)
        gone = time.monotonic() + 2
        while any(group_alive(g) for g in groups) and time.monotonic() < gone:
            time.sleep(0.05)
        assert not [g for g in groups if group_alive(g)], f"processes left:\n{log()}"
        try:
            os.killpg(honcho.pid, 0)
        except ProcessLookupError:
            pass
        else:
            raise AssertionError(f"honcho's process group is still there:\n{log()}")
        assert "web.1 stopped" in log() and "worker.1 stopped" in log()
    finally:
        if honcho.poll() is None or any(group_alive(g) for g in groups):
            for group in groups:
                try:
                    os.killpg(group, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        if honcho.poll() is None:
            honcho.wait(timeout=10)
