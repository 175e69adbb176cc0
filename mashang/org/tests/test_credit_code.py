"""The unified social credit code (GB 32100-2015): the check character, and what is refused.

The standard's rule, restated here independently of the code under test: characters take
their index in ``0-9 A-H J-N P-R T U W-Y`` (31 of them); position i (from 0) weighs 3**i
mod 31; the check character is the one whose index is (31 - sum mod 31) mod 31.
"""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from mashang.org.credit_code import (
    ALPHABET,
    MSG_CHARACTERS,
    MSG_CHECK_DIGIT,
    MSG_LENGTH,
    WEIGHTS,
    check_character,
    credit_code_error,
    normalize_credit_code,
)
from mashang.org.models import Enterprise

STANDARD_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"

# Published codes of registered enterprises; each is checked against the independent rule first.
REAL_CODES = [
    "91350100M000100Y43",
    "91110000600037341L",
    "91440300708461136T",
]


def standard_check(first17: str) -> str:
    total = sum(STANDARD_ALPHABET.index(ch) * pow(3, i, 31) for i, ch in enumerate(first17))
    return STANDARD_ALPHABET[(31 - total % 31) % 31]


def test_the_alphabet_and_weights_are_those_of_the_standard():
    assert ALPHABET == STANDARD_ALPHABET and len(set(ALPHABET)) == 31
    assert not set("IOZSV") & set(ALPHABET)
    assert WEIGHTS == tuple(pow(3, i, 31) for i in range(17))


@pytest.mark.parametrize("code", REAL_CODES)
def test_real_codes_are_valid(code):
    assert standard_check(code[:17]) == code[17]  # the independent rule agrees first
    assert check_character(code[:17]) == code[17]
    assert credit_code_error(code) is None


@pytest.mark.parametrize("code", REAL_CODES)
def test_any_other_check_character_is_refused_with_the_message(code):
    for wrong in ALPHABET.replace(code[17], ""):
        assert credit_code_error(code[:17] + wrong) == str(MSG_CHECK_DIGIT)


@pytest.mark.parametrize("letter", list("IOZSV"))
def test_the_forbidden_letters_are_refused(letter):
    code = REAL_CODES[0]
    for position in (0, 8, 17):
        assert credit_code_error(code[:position] + letter + code[position + 1 :]) == str(
            MSG_CHARACTERS
        )


@pytest.mark.parametrize(
    "code,message",
    [
        (REAL_CODES[0][:17], MSG_LENGTH),
        (REAL_CODES[0] + "0", MSG_LENGTH),
        ("", MSG_LENGTH),
        (REAL_CODES[0].lower(), MSG_CHARACTERS),
        (REAL_CODES[0][:10] + " " + REAL_CODES[0][11:], MSG_CHARACTERS),
        (REAL_CODES[0][:10] + "０" + REAL_CODES[0][11:], MSG_CHARACTERS),  # a full-width digit
    ],
    ids=["17", "19", "empty", "lowercase", "space", "full-width"],
)
def test_malformed_codes_are_refused_with_the_message(code, message):
    assert credit_code_error(code) == str(message)


def test_normalising_upper_cases_and_trims():
    assert normalize_credit_code(f"  {REAL_CODES[0].lower()}\n") == REAL_CODES[0]
    assert credit_code_error(normalize_credit_code(REAL_CODES[1].lower())) is None


def test_an_enterprise_with_a_wrong_code_does_not_validate(db):
    enterprise = Enterprise(credit_code=REAL_CODES[0][:17] + "4", name="福州某公司")
    with pytest.raises(ValidationError) as refused:
        enterprise.full_clean()
    assert refused.value.message_dict["credit_code"] == [str(MSG_CHECK_DIGIT)]
    Enterprise(credit_code=REAL_CODES[0], name="福州某公司").full_clean()


bodies = st.text(alphabet=ALPHABET, min_size=17, max_size=17)


@settings(max_examples=300, deadline=None)
@given(bodies)
def test_exactly_one_of_the_31_characters_completes_any_17(body):
    valid = [ch for ch in ALPHABET if credit_code_error(body + ch) is None]
    assert valid == [standard_check(body)]
    assert check_character(body) == valid[0]


@settings(max_examples=300, deadline=None)
@given(bodies, st.integers(min_value=0, max_value=17), st.sampled_from(ALPHABET))
def test_changing_any_one_character_of_a_valid_code_is_caught(body, position, replacement):
    code = body + check_character(body)
    changed = code[:position] + replacement + code[position + 1 :]
    assert (credit_code_error(changed) is None) == (changed == code)


def test_full_width_characters_typed_with_a_chinese_input_method_are_made_ascii():
    full_width = "".join(chr(ord(c) + 0xFEE0) for c in REAL_CODES[0])
    assert normalize_credit_code(f"　{full_width}　") == REAL_CODES[0]
