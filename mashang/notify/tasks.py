"""The background jobs, as Celery tasks (with a broker) and as plain functions (embedded).

Both ways run the same functions: :func:`deliver_due_now` (every 10 seconds) and
:func:`supervision_sweep_now` (every minute).
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
import time

from config.celery import app

logger = logging.getLogger(__name__)

DELIVER_TASK = "mashang.notify.deliver_pending"
SWEEP_TASK = "mashang.notify.supervision_sweep"
SWEEP_MODULE = "mashang.supervision.services.sweep"

# One delivery task works at most this long, then leaves the rest to the next one.
DELIVER_SECONDS = 8


def deliver_due_now(*, max_seconds: float = DELIVER_SECONDS) -> int:
    """Deliver due messages in batches until none is due or ``max_seconds`` have passed."""
    from mashang.notify.services import notification_deliver_due

    started = time.monotonic()
    sent = 0
    while True:
        result = notification_deliver_due(limit=100)
        sent += result.sent
        if result.claimed < 100 or time.monotonic() - started > max_seconds:
            return sent


def supervision_sweep_now() -> bool:
    """Run the supervision sweep if this installation has it; say whether it ran."""
    try:
        if importlib.util.find_spec(SWEEP_MODULE) is None:
            return False
    except ModuleNotFoundError:
        return False
    module = importlib.import_module(SWEEP_MODULE)
    module.supervision_sweep()
    return True


@app.task(name=DELIVER_TASK, ignore_result=True)
def deliver_pending() -> int:
    return deliver_due_now()


@app.task(name=SWEEP_TASK, ignore_result=True)
def supervision_sweep() -> bool:
    return supervision_sweep_now()
