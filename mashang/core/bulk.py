"""The result of one action done to several objects at once, item by item.

A bulk action (dispatch several demands, issue notices to several, acknowledge several)
calls the one-object service per item, each in its own transaction: one item refused does
not undo the others. What each item came to is kept here for the page to report.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

from django import forms
from django.utils.translation import gettext_lazy as _

MSG_CHOOSE = _("Choose at least one.")
MSG_BAD_ITEM = _("The selection was not understood: reload the page and choose again.")

_ITEM = re.compile(r"(\d{1,12}):(\d{1,9})")


class Outcome(StrEnum):
    DONE = "done"
    #: Done before: a repeated request (the same form sent again) found the item already done.
    ALREADY = "already"
    FAILED = "failed"


@dataclass(frozen=True)
class ItemResult:
    #: The object's id, and what a person calls it (a demand's number).
    pk: int
    label: str
    outcome: Outcome
    #: Why it failed (the service's message), empty otherwise.
    message: str = ""
    #: The service's status code of the failure (404, 409, 422…), 0 otherwise.
    status: int = 0


@dataclass
class BulkResult:
    items: list[ItemResult] = field(default_factory=list)

    def add(self, item: ItemResult) -> None:
        self.items.append(item)

    def _of(self, outcome: Outcome) -> list[ItemResult]:
        return [i for i in self.items if i.outcome == outcome]

    @property
    def done(self) -> list[ItemResult]:
        return self._of(Outcome.DONE)

    @property
    def already(self) -> list[ItemResult]:
        return self._of(Outcome.ALREADY)

    @property
    def failed(self) -> list[ItemResult]:
        return self._of(Outcome.FAILED)


class SelectedItemsField(forms.Field):
    """The rows ticked in a list, each sent as ``"<id>:<version>"`` (the version read with
    the page, so a repeated request is a 409 per row); cleaned into ``[(id, version), …]``.
    With ``versioned=False`` the values are plain ids, cleaned into ``[id, …]``."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {"required": MSG_CHOOSE, "invalid": MSG_BAD_ITEM}

    def __init__(self, *args, versioned: bool = True, **kwargs):
        self.versioned = versioned
        super().__init__(*args, **kwargs)

    def to_python(self, value) -> list:
        values = value if isinstance(value, list | tuple) else ([value] if value else [])
        items: list = []
        for raw in values:
            text = str(raw).strip()
            if self.versioned:
                match = _ITEM.fullmatch(text)
                if match is None:
                    raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
                items.append((int(match[1]), int(match[2])))
            elif text.isdigit() and len(text) <= 12:
                items.append(int(text))
            else:
                raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return items
