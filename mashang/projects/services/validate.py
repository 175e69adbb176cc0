"""Checking a project's fields: one message per field, each naming the field it is about.

The same checks serve the form, the API and the ledger import (where a row's message is
"Line 7: <the field's message>"), so the messages stand on their own.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.utils import translation
from django.utils.translation import gettext_lazy as _

from mashang.core.bounds import AREA_MAX_M2, AREA_MAX_MU, MONEY_MAX, date_problem, decimal_bounded
from mashang.org.credit_code import credit_code_error, normalize_credit_code
from mashang.org.models import Enterprise, User

CENT = Decimal("0.01")
#: 1 mu = 2000/3 m².
M2_PER_MU_NUMERATOR, M2_PER_MU_DENOMINATOR = Decimal(2000), Decimal(3)

MSG_NAME_REQUIRED = _("Give the project's name.")
MSG_NAME_TOO_LONG = _("The project name may have at most 200 characters.")
MSG_INVESTOR_REQUIRED = _(
    "Give the investor: the credit code of a registered enterprise, or the name of a prospective investor."
)
MSG_INVESTOR_UNKNOWN = _(
    "No enterprise with this credit code is registered; leave the code empty and give the name of the "
    "prospective investor instead."
)
MSG_INVESTOR_NAME_TOO_LONG = _("The investor's name may have at most 200 characters.")
MSG_TYPE = _("Choose the project type: {choices}.")
MSG_INDUSTRY = _("Choose the industry: {choices}.")
MSG_INVESTMENT_REQUIRED = _("Give the planned investment in yuan.")
MSG_INVESTMENT_NOT_NUMBER = _("The planned investment is not a number.")
MSG_INVESTMENT_NEGATIVE = _("The planned investment cannot be negative.")
MSG_INVESTMENT_PLACES = _("The planned investment has at most 2 decimal places.")
MSG_INVESTMENT_TOO_LARGE = _("The planned investment is too large.")
MSG_AREA_NOT_NUMBER = _("The planned land area ({unit}) is not a number.")
MSG_AREA_NEGATIVE = _("The planned land area ({unit}) cannot be negative.")
MSG_AREA_PLACES = _("The planned land area ({unit}) has at most 2 decimal places.")
MSG_AREA_TOO_LARGE = _("The planned land area ({unit}) is too large.")
UNIT_MU = _("mu")
UNIT_M2 = _("m²")
MSG_OFFICER_UNKNOWN = _("There is no active person with the login “{login}”.")
MSG_OFFICER_NOT_OFFICER = _("The service officer must be a member of the service team.")
MSG_BEHIND_REASON_TOO_LONG = _("The reason for being behind plan may have at most 2000 characters.")
MSG_NOT_A_FLAG = _("Answer yes or no.")
MSG_BAD_DATE = _("Give a date such as 2026-10-09.")
MSG_AMOUNT_REQUIRED = _("Give the amount in yuan.")
MSG_AMOUNT_NOT_NUMBER = _("The amount is not a number.")
MSG_AMOUNT_NOT_POSITIVE = _("The amount must be more than zero.")
MSG_AMOUNT_PLACES = _("The amount has at most 2 decimal places.")
MSG_AMOUNT_TOO_LARGE = _("The amount is too large.")


class BadValue(Exception):
    """A field's value breaks a rule; the message says which and why."""

    def __init__(self, message: Any):
        super().__init__(str(message))
        self.message = str(message)


def _as_decimal(value: Any) -> Decimal | None:
    """The exact decimal a person wrote, or None when it is empty; raises InvalidOperation."""
    if value is None or isinstance(value, bool):
        if isinstance(value, bool):
            raise InvalidOperation
        return None
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, float):
        # repr() gives the shortest text that reads back as this float: 12345.67, not its binary tail.
        number = Decimal(repr(value))
    else:
        text = str(value).strip().replace(",", "").replace("，", "").replace(" ", "")
        if not text:
            return None
        number = Decimal(text)
    if not number.is_finite():
        raise InvalidOperation
    return number


