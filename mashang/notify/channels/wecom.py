"""WeCom (企业微信) group robot.

POST the webhook URL (``…/cgi-bin/webhook/send?key=…``) with
``{"msgtype": "markdown", "markdown": {"content": …}}``; the content is at most 4096 bytes
of UTF-8 in WeCom's markdown subset (bold, links, quotes, ``<font color>``). WeCom robots do
not sign. The answer ``{"errcode": 0, "errmsg": "ok"}`` means accepted; any other errcode
(e.g. 45009 over the rate limit of 20 messages a minute) is a failure to retry.
"""

from __future__ import annotations

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

MAX_BYTES = 4096


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


def send(notification: Notification) -> None:
    robot = robot_of(notification)
    answer = post_json(robot.webhook_url, build(notification))
    check_code(answer, "errcode")
