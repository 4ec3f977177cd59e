"""A canvas as a site page: an overview map of its layout and its cards in reading order.

The Digital Garden site shows a published canvas as absolutely positioned boxes
(``style="transform: translate(…)"``) that a script pans and zooms. gardend's pages run under a
Content-Security-Policy without inline styles or scripts (:mod:`gardend.daemon.server.security`),
so the same layout cannot be drawn with ``style`` attributes. Instead a page shows:

* a **map**: one SVG whose geometry lives in SVG attributes (``x``/``y``/``width``/``height``,
  which the policy does not govern), with every node as a box linking to its card, groups as
  labelled frames and edges as arrows — it scales with the page, so it works on any screen;
* the **cards**: each node in reading order (top to bottom, then left to right), nodes inside a
  group listed under the group's label. A text node's Markdown is rendered by the site renderer
  (links, embeds, queries, callouts, the published view's privacy rules); a file node embeds the
  note or image it shows (or links to a canvas or other file); a link node is a plain link
  (external pages cannot be framed under the policy).

Nothing here is taken from the compiled file: the page is rendered from the index, with the
published view's rules. A file node showing a note the view may not show (unpublished, in the
published view) is a neutral placeholder, and no map title or card names it. Canvas JSON of any
shape renders (bad nodes are skipped, never an error page).
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..canvas import CanvasJSONError, parse_canvas_json
from ..values import js_truthy

__all__ = ["CanvasPage", "render_canvas_page"]

PRIVATE_CARD = "This content is not published."
_COLORS = {"1", "2", "3", "4", "5", "6"}
_SIDES = ("top", "right", "bottom", "left")
_IMAGE_EXT = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg", ".bmp", ".avif")
_MAX_CARDS = 2000
"""Cards drawn at most (a canvas is a board, not a database; the rest is counted, not shown)."""


@dataclass
class CanvasPage:
    """The rendered page body and what it depended on."""

    html: str
    dependencies: list[str] = field(default_factory=list)
    has_mermaid: bool = False
    may_query: bool = False
    """A text node holds code (a backtick): it may be a Dataview query, which reads other notes."""


@dataclass
class _Node:
    index: int
    kind: str
    data: dict[str, Any]
    box: tuple[float, float, float, float] | None
    """x, y, width, height when all four are finite numbers."""
    color: str | None

    @property
    def anchor(self) -> str:
        return f"canvas-node-{self.index}"

    def center(self) -> tuple[float, float]:
        assert self.box is not None
        x, y, w, h = self.box
        return x + w / 2, y + h / 2

    def side(self, side: Any) -> tuple[float, float]:
        assert self.box is not None
        x, y, w, h = self.box
        cx, cy = x + w / 2, y + h / 2
        return {"top": (cx, y), "right": (x + w, cy), "bottom": (cx, y + h), "left": (x, cy)}.get(
            side if isinstance(side, str) else "", (cx, cy))


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    value = float(value)
    return value if math.isfinite(value) and abs(value) < 1e12 else None


def _box(data: dict[str, Any]) -> tuple[float, float, float, float] | None:
    parts = [_number(data.get(k)) for k in ("x", "y", "width", "height")]
    if any(p is None for p in parts):
        return None
    x, y, w, h = (p for p in parts if p is not None)
    return (x, y, max(w, 1.0), max(h, 1.0))


_HEX = re.compile(r"#(?:[0-9a-fA-F]{3,4}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})")


def _color(value: Any) -> str | None:
    """A preset colour's class suffix ("1"…"6"), "hex" for ``#rrggbb``, else None."""
    if isinstance(value, str):
        if value in _COLORS:
            return value
        if _HEX.fullmatch(value):
            return "hex"
    return None


def _stroke(color: str | None, value: Any) -> str:
    """A custom colour as the SVG ``stroke`` attribute (a presentation attribute, which the
    Content-Security-Policy allows, unlike a ``style`` attribute)."""
    return f' stroke="{value}"' if color == "hex" else ""


