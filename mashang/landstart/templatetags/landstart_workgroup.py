"""The board's work-group panel (``{% load landstart_workgroup %}{% run_work_group_panel run %}``):
outside the board's live part, so that htmx's polling never replaces a form being filled in."""

from __future__ import annotations

from django import template

from mashang.landstart.views.workgroup import work_group_panel

register = template.Library()


@register.inclusion_tag("landstart/_work_group.html", takes_context=True)
def run_work_group_panel(context, run) -> dict:
    """Which chat group follows the run, and the service team's form to choose it."""
    request = context["request"]
    failure = context.get("work_group_failure")
    panel = work_group_panel(
        user=request.user, run=run, failure=failure, posted=context.get("work_group_posted")
    )
    panel["csrf_token"] = context.get("csrf_token")
    return panel
