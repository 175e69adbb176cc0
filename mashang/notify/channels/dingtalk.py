"""DingTalk (钉钉) custom group robot.

POST the webhook URL (``…/robot/send?access_token=…``) with
``{"msgtype": "markdown", "markdown": {"title": …, "text": …}}``: the title is what the
conversation list shows, the text is DingTalk markdown (a blank line between paragraphs).
A robot with a signing secret (``SEC…``) needs ``&timestamp=…&sign=…`` on the URL: the
timestamp in milliseconds, the sign the HMAC-SHA256 of ``timestamp + "\n" + secret`` keyed
with the secret, base64-encoded, then URL-encoded; DingTalk refuses a timestamp more than an
hour off. ``{"errcode": 0, "errmsg": "ok"}`` means accepted. A robot may send 20 messages a
minute; beyond, DingTalk answers errcode 130101 ("send too fast, exceed 20 times per minute")
and refuses the robot for 10 minutes (its documentation asks to combine many alerts into one
markdown digest). A markdown message is at most about 20,000 bytes.
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
    Digest,
    absolute_link,
    body_bytes,
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
#: A whole digest request, kept under the documented ~20,000 bytes of a markdown message.
DIGEST_MAX_BYTES = 19000
PER_MINUTE = 20
PER_SECOND = None
PAUSE_SECONDS = 600
RATE_LIMITED = frozenset({130101})


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


def build_digest(digest: Digest, *, secret: str = "") -> dict[str, Any]:
    paragraphs = [f"#### {markdown_text(digest.title)}", *(markdown_text(line) for line in digest.lines)]
    if is_openable(digest.link):
        paragraphs.append(f"[{_('Open the full list in mashang')}]({digest.link})")
    elif digest.link:
        paragraphs.append(markdown_text(digest.link))
    paragraphs.append(f"###### {_('mashang · message {ref}').format(ref=digest.ref)}")
    return {
        "msgtype": "markdown",
        "markdown": {"title": clip(digest.title, 200), "text": "\n\n".join(paragraphs)},
    }


def digest_fits(body: dict[str, Any]) -> bool:
    return body_bytes(body) <= DIGEST_MAX_BYTES


def post(robot, body: dict[str, Any]) -> None:
    url = signed_url(robot.webhook_url, robot.secret, int(time.time() * 1000))
    answer = post_json(url, body, pause_seconds=PAUSE_SECONDS)
    check_code(answer, "errcode", rate_limited=RATE_LIMITED, pause_seconds=PAUSE_SECONDS)


def send(notification: Notification) -> None:
    robot = robot_of(notification)
    post(robot, build(notification))
