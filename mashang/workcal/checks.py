"""System check: warn from 60 days before the last day whose holidays are known."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.apps import AppConfig
from django.core import checks
from django.db import DatabaseError

from mashang.workcal.selectors import KNOWN_UNTIL_WARNING_DAYS, calendar_ends_soon


def calendar_coverage_check(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    """``workcal.W001`` from ``KNOWN_UNTIL_WARNING_DAYS`` days before the holidays known (the
    package's years and the imported State Council notices) run out."""
    if app_configs is not None and not any(config.label == "workcal" for config in app_configs):
        return []
    try:
        ending = calendar_ends_soon()
    except DatabaseError:  # no table yet (before migrate) or no database at all
        return []
    if ending is None:
        return []
    return [
        checks.Warning(
            f"The statutory holidays are known until {ending:%Y-%m-%d} only; after that "
            "Monday to Friday count as working days.",
            hint=f"Import the State Council's notice for {ending.year + 1} in the admin "
            "(Calendar overrides → Import a year's notice); the warning starts "
            f"{KNOWN_UNTIL_WARNING_DAYS} days before the end.",
            id="workcal.W001",
        )
    ]
