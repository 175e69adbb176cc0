"""Every listed plot gets its bundle without anyone applying (免审即享).

When a project reaches "listed" by any path, the projects app sends
:data:`mashang.projects.signals.project_listed` inside that change's transaction; this module's
receiver (connected in :class:`mashang.landstart.apps.LandstartConfig`) opens the project's run
in the same transaction: from the template that opens by itself for the project's type, else
the default bundle; opened by the person who listed the land (the project's service officer
when the system listed it), ``opened_automatically``, with the listing's close as every
pre-review's deadline.

A project that already has an open run keeps it: nothing happens. The listing is never lost
for the run's sake: when the run cannot open (no template and the default bundle's units
missing, say), the listing stands and the project's timeline says why
(an event :data:`NOT_OPENED` with the reason, subject :data:`LISTING_SUBJECT` and the project's
id, shown to the service team on the project's page); the service team opens the run by hand
once it is fixed.
"""

from __future__ import annotations

import logging
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from mashang.audit.services import event_record
from mashang.core.errors import ApplicationError
from mashang.landstart.models import OPEN_RUN_STATES, Run
from mashang.landstart.services.prereview import listing_closes_on_day
from mashang.landstart.services.runs import landstart_open
from mashang.org.models import User
from mashang.projects.models import Project

logger = logging.getLogger(__name__)

#: The event (about the project) when its run could not open by itself.
NOT_OPENED = "not_opened"
LISTING_SUBJECT = "landstart.listing"

MSG_NO_OPENER = _("No one is named to open the land-start run: the project has no service officer.")


def listing_run_open(
    *,
    project: Project,
    actor: User | None,
    at: datetime,
    listing_closes_on: date | None = None,
) -> Run | None:
    """Open the run of a project whose land was just listed, unless it has an open one.

    Returns the run, or None when the project already had an open run or the run could not
    open (then an event says why)."""
    if Run.objects.filter(project_id=project.pk, state__in=OPEN_RUN_STATES).exists():
        return None
    opener = actor if actor is not None else project.service_officer
    reason = ""
    if opener is None:
        reason = str(MSG_NO_OPENER)
    else:
        closes = listing_closes_on_day(listing_closes_on) if listing_closes_on else None
        try:
            with transaction.atomic():
                return landstart_open(
                    actor=opener,
                    project_id=project.pk,
                    template_code=None,
                    at=at,
                    automatically=True,
                    listing_closes_at=closes,
                )
        except ApplicationError as exc:
            details = [m for msgs in exc.fields.values() for m in msgs if m != exc.message]
            reason = "；".join([exc.message, *details])
    logger.warning("land-start run of project %s not opened: %s", project.pk, reason)
    event_record(
        subject_type=LISTING_SUBJECT,
        subject_id=project.pk,
        action=NOT_OPENED,
        actor=actor,
        at=at,
        from_state=project.stage,
        to_state=project.stage,
        reason=reason[:2000],
    )
    return None


def project_listed_receive(
    sender: Any,
    *,
    project: Project,
    actor: User | None,
    at: datetime,
    listing_closes_on: date | None = None,
    **kwargs: Any,
) -> None:
    """The receiver of :data:`mashang.projects.signals.project_listed`."""
    listing_run_open(project=project, actor=actor, at=at, listing_closes_on=listing_closes_on)
