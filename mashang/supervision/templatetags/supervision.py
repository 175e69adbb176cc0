"""Supervision's part of other apps' pages: ``{% load supervision %}``.

``{% demand_notices demand %}`` shows a demand's supervision notices, with the manual notice
form for supervisors, on the demand's page; the demands app draws the page and knows nothing of
supervision but this tag's name.
"""

from __future__ import annotations

from django import template

from mashang.supervision.views import notices_context

register = template.Library()


@register.inclusion_tag("supervision/_demand_notices.html", takes_context=True)
def demand_notices(context: template.Context, demand) -> dict:
    request = context["request"]
    return {"request": request, "csrf_token": context.get("csrf_token"), **notices_context(request, demand)}
