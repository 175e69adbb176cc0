"""The small demo the demo tests load (120 demands, 20 enterprises): what ``load_demo`` printed."""

from __future__ import annotations

from io import StringIO

from django.core.management import call_command

SMALL = {"seed": 7, "until": "2026-06-30", "demands": 120, "enterprises": 20}


def load(**options) -> str:
    out = StringIO()
    call_command("load_demo", stdout=out, **{**SMALL, **options})
    return out.getvalue()