def _nodes(data: Any) -> list[_Node]:
    raw = data.get("nodes") if isinstance(data, dict) else None
    if not isinstance(raw, list):
        return []
    out = []
    for i, node in enumerate(raw):
        if not isinstance(node, dict) or not isinstance(node.get("type"), str):
            continue
        out.append(_Node(i, node["type"], node, _box(node), _color(node.get("color"))))
    return out


def _edges(data: Any) -> list[dict[str, Any]]:
    raw = data.get("edges") if isinstance(data, dict) else None
    return [e for e in raw if isinstance(e, dict)] if isinstance(raw, list) else []


def _fmt(value: float) -> str:
    text = repr(round(value, 2))
    return text[:-2] if text.endswith(".0") else text


def _reading_order(nodes: list[_Node]) -> list[_Node]:
    return sorted(nodes, key=lambda n: (n.box is None, n.box[1] if n.box else 0.0, n.box[0] if n.box else 0.0, n.index))


def _rank(node: _Node) -> tuple[float, int]:
    """Groups nest by size: a group can only hold a node ranked below it (smaller, or as large
    and later in the file), so nesting never forms a cycle."""
    assert node.box is not None
    return (node.box[2] * node.box[3], -node.index)


def _containing_group(node: _Node, groups: list[_Node]) -> _Node | None:
    """The smallest group whose box holds the node's centre."""
    if node.box is None:
        return None
    cx, cy = node.center()
    best: _Node | None = None
    for group in groups:
        if group is node or group.box is None:
            continue
        if node.kind == "group" and _rank(group) <= _rank(node):
            continue
        x, y, w, h = group.box
        if x <= cx <= x + w and y <= cy <= y + h and (best is None or _rank(group) < _rank(best)):
            best = group
    return best


def render_canvas_page(
    text: str,
    *,
    render_markdown: Callable[[str], tuple[str, list[str], bool]],
    resolve: Callable[[str], str | None],
    visible: Callable[[str], bool],
    href_for: Callable[[str, str | None], str | None],
) -> CanvasPage:
    """The page body of a canvas whose file holds ``text``.

    ``render_markdown(markdown)`` renders Markdown in the canvas's context with the view's rules
    (HTML, dependencies, has Mermaid); ``resolve(linkpath)`` is link resolution from the canvas;
    ``visible(path)`` whether this view may show that note or canvas; ``href_for(path,
    subpath)`` its URL (None: no page in this view)."""
    try:
        data = parse_canvas_json(text)
    except CanvasJSONError:
        return CanvasPage('<p class="canvas-invalid">This canvas is not valid JSON.</p>')
    nodes = _nodes(data)
    page = CanvasPage("")
    by_id: dict[str, _Node] = {}
    for node in nodes:
        node_id = node.data.get("id")
        if isinstance(node_id, str):
            by_id[node_id] = node
    cards = _Cards(page, render_markdown, resolve, visible, href_for)
    groups = [n for n in nodes if n.kind == "group"]
    members: dict[int, list[_Node]] = {g.index: [] for g in groups}
    top: list[_Node] = []
    for node in nodes:
        group = _containing_group(node, groups)
        (members[group.index] if group is not None else top).append(node)
    parts = [_map(nodes, _edges(data), by_id, cards)]
    body: list[str] = []
    shown = 0

    def emit(items: list[_Node], depth: int) -> None:
        nonlocal shown
        for node in _reading_order(items):
            if shown >= _MAX_CARDS:
                return
            shown += 1
            if node.kind == "group":
                label = node.data.get("label")
                heading = html.escape(label) if isinstance(label, str) and label else "Group"
                classes = "canvas-group" + (f" canvas-color-{node.color}" if node.color else "")
                body.append(f'<section class="{classes}" id="{node.anchor}" aria-label="{heading}">'
                            f'<h2 class="canvas-group-label">{heading}</h2>')
                emit(members.get(node.index, []), depth + 1)
                body.append("</section>")
            else:
                body.append(cards.card(node))

    emit(top, 0)
    if len(nodes) > shown:
        body.append(f'<p class="muted">{len(nodes) - shown} more cards are not shown.</p>')
    parts.append('<div class="canvas-cards">' + "".join(body) + "</div>")
    page.html = "\n".join(p for p in parts if p)
    return page


