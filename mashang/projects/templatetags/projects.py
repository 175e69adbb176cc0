"""Showing yuan exactly: thousands separated, two decimals, never through a float."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template
from django.utils.translation import gettext as _

register = template.Library()

YI = Decimal(100_000_000)


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


@register.filter
def yuan(value) -> str:
    """1234567.5 -> "1,234,567.50"."""
    number = _decimal(value)
    if number is None:
        return "—"
    return f"{number.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,}"


@register.filter
def yi(value) -> str:
    """Yuan in units of 100 million (亿元), two decimals: 5012345678 -> "50.12"."""
    number = _decimal(value)
    if number is None:
        return "—"
    return f"{(number / YI).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,}"


@register.filter
def percent(value) -> str:
    return "—" if value is None else f"{value}%"


@register.simple_tag
def yi_unit() -> str:
    return _("100 million yuan")
