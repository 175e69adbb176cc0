"""Feishu / Lark (飞书) custom group bot.

POST the webhook URL (``…/open-apis/bot/v2/hook/…``) with a rich-text ("post") message:
``{"msg_type": "post", "content": {"post": {"zh_cn": {"title": …, "content": [[{"tag":
"text", "text": …}], [{"tag": "a", "text": …, "href": …}]]}}}}``. Every piece of text is a
``text`` element, so nothing in it is interpreted. A bot with signature verification needs
``"timestamp"`` (seconds, as a string) and ``"sign"`` in the body: the base64 of the
HMAC-SHA256 keyed with ``timestamp + "\n" + secret`` over an empty message; Feishu refuses a
timestamp more than an hour off. ``{"code": 0, "msg": "success"}`` means accepted (older
answers say ``"StatusCode": 0``); a message body is at most 20 KB (a request 30 KB). A bot
may send 100 messages a minute and 5 a second; beyond, Feishu answers code 11232 (or HTTP 429
with code 99991400 and ``x-ogw-ratelimit-reset``): the bot waits (it is not a failed attempt).
Code 9499 is Feishu's "Bad Request" (a malformed message), a failure like any other.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from typing import Any

from django.utils.translation import gettext as _

from mashang.notify.channels.base import (
    Digest,
    absolute_link,
    body_bytes,
    check_code,
    clip,
    footer,
    is_openable,
    post_json,
    robot_of,
)
from mashang.notify.models import Notification

MAX_BYTES = 15000
#: A whole digest request, kept under the documented 20 KB of a message body.
DIGEST_MAX_BYTES = 19 * 1024
PER_MINUTE = 100
PER_SECOND = 5
PAUSE_SECONDS = 60
RATE_LIMITED = frozenset({11232, 99991400})


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


def build_digest(digest: Digest, *, secret: str = "", timestamp: int | None = None) -> dict[str, Any]:
    rows: list[list[dict[str, str]]] = [[{"tag": "text", "text": line}] for line in digest.lines]
    if is_openable(digest.link):
        rows.append([{"tag": "a", "text": _("Open the full list in mashang"), "href": digest.link}])
    elif digest.link:
        rows.append([{"tag": "text", "text": digest.link}])
    rows.append([{"tag": "text", "text": _("mashang · message {ref}").format(ref=digest.ref)}])
    message: dict[str, Any] = {}
    if secret:
        ts = int(time.time()) if timestamp is None else timestamp
        message.update(timestamp=str(ts), sign=sign(secret, ts))
    message.update(
        msg_type="post",
        content={"post": {"zh_cn": {"title": clip(digest.title, 300), "content": rows}}},
    )
    return message


def digest_fits(body: dict[str, Any]) -> bool:
    return body_bytes(body) <= DIGEST_MAX_BYTES


def post(robot, body: dict[str, Any]) -> None:
    if robot.secret and "sign" not in body:
        ts = int(time.time())
        body = {"timestamp": str(ts), "sign": sign(robot.secret, ts), **body}
    answer = post_json(robot.webhook_url, body, pause_seconds=PAUSE_SECONDS)
    check_code(answer, "code", "StatusCode", rate_limited=RATE_LIMITED, pause_seconds=PAUSE_SECONDS)


def send(notification: Notification) -> None:
    robot = robot_of(notification)
    post(robot, build(notification, secret=robot.secret))
