"""Sign-in, sign-out and the front door that sends each role to its first page."""

from __future__ import annotations

from django.contrib.auth import authenticate, login, logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from mashang.org.signin import signin_locked, signin_refused_message
from mashang.web.navigation import home_url

MSG_BAD_CREDENTIALS = _("Wrong username or password.")


def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect("web:login")
    return redirect(home_url(request.user))


@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = ""
    context = {"next": next_url, "username": "", "error": ""}
    status = 200
    if request.method == "POST":
        username = request.POST.get("username", "")[:150]
        context["username"] = username
        # The throttle (django-axes, mashang.org.signin) answers inside authenticate: a locked-out
        # client is refused before its password is checked, and every failure is counted.
        user = authenticate(request, username=username, password=request.POST.get("password", ""))
        if user is None or not user.is_active:
            if signin_locked(request):
                context["error"] = signin_refused_message()
                status = 429
            else:
                context["error"] = MSG_BAD_CREDENTIALS
                status = 401
        else:
            login(request, user)  # forgets this username's failures from this address
            return redirect(next_url or home_url(user))
    return render(request, "web/login.html", context, status=status)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("web:login")
