"""Template helpers shared by every page: a role's navigation, deadline states and countdowns."""

from __future__ import annotations

from datetime import datetime

from django import template
from django.utils.translation import gettext as _

from mashang.web.deadline_display import countdown, state_of
from mashang.web.navigation import nav_for
from mashang.workcal.selectors import calendar_get

register = template.Library()


@register.filter
def nav_items(user) -> list[dict[str, str]]:
    return nav_for(user)


@register.filter
def deadline_state(due: datetime | None) -> str:
    """``ok`` / ``due`` (today) / ``late`` / ``none``, for colouring a row or a badge."""
    return state_of(due)


@register.inclusion_tag("web/_countdown.html")
def deadline_countdown(due: datetime | None) -> dict:
    """A live countdown of the working time left before ``due`` (it only ticks in office hours)."""
    if due is None:
        return {"due": None}
    c = countdown(calendar_get(), due)
    return {
        "due": due,
        "state": state_of(due),
        "remaining": c.remaining_seconds,
        "running": c.running_seconds,
        "label_left": _("%s working time left"),
        "label_over": _("overdue by %s working time"),
    }


@register.filter
def label_of(value, choices) -> str:
    """The translated label of a TextChoices value, e.g. ``demand.status|label_of:Status``."""
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)
