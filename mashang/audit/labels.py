"""What an event's action is called on a timeline, for actions an app records on another app's
subject (a supervision notice on a demand's timeline).

The subject's own app names its own actions; an app that records events on someone else's
subject registers their labels here, in its ``AppConfig.ready``, so the subject's app shows
them without importing it.
"""

from __future__ import annotations

from django.utils.functional import Promise

_labels: dict[tuple[str, str], str | Promise] = {}


def event_label_register(*, subject_type: str, action: str, label: str | Promise) -> None:
    """Name ``action`` on the timeline of ``subject_type`` subjects."""
    _labels[(subject_type, action)] = label


def event_label(*, subject_type: str, action: str) -> str | None:
    """The registered name of ``action`` on a ``subject_type`` timeline, or None."""
    label = _labels.get((subject_type, action))
    return str(label) if label is not None else None