def money(
    value: Any,
    *,
    required: bool = True,
    positive: bool = False,
    maximum: Decimal = MONEY_MAX,
    messages: dict[str, Any],
) -> Decimal | None:
    """A yuan amount with at most 2 decimal places; ``messages`` keyed required/nan/neg/places/large.

    At most :data:`mashang.core.bounds.MONEY_MAX` (15 digits): SQLite keeps decimals as doubles,
    which hold 15 significant digits exactly, so every database gives back what was written.
    """
    try:
        number = _as_decimal(value)
    except (InvalidOperation, ValueError):
        raise BadValue(messages["nan"]) from None
    if number is None:
        if required:
            raise BadValue(messages["required"])
        return None
    if number < 0 or (positive and number == 0):
        raise BadValue(messages["neg"])
    # Before rounding: quantizing 1e26 to the cent overflows the decimal context.
    if not decimal_bounded(number, maximum=maximum):
        raise BadValue(messages["large"])
    if number != number.quantize(CENT, rounding=ROUND_HALF_UP):
        raise BadValue(messages["places"])
    return number.quantize(CENT)


INVESTMENT_MESSAGES = {
    "required": MSG_INVESTMENT_REQUIRED,
    "nan": MSG_INVESTMENT_NOT_NUMBER,
    "neg": MSG_INVESTMENT_NEGATIVE,
    "places": MSG_INVESTMENT_PLACES,
    "large": MSG_INVESTMENT_TOO_LARGE,
}
AMOUNT_MESSAGES = {
    "required": MSG_AMOUNT_REQUIRED,
    "nan": MSG_AMOUNT_NOT_NUMBER,
    "neg": MSG_AMOUNT_NOT_POSITIVE,
    "places": MSG_AMOUNT_PLACES,
    "large": MSG_AMOUNT_TOO_LARGE,
}


def _area_messages(unit: Any) -> dict[str, str]:
    return {
        "required": "",
        "nan": str(MSG_AREA_NOT_NUMBER).format(unit=unit),
        "neg": str(MSG_AREA_NEGATIVE).format(unit=unit),
        "places": str(MSG_AREA_PLACES).format(unit=unit),
        "large": str(MSG_AREA_TOO_LARGE).format(unit=unit),
    }


def mu_to_m2(mu: Decimal) -> Decimal:
    """1 mu = 2000/3 m², rounded half up to the hundredth."""
    return (mu * M2_PER_MU_NUMERATOR / M2_PER_MU_DENOMINATOR).quantize(CENT, rounding=ROUND_HALF_UP)


def m2_to_mu(m2: Decimal) -> Decimal:
    return (m2 * M2_PER_MU_DENOMINATOR / M2_PER_MU_NUMERATOR).quantize(CENT, rounding=ROUND_HALF_UP)


def land_area(mu: Any, m2: Any, errors: dict[str, str]) -> tuple[Decimal | None, Decimal | None]:
    """Both areas; when only one is given the other is computed from it."""
    out_mu = out_m2 = None
    try:
        out_mu = money(mu, required=False, maximum=AREA_MAX_MU, messages=_area_messages(UNIT_MU))
    except BadValue as e:
        errors["land_area_mu"] = e.message
    try:
        out_m2 = money(m2, required=False, maximum=AREA_MAX_M2, messages=_area_messages(UNIT_M2))
    except BadValue as e:
        errors["land_area_m2"] = e.message
    if "land_area_mu" in errors or "land_area_m2" in errors:
        return None, None
    if out_mu is not None and out_m2 is None:
        out_m2 = mu_to_m2(out_mu)
    elif out_m2 is not None and out_mu is None:
        out_mu = m2_to_mu(out_m2)
    return out_mu, out_m2


