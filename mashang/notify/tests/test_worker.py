"""``mashang worker``: the embedded loop without a broker, the Celery worker with beat with one,
and a worker's memory."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import transaction

from config.celery import app
from mashang.notify.channels.base import message_ref
from mashang.notify.models import DeliveryStatus, Notification
from mashang.notify.services import notification_enqueue
from tests.kit.notify import T0

ROOT = Path(__file__).resolve().parents[3]
#: A Redis database of this test process's own (config/settings/test.py).
REDIS_URL = django_settings.MASHANG_TEST_REDIS_URL
MEMORY_LIMIT_MB = 200


def test_once_delivers_what_is_due_and_exits(zone, robots, platforms, no_inline):
    with transaction.atomic():
        rows = notification_enqueue(
            kind="test", subject="一次", body="", robots=robots.all(), dedupe_key="once", at=T0
        )
    out = io.StringIO()
    call_command("worker", "--once", stdout=out)
    assert "delivered 3" in out.getvalue()
    assert Notification.objects.filter(status=DeliveryStatus.SENT).count() == 3
    for row in rows:
        assert platforms.count_containing(message_ref(row)) == 1


def test_with_a_broker_it_runs_the_celery_worker_with_beat(settings, monkeypatch, tmp_path):
    settings.MASHANG_BROKER_URL = REDIS_URL
    settings.DATA_DIR = tmp_path
    seen = {}
    monkeypatch.setattr(app, "worker_main", lambda argv: seen.setdefault("argv", argv))
    call_command("worker")
    argv = seen["argv"]
    assert argv[0] == "worker" and "--beat" in argv and "--pool=threads" in argv
    assert f"--schedule={tmp_path / 'celerybeat-schedule'}" in argv


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(p) for p in text.split()]


@pytest.fixture(scope="module")
def migrated_file(tmp_path_factory):
    folder = tmp_path_factory.mktemp("worker")
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "MASHANG_BROKER_URL"}},
        "DJANGO_SETTINGS_MODULE": "config.settings.base",
        "MASHANG_DATA_DIR": str(folder),
        "DATABASE_URL": f"sqlite:///{folder / 'worker.sqlite3'}",
    }
    subprocess.run(
        [sys.executable, "-m", "mashang.cli", "migrate", "-v0"], cwd=ROOT, env=env, check=True, timeout=180
    )
    return env


def _run_worker(
    env: dict[str, str], seconds: float, ready: str
) -> tuple[subprocess.CompletedProcess, float, float]:
    """Start ``mashang worker``, wait until it prints ``ready`` (however slowly a busy machine
    starts it), let it run ``seconds``, measure its memory, stop it with SIGTERM."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "mashang.cli", "worker"],
        cwd=ROOT, env={**env, "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    lines: list[str] = []
    started = threading.Event()

    def read() -> None:
        for line in proc.stdout:
            lines.append(line)
            if ready in line:
                started.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        assert started.wait(120), "".join(lines)
        time.sleep(seconds)
        assert proc.poll() is None, "".join(lines)
        main = _rss_mb(proc.pid)
        total = main + sum(_rss_mb(c) for c in _children(proc.pid))
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
        reader.join(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    return subprocess.CompletedProcess(proc.args, proc.returncode, "".join(lines)), main, total


def test_the_embedded_loop_runs_until_stopped_and_stays_small(migrated_file):
    result, main, _ = _run_worker(migrated_file, 3, ready="embedded loop")
    assert result.returncode == 0, result.stdout
    assert "embedded loop" in result.stdout and "stopped" in result.stdout
    assert main < MEMORY_LIMIT_MB, f"embedded worker uses {main:.0f} MB"


def test_the_celery_worker_with_beat_stays_under_200_mb(migrated_file):
    env = {**migrated_file, "MASHANG_BROKER_URL": REDIS_URL}
    result, main, total = _run_worker(env, 3, ready="ready")
    print(f"celery worker with beat: {main:.0f} MB, with the beat process {total:.0f} MB")
    assert "ready" in result.stdout, result.stdout
    assert main < MEMORY_LIMIT_MB, f"the worker uses {main:.0f} MB"
