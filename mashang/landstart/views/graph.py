"""The board's drawing: where each step's box goes and how the arrows between them run.

Pure presentation, no database: it takes the (column, row) layout the selectors give
(:func:`mashang.landstart.dag.layout`) and the edges, and returns coordinates for a
server-rendered SVG. Arrows that skip columns are routed along a row that is free in the
columns they cross, so they never run through another step's box.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

NODE_W = 176
NODE_H = 130
GAP_X = 44
GAP_Y = 22
PAD = 8


@dataclass(frozen=True)
class Box:
    x: int
    y: int
    w: int = NODE_W
    h: int = NODE_H

    @property
    def right(self) -> int:
        return self.x + self.w

    @property
    def middle(self) -> int:
        return self.y + self.h // 2


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    d: str  # the SVG path
    critical: bool


@dataclass(frozen=True)
class Graph:
    width: int
    height: int
    boxes: dict[str, Box]
    edges: tuple[Edge, ...]


def _x(column: int) -> int:
    return PAD + column * (NODE_W + GAP_X)


def _y(row: int) -> int:
    return PAD + row * (NODE_H + GAP_Y)


def _c(x1: float, y1: float, x2: float, y2: float) -> str:
    """A smooth S from (x1, y1) to (x2, y2), to follow an M or an L."""
    mid = (x1 + x2) / 2
    return f"C{mid:g},{y1:g} {mid:g},{y2:g} {x2:g},{y2:g}"


def _route(
    a: tuple[int, int], b: tuple[int, int], occupied: set[tuple[int, int]], rows: int
) -> tuple[str, bool]:
    """The path from the right side of box ``a`` to the left side of box ``b`` ((column, row)),
    and whether it runs in the channel under the drawing."""
    (ca, ra), (cb, rb) = a, b
    x1, y1 = _x(ca) + NODE_W, _y(ra) + NODE_H // 2
    x2, y2 = _x(cb) - 2, _y(rb) + NODE_H // 2  # stop short: the arrow head touches the box
    between = range(ca + 1, cb)
    start = f"M{x1:g},{y1:g} "
    if not between:
        return start + _c(x1, y1, x2, y2), False
    if all((c, ra) not in occupied for c in between):
        # Along the source's row, then into the target in the last gap.
        turn = _x(cb) - GAP_X
        return start + f"L{turn:g},{y1:g} " + _c(turn, y1, x2, y2), False
    if all((c, rb) not in occupied for c in between):
        # Into the target's row in the first gap, then straight along it.
        turn = _x(ca + 1)
        return start + _c(x1, y1, turn, y2) + f" L{x2:g},{y2:g}", False
    # Below every row, in the channel under the drawing.
    channel = _y(rows) - GAP_Y // 2 + GAP_Y
    first, last = _x(ca + 1), _x(cb) - GAP_X
    return start + _c(x1, y1, first, channel) + f" L{last:g},{channel:g} " + _c(
        last, channel, x2, y2
    ), True


def graph(
    placed: dict[str, tuple[int, int]],
    edges: Iterable[tuple[str, str]],
    critical: Iterable[tuple[str, str]],
) -> Graph:
    """Boxes and arrows for steps placed at (column, row)."""
    critical_edges = set(critical)
    occupied = set(placed.values())
    columns = max((c for c, _ in placed.values()), default=-1) + 1
    rows = max((r for _, r in placed.values()), default=-1) + 1
    drawn: list[Edge] = []
    channel = False
    for a, b in edges:
        if a not in placed or b not in placed:
            continue
        d, below = _route(placed[a], placed[b], occupied, rows)
        channel = channel or below
        drawn.append(Edge(a, b, d, (a, b) in critical_edges))
    # Critical arrows last, so they are drawn over the others.
    drawn.sort(key=lambda e: e.critical)
    width = PAD * 2 + max(columns, 1) * NODE_W + max(columns - 1, 0) * GAP_X
    height = (
        PAD * 2 + max(rows, 1) * NODE_H + max(rows - 1, 0) * GAP_Y + (GAP_Y * 2 if channel else 0)
    )
    boxes = {code: Box(_x(c), _y(r)) for code, (c, r) in placed.items()}
    return Graph(width=width, height=height, boxes=boxes, edges=tuple(drawn))


def fit(text: str, width_em: float) -> str:
    """``text`` cut to about ``width_em`` ems (a Chinese character is one em, a Latin letter
    about half), with an ellipsis when cut: SVG text does not wrap."""
    used = 0.0
    for i, char in enumerate(text):
        used += 1.0 if unicodedata.east_asian_width(char) in ("W", "F") else 0.55
        if used > width_em:
            return text[: max(i - 1, 0)] + "…"
    return text
