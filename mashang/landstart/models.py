"""Land start (拿地即动工): bundle templates (a DAG of steps), runs of a bundle for a project,
the run's steps and the documents units stage for them.

A template is versioned: creating one with an existing code adds the next version, and a run
keeps the exact version it started with (its steps are copied from it when it opens).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from mashang.core.models import StoredFile, YearlySequence
from mashang.landstart import dag


class BundleTemplate(models.Model):
    code = models.SlugField(_("code"), max_length=40)
    version = models.PositiveIntegerField(_("version"))
    name = models.CharField(_("name"), max_length=200)
    award_unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("award unit"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The unit that records the award (the public-resources trading centre)."),
    )
    note = models.TextField(_("note"), max_length=2000, blank=True)
    project_types = models.JSONField(
        _("opens by itself for"),
        default=list,
        blank=True,
        help_text=_(
            "The project types (new land supply, lease, expansion) whose listed land gets a run of "
            "this template without anyone applying."
        ),
    )
    created_at = models.DateTimeField(_("created at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("bundle template")
        verbose_name_plural = _("bundle templates")
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="landstart_template_code_version"),
            models.CheckConstraint(name="landstart_template_version_positive", condition=models.Q(version__gte=1)),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code} v{self.version})"


class TemplateStep(models.Model):
    template = models.ForeignKey(BundleTemplate, on_delete=models.CASCADE, related_name="steps")
    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    unit = models.ForeignKey("org.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    prerequisites = models.JSONField(_("prerequisites"), default=list, blank=True)
    expected_minutes = models.PositiveIntegerField(_("expected minutes"), default=0)
    pre_reviewable = models.BooleanField(_("pre-reviewable while listed"), default=False)
    document = models.CharField(_("document it yields"), max_length=200, blank=True)
    allows_commitment = models.BooleanField(
        _("may complete under a commitment"),
        default=False,
        help_text=_("The step may complete without its document when someone promises it by a deadline."),
    )
    commitment_working_days = models.PositiveSmallIntegerField(
        _("longest promise (working days)"), default=10
    )
    position = models.PositiveIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("template step")
        verbose_name_plural = _("template steps")
        ordering = ["template", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["template", "code"], name="landstart_template_step_code"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class RunState(models.TextChoices):
    LISTED = "listed", _("Listed (pre-review)")
    RUNNING = "running", _("Running")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_RUN_STATES = (RunState.LISTED, RunState.RUNNING)


class StepState(models.TextChoices):
    WAITING = dag.WAITING, _("Waiting")
    ACTIVE = dag.ACTIVE, _("Active")
    DONE = dag.DONE, _("Done")
    RETURNED = dag.RETURNED, _("Returned")


class Batch(models.Model):
    """A land-supply batch (供地批次): plots listed together and awarded on the same days."""

    number = models.CharField(_("number"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=200)
    award_from = models.DateField(_("award from"))
    award_to = models.DateField(_("award to"))
    work_group_robot = models.ForeignKey(
        "notify.ChatRobot",
        verbose_name=_("work group's robot"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("The chat group that follows the batch's runs (their own robot, if set, wins)."),
    )
    note = models.TextField(_("note"), max_length=2000, blank=True)
    created_at = models.DateTimeField(_("created at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("land-supply batch")
        verbose_name_plural = _("land-supply batches")
        ordering = ["-award_from", "-id"]
        constraints = [
            models.CheckConstraint(name="landstart_batch_version_positive", condition=models.Q(version__gte=1)),
            models.CheckConstraint(
                name="landstart_batch_award_days_in_order", condition=models.Q(award_to__gte=models.F("award_from"))
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"


class Run(models.Model):
    project = models.ForeignKey(
        "projects.Project", verbose_name=_("project"), on_delete=models.PROTECT, related_name="landstart_runs"
    )
    template = models.ForeignKey(
        BundleTemplate, verbose_name=_("template"), on_delete=models.PROTECT, related_name="runs"
    )
    batch = models.ForeignKey(
        Batch, verbose_name=_("batch"), null=True, blank=True, on_delete=models.PROTECT, related_name="runs"
    )
    state = models.CharField(_("state"), max_length=20, choices=RunState.choices, default=RunState.LISTED)
    opened_at = models.DateTimeField(_("opened at"))
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("opened by"), on_delete=models.PROTECT, related_name="+"
    )
    opened_automatically = models.BooleanField(_("opened when the land was listed"), default=False)
    listing_closes_at = models.DateTimeField(
        _("listing closes at"),
        null=True,
        blank=True,
        help_text=_("The end of the listing period: the deadline of the units' pre-review."),
    )
    work_group_robot = models.ForeignKey(
        "notify.ChatRobot",
        verbose_name=_("work group's robot"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    awarded_at = models.DateTimeField(_("awarded at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.TextField(_("reason for cancelling"), max_length=2000, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("land-start run")
        verbose_name_plural = _("land-start runs")
        indexes = [models.Index(fields=["state", "awarded_at"], name="landstart_run_state_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["project"],
                condition=models.Q(state__in=["listed", "running"]),
                name="landstart_one_open_run_per_project",
            ),
            models.CheckConstraint(name="landstart_run_version_positive", condition=models.Q(version__gte=1)),
            models.CheckConstraint(
                name="landstart_run_awarded_when_running",
                condition=~models.Q(state__in=["running", "completed"], awarded_at__isnull=True),
            ),
            models.CheckConstraint(
                name="landstart_run_completed_has_time",
                condition=~models.Q(state="completed", completed_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.project_id} {self.state}"


class RunStep(models.Model):
    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="steps")
    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    unit = models.ForeignKey("org.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    prerequisites = models.JSONField(_("prerequisites"), default=list, blank=True)
    expected_minutes = models.PositiveIntegerField(_("expected minutes"), default=0)
    pre_reviewable = models.BooleanField(_("pre-reviewable while listed"), default=False)
    document = models.CharField(_("document it yields"), max_length=200, blank=True)
    allows_commitment = models.BooleanField(
        _("may complete under a commitment"),
        default=False,
        help_text=_("The step may complete without its document when someone promises it by a deadline."),
    )
    commitment_working_days = models.PositiveSmallIntegerField(
        _("longest promise (working days)"), default=10
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    state = models.CharField(_("state"), max_length=20, choices=StepState.choices, default=StepState.WAITING)
    prereview_due_at = models.DateTimeField(_("pre-review due"), null=True, blank=True)
    prereview_late_noticed_at = models.DateTimeField(null=True, blank=True)
    staged = models.BooleanField(_("ready (pre-reviewed)"), default=False)
    staged_at = models.DateTimeField(_("ready at"), null=True, blank=True)
    staged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    return_reason = models.TextField(_("reason it was sent back"), max_length=2000, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("run step")
        verbose_name_plural = _("run steps")
        ordering = ["run", "position", "id"]
        indexes = [models.Index(fields=["unit", "state"], name="landstart_step_unit_idx")]
        constraints = [
            models.UniqueConstraint(fields=["run", "code"], name="landstart_run_step_code"),
            models.CheckConstraint(
                name="landstart_step_done_has_time",
                condition=~models.Q(state="done", completed_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.state}"


def _document_path(instance: StepDocument, filename: str) -> str:
    """A random stored name: what the uploader called the file never reaches the file system."""
    return f"landstart/{uuid.uuid4().hex}"


class StepDocument(StoredFile):
    """A document a unit stages for its step. Served only to people who may see the run."""

    step = models.ForeignKey(RunStep, on_delete=models.PROTECT, related_name="documents")
    file = models.FileField(_("file"), upload_to=_document_path, max_length=200)

    class Meta:
        verbose_name = _("step document")
        verbose_name_plural = _("step documents")
        indexes = [models.Index(fields=["step", "id"], name="landstart_document_step_idx")]


class CommitmentState(models.TextChoices):
    OPEN = "open", _("Awaiting the document")
    FULFILLED = "fulfilled", _("Fulfilled")
    CANCELLED = "cancelled", _("Withdrawn")


class Commitment(models.Model):
    """A document promised by a deadline in place of one missing when the step completed
    (容缺受理 / 告知承诺制): tracked, reminded and noticed like a demand until it arrives."""

    step = models.ForeignKey(RunStep, on_delete=models.PROTECT, related_name="commitments")
    document = models.CharField(_("missing document"), max_length=200)
    promised_by = models.CharField(
        _("promised by"), max_length=200, help_text=_("Who promised the document, as the paper names them.")
    )
    due_at = models.DateTimeField(_("due by"))
    state = models.CharField(_("state"), max_length=20, choices=CommitmentState.choices, default=CommitmentState.OPEN)
    made_at = models.DateTimeField(_("made at"))
    made_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    fulfilled_at = models.DateTimeField(_("fulfilled at"), null=True, blank=True)
    fulfilled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    fulfilled_document = models.ForeignKey(
        StepDocument, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(_("note"), max_length=2000, blank=True)
    #: The last notice the sweep raised for it: "", "reminder", "yellow", "red".
    notice_level = models.CharField(max_length=10, blank=True)
    noticed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        ordering = ["due_at", "id"]
        indexes = [models.Index(fields=["state", "due_at"], name="landstart_commitment_due_idx")]
        constraints = [
            models.CheckConstraint(name="landstart_commitment_version_positive", condition=models.Q(version__gte=1)),
            models.CheckConstraint(
                name="landstart_commitment_fulfilled_has_time",
                condition=~models.Q(state="fulfilled", fulfilled_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.document} ({self.state})"


class UnitCapacity(models.Model):
    """How many land-start steps a unit works at once, from the people it has on duty."""

    unit = models.OneToOneField(
        "org.Unit", verbose_name=_("unit"), on_delete=models.CASCADE, related_name="landstart_capacity"
    )
    people_on_duty = models.PositiveSmallIntegerField(_("people on duty"), default=1)
    steps_at_once = models.PositiveSmallIntegerField(_("steps at once"), default=1)
    updated_at = models.DateTimeField(_("updated at"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("unit capacity")
        verbose_name_plural = _("unit capacities")
        constraints = [
            models.CheckConstraint(name="landstart_capacity_at_least_one", condition=models.Q(steps_at_once__gte=1)),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}: {self.steps_at_once}"


class BatchNumberSequence(YearlySequence):
    """The last batch number given out per year, for PC-YYYY-NN."""

    code = "PC"
    digits = 2
