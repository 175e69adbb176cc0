"""Operations' one write: a finished supervision sweep adds to the sweeps' tally."""

from __future__ import annotations

import logging

from django.db import DatabaseError, transaction
from django.db.models import F
from django.utils import timezone

from mashang.operations.models import SweepTally
from mashang.supervision.models import Level

logger = logging.getLogger(__name__)

TALLY_ID = 1


def sweep_tally_record(*, seconds: float, candidates: int, raised: dict[str, int]) -> None:
    """Add one sweep to the tally (one UPDATE; the row is made by the first sweep). A failure
    is logged, never raised: the sweep's work is done and committed whatever happens here."""
    changes = {
        "runs": F("runs") + 1,
        "seconds": F("seconds") + seconds,
        "reminders": F("reminders") + raised.get(Level.REMINDER, 0),
        "yellow_cards": F("yellow_cards") + raised.get(Level.YELLOW, 0),
        "red_cards": F("red_cards") + raised.get(Level.RED, 0),
        "last_finished_at": timezone.now(),
        "last_seconds": seconds,
        "last_candidates": candidates,
    }
    try:
        with transaction.atomic():
            if not SweepTally.objects.filter(pk=TALLY_ID).update(**changes):
                SweepTally.objects.get_or_create(pk=TALLY_ID)
                SweepTally.objects.filter(pk=TALLY_ID).update(**changes)
    except DatabaseError:
        logger.warning("could not add the sweep to the sweeps' tally", exc_info=True)


def on_sweep_finished(sender=None, result=None, **kwargs) -> None:
    """Receiver of ``mashang.supervision.signals.sweep_finished``."""
    if result is not None:
        sweep_tally_record(
            seconds=result.seconds, candidates=result.candidates, raised=result.raised
        )
