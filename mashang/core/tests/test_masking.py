from hypothesis import given
from hypothesis import strategies as st

from mashang.core.masking import phone_mask, phone_shown


def test_a_mobile_number_is_masked_in_the_middle():
    assert phone_mask("13800138000") == "138****8000"
    assert phone_mask("0755-12345678") == "075****5678"
    assert phone_mask("") == phone_mask(None) == ""


@given(st.text(min_size=8, max_size=30).filter(lambda t: t.strip() == t and t))
def test_a_masked_number_never_shows_its_middle(number):
    masked = phone_mask(number)
    assert masked == number[:3] + "****" + number[-4:]
    assert len(masked) == 11  # the length of the hidden middle does not show either


@given(st.text(max_size=7).map(str.strip))
def test_a_short_number_shows_at_most_its_last_two_characters(number):
    masked = phone_mask(number)
    if not number:
        assert masked == ""
    else:
        assert masked.startswith("****") and len(masked) <= 6
        assert masked[4:] == (number[-2:] if len(number) > 2 else "")


def test_those_who_handle_it_see_the_number_in_full():
    assert phone_shown("13800138000", full=True) == "13800138000"
    assert phone_shown("13800138000", full=False) == "138****8000"
