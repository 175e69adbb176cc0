"""Unified social credit code (统一社会信用代码) per GB 32100-2015.

18 characters from a 31-character alphabet (digits and capitals without I, O, Z, S, V);
the last one is a check character computed from the first 17 with fixed weights.
"""

from __future__ import annotations

import unicodedata

from django.utils.translation import gettext_lazy as _

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}

MSG_LENGTH = _("A unified social credit code has 18 characters.")
MSG_CHARACTERS = _(
    "A unified social credit code uses only digits and capital letters other than I, O, Z, S and V."
)
MSG_CHECK_DIGIT = _("The check character of this unified social credit code is wrong; please check the code.")


def check_character(first17: str) -> str:
    """The 18th character for the given first 17 characters."""
    total = sum(_VALUE[ch] * w for ch, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def credit_code_error(code: str) -> str | None:
    """Why ``code`` is not a valid credit code, or None when it is."""
    if len(code) != 18:
        return str(MSG_LENGTH)
    if any(ch not in _VALUE for ch in code):
        return str(MSG_CHARACTERS)
    if check_character(code[:17]) != code[17]:
        return str(MSG_CHECK_DIGIT)
    return None


def normalize_credit_code(code: str) -> str:
    """Upper case, without surrounding spaces, full-width characters (from Chinese input methods) made ASCII."""
    return unicodedata.normalize("NFKC", code).strip().upper()
