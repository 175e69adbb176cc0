"""System check: warn when the current or next year has no known holidays."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.core import checks
from django.db import DatabaseError

from mashang.workcal.selectors import calendar_get, calendar_uncovered_upcoming


def calendar_coverage_check(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    """``workcal.W001`` when the current or next year is neither in the package nor overridden."""
    if app_configs is not None and not any(config.label == "workcal" for config in app_configs):
        return []
    try:
        missing = calendar_uncovered_upcoming(calendar=calendar_get())
    except DatabaseError:  # no table yet (before migrate) or no database at all
        return []
    if not missing:
        return []
    years = ", ".join(map(str, missing))
    return [
        checks.Warning(
            f"No statutory holidays are known for {years}; Monday to Friday count as working days.",
            hint="Enter the year's holidays and make-up working days as calendar days in the "
            "admin, or upgrade the chinese-calendar package.",
            id="workcal.W001",
        )
    ]
