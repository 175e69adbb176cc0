"""What the projects app tells the apps above it, which it cannot import.

``project_listed`` is sent when a project reaches the stage "listed" by any path (the pipeline
action, a resume to the listed stage, a land-supply review's approval, a project created or
imported at that stage), inside the transaction of that change, after the project's row and
event are written. The land-start app receives it and opens the project's run in the same
transaction (:mod:`mashang.landstart.services.listing`). A receiver must not let the listing
be lost: it handles its own failures.

Keyword arguments: ``project`` (the saved Project, locked), ``actor`` (who listed it; None for
the system), ``at`` (the moment of the change), ``listing_closes_on`` (the date the listing
closes, as the person listing gave it, or None).
"""

from __future__ import annotations

from datetime import date, datetime

from django.dispatch import Signal

from mashang.org.models import User
from mashang.projects.models import Project, Stage

project_listed = Signal()


def listed_announce(
    project: Project,
    *,
    actor: User | None,
    at: datetime,
    from_stage: str = "",
    listing_closes_on: date | None = None,
) -> None:
    """Send :data:`project_listed` if ``project`` is now listed and was not before."""
    if project.stage != Stage.LISTED or from_stage == Stage.LISTED:
        return
    project_listed.send(
        sender=Project, project=project, actor=actor, at=at, listing_closes_on=listing_closes_on
    )
