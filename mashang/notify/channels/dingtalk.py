"""DingTalk (钉钉) custom group robot.

POST the webhook URL (``…/robot/send?access_token=…``) with
``{"msgtype": "markdown", "markdown": {"title": …, "text": …}}``: the title is what the
conversation list shows, the text is DingTalk markdown (a blank line between paragraphs).
A robot with a signing secret (``SEC…``) needs ``&timestamp=…&sign=…`` on the URL: the
timestamp in milliseconds, the sign the HMAC-SHA256 of ``timestamp + "\n" + secret`` keyed
with the secret, base64-encoded, then URL-encoded; DingTalk refuses a timestamp more than an
hour off. ``{"errcode": 0, "errmsg": "ok"}`` means accepted.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
import urllib.parse
from typing import Any

from django.utils.translation import gettext as _

from mashang.notify.channels.base import (
    absolute_link,
    check_code,
    clip,
    footer,
    is_openable,
    markdown_text,
    post_json,
    robot_of,
)
from mashang.notify.models import Notification

MAX_BYTES = 18000


def sign(secret: str, timestamp_ms: int) -> str:
    """The value of the ``sign`` parameter, already URL-encoded."""
    to_sign = f"{timestamp_ms}\n{secret}".encode()
    digest = hmac.new(secret.encode(), to_sign, hashlib.sha256).digest()
    return urllib.parse.quote_plus(base64.b64encode(digest))


def signed_url(url: str, secret: str, timestamp_ms: int) -> str:
    if not secret:
        return url
    joiner = "&" if urllib.parse.urlsplit(url).query else "?"
    return f"{url}{joiner}timestamp={timestamp_ms}&sign={sign(secret, timestamp_ms)}"


def build(notification: Notification) -> dict[str, Any]:
    url = absolute_link(notification.link)
    paragraphs = [f"#### {markdown_text(notification.subject)}"]
    body = clip(markdown_text(notification.body.strip()), MAX_BYTES)
    paragraphs += [line for line in body.splitlines() if line.strip()]
    if url:
        paragraphs.append(f"[{_('Open in mashang')}]({url})" if is_openable(url) else markdown_text(url))
    paragraphs.append(f"###### {footer(notification)}")
    return {
        "msgtype": "markdown",
        "markdown": {"title": clip(notification.subject, 200), "text": "\n\n".join(paragraphs)},
    }


def send(notification: Notification) -> None:
    robot = robot_of(notification)
    url = signed_url(robot.webhook_url, robot.secret, int(time.time() * 1000))
    answer = post_json(url, build(notification))
    check_code(answer, "errcode")
