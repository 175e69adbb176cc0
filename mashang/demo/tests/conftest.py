"""Fixtures of the demo tests."""

from __future__ import annotations

import pytest
from django.test import override_settings

from mashang.workcal.selectors import calendar_invalidate


@pytest.fixture(scope="session", autouse=True)
def demo_media(tmp_path_factory):
    """The documents the demo's units file with their steps go to a temporary directory."""
    with override_settings(MEDIA_ROOT=str(tmp_path_factory.mktemp("demo-media"))):
        yield


@pytest.fixture
def cached_calendar(settings):
    """The test settings rebuild the calendar at every call; a load makes thousands of calls."""
    settings.MASHANG_CALENDAR_CACHE_SECONDS = 600
    calendar_invalidate()
    yield
    calendar_invalidate()
