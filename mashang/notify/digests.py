"""Many messages for one chat robot said as one digest.

A domain that may tell a work group of many things at once (a sweep's supervision notices) marks
each message with :func:`digest_entry`: which group it counts in ("Red card"), how urgent the
group is, the line that names it in a digest ("D2026-0012 title") and the page listing them all.
Such a message waits ``MASHANG_NOTIFY_DIGEST_SECONDS`` for others bound to the same robot, and
then all those waiting go as few digests as the platform's size limit allows: the heading counts
them per group, the most urgent first; each line names one message; a link opens the full list.
One marked ``urgent`` (a red card) does not wait: it goes at once, taking along whatever is
waiting for the robot. A message alone goes in its own format. Messages without an entry (a
dispatch, a land-start step on the clock) are never held and go one by one, paced.

Only chat-robot rows are digested: the inbox and e-mail stay one message per person.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext as _

from mashang.notify import channels
from mashang.notify.channels.base import Digest, absolute_link
from mashang.notify.models import ChatRobot, Notification

#: The key of a message's payload that says it may be digested.
DIGEST_KEY = "robot_digest"
#: A message's line in a digest is cut to this many characters.
LINE_CHARS = 60


def digest_entry(*, group: str, urgency: int, line: str, list_link: str = "", urgent: bool = False) -> dict[str, Any]:
    """The payload entry that lets a robot message be digested (merge it into the payload).

    ``group`` counts it in the heading ("Yellow card"); a higher ``urgency`` comes first;
    ``line`` names it ("D2026-0012 title"); ``list_link`` is the page with all of them (a path);
    ``urgent`` sends it at once instead of waiting for others."""
    return {
        DIGEST_KEY: {
            "group": str(group),
            "urgency": int(urgency),
            "line": str(line),
            "list": list_link[:300],
            "urgent": bool(urgent),
        }
    }


def entry_of(payload: dict[str, Any] | None) -> dict[str, Any] | None:
    entry = (payload or {}).get(DIGEST_KEY)
    return entry if isinstance(entry, dict) else None


def is_held(payload: dict[str, Any] | None) -> bool:
    """Whether a robot message waits for others (digestible and not urgent)."""
    entry = entry_of(payload)
    return entry is not None and not entry.get("urgent")


def most_urgent_first(rows: Sequence[Notification]) -> list[Notification]:
    return sorted(rows, key=lambda r: (-int(entry_of(r.payload).get("urgency", 0)), r.created_at, r.pk))


def _shorten(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= LINE_CHARS else text[: LINE_CHARS - 1] + "…"


def digest_of(robot: ChatRobot, rows: Sequence[Notification]) -> Digest:
    """The digest of ``rows`` (already most urgent first) for ``robot``."""
    entries = [entry_of(r.payload) for r in rows]
    counts = Counter(e["group"] for e in entries)
    groups = list(dict.fromkeys(e["group"] for e in entries))  # in the rows' order: most urgent first
    place = robot.unit.name if robot.unit_id and robot.unit else robot.name
    title = _("{place}: {counts}").format(
        place=place,
        counts=_(", ").join(_("{count} {group}").format(count=counts[g], group=g) for g in groups),
    )
    lines = [_("{group}: {line}").format(group=e["group"], line=_shorten(e["line"])) for e in entries]
    link = absolute_link(next((e["list"] for e in entries if e.get("list")), ""))
    ref = hashlib.sha256("\n".join(sorted(r.dedupe_key for r in rows)).encode()).hexdigest()[:12]
    return Digest(title=title, lines=lines, link=link, ref=ref)


def digests_plan(robot: ChatRobot, rows: Sequence[Notification], *, most: int) -> list[list[Notification]]:
    """Up to ``most`` digests of ``rows`` (most urgent first), each as many rows as fit the
    platform's size limit; the rows left over wait for the robot's next turn."""
    module = channels.ROBOTS[robot.platform]

    def fits(chunk: list[Notification]) -> bool:
        return module.digest_fits(module.build_digest(digest_of(robot, chunk), secret=robot.secret))

    chunks: list[list[Notification]] = []
    current: list[Notification] = []
    for row in rows:
        if current and not fits([*current, row]):
            chunks.append(current)
            if len(chunks) == most:
                return chunks
            current = []
        current.append(row)
    if current and len(chunks) < most:
        chunks.append(current)
    return chunks
