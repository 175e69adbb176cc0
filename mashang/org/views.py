"""The account pages: change the password, set up and use the second factor."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from mashang.core.errors import ApplicationError
from mashang.org.forms import CodeForm
from mashang.org.passwords import expired_message, password_expired
from mashang.org.second_factor import (
    backup_codes_renew,
    second_factor_enrolled,
    second_factor_remove,
    second_factor_required,
    second_factor_verify,
    totp_confirm,
    totp_pending,
    totp_qr_data_uri,
    totp_secret_text,
)

MSG_PASSWORD_CHANGED = _("Your password has been changed.")
MSG_SECOND_FACTOR_ON = _("Your second factor is set up: keep the backup codes somewhere safe.")
MSG_SECOND_FACTOR_OFF = _("Your second factor has been removed.")


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return ""
    return target


@login_required
@require_http_methods(["GET", "POST"])
def password_change(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        update_session_auth_hash(request, user)
        messages.success(request, MSG_PASSWORD_CHANGED)
        return redirect(_next(request) or resolve_url(settings.LOGIN_REDIRECT_URL))
    context = {
        "form": form,
        "next": _next(request),
        "expired": expired_message(request.user) if password_expired(request.user) else "",
    }
    return render(request, "org/password_change.html", context, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def second_factor_enrol(request: HttpRequest) -> HttpResponse:
    """Set up the authenticator app (QR code and secret, then a code from it); once set up:
    new backup codes, or remove it."""
    user = request.user
    enrolled = second_factor_enrolled(user)
    if enrolled and not user.is_verified():
        return redirect("org:second_factor_verify")
    action = request.POST.get("action", "") if request.method == "POST" else ""
    if enrolled:
        if action == "backup":
            codes = backup_codes_renew(user=user)
            return render(request, "org/second_factor_codes.html", {"codes": codes, "next": ""})
        if action == "remove":
            second_factor_remove(user=user)
            messages.success(request, MSG_SECOND_FACTOR_OFF)
            return redirect("org:second_factor_enrol")
        return render(
            request,
            "org/second_factor.html",
            {"enrolled": True, "required": second_factor_required(user)},
        )
    form = CodeForm(request.POST or None)
    error, status = "", 200
    if action == "confirm" and form.is_valid():
        try:
            codes = totp_confirm(
                request=request, device=totp_pending(user=user), code=form.cleaned_data["otp"]
            )
        except ApplicationError as exc:
            error, status = exc.message, exc.status_code
        else:
            messages.success(request, MSG_SECOND_FACTOR_ON)
            return render(
                request, "org/second_factor_codes.html", {"codes": codes, "next": _next(request)}
            )
    elif request.method == "POST":
        status = 400
    device = totp_pending(user=user)
    context = {
        "enrolled": False,
        "required": second_factor_required(user),
        "form": form,
        "error": error,
        "qr": totp_qr_data_uri(device),
        "secret": totp_secret_text(device),
        "next": _next(request),
    }
    return render(request, "org/second_factor.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def second_factor_verify_page(request: HttpRequest) -> HttpResponse:
    """Ask for the code of the second factor (after the password)."""
    if not second_factor_enrolled(request.user):
        return redirect("org:second_factor_enrol")
    form = CodeForm(request.POST or None)
    error, status = "", 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                second_factor_verify(request=request, code=form.cleaned_data["otp"])
            except ApplicationError as exc:
                error, status = exc.message, exc.status_code
            else:
                return redirect(_next(request) or resolve_url(settings.LOGIN_REDIRECT_URL))
    context = {"form": form, "error": error, "next": _next(request)}
    return render(request, "org/second_factor_verify.html", context, status=status)
