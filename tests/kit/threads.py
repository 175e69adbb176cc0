"""Running work in threads released at the same moment, for the PostgreSQL concurrency tests.

Each thread works on its own database connection, closed when the thread ends."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from django.db import connection


def together(work: list[Callable[[], Any]]) -> list[Any]:
    """Run each callable in its own thread, all released at once; results or exceptions, in order."""
    barrier = threading.Barrier(len(work))
    results: list[Any] = [None] * len(work)

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            results[i] = work[i]()
        except BaseException as error:  # noqa: BLE001 — the test inspects it
            results[i] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(work))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a thread is stuck"
    return results
