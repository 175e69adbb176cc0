"""Smart dispatch: the zone's ordered routing rules (versioned), the classifiers trained on its
own dispatched demands, the suggestions shown at triage, and the zone's automatic-dispatch
settings.

A rule says: a demand that meets these conditions goes to this lead unit (with these co-units,
this urgency). Rules are tried in order; the first active rule that matches decides, and it
wins over any suggestion of a classifier. Conditions left empty match anything.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from mashang.demands.models import Urgency


class Rule(models.Model):
    position = models.PositiveIntegerField(_("position"), default=0)
    name = models.CharField(_("name"), max_length=100)
    is_active = models.BooleanField(_("active"), default=True)
    # Conditions: every non-empty one must hold; within one list, any value matches.
    categories = models.JSONField(_("categories"), default=list, blank=True)  # category codes
    words = models.JSONField(_("words in the title or text"), default=list, blank=True)
    industries = models.JSONField(_("enterprise industries"), default=list, blank=True)
    sub_districts = models.JSONField(_("enterprise sub-districts"), default=list, blank=True)
    channels = models.JSONField(_("channels"), default=list, blank=True)  # Channel values
    filed_from = models.TimeField(_("filed from (time of day)"), null=True, blank=True)
    filed_until = models.TimeField(_("filed until (time of day)"), null=True, blank=True)
    # What the rule decides.
    lead_unit = models.ForeignKey(
        "org.Unit", verbose_name=_("lead unit"), on_delete=models.PROTECT, related_name="+"
    )
    co_units = models.JSONField(_("co-units"), default=list, blank=True)  # unit codes
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices, blank=True)
    #: Why the rule exists, e.g. the review meeting's decision that adopted it.
    basis = models.CharField(_("basis"), max_length=200, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name


class RuleRevision(models.Model):
    """One saved version of a rule, as it read after the change: the rule's history."""

    rule = models.ForeignKey(Rule, on_delete=models.CASCADE, related_name="revisions")
    version = models.PositiveIntegerField()
    snapshot = models.JSONField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField()
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["rule", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["rule", "version"], name="routing_revision_unique")
        ]

    def __str__(self) -> str:
        return f"{self.rule_id} v{self.version}"


class Target(models.TextChoices):
    CATEGORY = "category", _("Category")
    LEAD_UNIT = "lead_unit", _("Lead unit")


