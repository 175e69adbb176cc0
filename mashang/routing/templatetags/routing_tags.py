"""The routing panel a demand page shows beside triage and dispatch: the rule that decides the
demand, the classifier's suggestions, and the similar demands one may merge it into."""

from __future__ import annotations

from django import template

from mashang.routing.selectors import triage_advice

register = template.Library()


@register.inclusion_tag("routing/_panel.html", takes_context=True)
def routing_panel(context, demand):
    request = context.get("request")
    actor = getattr(request, "user", None)
    return {
        "request": request,
        # The similar demands' one-click merge posts a form.
        "csrf_token": context.get("csrf_token"),
        "demand": demand,
        **triage_advice(demand=demand, actor=actor),
    }


@register.filter
def unit_names(codes) -> list[str]:
    """The names of the units with these codes, in the codes' order (a code left as it is when
    no unit has it)."""
    from mashang.org.models import Unit

    codes = [c for c in (codes or []) if c]
    if not codes:
        return []
    names = dict(Unit.objects.filter(code__in=codes).values_list("code", "name"))
    return [names.get(c, c) for c in codes]
