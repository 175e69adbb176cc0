"""Feishu / Lark (飞书) custom group bot.

POST the webhook URL (``…/open-apis/bot/v2/hook/…``) with a rich-text ("post") message:
``{"msg_type": "post", "content": {"post": {"zh_cn": {"title": …, "content": [[{"tag":
"text", "text": …}], [{"tag": "a", "text": …, "href": …}]]}}}}``. Every piece of text is a
``text`` element, so nothing in it is interpreted. A bot with signature verification needs
``"timestamp"`` (seconds, as a string) and ``"sign"`` in the body: the base64 of the
HMAC-SHA256 keyed with ``timestamp + "\n" + secret`` over an empty message; Feishu refuses a
timestamp more than an hour off. ``{"code": 0, "msg": "success"}`` means accepted (older
answers say ``"StatusCode": 0``); a request body is at most 20 KB.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from typing import Any

from django.utils.translation import gettext as _

from mashang.notify.channels.base import (
    absolute_link,
    check_code,
    clip,
    footer,
    is_openable,
    post_json,
    robot_of,
)
from mashang.notify.models import Notification

MAX_BYTES = 15000


def sign(secret: str, timestamp: int) -> str:
    key = f"{timestamp}\n{secret}".encode()
    return base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()


def build(notification: Notification, *, secret: str = "", timestamp: int | None = None) -> dict[str, Any]:
    body = clip(notification.body.strip(), MAX_BYTES)
    rows: list[list[dict[str, str]]] = [[{"tag": "text", "text": line}] for line in body.splitlines() if line.strip()]
    url = absolute_link(notification.link)
    if url:
        rows.append(
            [{"tag": "a", "text": _("Open in mashang"), "href": url}] if is_openable(url) else [{"tag": "text", "text": url}]
        )
    rows.append([{"tag": "text", "text": footer(notification)}])
    message: dict[str, Any] = {}
    if secret:
        ts = int(time.time()) if timestamp is None else timestamp
        message.update(timestamp=str(ts), sign=sign(secret, ts))
    message.update(
        msg_type="post",
        content={"post": {"zh_cn": {"title": clip(notification.subject, 300), "content": rows}}},
    )
    return message


def send(notification: Notification) -> None:
    robot = robot_of(notification)
    answer = post_json(robot.webhook_url, build(notification, secret=robot.secret))
    check_code(answer, "code", "StatusCode")
