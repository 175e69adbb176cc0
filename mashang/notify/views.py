"""The inbox page: a person's messages grouped by what they are about (a demand), the thread
with the newest message first; one thread's messages; and "My notification settings"."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mashang.core.errors import ApplicationError
from mashang.core.views import or_404, page_raise
from mashang.notify.forms import PreferenceForm
from mashang.notify.preferences import notification_preferences_set
from mashang.notify.selectors import (
    inbox_list,
    inbox_threads,
    inbox_unread_count,
    preference_of,
    robots_of_head,
)
from mashang.notify.services import inbox_mark_all_read, inbox_mark_read

PAGE_SIZE = 20
MSG_SAVED = _("Your notification settings are saved.")


@require_GET
@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    """The threads (``?topic=`` one thread's messages, newest first); ``?unread=1`` the unread."""
    unread_only = request.GET.get("unread") == "1"
    topic = request.GET.get("topic", "")[:60]
    if topic:
        rows = inbox_list(actor=request.user, unread_only=unread_only, topic=topic)
    else:
        rows = inbox_threads(actor=request.user, unread_only=unread_only)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = urlencode([(k, v) for k, v in (("unread", "1" if unread_only else ""), ("topic", topic)) if v])
    return render(
        request,
        "notify/inbox.html",
        {
            "page": page,
            "unread": inbox_unread_count(actor=request.user),
            "unread_only": unread_only,
            "topic": topic,
            "query": query,
        },
    )


@require_POST
@login_required
def read(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Mark a message read (with the rest of its thread), then open its link (a path inside
    mashang) or go back to the inbox."""
    item = or_404(inbox_mark_read, actor=request.user, notification_id=notification_id)
    if request.POST.get("open") and item.link.startswith("/") and url_has_allowed_host_and_scheme(
        item.link, allowed_hosts={request.get_host()}
    ):
        return redirect(item.link)
    return redirect("notify:inbox")


@require_POST
@login_required
def read_all(request: HttpRequest) -> HttpResponse:
    inbox_mark_all_read(actor=request.user)
    return redirect("notify:inbox")


@require_http_methods(["GET", "POST"])
@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    """My notification settings: e-mail on or off; a unit's head also chooses which of the unit's
    work groups receive messages."""
    robots = robots_of_head(actor=request.user)
    current = preference_of(actor=request.user)
    initial = {"email": current.email, "robots": [r.pk for r in robots if r.receives_messages]}
    form = PreferenceForm(request.POST if request.method == "POST" else None, initial=initial, robots=robots)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                notification_preferences_set(
                    actor=request.user,
                    email=form.cleaned_data["email"],
                    robots_on=form.cleaned_data["robots"] if robots else None,
                )
            except ApplicationError as exc:
                page_raise(exc)
                form.add_error(None, exc.message)
                status = exc.status_code
            else:
                messages.success(request, MSG_SAVED)
                return redirect("notify:preferences")
        else:
            status = 422
    return render(request, "notify/preferences.html", {"form": form}, status=status)
