"""Template helpers shared by every page: a role's navigation, deadline states and countdowns."""

from __future__ import annotations

from datetime import datetime

from django import template
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.translation import gettext as _

from mashang.core.amounts import amount_text
from mashang.org.models import User
from mashang.web.deadline_display import countdown, remaining_text, state_of, unit_texts_json
from mashang.web.navigation import nav_for
from mashang.workcal.selectors import calendar_ends_soon, calendar_get

register = template.Library()


@register.filter
def nav_items(user) -> list[dict[str, str]]:
    return nav_for(user)


@register.filter
def deadline_state(due: datetime | None) -> str:
    """``ok`` / ``due`` (today) / ``late`` / ``none``, for colouring a row or a badge."""
    return state_of(due)


@register.inclusion_tag("web/_countdown.html")
def deadline_countdown(due: datetime | None, with_date: bool = True) -> dict:
    """A live countdown of the working time left before ``due`` (it only ticks in office hours),
    said in working days, hours and minutes; ``with_date=False`` leaves the deadline's date out
    (where a column of its own shows it)."""
    if due is None:
        return {"due": None}
    cal = calendar_get()
    c = countdown(cal, due)
    day_seconds = int(cal.day_length.total_seconds())
    return {
        "due": due,
        "with_date": with_date,
        "state": state_of(due),
        "remaining": c.remaining_seconds,
        "running": c.running_seconds,
        "day_seconds": day_seconds,
        "units": unit_texts_json(),
        "text": remaining_text(c.remaining_seconds, day_seconds),
        "label_left": _("%s left"),
        "label_over": _("overdue by %s"),
    }


@register.filter
def moment(value: datetime | None) -> str:
    """A date and time as a person reads it: '12-03 09:30' this year, '2025-12-03 09:30' in another."""
    if value is None:
        return ""
    local = timezone.localtime(value)
    if local.year == timezone.localdate().year:
        return date_format(local, "m-d H:i")
    return date_format(local, "Y-m-d H:i")


@register.filter
def amount(value) -> str:
    """Yuan as officials read them: "265.80 亿元", "3,200 万元" (in English, millions and billions)."""
    return amount_text(value)


@register.filter
def label_of(value, choices) -> str:
    """The translated label of a TextChoices value, e.g. ``demand.status|label_of:Status``."""
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


@register.inclusion_tag("web/_calendar_warning.html")
def calendar_warning(user) -> dict:
    """From 60 days before the known holidays run out, a line telling supervisors and the
    system administrator that next year's State Council notice is to be imported."""
    role = getattr(user, "role", None)
    shown = getattr(user, "is_superuser", False) or role in (
        User.Role.SUPERVISOR,
        User.Role.ADMIN,
    )
    ending = calendar_ends_soon() if shown and user.is_authenticated else None
    return {"ending": ending, "next_year": ending.year + 1 if ending else None, "user": user}
