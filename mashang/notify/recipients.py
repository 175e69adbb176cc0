"""Who a unit's messages reach: its people and its work-group chat robots.

Every domain that tells a unit something (a demand dispatched, a land-start step ready) asks
here, so the rule lives once.
"""

from __future__ import annotations

from django.db.models import Q

from mashang.notify.models import ChatRobot
from mashang.org.models import User

R = User.Role


def unit_people(unit_ids: list[int]) -> list[User]:
    """The people a unit's messages reach: its staff, its heads and the heads named on it."""
    return list(
        User.objects.filter(
            Q(unit_id__in=unit_ids, role__in=[R.UNIT_STAFF, R.UNIT_HEAD]) | Q(headed_units__in=unit_ids),
            is_active=True,
        )
        .distinct()
        .order_by("id")
    )


def unit_robots(unit_ids: list[int]) -> list[ChatRobot]:
    """The units' active work-group chat robots."""
    return list(ChatRobot.objects.filter(unit_id__in=unit_ids, is_active=True).order_by("id"))