def text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def flag(value: Any) -> bool:
    """A yes/no given as a bool, or as text a ledger uses (是/否, yes/no, true/false, 1/0, ✓)."""
    if isinstance(value, bool):
        return value
    if value is None:
        return False
    if isinstance(value, int | float):
        return bool(value)
    word = str(value).strip().lower()
    if word in {"", "否", "no", "n", "false", "0", "×", "-"}:
        return False
    if word in {"是", "yes", "y", "true", "1", "✓", "√"}:
        return True
    raise BadValue(MSG_NOT_A_FLAG)


def a_date(value: Any) -> date | None:
    """A date given as a date or as text, within :mod:`mashang.core.bounds`' range."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        day = value.date()
    elif isinstance(value, date):
        day = value
    else:
        try:
            day = date.fromisoformat(str(value).strip().replace("/", "-"))
        except ValueError:
            raise BadValue(MSG_BAD_DATE) from None
    problem = date_problem(day)
    if problem:
        raise BadValue(problem)
    return day


def choice(value: Any, members: Iterable[Any], message: Any) -> str:
    """A TextChoices value out of ``members``, given by its value or its label in Chinese or English."""
    members = list(members)
    word = text(value)
    if word in [m.value for m in members]:
        return word
    for language in (None, "zh-hans", "en"):
        with translation.override(language) if language else contextlib.nullcontext():
            for member in members:
                if word.lower() == str(member.label).lower():
                    return member.value
    raise BadValue(str(message).format(choices="、".join(str(m.label) for m in members)))


@dataclass
class Investor:
    enterprise: Enterprise | None
    name: str


def investor(credit_code: Any, name: Any, errors: dict[str, str]) -> Investor | None:
    code, given_name = text(credit_code), text(name)
    if code:
        code = normalize_credit_code(code)
        error = credit_code_error(code)
        if error:
            errors["investor_credit_code"] = error
            return None
        enterprise = Enterprise.objects.filter(credit_code=code).first()
        if enterprise is None:
            errors["investor_credit_code"] = str(MSG_INVESTOR_UNKNOWN)
            return None
        return Investor(enterprise, enterprise.name)
    if not given_name:
        errors["investor_name"] = str(MSG_INVESTOR_REQUIRED)
        return None
    if len(given_name) > 200:
        errors["investor_name"] = str(MSG_INVESTOR_NAME_TOO_LONG)
        return None
    return Investor(None, given_name)


def service_officer(value: Any, errors: dict[str, str]) -> User | None:
    """An officer, by login, by "name (login)" as the ledger writes it, or by a unique display name."""
    word = text(value)
    if not word:
        return None
    login = word
    if word.endswith(")") and "(" in word:
        login = word[word.rindex("(") + 1 : -1].strip()
    elif word.endswith("）") and "（" in word:
        login = word[word.rindex("（") + 1 : -1].strip()
    person = User.objects.filter(username=login, is_active=True).first()
    if person is None:
        named = list(User.objects.filter(display_name=word, is_active=True, role=User.Role.OFFICER)[:2])
        person = named[0] if len(named) == 1 else None
    if person is None:
        errors["service_officer"] = str(MSG_OFFICER_UNKNOWN).format(login=login)
        return None
    if person.role != User.Role.OFFICER:
        errors["service_officer"] = str(MSG_OFFICER_NOT_OFFICER)
        return None
    return person


def name(value: Any, errors: dict[str, str]) -> str:
    word = text(value)
    if not word:
        errors["name"] = str(MSG_NAME_REQUIRED)
    elif len(word) > 200:
        errors["name"] = str(MSG_NAME_TOO_LONG)
    return word


def behind_plan_reason(value: Any, errors: dict[str, str]) -> str:
    word = text(value)
    if len(word) > 2000:
        errors["behind_plan_reason"] = str(MSG_BEHIND_REASON_TOO_LONG)
    return word
