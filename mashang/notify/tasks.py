"""The background jobs, as Celery tasks (with a broker) and as plain functions (embedded).

Both ways run the same functions: :func:`deliver_due_now` (every 10 seconds) and
:func:`supervision_sweep_now` (every minute).
"""

from __future__ import annotations

import logging
import time

from config.celery import app

logger = logging.getLogger(__name__)

DELIVER_TASK = "mashang.notify.deliver_pending"
SWEEP_TASK = "mashang.notify.supervision_sweep"

# One delivery task works at most this long, then leaves the rest to the next one.
DELIVER_SECONDS = 8


def deliver_due_now(*, max_seconds: float = DELIVER_SECONDS) -> int:
    """Fan out the waiting messages, then deliver due ones in batches until none is due or
    ``max_seconds`` have passed."""
    from mashang.notify.services import (
        delivery_pass_started,
        messages_fan_out_waiting,
        notification_deliver_due,
    )

    delivery_pass_started()  # a commit from now on asks for the next pass
    messages_fan_out_waiting()
    started = time.monotonic()
    sent = 0
    while True:
        result = notification_deliver_due(limit=100)
        sent += result.sent
        if result.claimed < 100 or time.monotonic() - started > max_seconds:
            return sent


def supervision_sweep_now() -> bool:
    """Run the deadline sweep if an installed app registered it (supervision does); say whether it ran."""
    from mashang.notify.jobs import SWEEP, job_get

    sweep = job_get(SWEEP)
    if sweep is None:
        return False
    sweep()
    return True


@app.task(name=DELIVER_TASK, ignore_result=True)
def deliver_pending() -> int:
    return deliver_due_now()


@app.task(name=SWEEP_TASK, ignore_result=True)
def supervision_sweep() -> bool:
    return supervision_sweep_now()
