"""Enterprise demands (诉求), the units they are dispatched to, and their numbering."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from mashang.core.models import StoredFile, YearlySequence


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("Awaiting triage")
    TRIAGED = "triaged", _("Accepted, awaiting dispatch")
    DISPATCHED = "dispatched", _("Dispatched")
    IN_PROGRESS = "in_progress", _("In progress")
    WAITING = "waiting", _("Waiting on the enterprise")
    REPLIED = "replied", _("Replied, awaiting confirmation")
    UNRESOLVED = "unresolved", _("Not resolved or unsatisfied")
    RETURNED = "returned", _("Returned by the unit")
    DIFFICULT = "difficult", _("Difficult case")
    CLOSED = "closed", _("Closed")
    MERGED = "merged", _("Merged into another demand")
    WITHDRAWN = "withdrawn", _("Withdrawn")


TERMINAL_STATUSES = frozenset({Status.CLOSED, Status.MERGED, Status.WITHDRAWN})
OPEN_STATUSES = frozenset(Status) - TERMINAL_STATUSES
#: The open statuses as the partial indexes' conditions name them (sorted: a stable migration).
_OPEN = sorted(s.value for s in OPEN_STATUSES)


class Channel(models.TextChoices):
    WEB = "web", _("Web form")
    PHONE = "phone", _("Phone call")
    VISIT = "visit", _("Visit")
    CHAT = "chat", _("Chat message")
    API = "api", _("API")
    MEETING = "meeting", _("Review meeting")
    HOTLINE = "hotline", _("12345 hotline transfer")


class ContactMethod(models.TextChoices):
    """How the lead unit made its first contact with the enterprise."""

    PHONE = "phone", _("Phone call")
    VISIT = "visit", _("Visit")
    MESSAGE = "message", _("Message")


class Kind(models.TextChoices):
    """A demand an enterprise raised, or an action item (督办事项) a review meeting decided:
    tracked alike — deadlines, notices, queues, the unit's assessment — numbered apart, and
    with no enterprise unless it concerns one."""

    DEMAND = "demand", _("Enterprise demand")
    ACTION_ITEM = "action_item", _("Action item")


class Urgency(models.TextChoices):
    NORMAL = "normal", _("Normal")
    URGENT = "urgent", _("Urgent")
    CRITICAL = "critical", _("Very urgent")


class Rating(models.TextChoices):
    SATISFIED = "satisfied", _("Satisfied")
    BASIC = "basic", _("Basically satisfied")
    UNSATISFIED = "unsatisfied", _("Unsatisfied")


class Demand(models.Model):
    number = models.CharField(_("number"), max_length=20, unique=True)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.DEMAND)
    enterprise = models.ForeignKey(
        "org.Enterprise",
        verbose_name=_("enterprise"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="demands",
        help_text=_("Empty only for an action item that concerns no enterprise."),
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("submitted by"), on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=5000)
    contact_name = models.CharField(_("contact name"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    external_number = models.CharField(
        _("12345 order number"),
        max_length=40,
        blank=True,
        help_text=_("The order number of a demand transferred from the city's 12345 hotline."),
    )
    external_due_at = models.DateTimeField(
        _("12345 deadline"),
        null=True,
        blank=True,
        help_text=_("The deadline the 12345 hotline set on the transferred order."),
    )
    intake_unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("received by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The unit that registered the demand for an enterprise that came to it."),
    )
    category = models.ForeignKey(
        "org.Category", verbose_name=_("category"), null=True, blank=True, on_delete=models.PROTECT
    )
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.SUBMITTED)
    status_before_wait = models.CharField(max_length=20, choices=Status.choices, blank=True)
    lead_unit = models.ForeignKey(
        "org.Unit", verbose_name=_("lead unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    return_count = models.PositiveSmallIntegerField(
        _("returns"), default=0, help_text=_("How many times a unit returned it (more than one: disputed).")
    )
    version = models.PositiveIntegerField(_("version"), default=1)

    submitted_at = models.DateTimeField(_("submitted at"))
    triaged_at = models.DateTimeField(_("triaged at"), null=True, blank=True)
    dispatched_at = models.DateTimeField(_("dispatched at"), null=True, blank=True)
    first_responded_at = models.DateTimeField(_("first contact at"), null=True, blank=True)
    first_contact_method = models.CharField(
        _("first contact by"), max_length=10, choices=ContactMethod.choices, blank=True
    )
    first_contact_with = models.CharField(_("first contact with"), max_length=100, blank=True)
    assessed_at = models.DateTimeField(_("assessed at"), null=True, blank=True)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    paused_at = models.DateTimeField(_("waiting since"), null=True, blank=True)
    escalated_at = models.DateTimeField(
        _("escalated to difficult case at"),
        null=True,
        blank=True,
        help_text=_("The first time the demand was escalated to difficult-case handling."),
    )

    triage_due_at = models.DateTimeField(_("triage due"), null=True, blank=True)
    first_response_due_at = models.DateTimeField(_("first contact due"), null=True, blank=True)
    interim_reply_due_at = models.DateTimeField(_("interim reply due"), null=True, blank=True)
    resolution_due_at = models.DateTimeField(_("resolution due"), null=True, blank=True)
    next_due_at = models.DateTimeField(_("next deadline"), null=True, blank=True)
    # Working time on the zone's calendar from the dispatch (the start of the current round)
    # to the first contact and to the reply; stored by the transition that records them, so
    # that the scorecards' medians and percentiles read numbers instead of measuring them.
    first_contact_working_time = models.DurationField(_("working time to first contact"), null=True, blank=True)
    reply_working_time = models.DurationField(_("working time to reply"), null=True, blank=True)

    assessment = models.TextField(_("assessment and decision reference"), blank=True)
    reply = models.TextField(_("reply"), blank=True)
    resolved = models.BooleanField(_("resolved"), null=True, blank=True)
    rating = models.CharField(_("rating"), max_length=12, choices=Rating.choices, blank=True)
    rating_comment = models.TextField(_("rating comment"), blank=True)
    extension_requested_days = models.PositiveSmallIntegerField(
        _("extension requested (working days)"), null=True, blank=True
    )
    extension_reason = models.TextField(_("extension reason"), blank=True)
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("coordinator"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The leader's coordinator of a difficult case."),
    )
    signed_off_at = models.DateTimeField(_("signed off at"), null=True, blank=True)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signed off by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The lead unit head who signed off the reply to a difficult case."),
    )
    merged_into = models.ForeignKey(
        "self", verbose_name=_("merged into"), null=True, blank=True, on_delete=models.PROTECT, related_name="merged"
    )
    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("project"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="blockers",
        help_text=_("The investment project this demand is a blocker of."),
    )

    class Meta:
        verbose_name = _("demand")
        verbose_name_plural = _("demands")
        indexes = [
            models.Index(fields=["next_due_at"], name="demand_next_due_idx"),
            models.Index(fields=["enterprise", "next_due_at"], name="demand_enterprise_due_idx"),
            models.Index(fields=["status", "next_due_at"], name="demand_status_due_idx"),
            # The intake's enterprise picker finds an enterprise by a phone its demands gave
            # (0.5 s per keystroke at 1 M demands without it).
            models.Index(fields=["contact_phone"], name="demand_contact_phone_idx"),
            # Covers the period queries (dashboard, scorecards): on PostgreSQL a month is read
            # from the index alone, not from the wide demand rows.
            models.Index(
                fields=["submitted_at"],
                name="demand_submitted_idx",
                include=[
                    "id", "status", "lead_unit", "round", "resolved", "rating", "dispatched_at",
                    "first_response_due_at", "first_responded_at", "resolution_due_at", "replied_at",
                    "first_contact_working_time", "reply_working_time", "urgency", "escalated_at", "kind",
                    "category", "enterprise", "return_count",
                ],
            ),
            # The scorecard snapshots' fingerprint of a period (how many demands, the sum of their
            # versions, the greatest id), read from this narrow index alone.
            models.Index(fields=["submitted_at"], name="demand_filed_version_idx", include=["id", "version"]),
            # The review agenda's rules (mashang.meetings.agenda) read the few open demands each
            # rule calls for in index order, not every open demand (10 M demands: 0.8–2.5 s →
            # 0.01 s each). The status list is all of OPEN_STATUSES: PostgreSQL uses a partial
            # index only for a query whose list is within the index's.
            models.Index(
                fields=["escalated_at", "id"],
                name="demand_open_case_idx",
                condition=models.Q(status__in=_OPEN)
                & (models.Q(status="difficult") | models.Q(coordinator__isnull=False)),
            ),
            models.Index(
                fields=["-round", "dispatched_at", "id"],
                name="demand_open_reopened_idx",
                condition=models.Q(status__in=_OPEN, round__gt=1),
            ),
            models.Index(
                fields=["-return_count", "id"],
                name="demand_open_disputed_idx",
                condition=models.Q(status__in=_OPEN, return_count__gt=1),
            ),
            models.Index(
                fields=["next_due_at", "id"],
                name="demand_open_item_due_idx",
                condition=models.Q(status__in=_OPEN, kind="action_item"),
            ),
            # An enterprise's demands of one category in a period (the agenda's repeat demands).
            models.Index(
                fields=["enterprise", "category", "submitted_at"], name="demand_enterprise_category_idx"
            ),
        ]
        constraints = [
            models.CheckConstraint(name="demand_version_positive", condition=models.Q(version__gte=1)),
            models.CheckConstraint(
                name="demand_has_enterprise",
                condition=models.Q(kind="action_item") | models.Q(enterprise__isnull=False),
            ),
            # A 12345 order is registered once (a repeated transfer finds the demand it became).
            models.UniqueConstraint(
                fields=["external_number"],
                name="demand_external_number_once",
                condition=~models.Q(external_number=""),
            ),
            models.CheckConstraint(
                name="demand_merged_has_target",
                condition=~models.Q(status="merged") | models.Q(merged_into__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class Assignment(models.Model):
    """A unit's part in a demand: lead (主办) or co-unit (协办).

    A unit keeps its row when the demand moves on (it may still read what it handled);
    ``is_current`` says whether the demand is in the unit's queue now. ``is_open`` and
    ``due_at`` copy the demand's state so a unit's queue is one index range.
    """

    class Role(models.TextChoices):
        LEAD = "lead", _("Lead unit")
        CO = "co", _("Co-unit")

    demand = models.ForeignKey(Demand, on_delete=models.CASCADE, related_name="assignments")
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="assignments")
    role = models.CharField(max_length=4, choices=Role.choices)
    is_current = models.BooleanField(default=True)
    is_open = models.BooleanField(default=True)
    due_at = models.DateTimeField(null=True, blank=True)
    assigned_at = models.DateTimeField()

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [
            models.UniqueConstraint(fields=["demand", "unit"], name="assignment_one_per_unit"),
        ]
        indexes = [
            models.Index(fields=["unit", "is_current", "is_open", "due_at", "demand"], name="assignment_queue_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.demand_id} {self.unit_id} {self.role}"


class NumberSequence(YearlySequence):
    """The last number given out per year, for SQ-YYYY-NNNNNN."""

    code = "SQ"
    digits = 6


class ActionItemSequence(YearlySequence):
    """The last action-item number given out per year, for DB-YYYY-NNNNN (督办)."""

    code = "DB"
    digits = 5


def _attachment_path(instance: Attachment, filename: str) -> str:
    """A random stored name: what the uploader called the file never reaches the file system."""
    return f"attachments/{uuid.uuid4().hex}"


class Attachment(StoredFile):
    """A file filed with a demand. Served only to people who may see the demand."""

    demand = models.ForeignKey(Demand, on_delete=models.PROTECT, related_name="attachments")
    file = models.FileField(_("file"), upload_to=_attachment_path, max_length=200)
    #: The step the file came with: "submit", "attach" (supplementary material), or the
    #: action whose form carried it ("respond", "assess", "reply", "opinion", "resume").
    step = models.CharField(_("step"), max_length=20, blank=True)
    unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The unit whose member filed it (a written reply, a permit, a co-unit's opinion)."),
    )

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        indexes = [models.Index(fields=["demand", "id"], name="attachment_demand_idx")]
