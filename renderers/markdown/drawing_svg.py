"""An Excalidraw drawing as a static SVG, for ``![[drawing.excalidraw]]`` in rendered pages.

With the Excalidraw plugin installed, Obsidian's reading view shows an embedded drawing as a
picture, not as the drawing note's Markdown (a "switch to Excalidraw view" banner and a list of
text elements). This module draws the elements of the drawing's JSON (:mod:`gardend.daemon.drawing`)
the way Excalidraw's own SVG export lays them out — position, size, rotation, corner radius,
stroke and fill colours, stroke width and style, opacity, text lines and alignment, arrowheads,
images — but with clean lines: the hand-drawn jitter of rough.js and the exact hachure pattern
are not reproduced, and Excalidraw's fonts are named with generic fallbacks.

Everything in a drawing is data from the vault, so nothing is copied into the SVG unchecked:
numbers must be finite numbers, colours must look like CSS colours, text is escaped, and links
go through the renderer's own resolution (no ``javascript:``; no href to a page the view
must not show). No inline styles either (the site's Content-Security-Policy drops them): the
site's stylesheet scales ``.excalidraw-svg svg`` to the page and keeps text whitespace.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from html import escape
from typing import Any

__all__ = ["DrawingLinks", "drawing_svg"]

_COLOR = re.compile(
    r"(?:#[0-9a-fA-F]{3,8}|[a-zA-Z]{1,30}|rgba?\([0-9.,%\s]{1,60}\)|hsla?\([0-9.,%\sdeg]{1,60}\))"
)
_FONTS = {
    1: "Virgil, Segoe UI Emoji, cursive",
    2: "Helvetica, Segoe UI Emoji, sans-serif",
    3: "Cascadia, Segoe UI Emoji, monospace",
    5: "Excalifont, Xiaolai, Segoe UI Emoji, cursive",
    6: "Nunito, Segoe UI Emoji, sans-serif",
    7: "Lilita One, Segoe UI Emoji, sans-serif",
    8: "Comic Shanns, Segoe UI Emoji, cursive",
    9: "Liberation Sans, Segoe UI Emoji, sans-serif",
}
_LIMIT = 1e7
_PAD = 10.0


@dataclass(frozen=True)
class DrawingLinks:
    """How the drawing's references become URLs in this view (supplied by the renderer).

    ``image_href(file_id)``: the URL of the image a file id stands for, or None.
    ``link_href(link)``: the URL for an element's ``link`` (``[[Note]]`` or a web address), or
    None when the view must not link it."""

    image_href: Callable[[str], str | None] = lambda _id: None
    link_href: Callable[[str], str | None] = lambda _link: None


def _num(value: Any, default: float = 0.0) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return default
    value = float(value)
    if not math.isfinite(value):
        return default
    return max(-_LIMIT, min(_LIMIT, value))


def _fmt(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _color(value: Any, default: str) -> str:
    if isinstance(value, str) and _COLOR.fullmatch(value.strip()):
        return value.strip()
    return default


def _points(element: dict[str, Any]) -> list[tuple[float, float]]:
    raw = element.get("points")
    if not isinstance(raw, list):
        return []
    out = []
    for p in raw:
        if isinstance(p, list) and len(p) >= 2:
            out.append((_num(p[0]), _num(p[1])))
    return out


@dataclass
class _Canvas:
    prefix: str
    defs: dict[str, str] = field(default_factory=dict)
    min_x: float = math.inf
    min_y: float = math.inf
    max_x: float = -math.inf
    max_y: float = -math.inf

    def extend(self, x0: float, y0: float, x1: float, y1: float) -> None:
        self.min_x, self.min_y = min(self.min_x, x0, x1), min(self.min_y, y0, y1)
        self.max_x, self.max_y = max(self.max_x, x0, x1), max(self.max_y, y0, y1)

    def fill(self, element: dict[str, Any]) -> str:
        """``fill`` attribute value: none, the colour, or a hatching pattern in that colour."""
        color = _color(element.get("backgroundColor"), "transparent")
        if color == "transparent":
            return "none"
        style = element.get("fillStyle")
        if style not in ("hachure", "cross-hatch", "zigzag"):
            return color
        key = hashlib.sha1(f"{style}\0{color}".encode()).hexdigest()[:10]
        pattern_id = f"{self.prefix}-{key}"
        if pattern_id not in self.defs:
            cross = f'<line x1="0" y1="0" x2="8" y2="0" stroke="{escape(color)}" stroke-width="1"/>' \
                if style == "cross-hatch" else ""
            self.defs[pattern_id] = (
                f'<pattern id="{pattern_id}" patternUnits="userSpaceOnUse" width="8" height="8" '
                f'patternTransform="rotate(-45)"><line x1="0" y1="0" x2="0" y2="8" stroke="{escape(color)}" '
                f'stroke-width="1.5"/>{cross}</pattern>'
            )
        return f"url(#{pattern_id})"


def _stroke_attrs(element: dict[str, Any]) -> str:
    color = _color(element.get("strokeColor"), "#1e1e1e")
    width = max(0.0, min(_num(element.get("strokeWidth"), 1.0), 100.0))
    attrs = f' stroke="{escape(color)}" stroke-width="{_fmt(width)}" stroke-linecap="round" stroke-linejoin="round"'
    style = element.get("strokeStyle")
    if style == "dashed":
        attrs += f' stroke-dasharray="{_fmt(8 + width)} {_fmt(8 + width)}"'
    elif style == "dotted":
        attrs += f' stroke-dasharray="1.5 {_fmt(6 + width)}"'
    return attrs


def _corner_radius(element: dict[str, Any], size: float) -> float:
    """Excalidraw's corner radius: a quarter of the shorter side (proportional and legacy
    roundness), or with adaptive roundness that up to a fixed radius (32 unless set)."""
    roundness = element.get("roundness")
    if not isinstance(roundness, dict):
        return 0.0
    kind = roundness.get("type")
    if kind in (1, 2):
        return size * 0.25
    if kind == 3:
        fixed = _num(roundness.get("value"), 32.0) or 32.0
        return size * 0.25 if size <= fixed / 0.25 else fixed
    return 0.0


def _arrowhead(kind: Any, tip: tuple[float, float], before: tuple[float, float], attrs: str, color: str) -> str:
    dx, dy = tip[0] - before[0], tip[1] - before[1]
    length = math.hypot(dx, dy)
    if not kind or length == 0:
        return ""
    ux, uy = dx / length, dy / length
    size = min(20.0, length / 2)

    def at(angle: float, dist: float) -> tuple[float, float]:
        c, s = math.cos(angle), math.sin(angle)
        return tip[0] - dist * (ux * c - uy * s), tip[1] - dist * (uy * c + ux * s)

    if kind == "arrow":
        a, b = at(0.45, size), at(-0.45, size)
        return (f'<path d="M{_fmt(a[0])} {_fmt(a[1])}L{_fmt(tip[0])} {_fmt(tip[1])}L{_fmt(b[0])} {_fmt(b[1])}"'
                f' fill="none"{attrs}/>')
    if kind in ("triangle", "triangle_outline"):
        a, b = at(0.4, size), at(-0.4, size)
        fill = "none" if kind.endswith("outline") else escape(color)
        return (f'<path d="M{_fmt(tip[0])} {_fmt(tip[1])}L{_fmt(a[0])} {_fmt(a[1])}L{_fmt(b[0])} {_fmt(b[1])}Z"'
                f' fill="{fill}"{attrs}/>')
    if kind in ("dot", "circle", "circle_outline"):
        fill = "none" if kind.endswith("outline") else escape(color)
        return f'<circle cx="{_fmt(tip[0])}" cy="{_fmt(tip[1])}" r="{_fmt(size / 3)}" fill="{fill}"{attrs}/>'
    if kind == "bar":
        a, b = at(math.pi / 2, size / 2), at(-math.pi / 2, size / 2)
        return f'<path d="M{_fmt(a[0])} {_fmt(a[1])}L{_fmt(b[0])} {_fmt(b[1])}"{attrs}/>'
    return ""


def _text(element: dict[str, Any], x: float, y: float, w: float) -> str:
    text = element.get("text")
    if not isinstance(text, str) or not text:
        return ""
    size = max(1.0, min(_num(element.get("fontSize"), 20.0), 1000.0))
    line_height = size * max(0.5, min(_num(element.get("lineHeight"), 1.25), 5.0))
    align = element.get("textAlign")
    anchor, offset = {"center": ("middle", w / 2), "right": ("end", w)}.get(
        align if isinstance(align, str) else "", ("start", 0.0)
    )
    family = _FONTS.get(int(_num(element.get("fontFamily"), 1)), _FONTS[1])
    fill = escape(_color(element.get("strokeColor"), "#1e1e1e"))
    lines = text.split("\n")
    return "".join(
        f'<text x="{_fmt(x + offset)}" y="{_fmt(y + i * line_height + line_height / 2 + size * 0.35)}" '
        f'font-family="{family}" font-size="{_fmt(size)}px" fill="{fill}" text-anchor="{anchor}">'
        f"{escape(line)}</text>"
        for i, line in enumerate(lines)
    )


def _element(element: dict[str, Any], canvas: _Canvas, links: DrawingLinks) -> str:
    kind = element.get("type")
    x, y = _num(element.get("x")), _num(element.get("y"))
    w, h = max(0.0, _num(element.get("width"))), max(0.0, _num(element.get("height")))
    stroke = _stroke_attrs(element)
    body = ""
    if kind == "rectangle" or kind in ("frame", "magicframe", "embeddable", "iframe"):
        r = _corner_radius(element, min(w, h))
        radius = f' rx="{_fmt(r)}" ry="{_fmt(r)}"' if r else ""
        fill = canvas.fill(element) if kind == "rectangle" else "none"
        body = (f'<rect x="{_fmt(x)}" y="{_fmt(y)}" width="{_fmt(w)}" height="{_fmt(h)}"{radius}'
                f' fill="{fill}"{stroke}/>')
        name = element.get("name")
        if kind in ("frame", "magicframe") and isinstance(name, str) and name:
            body += (f'<text x="{_fmt(x)}" y="{_fmt(y - 6)}" font-family="{_FONTS[2]}" font-size="14px" '
                     f'fill="#999">{escape(name)}</text>')
        canvas.extend(x, y, x + w, y + h)
    elif kind == "ellipse":
        body = (f'<ellipse cx="{_fmt(x + w / 2)}" cy="{_fmt(y + h / 2)}" rx="{_fmt(w / 2)}" ry="{_fmt(h / 2)}"'
                f' fill="{canvas.fill(element)}"{stroke}/>')
        canvas.extend(x, y, x + w, y + h)
    elif kind == "diamond":
        pts = [(x + w / 2, y), (x + w, y + h / 2), (x + w / 2, y + h), (x, y + h / 2)]
        d = "M" + "L".join(f"{_fmt(px)} {_fmt(py)}" for px, py in pts) + "Z"
        body = f'<path d="{d}" fill="{canvas.fill(element)}"{stroke}/>'
        canvas.extend(x, y, x + w, y + h)
    elif kind in ("line", "arrow", "freedraw"):
        pts = [(x + px, y + py) for px, py in _points(element)]
        if not pts:
            return ""
        d = "M" + "L".join(f"{_fmt(px)} {_fmt(py)}" for px, py in pts)
        closed = kind == "line" and len(pts) > 2 and pts[0] == pts[-1]
        fill = canvas.fill(element) if closed else "none"
        body = f'<path d="{d}{"Z" if closed else ""}" fill="{fill}"{stroke}/>'
        if kind == "arrow" and len(pts) >= 2:
            color = _color(element.get("strokeColor"), "#1e1e1e")
            body += _arrowhead(element.get("endArrowhead"), pts[-1], pts[-2], stroke, color)
            body += _arrowhead(element.get("startArrowhead"), pts[0], pts[1], stroke, color)
        for px, py in pts:
            canvas.extend(px, py, px, py)
    elif kind == "text":
        body = _text(element, x, y, w)
        canvas.extend(x, y, x + w, y + h)
    elif kind == "image":
        file_id = element.get("fileId")
        href = links.image_href(file_id) if isinstance(file_id, str) else None
        if href:
            body = (f'<image href="{escape(href)}" x="{_fmt(x)}" y="{_fmt(y)}" width="{_fmt(w)}" height="{_fmt(h)}"'
                    ' preserveAspectRatio="none"/>')
        else:
            body = (f'<rect x="{_fmt(x)}" y="{_fmt(y)}" width="{_fmt(w)}" height="{_fmt(h)}" fill="none"'
                    ' stroke="#999" stroke-dasharray="4 4"/>')
        canvas.extend(x, y, x + w, y + h)
    if not body:
        return ""
    angle = _num(element.get("angle"))
    opacity = max(0.0, min(_num(element.get("opacity"), 100.0), 100.0)) / 100
    attrs = ""
    if angle:
        attrs += f' transform="rotate({_fmt(math.degrees(angle))} {_fmt(x + w / 2)} {_fmt(y + h / 2)})"'
    if opacity < 1:
        attrs += f' opacity="{_fmt(opacity)}"'
    group = f"<g{attrs}>{body}</g>"
    link = element.get("link")
    href = links.link_href(link) if isinstance(link, str) and link else None
    return f'<a href="{escape(href)}">{group}</a>' if href else group


def drawing_svg(drawing: Any, links: DrawingLinks, *, key: str = "", width: float | None = None) -> str | None:
    """The SVG of ``drawing`` (parsed JSON), or None when it has nothing to draw.

    ``key`` makes the ids of pattern definitions unique to the drawing; ``width`` (an embed's
    ``|400``) scales it, the height following."""
    if not isinstance(drawing, dict):
        return None
    elements = drawing.get("elements")
    if not isinstance(elements, list):
        return None
    canvas = _Canvas(prefix="xd" + hashlib.sha1(key.encode()).hexdigest()[:8])
    parts = [_element(e, canvas, links) for e in elements if isinstance(e, dict) and not e.get("isDeleted")]
    parts = [p for p in parts if p]
    if not parts or not math.isfinite(canvas.min_x):
        return None
    x0, y0 = canvas.min_x - _PAD, canvas.min_y - _PAD
    w, h = canvas.max_x - canvas.min_x + 2 * _PAD, canvas.max_y - canvas.min_y + 2 * _PAD
    state = drawing.get("appState")
    background = _color(state.get("viewBackgroundColor"), "transparent") if isinstance(state, dict) else "transparent"
    back = "" if background == "transparent" else (
        f'<rect x="{_fmt(x0)}" y="{_fmt(y0)}" width="{_fmt(w)}" height="{_fmt(h)}" fill="{escape(background)}"/>'
    )
    defs = f"<defs>{''.join(canvas.defs.values())}</defs>" if canvas.defs else ""
    shown = width if width is not None and width > 0 else w
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{_fmt(x0)} {_fmt(y0)} {_fmt(w)} {_fmt(h)}" '
        f'width="{_fmt(shown)}" role="img">'
        f"{defs}{back}{''.join(parts)}</svg>"
    )
