"""The channels a notification goes out on: one module per channel, each with ``send(notification)``.

``send`` returns when the receiving side has accepted the message and raises
:class:`DeliveryFailed` otherwise; it never touches the outbox row (the delivery service
does). The chat robots render the same subject, body and link in each platform's own format.
"""

from __future__ import annotations

from collections.abc import Callable

from mashang.notify.channels import dingtalk, email, feishu, inbox, wecom
from mashang.notify.channels.base import DeliveryFailed
from mashang.notify.models import Channel, Notification

SENDERS: dict[str, Callable[[Notification], None]] = {
    Channel.INBOX: inbox.send,
    Channel.EMAIL: email.send,
    Channel.WECOM: wecom.send,
    Channel.DINGTALK: dingtalk.send,
    Channel.FEISHU: feishu.send,
}


def send(notification: Notification) -> None:
    sender = SENDERS.get(notification.channel)
    if sender is None:
        raise DeliveryFailed(f"unknown channel {notification.channel!r}", permanent=True)
    sender(notification)


__all__ = ["DeliveryFailed", "SENDERS", "send"]
