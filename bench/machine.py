"""What the benchmark runs on, and where the CPU went while it ran (read from /proc)."""

from __future__ import annotations

import os
import platform
import time
from pathlib import Path

# --- machine -------------------------------------------------------------------------------


def machine() -> dict[str, str]:
    import django
    from django.db import connection

    cpu = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = "?"
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    except OSError:
        pass
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW server_version")
            db = "PostgreSQL " + cursor.fetchone()[0]
            names = (
                "shared_buffers",
                "work_mem",
                "effective_cache_size",
                "synchronous_commit",
                "max_connections",
            )
            cursor.execute("SELECT " + ", ".join(f"current_setting('{n}')" for n in names))
            settings = ", ".join(f"{n}={v}" for n, v in zip(names, cursor.fetchone(), strict=True))
        else:
            db, settings = f"{connection.vendor}", ""
    try:
        load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        load = "?"
    return {
        "CPUs (nproc)": str(os.cpu_count()),
        "CPU model": cpu,
        "memory": mem,
        "load average before": load,
        "database": db,
        "database settings": settings,
        "Python": platform.python_version(),
        "Django": django.get_version(),
        "gunicorn": _version("gunicorn"),
        "psycopg": _version("psycopg"),
        "OS": platform.platform(),
    }


def _version(dist: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(dist)
    except PackageNotFoundError:
        return "-"


# --- CPU accounting from /proc, to see where the time went ---------------------------------


def _ticks(pid: int) -> int:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # utime + stime
    except (OSError, IndexError, ValueError):
        return 0


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            pass
    return found


def _postgres_pids(dbname: str) -> list[int]:
    """Backends of our database plus PostgreSQL's own writers (not other databases' backends)."""
    pids = []
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            cmd = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if cmd.startswith("postgres: ") and (
            f" {dbname} " in cmd
            or any(w in cmd for w in ("walwriter", "checkpointer", "background writer"))
        ):
            pids.append(int(proc.name))
    return pids


def _busy_ticks() -> tuple[int, int]:
    parts = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = parts[3] + parts[4]
    return sum(parts) - idle, sum(parts)


class CpuMeter:
    """CPU seconds used by gunicorn, our PostgreSQL backends, and the whole machine over a window."""

    def __init__(self, gunicorn_pid: int, dbname: str, worker_pid: int | None = None):
        self.gunicorn_pid, self.dbname, self.worker_pid = gunicorn_pid, dbname, worker_pid
        self.hz = os.sysconf("SC_CLK_TCK")

    def _sample(self) -> dict[str, dict[int, int] | int]:
        busy, _ = _busy_ticks()
        worker = [self.worker_pid, *_children(self.worker_pid)] if self.worker_pid else []
        return {
            "gunicorn": {p: _ticks(p) for p in [self.gunicorn_pid, *_children(self.gunicorn_pid)]},
            "postgres": {p: _ticks(p) for p in _postgres_pids(self.dbname)},
            "worker": {p: _ticks(p) for p in worker},
            "machine": busy,
        }

    def __enter__(self):
        self.before = self._sample()
        self.t0 = time.perf_counter()
        return self

    def __exit__(self, *exc):
        after = self._sample()
        self.wall = time.perf_counter() - self.t0

        def delta(key: str) -> float:
            # per process, so one that started or ended in between does not skew the sum
            return sum(t - self.before[key].get(p, 0) for p, t in after[key].items()) / self.hz

        self.used = {
            "gunicorn": delta("gunicorn"),
            "postgres": delta("postgres"),
            "worker": delta("worker"),
            "machine": (after["machine"] - self.before["machine"]) / self.hz,
        }
        return False

    def describe(self, client_cpu: float | None = None) -> str:
        u = self.used
        parts = [f"gunicorn {u['gunicorn']:.1f}", f"postgres {u['postgres']:.1f}"]
        if self.worker_pid:
            parts.append(f"worker {u['worker']:.1f}")
        if client_cpu is not None:
            parts.append(f"load generator {client_cpu:.1f}")
        other = u["machine"] - u["gunicorn"] - u["postgres"] - u["worker"] - (client_cpu or 0)
        parts.append(f"everything else {max(other, 0):.1f}")
        capacity = self.wall * (os.cpu_count() or 1)
        return (
            f"CPU seconds over {self.wall:.1f} s wall ({capacity:.1f} available): "
            + ", ".join(parts)
            + f"; machine busy {u['machine'] / capacity:.0%}"
        )


def machine_busy(seconds: float = 1.0) -> float:
    """Share of all CPUs busy over the next ``seconds``."""
    b0, t0 = _busy_ticks()
    time.sleep(seconds)
    b1, t1 = _busy_ticks()
    return (b1 - b0) / max(t1 - t0, 1)


def wait_until_quiet(max_seconds: float, threshold: float = 0.15, calm: int = 3) -> str:
    """Wait, at most ``max_seconds``, for ``calm`` consecutive seconds with the machine under
    ``threshold`` busy, so that another job's CPU does not count as ours. Says what it saw."""
    deadline = time.monotonic() + max_seconds
    quiet = 0
    while True:
        busy = machine_busy()
        quiet = quiet + 1 if busy < threshold else 0
        if quiet >= calm or (busy < threshold and time.monotonic() >= deadline):
            return f"machine quiet ({busy:.0%} busy)"
        if time.monotonic() >= deadline:
            return f"the machine is still {busy:.0%} busy with other work: figures may suffer"
