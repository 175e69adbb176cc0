"""Published scorecards: the figures of a period frozen as they were published.

A publication keeps the weights, the basic-satisfaction weight and the definitions it was
computed with, and one row per unit with every figure (``figures``, the shape of
``scorecards.UnitScore.figures``). Publishing the same period again adds a new version; the
older ones stay, so a correction never rewrites what was handed out.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["ScorecardPublication", "ScorecardRow", "ScorecardSnapshot"]


class ScorecardPublication(models.Model):
    period_from = models.DateField(_("from"))
    period_to = models.DateField(_("to (exclusive)"))
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    published_at = models.DateTimeField(_("published at"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("published by"), on_delete=models.PROTECT, related_name="+"
    )
    computed_at = models.DateTimeField(_("figures as of"))
    weights = models.JSONField(_("weights"), default=dict)
    basic_weight = models.FloatField(_("weight of basically satisfied"))
    definitions = models.JSONField(_("definitions"), default=dict)

    class Meta:
        verbose_name = _("published scorecard")
        verbose_name_plural = _("published scorecards")
        constraints = [
            models.UniqueConstraint(
                fields=["period_from", "period_to", "version"], name="scorecard_publication_version"
            ),
            models.CheckConstraint(
                name="scorecard_period_ends_after_start", condition=models.Q(period_to__gt=models.F("period_from"))
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period_from}–{self.period_to} v{self.version}"


class ScorecardRow(models.Model):
    publication = models.ForeignKey(ScorecardPublication, on_delete=models.CASCADE, related_name="rows")
    unit = models.ForeignKey("org.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    unit_code = models.CharField(_("unit code"), max_length=32)
    unit_name = models.CharField(_("unit name"), max_length=100)
    rank = models.PositiveSmallIntegerField(_("rank"), null=True, blank=True)
    composite = models.FloatField(_("composite score"), null=True, blank=True)
    figures = models.JSONField(_("figures"), default=dict)

    class Meta:
        verbose_name = _("published scorecard row")
        verbose_name_plural = _("published scorecard rows")
        constraints = [
            models.UniqueConstraint(fields=["publication", "unit"], name="scorecard_row_one_per_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.publication} {self.unit_code} #{self.rank}"


class ScorecardSnapshot(models.Model):
    """The expensive part of a period's scorecard, kept to be read instead of recomputed.

    ``figures`` holds, per unit id, the counts and working-hour quantiles computed from the
    period's demands — exactly what a computation would give now, as long as (1) no demand
    filed in the period has changed: ``fingerprint`` is their number, the sum of their
    versions (every change bumps a demand's version) and their greatest id, taken before
    and after the computation in the same state, together with the units' codes; and (2) no
    deadline of a running demand of the period has passed since: ``valid_until`` is the
    earliest one still ahead at ``computed_at`` (none: nothing changes with time). Notices,
    units' names, the weights and the ranking are applied when the scorecard is read.
    ``full`` is False for a snapshot of the lead-unit counts only (trend, previous period).
    """

    period_from = models.DateField(_("from"))
    period_to = models.DateField(_("to (exclusive)"))
    full = models.BooleanField(_("all figures"), default=True)
    fingerprint = models.CharField(_("fingerprint"), max_length=200)
    computed_at = models.DateTimeField(_("figures as of"))
    valid_until = models.DateTimeField(_("valid until"), null=True, blank=True)
    figures = models.JSONField(_("figures"), default=dict)

    class Meta:
        verbose_name = _("scorecard snapshot")
        verbose_name_plural = _("scorecard snapshots")
        constraints = [
            models.UniqueConstraint(fields=["period_from", "period_to", "full"], name="scorecard_snapshot_one"),
        ]

    def __str__(self) -> str:
        return f"{self.period_from}–{self.period_to} {'full' if self.full else 'lead'} @ {self.computed_at}"
