"""The land-start app's periodic work, as a Celery task (beat runs it every minute, see
:mod:`config.celery`) and as a plain function (the ``landstart_sweep`` command, for the
embedded default without a worker): pre-review deadlines, and promised documents' deadlines."""

from __future__ import annotations

import logging
from datetime import datetime

from django.utils import timezone

from config.celery import app

logger = logging.getLogger(__name__)

SWEEP_TASK = "mashang.landstart.sweep"


def landstart_sweep_now(*, now: datetime | None = None) -> dict[str, int]:
    """Run the pre-review sweep and the commitments sweep; say how many notices each raised."""
    from mashang.landstart.services.commitments import commitments_sweep
    from mashang.landstart.services.prereview import prereview_sweep

    now = now or timezone.now()
    return {"prereview": prereview_sweep(now=now), "commitments": commitments_sweep(now=now)}


@app.task(name=SWEEP_TASK, ignore_result=True)
def landstart_sweep() -> dict[str, int]:
    return landstart_sweep_now()
