from __future__ import annotations

import re

from django.db.models import Q, QuerySet

from mashang.org.credit_code import ALPHABET, normalize_credit_code
from mashang.org.models import Category, Enterprise, Unit, User

#: How many enterprises the picker offers at most.
ENTERPRISE_SEARCH_LIMIT = 10
_PHONE = re.compile(r"^\+?[0-9][0-9 -]{5,}$")


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


def enterprise_search(*, actor: User, query: str, limit: int = ENTERPRISE_SEARCH_LIMIT) -> list[Enterprise]:
    """The enterprises a member of the zone's staff may mean by ``query``: a piece of the name,
    the start of the credit code, or a contact's phone (a contact person's, or the contact
    phone a demand of the enterprise gave); at most ``limit``, by name. Nothing for an
    enterprise contact (who may not learn of other enterprises) or a short query."""
    query = " ".join((query or "").split())
    if not actor.is_active or actor.role == User.Role.ENTERPRISE or len(query) < 2:
        return []
    condition = Q(name__icontains=query)
    code = normalize_credit_code(query).replace(" ", "")
    if all(ch in ALPHABET for ch in code):
        condition |= Q(credit_code__startswith=code)
    if _PHONE.match(query):
        phone = query.replace(" ", "")
        condition |= Q(
            pk__in=User.objects.filter(enterprise__isnull=False, phone=phone).values("enterprise_id")
        )
        # The demands' contact phones, through the relation the demands app declares (``Demand.enterprise``).
        demand_model = Enterprise._meta.get_field("demands").related_model
        condition |= Q(pk__in=demand_model.objects.filter(contact_phone=phone).values("enterprise_id"))
    return list(Enterprise.objects.filter(condition).order_by("name", "id")[:limit])
