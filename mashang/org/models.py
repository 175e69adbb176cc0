"""Units, people and their roles, enterprises, and demand categories with SLA policies."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mashang.org.credit_code import credit_code_error


def validate_credit_code(value: str) -> None:
    error = credit_code_error(value)
    if error:
        raise ValidationError(error)


class Unit(models.Model):
    """A handling unit: a department of the zone or a partner (a bank, a trading centre…)."""

    class Kind(models.TextChoices):
        DEPARTMENT = "department", _("Department")
        SERVICE_TEAM = "service_team", _("Service team")
        SUPERVISION = "supervision", _("Supervision office")
        PARTNER = "partner", _("Partner")

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.DEPARTMENT)
    head = models.ForeignKey(
        "org.User",
        verbose_name=_("head"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="headed_units",
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Enterprise(models.Model):
    credit_code = models.CharField(
        _("unified social credit code"),
        max_length=18,
        unique=True,
        validators=[validate_credit_code],
    )
    name = models.CharField(_("name"), max_length=200)
    industry = models.CharField(_("industry"), max_length=100, blank=True)
    sub_district = models.CharField(_("sub-district"), max_length=100, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A person using mashang. The role decides what they see and may do."""

    class Role(models.TextChoices):
        ENTERPRISE = "enterprise", _("Enterprise contact")
        OFFICER = "officer", _("Service officer")
        UNIT_STAFF = "unit_staff", _("Unit staff")
        UNIT_HEAD = "unit_head", _("Unit head")
        SUPERVISOR = "supervisor", _("Supervisor")
        LEADER = "leader", _("Leader")
        # Separation of administrative duties (三员分立): the system administrator runs the
        # zone's data (units, people, categories, templates); the security administrator the
        # accounts' security (locks, second factors, tokens); the audit administrator reads the
        # security audit log. None may do another's work.
        ADMIN = "admin", _("Administrator")
        SECURITY_ADMIN = "security_admin", _("Security administrator")
        AUDIT_ADMIN = "audit_admin", _("Audit administrator")

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.ENTERPRISE)
    display_name = models.CharField(_("display name"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="members"
    )
    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("enterprise"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contacts",
    )
    password_changed_at = models.DateTimeField(
        _("password changed at"),
        null=True,
        blank=True,
        help_text=_("When the password was last set; an expired one must be changed at the next sign-in."),
    )

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        constraints = [
            models.CheckConstraint(
                name="user_enterprise_contact_has_enterprise",
                condition=~models.Q(role="enterprise", is_active=True, enterprise__isnull=True)
                | models.Q(is_superuser=True),
            ),
            models.CheckConstraint(
                name="user_unit_member_has_unit",
                condition=~models.Q(role__in=["unit_staff", "unit_head"], unit__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return self.display_name or self.username

    def set_password(self, raw_password) -> None:
        """Every way a password is set (the page, the admin, ``changepassword``) starts its
        validity here (the password policy, mashang.org.passwords)."""
        super().set_password(raw_password)
        self.password_changed_at = timezone.now()

    @property
    def is_unit_member(self) -> bool:
        return self.role in (self.Role.UNIT_STAFF, self.Role.UNIT_HEAD)


class Category(models.Model):
    """A demand category with its default lead unit and its SLA policy (limits in working time)."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    hint = models.CharField(_("plain-language hint"), max_length=200, blank=True)
    default_lead_unit = models.ForeignKey(
        Unit, verbose_name=_("default lead unit"), null=True, blank=True, on_delete=models.SET_NULL
    )
    triage_hours = models.DecimalField(_("triage limit (working hours)"), max_digits=5, decimal_places=2, default=1)
    first_response_hours = models.DecimalField(
        _("first contact limit (working hours)"), max_digits=5, decimal_places=2, default=1
    )
    interim_reply_days = models.DecimalField(
        _("interim reply limit (working days)"), max_digits=5, decimal_places=2, default=3
    )
    resolution_days = models.DecimalField(
        _("resolution limit (working days)"), max_digits=5, decimal_places=2, default=5
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("demand category")
        verbose_name_plural = _("demand categories")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                name="category_limits_positive",
                condition=models.Q(triage_hours__gt=0)
                & models.Q(first_response_hours__gt=0)
                & models.Q(interim_reply_days__gt=0)
                & models.Q(resolution_days__gt=0),
            )
        ]

    def __str__(self) -> str:
        return self.name
