"""E-mail through Django's mail backend (SMTP in production, the console by default).

The Message-ID is derived from the outbox row's deduplication key, so a copy resent after a
crash carries the same Message-ID and mail systems that deduplicate on it show it once.
"""

from __future__ import annotations

import hashlib
import smtplib

from django.conf import settings
from django.core.mail import EmailMessage

from mashang.notify.channels.base import DeliveryFailed, absolute_link, footer
from mashang.notify.models import Notification


def message_id(notification: Notification) -> str:
    digest = hashlib.sha256(notification.dedupe_key.encode()).hexdigest()[:32]
    return f"<notify-{digest}@mashang>"


def send(notification: Notification) -> None:
    user = notification.recipient
    if user is None or not user.email or not user.is_active:
        raise DeliveryFailed("the recipient has no e-mail address any more", permanent=True)
    parts = [notification.body.strip()]
    if notification.link:
        parts.append(absolute_link(notification.link))
    parts.append(footer(notification))
    message = EmailMessage(
        subject=notification.subject.replace("\n", " "),
        body="\n\n".join(p for p in parts if p) + "\n",
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
        headers={"Message-ID": message_id(notification), "X-Mashang-Kind": notification.kind},
    )
    try:
        message.send(fail_silently=False)
    except (smtplib.SMTPException, OSError) as exc:
        raise DeliveryFailed(f"e-mail: {exc}"[:500]) from exc
