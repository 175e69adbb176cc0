"""The in-app inbox: the row is the message; it is delivered the moment it is committed."""

from __future__ import annotations

from mashang.notify.models import Notification


def send(notification: Notification) -> None:
    return None
