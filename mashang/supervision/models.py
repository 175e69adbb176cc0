"""Supervision notices (督办: 提醒 / 黄牌 / 红牌) and, through ``scorecards.models``, scorecards.

A notice is raised for one deadline of one demand — the deadline the demand is held to
when it is raised (``kind`` and ``due_at``) — at one level. The sweep raises each level at
most once per deadline: the partial unique constraint on (demand, kind, due_at, level) for
automatic notices (``raised_by`` empty) holds however often and however concurrently the
sweep runs. A deadline that moves (extension, pause, reopen) is a new ``due_at`` and gets
its own notices. A supervisor may add manual notices at any level, with a comment.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from mashang.demands.deadlines import DeadlineKind


class Level(models.TextChoices):
    """Notice levels, lowest first (the order is the escalation order)."""

    REMINDER = "reminder", _("Reminder")
    YELLOW = "yellow", _("Yellow card")
    RED = "red", _("Red card")


#: Levels by rank: a higher rank supersedes a lower one for the same deadline.
LEVEL_RANK = {Level.REMINDER: 1, Level.YELLOW: 2, Level.RED: 3}


class SupervisionNotice(models.Model):
    demand = models.ForeignKey(
        "demands.Demand", verbose_name=_("demand"), on_delete=models.PROTECT, related_name="notices"
    )
    kind = models.CharField(
        _("deadline"),
        max_length=20,
        choices=DeadlineKind.choices,
        blank=True,
        help_text=_(
            "The deadline the notice is about; empty for a manual notice on a demand whose clock is paused."
        ),
    )
    due_at = models.DateTimeField(_("deadline instant"), null=True, blank=True)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    raised_at = models.DateTimeField(_("raised at"))
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("raised by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty: raised by the deadline sweep."),
    )
    comment = models.TextField(_("comment"), blank=True)
    unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("responsible unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    addressed_to = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("addressed to"),
        related_name="supervision_notices",
        blank=True,
    )
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acknowledged by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("supervision notice")
        verbose_name_plural = _("supervision notices")
        constraints = [
            models.UniqueConstraint(
                fields=["demand", "kind", "due_at", "level"],
                condition=models.Q(raised_by__isnull=True),
                name="notice_once_per_level",
            ),
            models.CheckConstraint(
                name="notice_automatic_has_deadline",
                condition=models.Q(raised_by__isnull=False)
                | (models.Q(due_at__isnull=False) & ~models.Q(kind="")),
            ),
            models.CheckConstraint(
                name="notice_acknowledged_by_someone",
                condition=models.Q(acknowledged_at__isnull=True, acknowledged_by__isnull=True)
                | models.Q(acknowledged_at__isnull=False, acknowledged_by__isnull=False),
            ),
        ]
        indexes = [
            models.Index(fields=["unit", "raised_at"], name="notice_unit_idx"),
            models.Index(fields=["raised_at"], name="notice_raised_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.demand_id} {self.kind} {self.level}"


# The scorecard models are defined in ``scorecards/models.py``; importing them here is what
# registers them with this app (app label "supervision"; tables unchanged).
from mashang.supervision.scorecards.models import (  # noqa: E402,F401
    AssessmentIndicator,
    AssessmentScheme,
    ScorecardPublication,
    ScorecardRow,
    ScorecardSnapshot,
)
