"""Investment projects (招商项目), their pipeline stage, milestones and funds in place."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from mashang.core.models import YearlySequence


class Stage(models.TextChoices):
    LEAD = "lead", pgettext_lazy("project stage", "Lead")
    NEGOTIATING = "negotiating", _("Negotiating")
    SIGNED = "signed", _("Signed")
    LAND_REVIEW = "land_review", _("Land review")
    LISTED = "listed", _("Land listed")
    AWARDED = "awarded", _("Land awarded")
    STARTED = "started", _("Construction started")
    PRODUCING = "producing", _("In production")
    PAUSED = "paused", _("Paused")
    DROPPED = "dropped", _("Dropped")


#: The pipeline in order; paused and dropped stand outside it.
PIPELINE = (
    Stage.LEAD,
    Stage.NEGOTIATING,
    Stage.SIGNED,
    Stage.LAND_REVIEW,
    Stage.LISTED,
    Stage.AWARDED,
    Stage.STARTED,
    Stage.PRODUCING,
)


class ProjectType(models.TextChoices):
    NEW_LAND = "new_land", _("New land supply")
    LEASE = "lease", _("Lease")
    EXPANSION = "expansion", _("Capital increase and expansion")


class Industry(models.TextChoices):
    ADVANCED_MANUFACTURING = "advanced_manufacturing", _("Advanced manufacturing")
    ELECTRONICS = "electronics", _("Electronics and information")
    NEW_ENERGY = "new_energy", _("New energy")
    NEW_MATERIALS = "new_materials", _("New materials")
    BIOMEDICINE = "biomedicine", _("Biomedicine")
    EQUIPMENT = "equipment", _("Equipment manufacturing")
    FOOD = "food", _("Food processing")
    LOGISTICS = "logistics", _("Logistics")
    SERVICES = "services", _("Modern services")
    OTHER = "other", _("Other")


class Project(models.Model):
    number = models.CharField(_("number"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=200)
    investor = models.ForeignKey(
        "org.Enterprise",
        verbose_name=_("investor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="projects",
        help_text=_("Empty while the investor is not yet a registered enterprise."),
    )
    investor_name = models.CharField(_("investor name"), max_length=200)
    project_type = models.CharField(_("type"), max_length=20, choices=ProjectType.choices)
    industry = models.CharField(_("industry"), max_length=30, choices=Industry.choices)
    planned_investment = models.DecimalField(_("planned investment (yuan)"), max_digits=16, decimal_places=2)
    land_area_mu = models.DecimalField(_("planned land area (mu)"), max_digits=12, decimal_places=2, null=True, blank=True)
    land_area_m2 = models.DecimalField(_("planned land area (m²)"), max_digits=14, decimal_places=2, null=True, blank=True)
    service_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("service officer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="projects_served",
    )
    is_key = models.BooleanField(_("key project"), default=False)
    is_city_key = models.BooleanField(_("on the city's key schedule"), default=False)
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices, default=Stage.LEAD)
    stage_before_pause = models.CharField(max_length=20, choices=Stage.choices, blank=True)
    stage_reason = models.TextField(_("reason"), max_length=2000, blank=True)
    behind_plan_reason = models.TextField(_("why behind plan"), max_length=2000, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"))

    class Meta:
        verbose_name = _("investment project")
        verbose_name_plural = _("investment projects")
        indexes = [models.Index(fields=["stage", "project_type"], name="project_stage_idx")]
        constraints = [
            models.CheckConstraint(name="project_version_positive", condition=models.Q(version__gte=1)),
            models.CheckConstraint(
                name="project_investment_not_negative", condition=models.Q(planned_investment__gte=0)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"


class Milestone(models.Model):
    """The planned and the actual date a project reaches a pipeline stage."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices)
    planned_on = models.DateField(_("planned"), null=True, blank=True)
    reached_on = models.DateField(_("reached"), null=True, blank=True)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        constraints = [models.UniqueConstraint(fields=["project", "stage"], name="milestone_one_per_stage")]

    def __str__(self) -> str:
        return f"{self.project_id} {self.stage}"


class FundsReceipt(models.Model):
    """Funds in place (到资): an amount the investor put in, on a date."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="funds")
    received_on = models.DateField(_("received on"))
    amount = models.DecimalField(_("amount (yuan)"), max_digits=16, decimal_places=2)
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        verbose_name = _("funds in place")
        verbose_name_plural = _("funds in place")
        indexes = [models.Index(fields=["project", "received_on"], name="funds_project_idx")]
        constraints = [models.CheckConstraint(name="funds_amount_positive", condition=models.Q(amount__gt=0))]

    def __str__(self) -> str:
        return f"{self.project_id} {self.received_on} {self.amount}"


class ProjectNumberSequence(YearlySequence):
    """The last project number given out per year, for XM-YYYY-NNNN."""

    code = "XM"
    digits = 4
