"""Land start on the pages of the apps below it, which cannot import it: a project's board link
and a unit's steps on its queue (``{% load landstart %}``)."""

from __future__ import annotations

from django import template
from django.utils import timezone

from mashang.landstart.models import OPEN_RUN_STATES
from mashang.landstart.selectors.batches import unit_next_steps
from mashang.landstart.selectors.commitments import is_overdue, project_commitments, state_label
from mashang.landstart.selectors.runs import (
    project_listing_failure,
    project_run,
    unit_steps,
)

register = template.Library()

STEPS_SHOWN = 10


@register.inclusion_tag("landstart/_project_run_link.html", takes_context=True)
def project_landstart_run(context, project) -> dict:
    """A link to the project's land-start board, when it has a run the viewer may see."""
    user = context["request"].user
    run = project_run(actor=user, project_id=project.pk)
    failure = None
    if run is None or run.state not in OPEN_RUN_STATES:
        failure = project_listing_failure(actor=user, project=project)
    return {"run": run, "not_opened": failure}


@register.inclusion_tag("landstart/_unit_steps.html", takes_context=True)
def unit_landstart_steps(context) -> dict:
    """The unit's land-start steps waiting on it now, and those that come next."""
    user = context["request"].user
    active = list(unit_steps(actor=user)[: STEPS_SHOWN + 1])
    return {
        "active": active[:STEPS_SHOWN],
        "more": len(active) > STEPS_SHOWN,
        "upcoming": unit_next_steps(actor=user, limit=STEPS_SHOWN),
    }


@register.inclusion_tag("landstart/_project_commitments.html", takes_context=True)
def project_landstart_commitments(context, project) -> dict:
    """The project's commitments (documents promised in place of missing papers), open and
    fulfilled, on the runs the viewer may see; nothing when it has none."""
    user = context["request"].user
    now = timezone.now()
    return {
        "commitments": [
            {"c": c, "overdue": is_overdue(c, now), "state": state_label(c.state)}
            for c in project_commitments(actor=user, project_id=project.pk)
        ]
    }
