"""Supervision's part of other apps' pages: ``{% load supervision %}``.

``{% bulk_notice_form %}`` is the supervisor's form on the watch list that issues a notice to
each overdue demand ticked there (the rows' checkboxes name the form ``bulk-notice``).

``{% demand_notices demand %}`` shows a demand's supervision notices, with the manual notice
form for supervisors, on the demand's page; the demands app draws the page and knows nothing of
supervision but this tag's name.
"""

from __future__ import annotations

from django import template

from mashang.supervision.permissions import can_issue
from mashang.supervision.views import BulkIssueForm, notices_context

register = template.Library()


@register.inclusion_tag("supervision/_demand_notices.html", takes_context=True)
def demand_notices(context: template.Context, demand) -> dict:
    request = context["request"]
    return {"request": request, "csrf_token": context.get("csrf_token"), **notices_context(request, demand)}


@register.inclusion_tag("supervision/_bulk_notice_form.html", takes_context=True)
def bulk_notice_form(context: template.Context) -> dict:
    request = context["request"]
    return {
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "form": BulkIssueForm(auto_id="id_bulk_notice_%s") if can_issue(request.user) else None,
    }
