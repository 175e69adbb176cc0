"""Fixtures of the demand tests."""

from __future__ import annotations

import pytest


@pytest.fixture
def no_inline(settings):
    """Deliver only when the test says so (as the worker would), not right after each commit."""
    settings.MASHANG_NOTIFY_DELIVER_INLINE = False
    return settings
