"""Fixtures of the demo tests."""

from __future__ import annotations

import pytest

from mashang.workcal.selectors import calendar_invalidate


@pytest.fixture
def cached_calendar(settings):
    """The test settings rebuild the calendar at every call; a load makes thousands of calls."""
    settings.MASHANG_CALENDAR_CACHE_SECONDS = 600
    calendar_invalidate()
    yield
    calendar_invalidate()
