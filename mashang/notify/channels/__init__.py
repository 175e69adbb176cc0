"""The channels a notification goes out on: one module per channel, each with ``send(notification)``.

``send`` returns when the receiving side has accepted the message and raises
:class:`DeliveryFailed` otherwise; it never touches the outbox row (the delivery service
does). The chat robots render the same subject, body and link in each platform's own format.
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

from mashang.notify.channels import dingtalk, email, feishu, inbox, wecom
from mashang.notify.channels.base import DeliveryFailed, Digest, RateLimited
from mashang.notify.models import Channel, Notification

SENDERS: dict[str, Callable[[Notification], None]] = {
    Channel.INBOX: inbox.send,
    Channel.EMAIL: email.send,
    Channel.WECOM: wecom.send,
    Channel.DINGTALK: dingtalk.send,
    Channel.FEISHU: feishu.send,
}

#: The chat platforms' modules: each has ``PER_MINUTE``, ``PER_SECOND``, ``PAUSE_SECONDS``,
#: ``build_digest``, ``digest_fits`` and ``post(robot, body)``.
ROBOTS: dict[str, ModuleType] = {Channel.WECOM: wecom, Channel.DINGTALK: dingtalk, Channel.FEISHU: feishu}


def send(notification: Notification) -> None:
    sender = SENDERS.get(notification.channel)
    if sender is None:
        raise DeliveryFailed(f"unknown channel {notification.channel!r}", permanent=True)
    sender(notification)


__all__ = ["ROBOTS", "DeliveryFailed", "Digest", "RateLimited", "SENDERS", "send"]
