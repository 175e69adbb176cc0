"""All demands the actor may see, found by a piece of text and filtered, and that list as an
Excel workbook. Thin: the form checks the shape, ``selectors.search`` reads."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from mashang.demands.models import Channel, Status
from mashang.demands.selectors.search import (
    COUNT_CAP,
    MAX_QUERY,
    MIN_TEXT_PIECE,
    SearchFilters,
    demand_search,
    normalize_query,
    search_page,
)
from mashang.org.models import Category, Unit, User

PAGE_SIZE = 25
#: The most rows an export holds (a note in the workbook says when the list had more).
EXPORT_CAP = 50_000

MSG_DATES_ORDER = _("The end date cannot be before the start date.")
MSG_BAD_FILTER = _("Check the filter.")

_DATE = {"type": "date"}


class DemandSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        help_text=_(
            "A number, a 12345 order number, a piece of the title, the description, the "
            "enterprise's name, a credit code, or the contact's name or phone."
        ),
        widget=forms.TextInput(attrs={"type": "search", "maxlength": MAX_QUERY}),
    )
    unit = forms.ChoiceField(label=_("Unit"), required=False)
    lead_only = forms.BooleanField(label=_("As lead unit only"), required=False)
    category = forms.ChoiceField(label=_("Category"), required=False)
    status = forms.ChoiceField(label=_("Status"), required=False)
    channel = forms.ChoiceField(label=_("Channel"), required=False)
    submitted_from = forms.DateField(
        label=_("Submitted from"), required=False, widget=forms.DateInput(_DATE, format="%Y-%m-%d")
    )
    submitted_to = forms.DateField(
        label=_("Submitted to"), required=False, widget=forms.DateInput(_DATE, format="%Y-%m-%d")
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        any_ = ("", _("Any"))
        self.fields["unit"].choices = [
            ("", _("All units")),
            *Unit.objects.filter(is_active=True).order_by("name").values_list("code", "name"),
        ]
        self.fields["category"].choices = [
            any_,
            *Category.objects.filter(is_active=True).order_by("code").values_list("code", "name"),
        ]
        self.fields["status"].choices = [any_, *Status.choices]
        self.fields["channel"].choices = [any_, *Channel.choices]

    def clean(self):
        data = super().clean()
        start, end = data.get("submitted_from"), data.get("submitted_to")
        if start and end and end < start:
            self.add_error("submitted_to", MSG_DATES_ORDER)
        return data

    def query(self) -> str:
        return normalize_query(self.cleaned_data.get("q", "")) if self.is_valid() else ""

    def filters(self) -> SearchFilters:
        if not self.is_valid():
            return SearchFilters()
        d = self.cleaned_data
        return SearchFilters(
            unit=d["unit"] or None,
            lead_only=bool(d["lead_only"]),
            category=d["category"] or None,
            status=d["status"] or None,
            channel=d["channel"] or None,
            submitted_from=d["submitted_from"],
            submitted_to=d["submitted_to"],
            overdue=bool(d["overdue"]),
        )


def _query_without_page(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def _page_number(request: HttpRequest) -> int:
    try:
        return max(1, min(int(request.GET.get("page", "1")), 100_000))
    except ValueError:
        return 1


@require_GET
@login_required
def all_demands(request: HttpRequest) -> HttpResponse:
    """Everything the actor may see, found by a piece of text and filtered, newest first."""
    user = request.user
    if user.role == User.Role.ENTERPRISE:
        return redirect("demands:my")
    form = DemandSearchForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return render(
            request,
            "demands/all.html",
            {"form": form, "page": None, "error": MSG_BAD_FILTER},
            status=422,
        )
    q = form.query()
    qs = demand_search(actor=user, q=q, filters=form.filters())
    page = search_page(qs, page=_page_number(request), page_size=PAGE_SIZE)
    return render(
        request,
        "demands/all.html",
        {
            "form": form,
            "page": page,
            "q": q,
            "count_cap": COUNT_CAP,
            "short_query": 0 < len(q) < MIN_TEXT_PIECE,
            "query": _query_without_page(request),
        },
    )
