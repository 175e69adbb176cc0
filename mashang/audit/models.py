"""The append-only event: who did what to which object, when, from which state to which, and why."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Event(models.Model):
    subject_type = models.CharField(_("subject type"), max_length=40)
    subject_id = models.BigIntegerField(_("subject id"))
    action = models.CharField(_("action"), max_length=40)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("time"))
    from_state = models.CharField(_("from"), max_length=40, blank=True)
    to_state = models.CharField(_("to"), max_length=40, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    payload = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        indexes = [models.Index(fields=["subject_type", "subject_id", "id"], name="event_subject_idx")]

    def __str__(self) -> str:
        return f"{self.subject_type}#{self.subject_id} {self.action}"


class SecurityEventQuerySet(models.QuerySet):
    """Rows of the security log are never changed or deleted through the ORM; only the retention
    job (``security_log_purge``) removes the rows older than the kept period."""

    def update(self, **kwargs):
        raise AppendOnlyError(_("Security events are append-only."))

    def delete(self):
        raise AppendOnlyError(_("Security events are append-only."))

    def _purge(self) -> int:
        return models.QuerySet.delete(self)[0]


class AppendOnlyError(Exception):
    """A change to a row of an append-only log was refused."""


class SecurityEvent(models.Model):
    """The security audit log (等保 2.0): who did what security-relevant thing, when, from which
    address, to which object, and whether it succeeded. Separate from the domain ``Event``."""

    class Kind(models.TextChoices):
        SIGN_IN = "sign_in", _("Sign-in")
        SIGN_IN_FAILED = "sign_in_failed", _("Failed sign-in")
        LOCKED_OUT = "locked_out", _("Locked out")
        SIGNED_OUT = "signed_out", _("Sign-out")
        TOKEN_ISSUED = "token_issued", _("Token issued")
        TOKEN_REVOKED = "token_revoked", _("Token revoked")
        PASSWORD_CHANGED = "password_changed", _("Password changed")
        ROLE_CHANGED = "role_changed", _("Role changed")
        PERMISSION_CHANGED = "permission_changed", _("Permissions changed")
        EXPORT = "export", _("Export")
        DOWNLOAD = "download", _("File download")
        ADMIN_CHANGE = "admin_change", _("Admin change")
        LOCK_RESET = "lock_reset", _("Lock-out cleared")
        SECOND_FACTOR_RESET = "second_factor_reset", _("Second factor reset")

    at = models.DateTimeField(_("time"), db_index=True)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    # Who, as they were at the time: the id stays when the account is renamed or removed.
    user_id = models.BigIntegerField(_("user id"), null=True, blank=True)
    username = models.CharField(_("username"), max_length=150, blank=True)
    address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    object_type = models.CharField(_("object type"), max_length=60, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    ok = models.BooleanField(_("succeeded"), default=True)
    detail = models.CharField(_("detail"), max_length=300, blank=True)

    objects = SecurityEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("security event")
        verbose_name_plural = _("security events")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["kind", "at"], name="securityevent_kind_idx"),
            models.Index(fields=["user_id", "at"], name="securityevent_user_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.kind} {self.username}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise AppendOnlyError(_("Security events are append-only."))
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(_("Security events are append-only."))
