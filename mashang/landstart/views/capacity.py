"""The units' capacities for land start: each unit that has land-start steps, the people it has
on duty and the steps it works at once — editable by administrators, the service team and
each unit's head for its own unit. The batch plan schedules by these."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from mashang.core.bounds import BoundedDateTimeField
from mashang.core.errors import ApplicationError
from mashang.core.views import form_errors_add, is_stale, or_404, page_raise
from mashang.landstart.selectors.plan import CapacityRow, capacity_list
from mashang.landstart.services.capacity import MOST, unit_capacity_set
from mashang.landstart.views.common import MSG_CHECK_FIELDS

MSG_SAVED = _("Saved: {unit} has {people} on duty and works {steps} steps at once.")
MSG_NO_UNIT = _("No such unit.")


class CapacityForm(forms.Form):
    people_on_duty = forms.IntegerField(label=_("People on duty"), min_value=1, max_value=MOST)
    steps_at_once = forms.IntegerField(
        label=_("Steps at once"),
        min_value=1,
        max_value=MOST,
        required=False,
        help_text=_("Empty: as many as the people on duty."),
    )
    seen = BoundedDateTimeField(required=False, widget=forms.HiddenInput)


def _form(row: CapacityRow, data=None) -> CapacityForm:
    people = row.people_on_duty or 1
    initial = {
        "people_on_duty": people,
        "steps_at_once": row.steps_at_once if row.steps_at_once != people else None,
        "seen": row.updated_at.isoformat() if row.updated_at else "",
    }
    return CapacityForm(data=data, prefix=f"u{row.unit.pk}", initial=initial)


@require_http_methods(["GET", "POST"])
@login_required
def capacity_page(request: HttpRequest) -> HttpResponse:
    rows = or_404(capacity_list, actor=request.user)
    failed: dict[int, tuple[CapacityForm, str, bool]] = {}
    status = 200
    if request.method == "POST":
        try:
            unit_id = int(request.POST.get("unit", ""))
        except ValueError:
            raise Http404(str(MSG_NO_UNIT)) from None
        row = next((r for r in rows if r.unit.pk == unit_id), None)
        if row is None:
            raise Http404(str(MSG_NO_UNIT))
        form = _form(row, data=request.POST)
        message, stale = str(MSG_CHECK_FIELDS), False
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            try:
                capacity = unit_capacity_set(
                    actor=request.user,
                    unit_id=unit_id,
                    people_on_duty=data["people_on_duty"],
                    steps_at_once=data.get("steps_at_once"),
                    seen_updated_at=data.get("seen"),
                )
            except ApplicationError as exc:
                page_raise(exc, forbidden=True)
                form_errors_add(form, exc)
                message, stale, status = exc.message, is_stale(exc), exc.status_code
            else:
                messages.success(
                    request,
                    str(MSG_SAVED).format(
                        unit=row.unit.name,
                        people=capacity.people_on_duty,
                        steps=capacity.steps_at_once,
                    ),
                )
                return redirect("landstart:capacity")
        failed[unit_id] = (form, message, stale)
    entries = []
    for row in rows:
        form, message, stale = failed.get(row.unit.pk, (None, "", False))
        entries.append(
            {
                "row": row,
                "form": form or (_form(row) if row.can_edit else None),
                "message": message,
                "stale": stale,
            }
        )
    return render(
        request,
        "landstart/capacity.html",
        {"entries": entries, "can_edit_any": any(r.can_edit for r in rows)},
        status=status,
    )
