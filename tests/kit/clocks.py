"""The zone's clock: China Standard Time, and moments written as ``at(2026, 11, 2, 9, 0)``."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

CST = ZoneInfo("Asia/Shanghai")


def at(*args) -> datetime:
    return datetime(*args, tzinfo=CST)
