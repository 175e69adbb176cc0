"""Every write to an investment project: plain keyword functions with a required actor and an optional ``at``.

Each owns its transaction (they nest), writes one event on the project and bumps its version.
"""

from mashang.projects.services.blockers import project_blocker_raise
from mashang.projects.services.create import project_create, project_number_next
from mashang.projects.services.land import project_land_event, project_review_decide
from mashang.projects.services.lifecycle import (
    funds_record,
    milestone_plan,
    project_transition,
    project_update,
)

__all__ = [
    "funds_record",
    "milestone_plan",
    "project_blocker_raise",
    "project_create",
    "project_land_event",
    "project_number_next",
    "project_review_decide",
    "project_transition",
    "project_update",
]
