"""Working time said as people say it: working days of the zone's day length, hours, minutes."""

from __future__ import annotations

import re

from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from mashang.web.deadline_display import duration_parts, duration_text, remaining_text

DAY = 7 * 3600  # 08:30-12:00 and 14:00-17:30


@given(seconds=st.integers(min_value=-10**9, max_value=10**9), day_hours=st.integers(min_value=1, max_value=24))
def test_the_parts_add_up_to_the_duration_floored_to_minutes(seconds, day_hours):
    day = day_hours * 3600
    p = duration_parts(seconds, day)
    assert p.days * day + p.hours * 3600 + p.minutes * 60 == abs(seconds) // 60 * 60
    assert 0 <= p.hours * 60 + p.minutes < day // 60 and 0 <= p.minutes < 60


@given(seconds=st.integers(min_value=0, max_value=10**8))
def test_no_zero_part_is_said(seconds):
    text = duration_text(seconds, DAY)
    numbers = [int(n) for n in re.findall(r"\d+", text)]
    assert numbers and (0 not in numbers or numbers == [0])
    assert ":" not in text


def test_examples_in_english():
    with translation.override("en"):
        assert remaining_text(-(3 * DAY + 2 * 3600 + 30), DAY) == "overdue by 3 working days 2 hours"
        assert remaining_text(5400, DAY) == "1 hour 30 minutes left"
        assert remaining_text(DAY + 60, DAY) == "1 working day 1 minute left"
        assert remaining_text(20, DAY) == "0 minutes left"
        # 1597:31:16 overdue is 228 working days 1 hour 31 minutes, not hours on a clock.
        assert duration_text(-(1597 * 3600 + 31 * 60 + 16), DAY) == "228 working days 1 hour 31 minutes"
