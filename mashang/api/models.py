"""API tokens (the record of requests made with an Idempotency-Key is in core)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ApiToken(models.Model):
    """A bearer token; only its SHA-256 is stored, the token itself is shown once. Its first
    characters (``prefix``) are kept in clear so that a person can tell their tokens apart."""

    class RevokedBecause(models.TextChoices):
        SIGNED_OUT = "signed_out", _("Signed out with the token")
        BY_OWNER = "by_owner", _("Revoked by its owner")
        BY_ADMIN = "by_admin", _("Revoked by an administrator")
        REFRESHED = "refreshed", _("Replaced by a refreshed token")
        PASSWORD_CHANGED = "password_changed", _("Password changed")
        DEACTIVATED = "deactivated", _("Account deactivated")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(_("prefix"), max_length=12, blank=True)
    label = models.CharField(_("client"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created at"))
    expires_at = models.DateTimeField(_("expires at"))
    # When the password was given: a refreshed token keeps it, and no refresh reaches beyond
    # MASHANG_API_TOKEN_MAX_DAYS after it.
    signed_in_at = models.DateTimeField(_("signed in at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_because = models.CharField(
        _("revoked because"), max_length=20, choices=RevokedBecause.choices, blank=True
    )
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        indexes = [models.Index(fields=["user", "revoked_at"], name="apitoken_user_live_idx")]

    def __str__(self) -> str:
        return f"{self.user} {self.prefix or '—'}… {self.created_at:%Y-%m-%d %H:%M}"