class _Cards:
    def __init__(
        self, page: CanvasPage, render_markdown: Callable[[str], tuple[str, list[str], bool]],
        resolve: Callable[[str], str | None], visible: Callable[[str], bool],
        href_for: Callable[[str, str | None], str | None],
    ) -> None:
        self.page = page
        self.render_markdown = render_markdown
        self.resolve = resolve
        self.visible = visible
        self.href_for = href_for

    def markdown(self, text: str) -> str:
        out, deps, mermaid = self.render_markdown(text)
        self.page.dependencies.extend(deps)
        self.page.has_mermaid = self.page.has_mermaid or mermaid
        return out

    def target(self, node: _Node) -> tuple[str | None, str | None, bool]:
        """(typed file, resolved path, shown) of a file node; ``shown`` False: the view may not
        show it (an unpublished note or canvas in the published view)."""
        typed = node.data.get("file")
        if not isinstance(typed, str) or not typed:
            return None, None, True
        resolved = self.resolve(typed.split("#", 1)[0])
        if resolved is not None:
            self.page.dependencies.append(resolved)
        if resolved is not None and resolved.endswith((".md", ".canvas")) and not self.visible(resolved):
            return typed, resolved, False
        return typed, resolved, True

    def map_title(self, node: _Node) -> str:
        """What the map says of a node: never a text node's Markdown (it may name private notes),
        never the target of a file node the view may not show."""
        if node.kind == "file":
            typed, _resolved, shown = self.target(node)
            if not shown or typed is None:
                return "Not published" if not shown else "File"
            return typed.rsplit("/", 1)[-1]
        if node.kind == "link":
            return "Link"
        if node.kind == "group":
            label = node.data.get("label")
            return label if isinstance(label, str) and label else "Group"
        return "Text" if node.kind == "text" else "Card"

    def card(self, node: _Node) -> str:
        classes = f"canvas-card canvas-card-{_kind_class(node.kind)}" + (
            f" canvas-color-{node.color}" if node.color else "")
        return f'<article class="{classes}" id="{node.anchor}">{self.content(node)}</article>'

    def content(self, node: _Node) -> str:
        data = node.data
        if node.kind == "text":
            text = data.get("text")
            if not isinstance(text, str):
                return ""
            self.page.may_query = self.page.may_query or "`" in text
            return self.markdown(text)
        if node.kind == "file":
            return self.file_content(node)
        if node.kind == "link":
            url = data.get("url")
            if isinstance(url, str) and url.lower().startswith(("http://", "https://")):
                return (f'<p><a class="external-link" href="{html.escape(url)}" rel="noopener nofollow">'
                        f"{html.escape(url)}</a></p>")
            return f"<p>{html.escape(url)}</p>" if isinstance(url, str) else ""
        return ""

    def file_content(self, node: _Node) -> str:
        typed, resolved, shown = self.target(node)
        if not shown:
            return f'<p class="canvas-private">{PRIVATE_CARD}</p>'
        if typed is None:
            return ""
        subpath = node.data.get("subpath")
        subpath = subpath if isinstance(subpath, str) and subpath.startswith("#") else ""
        if any(c in typed + subpath for c in "[]|\n\r"):
            return f"<p>{html.escape(typed)}</p>"  # no wikilink can say it: plain text
        if resolved is not None and resolved.endswith(".canvas"):
            return self.markdown(f"[[{resolved}{subpath}]]")
        if resolved is not None and (resolved.endswith(".md") or resolved.lower().endswith(_IMAGE_EXT)):
            body = self.markdown(f"![[{resolved}{subpath}]]")
            if resolved.endswith(".md"):
                href = self.href_for(resolved, subpath or None)
                title = html.escape(resolved.rsplit("/", 1)[-1][:-3])
                head = (f'<p class="canvas-card-file"><a class="internal-link" href="{html.escape(href)}">{title}</a></p>'
                        if href else f'<p class="canvas-card-file">{title}</p>')
                return head + body
            return body
        return self.markdown(f"[[{resolved or typed}{subpath}]]")


