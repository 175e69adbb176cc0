"""The inbox page: a person's messages, newest first, unread ones marked."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from mashang.core.views import or_404
from mashang.notify.selectors import inbox_list, inbox_unread_count
from mashang.notify.services import inbox_mark_all_read, inbox_mark_read

PAGE_SIZE = 20


@require_GET
@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    unread_only = request.GET.get("unread") == "1"
    page = Paginator(inbox_list(actor=request.user, unread_only=unread_only), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "notify/inbox.html",
        {"page": page, "unread": inbox_unread_count(actor=request.user), "unread_only": unread_only},
    )


@require_POST
@login_required
def read(request: HttpRequest, notification_id: int) -> HttpResponse:
    """Mark a message read, then open its link (a path inside mashang) or go back to the inbox."""
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
