"""Published scorecards: the figures of a period frozen as they were published.

A publication keeps the assessment scheme (its indicators and weights), the
basic-satisfaction weight and the definitions it was computed with, and one row per unit with every figure (``figures``, the shape of
``formulas.UnitScore.figures``). Publishing the same period again adds a new version; the
older ones stay, so a correction never rewrites what was handed out.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from mashang.supervision.scorecards.assessment import (
    MEASURES,
    Direction,
    Indicator,
    Normalisation,
    Scheme,
)


class AssessmentScheme(models.Model):
    """A versioned set of assessment indicators (see :mod:`.assessment`).

    One scheme is in use at a time. A scheme a publication was computed with is kept as it
    was: the admin shows it read-only and offers a copy as the next version to change.
    """

    name = models.CharField(_("name"), max_length=60)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    in_use = models.BooleanField(_("in use"), default=False)
    urgent_weight = models.FloatField(
        _("weight of an urgent demand"), default=1.5, help_text=_("A normal demand counts 1.")
    )
    critical_weight = models.FloatField(_("weight of a very urgent demand"), default=2.0)
    co_unit_weight = models.FloatField(
        _("weight of a co-unit's part"), default=0.5, help_text=_("A lead unit's part counts 1.")
    )
    list_size = models.PositiveSmallIntegerField(
        _("units on the red and black lists"), default=3, help_text=_("The best and the worst places of a period.")
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("assessment scheme")
        verbose_name_plural = _("assessment schemes")
        ordering = ["name", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["name", "version"], name="assessment_scheme_version"),
            models.UniqueConstraint(
                fields=["in_use"], condition=models.Q(in_use=True), name="assessment_scheme_one_in_use"
            ),
            models.CheckConstraint(
                name="assessment_scheme_weights_positive",
                condition=models.Q(urgent_weight__gte=0, critical_weight__gte=0, co_unit_weight__gte=0),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

    def as_scheme(self) -> Scheme:
        return Scheme(
            id=self.pk,
            name=self.name,
            version=self.version,
            urgent_weight=self.urgent_weight,
            critical_weight=self.critical_weight,
            co_unit_weight=self.co_unit_weight,
            list_size=self.list_size,
            indicators=tuple(
                Indicator(i.measure, i.weight, i.direction, i.normalisation) for i in self.indicators.all()
            ),
        )


class AssessmentIndicator(models.Model):
    scheme = models.ForeignKey(AssessmentScheme, on_delete=models.CASCADE, related_name="indicators")
    measure = models.CharField(
        _("measure"), max_length=20, choices=[(m.name, m.label) for m in MEASURES.values()]
    )
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices)
    normalisation = models.CharField(_("normalisation"), max_length=10, choices=Normalisation.choices)
    weight = models.FloatField(_("weight"))
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "measure"], name="assessment_indicator_once"),
            models.CheckConstraint(name="assessment_indicator_weight", condition=models.Q(weight__gte=0)),
        ]

    def __str__(self) -> str:
        return f"{self.get_measure_display()} {self.weight:g}"


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
    scheme = models.ForeignKey(
        AssessmentScheme,
        verbose_name=_("assessment scheme"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="publications",
    )
    #: The scheme as it was computed with (``assessment.Scheme.as_dict``); empty for a
    #: publication made before the schemes, whose ``weights`` are the three rates'.
    scheme_used = models.JSONField(_("scheme used"), default=dict, blank=True)

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
