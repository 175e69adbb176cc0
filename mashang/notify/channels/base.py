"""What the channels share: the failure they raise, the HTTP post, and the plain-text rendering.

User text (a demand's title, a question, a reply) is always text: the markdown platforms get
it with every character that could start markup replaced by its full-width twin, so nothing a
user typed can become a link, a heading or a coloured tag in a work group.
"""

from __future__ import annotations

import hashlib
import json
import re
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from mashang.notify.models import ChatRobot, Notification


class DeliveryFailed(Exception):
    """The receiving side did not accept the message. ``permanent``: retrying cannot help."""

    def __init__(self, message: str, *, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


class RateLimited(DeliveryFailed):
    """The platform refused the message for coming too fast: the robot waits ``pause_seconds``
    before it sends again, and the message waits with it (it is not a failed attempt)."""

    def __init__(self, message: str, *, pause_seconds: float):
        super().__init__(message)
        self.pause_seconds = pause_seconds


@dataclass
class Digest:
    """Many messages for one robot said as one: a heading with the counts per group, the most
    urgent first ("Natural resources: 3 Red card, 12 Yellow card"), one line per message, and a
    link to the full list (``mashang.notify.digests`` builds it)."""

    title: str
    lines: list[str]
    link: str
    ref: str


def message_ref(notification: Notification) -> str:
    """A short, stable reference of the message, shown in it: a resent copy carries the same."""
    return hashlib.sha256(notification.dedupe_key.encode()).hexdigest()[:12]


def absolute_link(link: str) -> str:
    """The link as people can open it: with ``MASHANG_BASE_URL`` in front of a path, if set."""
    if link.startswith("/") and settings.MASHANG_BASE_URL:
        return settings.MASHANG_BASE_URL + link
    return link


def is_openable(url: str) -> bool:
    return url.startswith(("https://", "http://"))


def footer(notification: Notification) -> str:
    return _("mashang · message {ref}").format(ref=message_ref(notification))


# Characters that start markup in the platforms' markdown (and HTML-ish tags WeCom knows),
# mapped to their full-width forms, which read the same in Chinese text.
_MARKUP = str.maketrans(
    {
        "<": "＜", ">": "＞", "[": "［", "]": "］", "(": "（", ")": "）", "*": "＊", "_": "＿",
        "`": "｀", "#": "＃", "|": "｜", "!": "！", "~": "～", "\\": "＼", "&": "＆",
    }
)


_LIST_MARKER = re.compile(r"\s*(?:[-+=]|\d+\.)")


def markdown_text(text: str) -> str:
    """``text`` made inert for a markdown renderer; list markers at a line's start too."""
    lines = []
    for line in text.translate(_MARKUP).splitlines():
        if _LIST_MARKER.match(line):
            line = "\u200b" + line  # a zero-width space: no longer the start of a list
        lines.append(line)
    return "\n".join(lines)


def clip(text: str, max_bytes: int) -> str:
    """``text`` cut to at most ``max_bytes`` of UTF-8, on a character boundary, marked with …"""
    data = text.encode()
    if len(data) <= max_bytes:
        return text
    return data[: max_bytes - 3].decode(errors="ignore") + "…"


def robot_of(notification: Notification) -> ChatRobot:
    robot = notification.robot
    if robot is None or not robot.is_active:
        raise DeliveryFailed("the chat robot was removed or switched off", permanent=True)
    return robot


def body_bytes(body: dict[str, Any]) -> int:
    """How many bytes ``body`` takes as the request :func:`post_json` sends."""
    return len(json.dumps(body, ensure_ascii=False).encode())


def post_json(
    url: str, body: dict[str, Any], *, headers: dict[str, str] | None = None, pause_seconds: float = 60
) -> dict[str, Any]:
    """POST ``body`` as JSON and return the JSON answer; anything but a 2xx JSON answer fails.
    HTTP 429 (too many requests) is :class:`RateLimited`, for ``Retry-After`` (or Feishu's
    ``x-ogw-ratelimit-reset``) seconds when the answer says, else ``pause_seconds``."""
    data = json.dumps(body, ensure_ascii=False).encode()
    request = urllib.request.Request(
        url,
        data=data,
        method="POST",
        headers={"Content-Type": "application/json; charset=utf-8", **(headers or {})},
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.MASHANG_NOTIFY_HTTP_TIMEOUT) as response:
            raw = response.read(65536)
    except urllib.error.HTTPError as exc:
        if exc.code == 429:
            raise RateLimited("HTTP 429", pause_seconds=_seconds_from(exc.headers, pause_seconds)) from exc
        raise DeliveryFailed(f"HTTP {exc.code}") from exc
    except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise DeliveryFailed(f"no answer: {reason}") from exc
    try:
        answer = json.loads(raw.decode() or "{}")
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DeliveryFailed("the answer is not JSON") from exc
    if not isinstance(answer, dict):
        raise DeliveryFailed("the answer is not a JSON object")
    return answer


def _seconds_from(headers, default: float) -> float:
    for name in ("Retry-After", "x-ogw-ratelimit-reset"):
        value = headers.get(name) if headers is not None else None
        try:
            if value is not None and 0 < float(value) <= 3600:
                return float(value)
        except ValueError:
            pass
    return default


def check_code(
    answer: dict[str, Any], *names: str, rate_limited: frozenset[int] = frozenset(), pause_seconds: float = 60
) -> None:
    """The platform accepted the message when the first of ``names`` present in the answer is 0;
    a code in ``rate_limited`` says "too fast" (:class:`RateLimited`, for ``pause_seconds``)."""
    for name in names:
        if name in answer:
            if answer[name] == 0:
                return
            message = answer.get("errmsg") or answer.get("msg") or answer.get("StatusMessage") or ""
            text = f"{name} {answer[name]}: {message}"[:500]
            if answer[name] in rate_limited:
                raise RateLimited(text, pause_seconds=pause_seconds)
            raise DeliveryFailed(text)
    raise DeliveryFailed(f"unexpected answer: {json.dumps(answer, ensure_ascii=False)[:300]}")
