"""WeCom (企业微信) group robot.

POST the webhook URL (``…/cgi-bin/webhook/send?key=…``) with
``{"msgtype": "markdown", "markdown": {"content": …}}``; the content is at most 4096 bytes
of UTF-8 in WeCom's markdown subset (bold, links, quotes, ``<font color>``). WeCom robots do
not sign. The answer ``{"errcode": 0, "errmsg": "ok"}`` means accepted; errcode 45009 ("api
freq out of limit") says the robot sent more than 20 messages in a minute: the robot waits a
minute (it is not a failed attempt); any other errcode is a failure to retry.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from mashang.notify.channels.base import (
    Digest,
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

MAX_BYTES = 4096
#: The platform's limits per robot (a rolling minute; none per second), and how long it keeps
#: refusing a robot that went beyond them.
PER_MINUTE = 20
PER_SECOND = None
PAUSE_SECONDS = 60
RATE_LIMITED = frozenset({45009})


def build(notification: Notification) -> dict[str, Any]:
    head = f"**{markdown_text(notification.subject)}**"
    url = absolute_link(notification.link)
    tail_parts = []
    if url:
        tail_parts.append(f"[{_('Open in mashang')}]({url})" if is_openable(url) else markdown_text(url))
    tail_parts.append(f'<font color="comment">{footer(notification)}</font>')
    tail = "\n".join(tail_parts)
    room = MAX_BYTES - len(head.encode()) - len(tail.encode()) - 4
    body = clip(markdown_text(notification.body.strip()), max(room, 0))
    content = "\n".join(p for p in (head, body, tail) if p)
    return {"msgtype": "markdown", "markdown": {"content": content}}


def build_digest(digest: Digest, *, secret: str = "") -> dict[str, Any]:
    parts = [f"**{markdown_text(digest.title)}**", *(markdown_text(line) for line in digest.lines)]
    if is_openable(digest.link):
        parts.append(f"[{_('Open the full list in mashang')}]({digest.link})")
    elif digest.link:
        parts.append(markdown_text(digest.link))
    parts.append(f'<font color="comment">{_("mashang · message {ref}").format(ref=digest.ref)}</font>')
    return {"msgtype": "markdown", "markdown": {"content": "\n".join(parts)}}


def digest_fits(body: dict[str, Any]) -> bool:
    return len(body["markdown"]["content"].encode()) <= MAX_BYTES


def post(robot, body: dict[str, Any]) -> None:
    answer = post_json(robot.webhook_url, body, pause_seconds=PAUSE_SECONDS)
    check_code(answer, "errcode", rate_limited=RATE_LIMITED, pause_seconds=PAUSE_SECONDS)


def send(notification: Notification) -> None:
    robot = robot_of(notification)
    post(robot, build(notification))
