"""The password policy (等保 2.0): what a new password must be, and when an old one expires.

Django's validators (``AUTH_PASSWORD_VALIDATORS`` in config/settings) check the length (8),
the similarity to the person's name and common passwords; ``CharacterClassesValidator`` below
asks for at least three kinds of character. The same rules apply to everyone, enterprise
contacts included (an enterprise's account holds its demands and projects); only the forced
change after ``MASHANG_PASSWORD_MAX_DAYS`` is for the zone's staff — a contact's password does
not expire (``MASHANG_CONTACT_PASSWORD_MAX_DAYS``, 0 by default).
"""

from __future__ import annotations

import string
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MSG_TOO_FEW_CLASSES = _(
    "The password must mix at least {count} kinds of character: lower-case letters, "
    "upper-case letters, digits and symbols."
)
MSG_HELP_CLASSES = _(
    "Mix at least {count} kinds of character: lower-case letters, upper-case letters, "
    "digits and symbols."
)
MSG_TOO_SHORT = _("The password is too short: at least {count} characters.")
MSG_HELP_LENGTH = _("At least {count} characters.")
MSG_EXPIRED = _("Your password is older than {days} days: choose a new one to go on.")
MSG_EXPIRED_API = _(
    "Your password has expired: change it on the web page (/account/password/) first."
)

CLASSES = {
    "lower": set(string.ascii_lowercase),
    "upper": set(string.ascii_uppercase),
    "digit": set(string.digits),
}


def character_classes(password: str) -> set[str]:
    """The kinds of character in ``password``: lower, upper, digit, symbol (anything else,
    a space or a Chinese character included)."""
    found = set()
    for char in password:
        for name, chars in CLASSES.items():
            if char in chars:
                found.add(name)
                break
        else:
            found.add("symbol")
    return found


class CharacterClassesValidator:
    """At least ``min_classes`` of: lower-case letters, upper-case letters, digits, symbols."""

    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def validate(self, password: str, user=None) -> None:
        if len(character_classes(password)) < self.min_classes:
            raise ValidationError(
                str(MSG_TOO_FEW_CLASSES).format(count=self.min_classes),
                code="password_too_few_classes",
            )

    def get_help_text(self) -> str:
        return str(MSG_HELP_CLASSES).format(count=self.min_classes)


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's length rule in words of ours (Django's own Chinese lags behind its message)."""

    def get_error_message(self) -> str:
        return str(MSG_TOO_SHORT).format(count=self.min_length)

    def get_help_text(self) -> str:
        return str(MSG_HELP_LENGTH).format(count=self.min_length)


def password_max_days(user) -> int:
    """Days a password of ``user`` stays valid; 0: it never expires."""
    if getattr(user, "role", None) == "enterprise" and not user.is_superuser:
        return settings.MASHANG_CONTACT_PASSWORD_MAX_DAYS
    return settings.MASHANG_PASSWORD_MAX_DAYS


def password_expires_at(user) -> datetime | None:
    days = password_max_days(user)
    if days <= 0 or not user.has_usable_password():
        return None
    # A person created before the policy (or by createsuperuser) counts from the day they joined.
    since = user.password_changed_at or user.date_joined
    return since + timedelta(days=days)


def password_expired(user, *, at: datetime | None = None) -> bool:
    expires = password_expires_at(user)
    return expires is not None and (at or timezone.now()) >= expires


def expired_message(user) -> str:
    days = password_max_days(user)
    return str(MSG_EXPIRED).format(days=days)
