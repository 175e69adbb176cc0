"""The second factor (等保 2.0): a TOTP app (django-otp), with one-time backup codes.

Every member of staff may enrol; administrators must (``MASHANG_ADMIN_OTP_REQUIRED``): the
admin, security-admin and audit-admin roles, superusers and anyone who can open the Django
admin. A wrong code is counted on the device and the next one waits 1, 2, 4, 8 … seconds
(django-otp's throttling), so codes cannot be guessed in bulk.
"""

from __future__ import annotations

from base64 import b32encode

import segno
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp import devices_for_user, user_has_device
from django_otp import login as otp_login
from django_otp.models import VerifyNotAllowed
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from mashang.core.errors import ApplicationError, PermissionDenied, ValidationFailed

ADMIN_ROLES = frozenset({"admin", "security_admin", "audit_admin"})
BACKUP_CODES = 10
DEVICE_NAME = "mashang"

MSG_WRONG_CODE = _("That code is not right; look at the app again and type the six digits.")
MSG_CODE_REQUIRED = _("Type the six-digit code your authenticator app shows.")
MSG_WAIT = _("Too many wrong codes: wait {seconds} seconds, then try again.")
MSG_ALREADY_ENROLLED = _("You already have a second factor; sign in with it to replace it.")
MSG_API_OTP_REQUIRED = _(
    "Administrators need the code of their authenticator app too: send it as otp."
)
MSG_API_ENROL_FIRST = _(
    "Administrators need a second factor: set it up on the web page (/account/second-factor/) first."
)


class SecondFactorThrottled(ApplicationError):
    status_code = 429


def is_administrator(user) -> bool:
    return bool(
        user.is_authenticated
        and (user.is_superuser or user.is_staff or getattr(user, "role", None) in ADMIN_ROLES)
    )


def second_factor_required(user) -> bool:
    return settings.MASHANG_ADMIN_OTP_REQUIRED and is_administrator(user)


def second_factor_enrolled(user) -> bool:
    return user_has_device(user, confirmed=True)


def totp_pending(*, user) -> TOTPDevice:
    """The person's unconfirmed TOTP device (made on first call): its secret is shown until a
    code from it is confirmed. Refused when a confirmed one exists (it is replaced only after
    signing in with it and removing it)."""
    if second_factor_enrolled(user):
        raise PermissionDenied(str(MSG_ALREADY_ENROLLED))
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def totp_qr_data_uri(device: TOTPDevice) -> str:
    """The otpauth:// address as a QR code, an SVG made here (nothing leaves the server)."""
    return segno.make(device.config_url, error="m").svg_data_uri(scale=4, border=2)


def totp_secret_text(device: TOTPDevice) -> str:
    """The secret in base 32, in groups of four, for typing into an app by hand."""
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def _throttled(device) -> None:
    allowed, data = device.verify_is_allowed()
    if allowed or not data or data.get("reason") != VerifyNotAllowed.N_FAILED_ATTEMPTS:
        return
    seconds = max(1, int((data["locked_until"] - timezone.now()).total_seconds() + 0.999))
    raise SecondFactorThrottled(str(MSG_WAIT).format(seconds=seconds), fields={"otp": []})


def _clean(code: str) -> str:
    code = "".join((code or "").split()).lower()
    if not code:
        raise ValidationFailed(str(MSG_CODE_REQUIRED), fields={"otp": [str(MSG_CODE_REQUIRED)]})
    return code[:16]


def totp_confirm(*, request, device: TOTPDevice, code: str) -> list[str]:
    """Confirm the pending device with a code from it, sign the session in with it, and give
    the backup codes (shown once). A wrong code is counted (django-otp's throttling)."""
    code = _clean(code)
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=request.user)
        _throttled(device)
        # The failure is counted on the device: committed, not rolled back by the refusal.
        verified = device.verify_token(code)
        if verified:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            TOTPDevice.objects.filter(user=request.user, confirmed=False).delete()
            codes = backup_codes_renew(user=request.user)
    if not verified:
        raise ValidationFailed(str(MSG_WRONG_CODE), fields={"otp": [str(MSG_WRONG_CODE)]})
    otp_login(request, device)
    return codes


def backup_codes_renew(*, user) -> list[str]:
    """New one-time backup codes (the old ones stop working); returned once, stored as given."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    return codes


def second_factor_check(*, user, code: str):
    """The confirmed device of ``user`` that accepts ``code`` (the app's code or a backup code),
    or an error: wrong (counted) or too soon after wrong ones."""
    code = _clean(code)
    with transaction.atomic():
        # The app's code is six digits, a backup code eight letters and digits: each is tried on
        # its own kind of device only, so a wrong one is counted there and nowhere else.
        kind = TOTPDevice if code.isdigit() and len(code) in (6, 8) else StaticDevice
        devices = [
            d for d in devices_for_user(user, confirmed=True, for_verify=True) if isinstance(d, kind)
        ]
        for device in devices:
            _throttled(device)
        for device in devices:
            if device.verify_token(code):
                return device
    raise ValidationFailed(str(MSG_WRONG_CODE), fields={"otp": [str(MSG_WRONG_CODE)]})


def second_factor_verify(*, request, code: str) -> None:
    """Check ``code`` and mark the session as signed in with the second factor."""
    device = second_factor_check(user=request.user, code=code)
    otp_login(request, device)


def second_factor_remove(*, user) -> None:
    """Remove the person's devices (they enrol again; for an administrator, at once)."""
    for model in (TOTPDevice, StaticDevice):
        model.objects.filter(user=user).delete()
