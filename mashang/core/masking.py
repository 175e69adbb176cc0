"""Personal data minimised in lists (等保 2.0): a phone number is shown in full only to those
who need it; everyone else sees it masked (``138****8000``): the first three and the last four
characters, the middle replaced by four asterisks, whatever its length."""

from __future__ import annotations

MASK = "****"


def phone_mask(value: str | None) -> str:
    """``value`` with its middle hidden: 13800138000 → 138****8000; a short number keeps
    only its last two characters (12345 → ****45); empty stays empty."""
    text = (value or "").strip()
    if not text:
        return ""
    if len(text) >= 8:
        return f"{text[:3]}{MASK}{text[-4:]}"
    return f"{MASK}{text[-2:]}" if len(text) > 2 else MASK


def phone_shown(value: str | None, *, full: bool) -> str:
    """``value`` in full for a person who handles it, else masked."""
    return (value or "") if full else phone_mask(value)
