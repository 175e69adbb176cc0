"""mashang's production processes, started as deploy/systemd/ starts them, for the
production-stack test (tests/stack/) and the stack benchmark (bench/bench_stack.py).

A :class:`Stack` owns a PostgreSQL database of its own (dropped and created again on the
server of ``DATABASE_URL``, not pytest's test database), one Redis database, and a folder
for the shared uploads (``MASHANG_DATA_DIR``), beat's schedule file and each process's log.
Every process runs in its own process group with ``MASHANG_ENV=production``, so a kill
reaches gunicorn's workers and Celery's threads too, and :meth:`Stack.stop` leaves nothing
behind.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import httpx

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent

#: The variables of the calling environment a stack never inherits: it sets its own.
_OWN = ("MASHANG_", "DJANGO_", "DATABASE_URL", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "EMAIL_")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_beside(url: str, name: str) -> str:
    """The URL of the database ``name`` on the server of ``url``."""
    return urlsplit(url)._replace(path=f"/{name}").geturl()


def database_recreate(url: str) -> None:
    """Drop the database of ``url`` (closing its connections) and create it empty."""
    import psycopg

    name = urlsplit(url).path.strip("/")
    with psycopg.connect(database_beside(url, "postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def database_drop(url: str) -> None:
    import psycopg

    name = urlsplit(url).path.strip("/")
    with psycopg.connect(database_beside(url, "postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def redis_flush(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


@dataclass
class Stack:
    """One zone's production processes on this machine (see docs/deploy.md)."""

    database_url: str
    redis_url: str
    folder: Path
    #: Settings added to (or replacing) the production environment below.
    settings: dict[str, str] = field(default_factory=dict)
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    secret_key: str = field(default_factory=lambda: secrets.token_urlsafe(48))
    _ready: dict[str, Callable[[], bool]] = field(default_factory=dict)

    def env(self) -> dict[str, str]:
        """The environment of every process: mashang.env as deploy/mashang.env.example has it."""
        inherited = {k: v for k, v in os.environ.items() if not k.startswith(_OWN)}
        return {
            **inherited,
            "PYTHONUNBUFFERED": "1",
            "DJANGO_SETTINGS_MODULE": "config.settings.base",
            "MASHANG_ENV": "production",
            "SECRET_KEY": self.secret_key,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DATABASE_URL": self.database_url,
            "MASHANG_BROKER_URL": self.redis_url,
            "MASHANG_DATA_DIR": str(self.folder),
            # nginx in front, as deploy/nginx/mashang.conf: X-Forwarded-For and -Proto.
            "MASHANG_PROXY_COUNT": "1",
            **self.settings,
        }

    # --- one-off commands ---------------------------------------------------------------------
    def prepare(self) -> None:
        """A fresh database with every migration applied, an empty Redis database, the folder."""
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / "logs").mkdir(exist_ok=True)
        database_recreate(self.database_url)
        redis_flush(self.redis_url)
        self.mashang("migrate", "--noinput", "-v0")

    def mashang(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
        """Run ``mashang ARGS`` against the stack, as an operator would; fail on an error."""
        result = subprocess.run(
            [sys.executable, "-m", "mashang.cli", *args],
            cwd=ROOT,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if result.returncode != 0:
            raise RuntimeError(
                f"mashang {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
            )
        return result

    def call(self, target: str, /, **kwargs) -> object:
        """Run ``module:function(**kwargs)`` in a Django process on the stack's database; its
        JSON result."""
        module, function = target.split(":")
        code = (
            "import django, json, sys; django.setup(); import importlib; "
            f"result = getattr(importlib.import_module({module!r}), {function!r})(**json.loads(sys.argv[1])); "
            "print(json.dumps(result))"
        )
        result = subprocess.run(
            [sys.executable, "-c", code, json.dumps(kwargs)],
            cwd=ROOT,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=300,
        )
        if result.returncode != 0:
            raise RuntimeError(f"{target} failed:\n{result.stdout}\n{result.stderr}")
        return json.loads(result.stdout.strip().splitlines()[-1])

    # --- long-running processes ---------------------------------------------------------------
    def _start(self, name: str, argv: list[str]) -> subprocess.Popen:
        if name in self.processes and self.processes[name].poll() is None:
            raise RuntimeError(f"{name} is running already")
        log = (self.folder / "logs" / f"{name}.log").open("ab")
        process = subprocess.Popen(
            argv,
            cwd=ROOT,
            env=self.env(),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        self.processes[name] = process
        return process

    def start_web(
        self,
        name: str,
        *,
        port: int | None = None,
        workers: int = 2,
        threads: int = 1,
        wait: bool = True,
    ) -> str:
        """gunicorn on config.wsgi, as mashang-web@PORT.service; its base URL (once it answers,
        unless ``wait`` is false: then :meth:`wait_ready`)."""
        port = port or free_port()
        self._start(
            name,
            [
                str(BIN / "gunicorn"),
                "config.wsgi:application",
                f"--bind=127.0.0.1:{port}",
                f"--workers={workers}",
                f"--threads={threads}",
                "--graceful-timeout=5",
                "--access-logfile=-",
                "--no-control-socket",  # one per user otherwise, shared by every instance
            ],
        )
        url = f"http://127.0.0.1:{port}"
        self._ready[name] = lambda: _answers(url)
        if wait:
            self.wait_ready(name)
        return url

    def start_worker(
        self, name: str = "worker", *, concurrency: int = 2, wait: bool = True
    ) -> None:
        """The Celery worker, as mashang-worker.service (threads, no beat)."""
        self._start(
            name,
            [
                str(BIN / "celery"),
                "-A",
                "config.celery",
                "worker",
                "--pool=threads",
                f"--concurrency={concurrency}",
                "--without-mingle",
                "--without-gossip",
                "--loglevel=INFO",
                f"--hostname={name}@%h",
            ],
        )
        self._ready[name] = lambda: " ready." in self.log(name)
        if wait:
            self.wait_ready(name)

    def start_beat(self, name: str = "beat", *, wait: bool = True) -> None:
        """Celery beat, as mashang-beat.service (exactly one per zone)."""
        schedule = self.folder / "celerybeat-schedule"
        self._start(
            name,
            [
                str(BIN / "celery"),
                "-A",
                "config.celery",
                "beat",
                f"--schedule={schedule}",
                "--loglevel=INFO",
            ],
        )
        self._ready[name] = lambda: "beat: Starting" in self.log(name)
        if wait:
            self.wait_ready(name)

    def wait_ready(self, *names: str, timeout: float = 90) -> None:
        """Wait until each process named (every one started, by default) is ready; fail with its
        log if it stops or takes longer than ``timeout``."""
        deadline = time.monotonic() + timeout
        waiting = list(names or self.processes)
        while waiting:
            for name in list(waiting):
                process = self.processes[name]
                if process.poll() is not None:
                    raise RuntimeError(
                        f"{name} stopped with {process.returncode}:\n{self.log(name)}"
                    )
                if self._ready[name]():
                    waiting.remove(name)
            if waiting and time.monotonic() > deadline:
                raise RuntimeError(
                    f"{waiting[0]} not ready after {timeout} s:\n{self.log(waiting[0])}"
                )
            time.sleep(0.1)

    def log(self, name: str) -> str:
        path = self.folder / "logs" / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        """Send ``sig`` to the process group of ``name`` and wait for its leader to end."""
        process = self.processes.pop(name)
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            pass
        process.wait(timeout=30)

    def stop(self) -> None:
        """Stop every process: SIGTERM to each group, SIGKILL to what still runs after 10 s."""
        for process in self.processes.values():
            try:
                os.killpg(process.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + 10
        for process in self.processes.values():
            try:
                process.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                pass
            try:  # the group too: a gunicorn worker or Celery child outliving its leader
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            process.wait(timeout=10)
        for process in self.processes.values():
            _wait_group_gone(process.pid)
        self.processes.clear()


def group_alive(pgid: int) -> bool:
    """Whether a process of the group ``pgid`` is still there (a zombie not counted)."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            return True
    return False


def _wait_group_gone(pgid: int, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while group_alive(pgid) and time.monotonic() < deadline:
        time.sleep(0.05)


def _answers(url: str) -> bool:
    try:
        httpx.get(f"{url}/login/", timeout=2)
    except httpx.TransportError:
        return False
    return True


@contextmanager
def running_stack(
    *,
    database_url: str,
    redis_url: str,
    folder: Path,
    settings: dict[str, str] | None = None,
    keep: bool = False,
) -> Iterator[Stack]:
    """A prepared :class:`Stack`, stopped (and its database dropped unless ``keep``) at the end."""
    stack = Stack(
        database_url=database_url, redis_url=redis_url, folder=folder, settings=settings or {}
    )
    try:
        stack.prepare()
        yield stack
    finally:
        stack.stop()
        if not keep:
            database_drop(database_url)


# --- run inside the stack (Stack.call) ----------------------------------------------------------


def seed_zone(*, robot_url: str = "") -> dict:
    """A small zone in the stack's database: a unit with its category, an enterprise and its
    contact, a service officer, the unit's staff, a person whose sign-in the test locks, and,
    given ``robot_url``, the unit's WeCom robot. Every password is "pw"."""
    from mashang.notify.models import ChatRobot, Platform
    from mashang.org.models import User
    from tests.kit.factories import CategoryFactory, EnterpriseFactory, UnitFactory, UserFactory

    role = User.Role
    land = UnitFactory(code="zrzy", name="自然资源分局")
    CategoryFactory(code="land", name="用地", default_lead_unit=land)
    enterprise = EnterpriseFactory(name="甲企业有限公司")
    UserFactory(username="ent-a", role=role.ENTERPRISE, enterprise=enterprise)
    UserFactory(username="officer", role=role.OFFICER)
    UserFactory(username="unit-zrzy", role=role.UNIT_STAFF, unit=land)
    UserFactory(username="locked-out", role=role.OFFICER)
    if robot_url:
        ChatRobot.objects.create(
            name="自然资源工作群", platform=Platform.WECOM, webhook_url=robot_url, unit=land
        )
    return {"unit": land.code, "enterprise": enterprise.credit_code}


def seed_queue(*, demands: int) -> int:
    """``demands`` demands of the enterprise contact, accepted and dispatched to the unit of
    :func:`seed_zone` by the officer through the services: the unit's queue. Its length."""
    from mashang.demands import services
    from mashang.org.models import User

    contact = User.objects.get(username="ent-a")
    officer = User.objects.get(username="officer")
    for n in range(demands):
        demand = services.demand_submit(
            actor=contact,
            title=f"排队诉求 {n}",
            description="用地手续咨询",
            channel="api",
            category_code="land",
        )
        demand = services.ACTIONS["triage"](
            actor=officer,
            demand_id=demand.pk,
            version=demand.version,
            category="land",
            urgency="normal",
            note="",
        )
        services.ACTIONS["dispatch"](
            actor=officer,
            demand_id=demand.pk,
            version=demand.version,
            lead_unit="",
            co_units=[],
            note="",
        )
    return demands
