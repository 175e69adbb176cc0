"""Review meetings (研判会议): the demand review of the month and the three forms of land-supply
review, with an agenda built from the data, decisions, and the work the decisions create.

A meeting moves planned → agenda frozen → held → minutes approved (or is cancelled before it is
held). Its agenda items are proposed by the rules of :mod:`mashang.meetings.selectors.agenda`,
each with its evidence; the secretary accepts, drops or adds items until the agenda is frozen.
Each item then gets its decision, and a decision may plan action items (督办事项), rule changes
(a category's routing default or time limit) and project moves. Nothing planned takes effect
before the minutes are approved; then the action items are opened (as tracked demands of kind
``action_item``), the rule changes applied (an event on the category) and the projects moved.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from mashang.core.models import YearlySequence


class Kind(models.TextChoices):
    DEMAND_REVIEW = "demand_review", _("Demand review meeting")
    LAND_CONSULTATION = "land_consultation", _("Land-supply consultation")
    LAND_JOINT = "land_joint", _("Land-supply joint meeting")
    LAND_DIFFICULT = "land_difficult", _("Land-supply difficult-case meeting")


LAND_KINDS = frozenset({Kind.LAND_CONSULTATION, Kind.LAND_JOINT, Kind.LAND_DIFFICULT})


class Status(models.TextChoices):
    PLANNED = "planned", _("planned")
    AGENDA_FROZEN = "agenda_frozen", _("agenda frozen")
    HELD = "held", _("held")
    MINUTES_APPROVED = "minutes_approved", _("minutes approved")
    CANCELLED = "cancelled", _("cancelled")


class Meeting(models.Model):
    number = models.CharField(_("number"), max_length=20, unique=True)
    kind = models.CharField(
        _("kind"), max_length=20, choices=Kind.choices, default=Kind.DEMAND_REVIEW
    )
    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PLANNED
    )
    starts_at = models.DateTimeField(_("starts at"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("chair"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    secretary = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("secretary"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    participants = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("participants"),
        blank=True,
        related_name="meetings",
    )
    units = models.ManyToManyField(
        "org.Unit", verbose_name=_("participating units"), blank=True, related_name="+"
    )
    period_start = models.DateField(_("reviewed period from"))
    period_end = models.DateField(_("reviewed period to (exclusive)"))
    note = models.TextField(_("note"), blank=True)
    frozen_at = models.DateTimeField(_("agenda frozen at"), null=True, blank=True)
    held_at = models.DateTimeField(_("held at"), null=True, blank=True)
    approved_at = models.DateTimeField(_("minutes approved at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("minutes approved by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"))
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("review meeting")
        verbose_name_plural = _("review meetings")
        ordering = ["-starts_at"]
        indexes = [models.Index(fields=["starts_at"], name="meeting_starts_idx")]
        constraints = [
            models.CheckConstraint(
                name="meeting_period_ordered",
                condition=models.Q(period_end__gt=models.F("period_start")),
            ),
            models.CheckConstraint(
                name="meeting_version_positive", condition=models.Q(version__gte=1)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class MeetingSequence(YearlySequence):
    """The last meeting number given out per year, for YP-YYYY-NNN (研判)."""

    code = "YP"
    digits = 3


class Source(models.TextChoices):
    """Why an item is on the agenda: the rule that proposed it, or the secretary."""

    OVERDUE = "overdue", _("Overdue beyond the threshold")
    REOPENED = "reopened", _("Reopened")
    DISPUTED_RETURN = "disputed_return", _("Returned more than once")
    DIFFICULT = "difficult", _("Difficult case")
    REPEAT = "repeat", _("Repeat demands of one enterprise")
    VOLUME_RISE = "volume_rise", _("Category volume rose sharply")
    ASSESSMENT_FALL = "assessment_fall", _("Unit assessment fell")
    ACTION_ITEM_OVERDUE = "action_item_overdue", _("Action item overdue")
    LAND_WAITING = "land_waiting", _("Project waiting at land-supply review")
    KEY_PROJECT_BEHIND = "key_project_behind", _("Key project behind plan")
    HOT_TOPIC = "hot_topic", _("Rising hot topic across enterprises")
    MANUAL = "manual", _("Added by the secretary")


class ItemStatus(models.TextChoices):
    PROPOSED = "proposed", _("proposed")
    ACCEPTED = "accepted", _("accepted")
    DROPPED = "dropped", _("dropped")


class AgendaItem(models.Model):
    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="items"
    )
    position = models.PositiveIntegerField(_("position"))
    source = models.CharField(_("source"), max_length=24, choices=Source.choices)
    #: What the item is about, so a rule does not propose it twice: "demand:12", "unit:zrzy"…
    key = models.CharField(_("key"), max_length=80)
    status = models.CharField(
        _("status"), max_length=10, choices=ItemStatus.choices, default=ItemStatus.PROPOSED
    )
    title = models.CharField(_("title"), max_length=300)
    evidence = models.JSONField(
        _("evidence"), default=list, blank=True, help_text=_("Lines of evidence.")
    )
    figures = models.JSONField(_("figures"), default=dict, blank=True)
    demand = models.ForeignKey(
        "demands.Demand",
        verbose_name=_("demand"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("project"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    category = models.ForeignKey(
        "org.Category",
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decision = models.TextField(_("decision"), blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("agenda item")
        verbose_name_plural = _("agenda items")
        ordering = ["meeting", "position"]
        constraints = [models.UniqueConstraint(fields=["meeting", "key"], name="agenda_item_once")]

    def __str__(self) -> str:
        return self.title


class ActionItem(models.Model):
    """Work a decision creates (督办事项): planned with the decision, opened as a tracked demand of
    kind ``action_item`` when the minutes are approved."""

    item = models.ForeignKey(
        AgendaItem,
        verbose_name=_("agenda item"),
        on_delete=models.CASCADE,
        related_name="action_items",
    )
    title = models.CharField(_("matter"), max_length=200)
    lead_unit = models.ForeignKey(
        "org.Unit", verbose_name=_("lead unit"), on_delete=models.PROTECT, related_name="+"
    )
    co_units = models.ManyToManyField(
        "org.Unit", verbose_name=_("co-units"), blank=True, related_name="+"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    working_days = models.PositiveSmallIntegerField(_("deadline (working days after approval)"))
    closing_rule = models.CharField(_("closing rule"), max_length=300)
    demand = models.OneToOneField(
        "demands.Demand",
        verbose_name=_("tracked as"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="meeting_action_item",
    )

    class Meta:
        verbose_name = _("action item")
        verbose_name_plural = _("action items")
        ordering = ["item", "id"]

    def __str__(self) -> str:
        return self.title


class RuleField(models.TextChoices):
    """What a decision may change on a demand category (the routing default and the limits)."""

    DEFAULT_LEAD_UNIT = "default_lead_unit", _("default lead unit")
    TRIAGE_HOURS = "triage_hours", _("triage limit (working hours)")
    FIRST_RESPONSE_HOURS = "first_response_hours", _("first contact limit (working hours)")
    INTERIM_REPLY_DAYS = "interim_reply_days", _("interim reply limit (working days)")
    RESOLUTION_DAYS = "resolution_days", _("resolution limit (working days)")


class RuleChange(models.Model):
    item = models.ForeignKey(
        AgendaItem,
        verbose_name=_("agenda item"),
        on_delete=models.CASCADE,
        related_name="rule_changes",
    )
    category = models.ForeignKey(
        "org.Category", verbose_name=_("category"), on_delete=models.PROTECT, related_name="+"
    )
    field = models.CharField(_("rule"), max_length=24, choices=RuleField.choices)
    #: The new value: a unit code for the routing default, a number for a limit.
    value = models.CharField(_("new value"), max_length=40)
    previous = models.CharField(_("value before"), max_length=40, blank=True)
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True)

    class Meta:
        verbose_name = _("rule change")
        verbose_name_plural = _("rule changes")
        ordering = ["item", "id"]

    def __str__(self) -> str:
        return f"{self.category_id}.{self.field} → {self.value}"


class ProjectOutcome(models.TextChoices):
    """What a land-supply review decides about a project."""

    APPROVE = "approve", _("approve the land supply (list the land)")
    DEFER = "defer", _("defer (pause the project)")
    ESCALATE = "escalate", _("escalate to difficult-case handling")


class ProjectMove(models.Model):
    item = models.ForeignKey(
        AgendaItem,
        verbose_name=_("agenda item"),
        on_delete=models.CASCADE,
        related_name="project_moves",
    )
    project = models.ForeignKey(
        "projects.Project", verbose_name=_("project"), on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.CharField(_("outcome"), max_length=10, choices=ProjectOutcome.choices)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True)

    class Meta:
        verbose_name = _("project move")
        verbose_name_plural = _("project moves")
        ordering = ["item", "id"]

    def __str__(self) -> str:
        return f"{self.project_id}: {self.outcome}"
