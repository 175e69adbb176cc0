"""What operations keeps in the database: the supervision sweeps' running totals.

The sweep runs in the worker, the metrics are read from the web processes: the figures meet
in this one row, which every sweep adds to (``mashang.operations.services``).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class SweepTally(models.Model):
    """The supervision sweeps so far (one row, id 1): how many, how long, what they raised."""

    runs = models.PositiveBigIntegerField(_("sweeps"), default=0)
    seconds = models.FloatField(_("seconds in all"), default=0.0)
    reminders = models.PositiveBigIntegerField(_("reminders raised"), default=0)
    yellow_cards = models.PositiveBigIntegerField(_("yellow cards raised"), default=0)
    red_cards = models.PositiveBigIntegerField(_("red cards raised"), default=0)
    last_finished_at = models.DateTimeField(_("last sweep finished at"), null=True, blank=True)
    last_seconds = models.FloatField(_("last sweep's seconds"), default=0.0)
    last_candidates = models.PositiveIntegerField(_("last sweep's candidates"), default=0)

    class Meta:
        verbose_name = _("sweep tally")
        verbose_name_plural = _("sweep tallies")

    def __str__(self) -> str:
        return f"{self.runs} sweeps"
