from __future__ import annotations

from django.db.models import QuerySet

from mashang.org.models import Category, Unit


def category_list() -> QuerySet[Category]:
    return Category.objects.filter(is_active=True).select_related("default_lead_unit").order_by("code")


def unit_list() -> QuerySet[Unit]:
    return Unit.objects.filter(is_active=True).order_by("code")
