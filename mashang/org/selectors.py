from __future__ import annotations

from django.db.models import QuerySet

from mashang.org.models import Category, Unit, User


def category_list() -> QuerySet[Category]:
    return Category.objects.filter(is_active=True).select_related("default_lead_unit").order_by("code")


def unit_list() -> QuerySet[Unit]:
    return Unit.objects.filter(is_active=True).order_by("code")


def category_choices() -> list[tuple[str, str]]:
    """The active categories as a form's choices: (code, name), by code."""
    return list(category_list().values_list("code", "name"))


def coordinator_choices() -> list[tuple[str, str]]:
    """The people who may coordinate a difficult case (leaders, supervisors, service officers),
    as a form's choices: (username, name and role)."""
    people = User.objects.filter(
        is_active=True, role__in=(User.Role.LEADER, User.Role.SUPERVISOR, User.Role.OFFICER)
    ).order_by("role", "username")
    return [(p.username, f"{p} · {p.get_role_display()}") for p in people]


def unit_choices() -> list[tuple[str, str]]:
    """The active units as a form's choices: (code, name), by code."""
    return list(unit_list().values_list("code", "name"))
