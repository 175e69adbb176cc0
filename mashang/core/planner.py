"""PostgreSQL planner settings for the statements of one block, and back as they were after it.

For a read whose best plan mashang knows better than the planner can estimate (a search that has
already counted its matches), or that should not pay for JIT compiling. The settings are
transaction-local (``set_config(…, true)``), set in one statement: outside a transaction the
block is one, and they end with it; inside a caller's transaction the block is a savepoint and
they are set back as they were on leaving it (an error rolls them back with the savepoint).
Elsewhere (SQLite) nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, transaction


def _set(settings: dict[str, str]) -> list[str]:
    """Set ``settings`` for the transaction; their values before, in the same order."""
    columns = ", ".join("current_setting(%s), set_config(%s, %s, true)" for _ in settings)
    params = [p for name, value in settings.items() for p in (name, name, value)]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns}", params)
        row = cursor.fetchone()
    return [row[2 * i] for i in range(len(settings))]


@contextmanager
def planner_settings(**settings: str) -> Iterator[None]:
    """``with planner_settings(enable_bitmapscan="off", jit="off"): …``"""
    if connection.vendor != "postgresql" or not settings:
        yield
        return
    nested = connection.in_atomic_block
    with transaction.atomic():
        before = _set(settings)
        yield
        if nested:
            _set(dict(zip(settings, before, strict=True)))
