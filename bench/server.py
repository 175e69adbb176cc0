"""gunicorn serving mashang on a free loopback port, and the small HTTP client the benchmark uses."""

from __future__ import annotations

import http.client
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# --- gunicorn ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def production_env(database_url: str, broker_url: str = "") -> dict[str, str]:
    """The environment mashang runs with in production, on ``database_url`` (and ``broker_url``)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "MASHANG_")) and k not in ("DATABASE_URL", "SECRET_KEY", "DEBUG")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.base",
        DATABASE_URL=database_url,
        SECRET_KEY=secrets.token_urlsafe(48),
        ALLOWED_HOSTS="127.0.0.1",
        MASHANG_ENV="production",
        MASHANG_LOG_LEVEL="ERROR",
        PYTHONDONTWRITEBYTECODE="1",
    )
    if broker_url:
        env["MASHANG_BROKER_URL"] = broker_url
    return env


def stop_group(proc: subprocess.Popen, logfile, *, grace: float) -> None:
    """Stop the process group we started (a server's master and workers): SIGTERM, and after
    ``grace`` seconds SIGKILL; close its log."""
    if proc.poll() is not None:
        logfile.close()
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(5)
    except ProcessLookupError:
        pass
    finally:
        logfile.close()


class Worker:
    """``mashang worker``: the Celery worker (with beat) on ``broker_url``, as production runs it."""

    def __init__(self, *, database_url: str, broker_url: str, logdir: Path):
        self.log = logdir / "worker.log"
        self.env = production_env(database_url, broker_url)
        self.env["MASHANG_LOG_LEVEL"] = "WARNING"
        self.cmd = [sys.executable, "-m", "mashang.cli", "worker", "--loglevel", "INFO"]
        self.proc: subprocess.Popen | None = None

    def start(self, wait: float = 60) -> None:
        self._logfile = self.log.open("wb")
        self.proc = subprocess.Popen(
            self.cmd, env=self.env, cwd=ROOT, stdout=self._logfile, stderr=subprocess.STDOUT, start_new_session=True
        )
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the worker exited with {self.proc.returncode}:\n{self.log.read_text()[-3000:]}")
            if b" ready." in self.log.read_bytes():
                return
            time.sleep(0.2)
        raise RuntimeError(f"the worker was not ready within {wait:.0f} s:\n{self.log.read_text()[-3000:]}")

    def stop(self) -> None:
        if self.proc is not None:
            stop_group(self.proc, self._logfile, grace=20)


class Gunicorn:
    def __init__(
        self,
        *,
        database_url: str,
        workers: int,
        worker_class: str,
        threads: int,
        logdir: Path,
        app: str = "config.wsgi:application",
        broker_url: str = "",
    ):
        self.port = free_port()
        self.log = logdir / "gunicorn.log"
        env = production_env(database_url, broker_url)
        gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or "gunicorn"
        self.cmd = [
            gunicorn,
            app,
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(workers),
            "--worker-class",
            worker_class,
            "--threads",
            str(threads),
            "--timeout",
            "30",
            "--graceful-timeout",
            "5",
            "--keep-alive",
            "5",
            "--backlog",
            "512",
            "--log-level",
            "warning",
            "--chdir",
            str(ROOT),
        ]
        self.env = env
        self.proc: subprocess.Popen | None = None

    def start(self, wait: float = 30) -> None:
        self._logfile = self.log.open("wb")
        self.proc = subprocess.Popen(
            self.cmd,
            env=self.env,
            cwd=ROOT,
            stdout=self._logfile,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"gunicorn exited with {self.proc.returncode}:\n{self.log.read_text()[-3000:]}"
                )
            try:
                status, _ = request(self.port, "GET", "/api/v1/units", timeout=2)
                if status in (200, 401):
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(
            f"gunicorn did not answer within {wait:.0f} s:\n{self.log.read_text()[-3000:]}"
        )

    def stop(self) -> None:
        if self.proc is not None:  # started
            stop_group(self.proc, self._logfile, grace=10)


def request(
    port: int,
    method: str,
    path: str,
    *,
    body: dict | None = None,
    token: str | None = None,
    conn: http.client.HTTPConnection | None = None,
    timeout: float = 10,
) -> tuple[int, bytes]:
    own = conn is None
    conn = conn or http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    headers = {"Accept": "application/json"}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    if token:
        headers["Authorization"] = f"Bearer {token}"
    try:
        conn.request(method, path, body=data, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        if own:
            conn.close()


def token_for(port: int, username: str, password: str) -> str:
    """A bearer token from POST /api/v1/auth/token."""
    status, body = request(
        port, "POST", "/api/v1/auth/token", body={"username": username, "password": password}
    )
    if status != 200:
        raise RuntimeError(
            f"POST /api/v1/auth/token for {username} answered {status}: {body[:300]!r}"
        )
    return json.loads(body)["token"]
