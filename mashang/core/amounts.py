"""Amounts of money as officials read them: in Chinese 万元 and 亿元 ("265.80 亿元",
"3,200 万元"), in English millions and billions of yuan; exact (Decimal, never a float)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import get_language
from django.utils.translation import gettext as _

WAN = Decimal(10_000)
YI = Decimal(100_000_000)
MILLION = Decimal(1_000_000)
BILLION = Decimal(1_000_000_000)
CENT = Decimal("0.01")


def _decimal(value) -> Decimal | None:
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _number(value: Decimal) -> str:
    """Thousands separated, two decimals unless it is a whole number: "3,200", "265.80"."""
    shown = value.quantize(CENT, rounding=ROUND_HALF_UP)
    if shown == shown.to_integral_value():
        return f"{shown.to_integral_value():,}"
    return f"{shown:,}"


def amount_text(value) -> str:
    """An amount in yuan said in the reader's language's units; "—" when there is none."""
    number = _decimal(value)
    if number is None:
        return "—"
    size = abs(number)
    if (get_language() or "").startswith("zh"):
        if size >= YI:
            return _("%(amount)s hundred million yuan") % {"amount": _number(number / YI)}
        if size >= WAN:
            return _("%(amount)s ten thousand yuan") % {"amount": _number(number / WAN)}
        return _("%(amount)s yuan") % {"amount": _number(number)}
    if size >= BILLION:
        return _("%(amount)s billion yuan") % {"amount": _number(number / BILLION)}
    if size >= MILLION:
        return _("%(amount)s million yuan") % {"amount": _number(number / MILLION)}
    return _("%(amount)s yuan") % {"amount": _number(number)}