class Classifier(models.Model):
    """One trained model for one target, with the figures it was judged by."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("In use")
        RETIRED = "retired", _("Replaced")
        REJECTED = "rejected", _("Not used (worse than the one in use)")
        FAILED = "failed", _("Training failed")

    target = models.CharField(_("target"), max_length=12, choices=Target.choices)
    version = models.PositiveIntegerField(_("version"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices)
    trigger = models.CharField(_("trigger"), max_length=20, blank=True)  # schedule, on demand…
    trained_at = models.DateTimeField(_("trained at"))
    data_until = models.DateTimeField(_("data until"), null=True, blank=True)
    n_samples = models.PositiveIntegerField(_("demands trained on"), default=0)
    labels = models.JSONField(default=list)  # category or unit codes, in the model's order
    macro_f1 = models.FloatField(_("macro-F1 (cross-validated)"), null=True, blank=True)
    accuracy = models.FloatField(_("accuracy (cross-validated)"), null=True, blank=True)
    folds = models.PositiveSmallIntegerField(default=0)
    per_class = models.JSONField(default=dict)  # label → precision, recall, f1, support
    confusion = models.JSONField(default=list)  # rows: true label, columns: predicted
    params = models.JSONField(default=dict)
    train_seconds = models.FloatField(null=True, blank=True)
    note = models.TextField(
        _("note"), blank=True
    )  # why it replaced, or did not replace, the one in use
    artifact = models.FileField(upload_to="routing/models/", max_length=200, blank=True)
    artifact_sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("classifier")
        verbose_name_plural = _("classifiers")
        ordering = ["target", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["target", "version"], name="routing_classifier_version_unique"
            ),
            models.UniqueConstraint(
                fields=["target"],
                condition=models.Q(status="active"),
                name="routing_one_active_classifier",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.target} v{self.version}"

    TRIGGERS = {"schedule": _("scheduled"), "on demand": _("on demand"), "demo": _("demo load")}

    def trigger_label(self) -> str:
        """How the training was started, as the page says it."""
        return str(self.TRIGGERS.get(self.trigger, self.trigger))


class Suggestion(models.Model):
    """What the classifier suggested for a demand when it was first shown at triage (or
    decided automatically): the top choices with their confidence and the words behind them."""

    demand = models.ForeignKey("demands.Demand", on_delete=models.CASCADE, related_name="+")
    target = models.CharField(max_length=12, choices=Target.choices)
    classifier = models.ForeignKey(Classifier, on_delete=models.PROTECT, related_name="suggestions")
    choices = models.JSONField(default=list)  # [{"label", "confidence", "words": [...]}, …]
    rule = models.ForeignKey(
        Rule, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    automatic = models.BooleanField(default=False)
    at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["demand", "target"], name="routing_suggestion_once")
        ]
        indexes = [models.Index(fields=["classifier", "at"])]

    def __str__(self) -> str:
        return f"{self.demand_id} {self.target}"


class AutoDispatch(models.Model):
    """The zone's one row of automatic-dispatch settings (off until the zone turns it on)."""

    is_enabled = models.BooleanField(_("dispatch automatically"), default=False)
    threshold = models.FloatField(
        _("confidence threshold"),
        default=0.9,
        help_text=_(
            "A suggestion is followed only when both its category and its lead unit are at least this confident."
        ),
    )
    excluded_categories = models.JSONField(
        _("never for these categories"), default=list, blank=True
    )
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("automatic dispatch")
        verbose_name_plural = _("automatic dispatch")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)


class TopicRun(models.Model):
    """One computation of the zone's hot topics (未诉先办) over a moving window; the latest one
    is what the dashboard, the topic pages and the review agenda read
    (:mod:`mashang.routing.topics`)."""

    computed_at = models.DateTimeField(_("computed at"), db_index=True)
    window_start = models.DateTimeField(_("window from"))
    window_end = models.DateTimeField(_("window to"))
    demands = models.PositiveIntegerField(_("demands in the window"), default=0)
    seconds = models.FloatField(_("seconds taken"), default=0.0)
    #: The parameters the run used (window, thresholds, number of clusters).
    params = models.JSONField(_("parameters"), default=dict, blank=True)

    class Meta:
        verbose_name = _("hot-topic computation")
        verbose_name_plural = _("hot-topic computations")
        ordering = ["-computed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.computed_at:%Y-%m-%d %H:%M}"


class Topic(models.Model):
    """A group of similar demands of several enterprises in one run's window, with its heat."""

    run = models.ForeignKey(TopicRun, on_delete=models.CASCADE, related_name="topics")
    rank = models.PositiveIntegerField(_("rank"))
    label = models.CharField(_("label"), max_length=100)
    terms = models.JSONField(_("characteristic words"), default=list)
    heat = models.FloatField(_("heat index"))
    volume = models.PositiveIntegerField(_("demands in the window"))
    previous = models.PositiveIntegerField(_("demands in the window before"))
    recent = models.PositiveIntegerField(_("demands in the last week"), default=0)
    growth = models.FloatField(_("growth"))
    enterprises = models.PositiveIntegerField(_("enterprises affected"))
    urgent = models.PositiveIntegerField(_("urgent demands"), default=0)
    critical = models.PositiveIntegerField(_("very urgent demands"), default=0)
    is_rising = models.BooleanField(_("rising"), default=False)
    #: The topic's demands in the window, the earliest first.
    demand_ids = models.JSONField(default=list)
    numbers = models.JSONField(default=list)  # their numbers, in the same order

    class Meta:
        verbose_name = _("hot topic")
        verbose_name_plural = _("hot topics")
        ordering = ["run", "rank"]
        constraints = [models.UniqueConstraint(fields=["run", "rank"], name="routing_topic_rank_once")]

    def __str__(self) -> str:
        return self.label