def _kind_class(kind: str) -> str:
    return kind if kind in ("text", "file", "link", "group") else "other"


def _map(nodes: list[_Node], edges: list[dict[str, Any]], by_id: dict[str, _Node], cards: _Cards) -> str:
    """The SVG overview: boxes where the canvas has them, each linking to its card."""
    placed = [n for n in nodes if n.box is not None]
    if not placed:
        return ""
    min_x = min(n.box[0] for n in placed)  # type: ignore[index]
    min_y = min(n.box[1] for n in placed)  # type: ignore[index]
    max_x = max(n.box[0] + n.box[2] for n in placed)  # type: ignore[index]
    max_y = max(n.box[1] + n.box[3] for n in placed)  # type: ignore[index]
    pad = max(max_x - min_x, max_y - min_y) * 0.02 + 10
    view = f"{_fmt(min_x - pad)} {_fmt(min_y - pad)} {_fmt(max_x - min_x + 2 * pad)} {_fmt(max_y - min_y + 2 * pad)}"
    font = max(max_x - min_x, max_y - min_y) / 60 + 8
    out = [
        f'<figure class="canvas-map"><svg viewBox="{view}" role="img" aria-label="Layout of the canvas"'
        f' preserveAspectRatio="xMidYMid meet" font-size="{_fmt(font)}">',
        '<defs><marker id="canvas-map-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6"'
        ' orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" class="canvas-map-arrowhead"></path></marker></defs>',
    ]
    order = sorted(placed, key=lambda n: (n.kind != "group", n.index))  # groups behind the cards
    for node in order:
        x, y, w, h = node.box  # type: ignore[misc]
        classes = f"canvas-map-node canvas-map-{_kind_class(node.kind)}" + (
            f" canvas-color-{node.color}" if node.color else "")
        title = html.escape(cards.map_title(node))
        label = ""
        if node.kind == "group":
            label = (f'<text x="{_fmt(x + font / 2)}" y="{_fmt(y - font / 3)}" class="canvas-map-label">{title}</text>'
                     if title != "Group" else "")
        out.append(
            f'<a href="#{node.anchor}"><title>{title}</title>'
            f'<rect x="{_fmt(x)}" y="{_fmt(y)}" width="{_fmt(w)}" height="{_fmt(h)}" rx="{_fmt(font / 2)}"'
            f' class="{classes}"{_stroke(node.color, node.data.get("color"))}></rect>{label}</a>'
        )
    for edge in edges:
        source = by_id.get(edge.get("fromNode")) if isinstance(edge.get("fromNode"), str) else None
        target = by_id.get(edge.get("toNode")) if isinstance(edge.get("toNode"), str) else None
        if source is None or target is None or source.box is None or target.box is None:
            continue
        x1, y1 = source.side(edge.get("fromSide") if edge.get("fromSide") in _SIDES else "right")
        x2, y2 = target.side(edge.get("toSide") if edge.get("toSide") in _SIDES else "left")
        color = _color(edge.get("color"))
        classes = "canvas-map-edge" + (f" canvas-color-{color}" if color else "")
        ends = ""
        if edge.get("toEnd") != "none":
            ends += ' marker-end="url(#canvas-map-arrow)"'
        if edge.get("fromEnd") == "arrow":
            ends += ' marker-start="url(#canvas-map-arrow)"'
        out.append(f'<line x1="{_fmt(x1)}" y1="{_fmt(y1)}" x2="{_fmt(x2)}" y2="{_fmt(y2)}" class="{classes}"'
                   f'{_stroke(color, edge.get("color"))}{ends}></line>')
        label = edge.get("label")
        if isinstance(label, str) and js_truthy(label):
            out.append(f'<text x="{_fmt((x1 + x2) / 2)}" y="{_fmt((y1 + y2) / 2)}" class="canvas-map-edge-label"'
                       f' text-anchor="middle">{html.escape(label)}</text>')
    out.append("</svg></figure>")
    return "".join(out)
