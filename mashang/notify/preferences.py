"""How a person chooses to be told: the inbox always, e-mail on or off; and, for a unit's head,
whether each of the unit's work-group chat robots receives mashang's messages.

The fan-out reads both choices (:func:`mashang.notify.recipients.audiences_resolve`): a person
who turned e-mail off gets no e-mail row, a robot whose head turned it off gets no row.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mashang.audit.services import event_record
from mashang.core.errors import PermissionDenied
from mashang.notify.models import ChatRobot, NotificationPreference
from mashang.notify.selectors import robots_of_head
from mashang.org.models import User

MSG_NOT_YOUR_ROBOT = _("Only the head of its unit may choose what this work group receives.")


def notification_preferences_set(
    *,
    actor: User,
    email: bool,
    robots_on: Iterable[int] | None = None,
    at: datetime | None = None,
) -> NotificationPreference:
    """Save ``actor``'s choice of e-mail and, for a unit's head, which of the unit's chat robots
    receive messages (``robots_on``: their ids; the unit's other robots stop). ``None``: the
    robots stay as they are. A robot that is not of a unit ``actor`` heads is refused (403).
    Each robot switched records an event on the robot."""
    at = at or timezone.now()
    with transaction.atomic():
        preference, _created = NotificationPreference.objects.update_or_create(
            user=actor, defaults={"email": bool(email), "updated_at": at}
        )
        if robots_on is not None:
            wanted = set(robots_on)
            mine = {r.pk: r for r in robots_of_head(actor=actor)}
            if wanted - set(mine):
                raise PermissionDenied(MSG_NOT_YOUR_ROBOT)
            for robot in mine.values():
                on = robot.pk in wanted
                if robot.receives_messages == on:
                    continue
                ChatRobot.objects.filter(pk=robot.pk).update(receives_messages=on)
                event_record(
                    subject_type="chat_robot",
                    subject_id=robot.pk,
                    action="receive-messages" if on else "stop-messages",
                    actor=actor,
                    at=at,
                    from_state="on" if robot.receives_messages else "off",
                    to_state="on" if on else "off",
                    payload={"unit": robot.unit_id},
                )
    return preference
