"""Amounts as officials read them: 万元 and 亿元 in Chinese, millions and billions in English."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from mashang.core.amounts import _number, amount_text


def _zh(value) -> str:
    with translation.override("zh-hans"):
        return amount_text(value)


def _en(value) -> str:
    with translation.override("en"):
        return amount_text(value)


@pytest.mark.parametrize(
    ("value", "number", "unit"),
    [
        ("26579500000.00", "265.80", "%(amount)s hundred million yuan"),
        (Decimal("32000000"), "3,200", "%(amount)s ten thousand yuan"),
        (Decimal("12345678.00"), "1,234.57", "%(amount)s ten thousand yuan"),
        (Decimal("100000000"), "1", "%(amount)s hundred million yuan"),
        (Decimal("9999.99"), "9,999.99", "%(amount)s yuan"),
        (Decimal("5000.00"), "5,000", "%(amount)s yuan"),
        (Decimal("0"), "0", "%(amount)s yuan"),
    ],
)
def test_chinese_units(value, number, unit):
    with translation.override("zh-hans"):
        assert amount_text(value) == translation.gettext(unit) % {"amount": number}


def test_english_units_and_nothing():
    assert _en(Decimal("26579500000.00")) == "26.58 billion yuan"
    assert _en(Decimal("32000000")) == "32 million yuan"
    assert _en(Decimal("5000.50")) == "5,000.50 yuan"
    assert _en(None) == _zh("") == "—"


@given(st.decimals(min_value=Decimal("-1e14"), max_value=Decimal("1e14"), places=2, allow_nan=False))
def test_the_number_shown_is_the_amount_to_the_cent_of_its_unit(value):
    text = _zh(value)
    shown = Decimal(text.split(" ")[0].replace(",", ""))
    size = abs(value)
    scale = Decimal(100_000_000) if size >= 100_000_000 else Decimal(10_000) if size >= 10_000 else Decimal(1)
    assert abs(shown * scale - value) <= scale / 200
    assert not text.split(" ")[0].endswith(".00")
    assert _number(Decimal("3200.00")) == "3,200"
