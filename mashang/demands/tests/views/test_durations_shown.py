"""Deadlines and the working time left or overdue, as people say them, on the watch page and a
demand's page: a date (with its year when not this year) under 时限, the working time under
剩余工作时间, never hours on a clock or months that read as month names."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from tests.kit.walk import submit

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Asia/Shanghai")
LAST_YEAR = datetime(2025, 11, 3, 10, 0, tzinfo=TZ)  # a Monday
NOW = datetime(2026, 12, 3, 10, 0, tzinfo=TZ)


def _cells(html: str, label: str) -> list[str]:
    return re.findall(rf'<td data-label="{label}"[^>]*>(.*?)</td>', html, re.S)


def test_the_watch_page_shows_the_deadline_with_its_year_and_the_working_time_overdue(zone, as_):
    demand = submit(zone, when=LAST_YEAR)
    with time_machine.travel(NOW, tick=False):
        html = as_("supervisor").get(reverse("demands:watch")).content.decode()
    assert demand.number in html
    deadline = _cells(html, "Deadline")[0]
    assert "2025-11-03 11:00" in deadline and "Triage" in deadline
    left = _cells(html, "Working time")[0]
    text = re.search(r"data-countdown[^>]*>(.*?)</span>", left, re.S).group(1)
    assert re.fullmatch(r"overdue by \d+ working days( \d+ hours?)?( \d+ minutes?)?", text), text
    assert not re.search(r">[^<]*\d+:\d\d:\d\d[^<]*<", html)  # no clock-like durations shown
    assert "month" not in html


def test_the_demand_page_says_the_time_left_in_hours_and_minutes(zone, as_):
    morning = datetime(2026, 12, 3, 9, 0, tzinfo=TZ)
    demand = submit(zone, when=morning)  # triage due 10:00
    with time_machine.travel(morning.replace(minute=30), tick=False):
        html = as_("officer").get(reverse("demands:detail", args=[demand.pk])).content.decode()
    assert re.search(r"data-countdown[^>]*>30 minutes left</span>", html)
    assert "12-03 10:00" in html
