"""How the API reads JSON bodies and query strings: as django-ninja does, minus the NUL character.

PostgreSQL cannot store U+0000 in text (the insert fails with a 500) and SQLite would keep it;
no field of mashang has a use for it. It is refused here, on every database alike, with a 422
that names the field.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from ninja.parser import Parser

from mashang.core.errors import ValidationFailed

MSG_NUL = _("Remove the NUL character (U+0000) from this field.")


def _field_with_nul(value: Any, path: str) -> str | None:
    """The dotted path of the first string (or key) holding U+0000, or None."""
    if isinstance(value, str):
        return path if "\x00" in value else None
    items = (
        value.items()
        if isinstance(value, dict)
        else enumerate(value)
        if isinstance(value, list)
        else ()
    )
    for key, item in items:
        inner = f"{path}.{key}" if path else str(key)
        if isinstance(key, str) and "\x00" in key:
            return inner
        found = _field_with_nul(item, inner)
        if found is not None:
            return found
    return None


def _refuse_nul(data: Any) -> None:
    field = _field_with_nul(data, "")
    if field is not None:
        raise ValidationFailed(MSG_NUL, fields={field or "body": MSG_NUL})


class ApiParser(Parser):
    def parse_body(self, request):
        data = super().parse_body(request)
        _refuse_nul(data)
        return data

    def parse_querydict(self, data, list_fields, request):
        result = super().parse_querydict(data, list_fields, request)
        _refuse_nul(result)
        return result
