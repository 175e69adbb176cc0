"""Published scorecards: the figures of a period frozen as they were published.

A publication keeps the weights, the basic-satisfaction weight and the definitions it was
computed with, and one row per unit with every figure (``figures``, the shape of
``formulas.UnitScore.figures``). Publishing the same period again adds a new version; the
older ones stay, so a correction never rewrites what was handed out.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


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
    """Scorecard figures kept to be read instead of recomputed (see ``snapshot``).

    A row is either one day's counts per unit (``period_to`` the next day; ``part`` "counts"
    for all of them, "lead" for the lead-unit counts only) or a period's working-hour
    quantiles per unit (``part`` "hours"). ``fingerprint`` is the state of the demands filed
    in it when it was computed; ``valid_until`` the earliest deadline after ``computed_at``
    whose passing would change the counts (none: only a change to a demand does).
    """

    period_from = models.DateField(_("from"))
    period_to = models.DateField(_("to (exclusive)"))
    part = models.CharField(_("part"), max_length=10)
    fingerprint = models.CharField(_("fingerprint"), max_length=200)
    computed_at = models.DateTimeField(_("figures as of"))
    valid_until = models.DateTimeField(_("valid until"), null=True, blank=True)
    figures = models.JSONField(_("figures"), default=dict)

    class Meta:
        verbose_name = _("scorecard snapshot")
        verbose_name_plural = _("scorecard snapshots")
        constraints = [
            models.UniqueConstraint(fields=["period_from", "period_to", "part"], name="scorecard_snapshot_one"),
        ]

    def __str__(self) -> str:
        return f"{self.period_from}–{self.period_to} {self.part} @ {self.computed_at}"
