"""Readiness: whether this instance can do its work, check by check (``/readyz``).

Each check answers ``ok`` and a short ``detail`` for the operator; none raises. The database
comes first: when it cannot be reached the checks that read it are not tried (each would wait
for the same failure) and say so.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from mashang.operations.selectors import outbox_figures
from mashang.workcal.selectors import calendar_known_until

#: Seconds to wait for the broker's answer.
BROKER_TIMEOUT = 1.0


@dataclass
class Check:
    ok: bool
    detail: str
    figures: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.update(data.pop("figures"))
        return data


def _describe(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{exc.__class__.__name__}: {text[0]}" if text else exc.__class__.__name__


def check_database() -> Check:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - any failure is "not reachable"
        try:
            connection.close()  # the next probe connects afresh (the server may be back)
        except Exception:  # noqa: BLE001, S110 - already broken: nothing to close
            pass
        return Check(False, _describe(exc))
    return Check(True, f"{connection.vendor} answers")


#: Set once this process has seen every migration applied: its code's migrations do not change
#: while it runs, so loading them again (tens of milliseconds) on every probe tells nothing new.
_all_applied = False


def check_migrations() -> Check:
    global _all_applied
    if _all_applied:
        return Check(True, "all applied")
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        names = [f"{m.app_label}.{m.name}" for m, _backwards in plan]
        detail = f"{len(names)} not applied: {', '.join(names[:5])}"
        return Check(False, detail, {"unapplied": len(names)})
    _all_applied = True
    return Check(True, "all applied")


def check_broker() -> Check:
    url = settings.MASHANG_BROKER_URL
    if not url:
        return Check(True, "no broker: the embedded worker delivers")
    try:
        if url.startswith(("redis://", "rediss://", "unix://")):
            import redis

            client = redis.Redis.from_url(
                url, socket_timeout=BROKER_TIMEOUT, socket_connect_timeout=BROKER_TIMEOUT
            )
            try:
                client.ping()
            finally:
                client.close()
        else:
            from kombu import Connection

            with Connection(url, connect_timeout=BROKER_TIMEOUT) as conn:
                conn.ensure_connection(max_retries=1, timeout=BROKER_TIMEOUT)
    except Exception as exc:  # noqa: BLE001 - any failure is "not reachable"
        return Check(False, _describe(exc))
    return Check(True, "answers")


def check_calendar() -> Check:
    days = settings.MASHANG_READY_CALENDAR_DAYS
    today = timezone.localdate()
    known = calendar_known_until()
    needed = today + timedelta(days=days)
    figures = {"known_until": known.isoformat() if known else None}
    if known is None or known < needed:
        return Check(
            False,
            f"holidays not known until {needed.isoformat()} (today + {days} days): enter the "
            "year's holidays and make-up working days",
            figures,
        )
    return Check(True, f"holidays known until {known.isoformat()}", figures)


def check_outbox() -> Check:
    limit = settings.MASHANG_READY_OUTBOX_MAX_AGE_SECONDS
    figures = outbox_figures()
    oldest = round(figures.oldest_due_seconds)
    data = {"oldest_due_seconds": oldest, "dead": figures.dead}
    # Dead messages are a warning for the administrator (requeue them), not a stuck worker.
    if oldest > limit:
        return Check(
            False,
            f"a due message has waited {oldest} s (limit {limit} s): is a worker running?",
            data,
        )
    return Check(True, f"oldest due message waited {oldest} s", data)


def readiness() -> tuple[bool, dict[str, dict[str, Any]]]:
    """Every check, and whether all passed."""
    checks: dict[str, Check] = {"database": check_database()}
    reads_database = {
        "migrations": check_migrations,
        "calendar": check_calendar,
        "outbox": check_outbox,
    }
    for name, run in reads_database.items():
        if not checks["database"].ok:
            checks[name] = Check(False, "not checked: the database is not reachable")
            continue
        try:
            checks[name] = run()
        except Exception as exc:  # noqa: BLE001 - a failing check is a failed check
            checks[name] = Check(False, _describe(exc))
    checks["broker"] = check_broker()
    order = ("database", "migrations", "broker", "calendar", "outbox")
    return all(c.ok for c in checks.values()), {name: checks[name].as_json() for name in order}
