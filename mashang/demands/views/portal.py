"""The enterprise portal (phone first): my demands, and filing a new one with its files."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from mashang.core.errors import ApplicationError
from mashang.core.uploads import held_files, held_get, held_release
from mashang.core.views import form_errors_add
from mashang.demands.forms import DemandForm
from mashang.demands.models import Channel
from mashang.demands.selectors import demand_list
from mashang.demands.services import demand_submit
from mashang.demands.services.attachments import SUBMIT_STEP, demand_attach
from mashang.demands.views.files import files_keep
from mashang.org.models import Category, User

PAGE_SIZE = 20
MSG_FILED = _("Your demand {number} was filed. The service team will take it up shortly.")
MSG_ENTERPRISE_ONLY = _("This page is for enterprise contacts.")
SORTS = {"due": _("Nearest deadline first"), "new": _("Newest first")}


def _enterprise_only(request: HttpRequest) -> None:
    user = request.user
    if user.role != User.Role.ENTERPRISE or user.enterprise_id is None:
        raise PermissionDenied(MSG_ENTERPRISE_ONLY)


@require_GET
@login_required
def my_demands(request: HttpRequest) -> HttpResponse:
    _enterprise_only(request)
    sort = request.GET.get("sort", "due")
    if sort not in SORTS:
        sort = "due"
    qs = demand_list(actor=request.user)
    if sort == "new":
        qs = qs.order_by("-submitted_at", "-id")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "demands/my.html",
        {"page": page, "sort": sort, "sorts": list(SORTS.items())},
    )


@require_http_methods(["GET", "POST"])
@login_required
def new_demand(request: HttpRequest) -> HttpResponse:
    user = request.user
    if user.role != User.Role.ENTERPRISE:
        # Staff register a demand on an enterprise's behalf (the page says who may).
        return redirect("demands:intake")
    _enterprise_only(request)
    if request.method == "POST":
        form = DemandForm(request.POST, request.FILES, label_suffix="")
        if form.is_valid():
            data = form.cleaned_data
            new, held_ids = form.files_pop()
            held = held_get(actor=user, ids=held_ids)
            try:
                # One transaction: a refused file files nothing.
                with transaction.atomic():
                    demand = demand_submit(
                        actor=user,
                        title=data["title"],
                        description=data["description"],
                        channel=Channel.WEB,
                        category_code=data["category"] or None,
                        contact_name=data["contact_name"],
                        contact_phone=data["contact_phone"],
                    )
                    demand_attach(
                        actor=user,
                        demand_id=demand.pk,
                        files=[*new, *held_files(held)],
                        step=SUBMIT_STEP,
                    )
                    held_release(held)
            except ApplicationError as exc:
                form_errors_add(form, exc)
                if not exc.fields:
                    form.add_error(None, exc.message)
            else:
                messages.success(request, str(MSG_FILED).format(number=demand.number))
                return redirect("demands:detail", demand_id=demand.pk)
        # The files chosen are kept for the next try: a browser cannot refill a file input.
        files_keep(request, form)
        status = 422
    else:
        form = DemandForm(
            initial={"contact_name": user.display_name, "contact_phone": user.phone},
            label_suffix="",
        )
        status = 200
    categories = {c.code: c for c in Category.objects.filter(is_active=True)}
    cards = [(radio, categories.get(radio.data["value"])) for radio in form["category"]]
    return render(request, "demands/new.html", {"form": form, "cards": cards}, status=status)
