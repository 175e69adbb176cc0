"""The root of the test suite: the kit's fixtures (tests/kit/) are loaded here once, and the
PostgreSQL-only tests are skipped on SQLite."""

from __future__ import annotations

import os

import pytest

# The kit's plain helpers (walkers, clocks, factories) report failed asserts as tests do.
pytest.register_assert_rewrite("tests.kit")

#: The kit's modules that hold fixtures (Saleor's layout: fixtures in plugin modules).
pytest_plugins = [
    "tests.kit.zone",
    "tests.kit.landstart",
    "tests.kit.notify",
    "tests.kit.projects",
]


@pytest.fixture(autouse=True)
def _zone_language():
    """Every test starts in the zone's language, whatever language a request of the test before
    it activated in this thread (a page's language switch, an API client's Accept-Language)."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


def pytest_collection_modifyitems(config, items):
    """PostgreSQL-only tests are skipped on SQLite, and fail the run where PostgreSQL is required."""
    vendor = os.environ.get("DATABASE_URL", "sqlite").split(":", 1)[0]
    if vendor.startswith("postgres"):
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL=postgresql://…)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


def pytest_sessionfinish(session, exitstatus):
    """Under pytest-xdist the workers report each test to the controller, whose terminal
    reporter counts the skips of all of them: the controller decides, a worker does not."""
    if os.environ.get("MASHANG_REQUIRE_POSTGRES") != "1" or hasattr(session.config, "workerinput"):
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = len(reporter.stats.get("skipped", [])) if reporter else 0
    if skipped:
        print(f"\nMASHANG_REQUIRE_POSTGRES=1 but {skipped} test(s) were skipped: failing the run.")
        session.exitstatus = 1
