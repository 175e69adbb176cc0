"""Land start on the pages of the apps below it, which cannot import it: a project's board link
and a unit's steps on its queue (``{% load landstart %}``)."""

from __future__ import annotations

from django import template

from mashang.landstart.selectors.runs import project_run, unit_steps, unit_upcoming_steps

register = template.Library()

STEPS_SHOWN = 10


@register.inclusion_tag("landstart/_project_run_link.html", takes_context=True)
def project_landstart_run(context, project) -> dict:
    """A link to the project's land-start board, when it has a run the viewer may see."""
    user = context["request"].user
    return {"run": project_run(actor=user, project_id=project.pk)}


@register.inclusion_tag("landstart/_unit_steps.html", takes_context=True)
def unit_landstart_steps(context) -> dict:
    """The unit's land-start steps waiting on it now, and those that come next."""
    user = context["request"].user
    active = list(unit_steps(actor=user)[: STEPS_SHOWN + 1])
    return {
        "active": active[:STEPS_SHOWN],
        "more": len(active) > STEPS_SHOWN,
        "upcoming": unit_upcoming_steps(actor=user, limit=STEPS_SHOWN),
    }
