"""A published canvas → the file the Digital Garden plugin commits for it (2.66.0+).

Source read: obsidian-digital-garden ``src/compiler/CanvasCompiler.ts`` (the newest stored
version, plugin 2.68.1, commit d167ac4) with ``GardenPageCompiler.processTextNodeContent`` of the
same version, ``Publisher.getFilesMarkedForPublishing``/``shouldPublishCanvas`` and
``utils.generateUrlPath``/``sanitizePermalink``; the site template's ``canvas`` extension and
``canvas-markdown`` transform (digitalgarden ``.eleventy.js``) for how the file is consumed.

What the plugin writes, in its order:

1. ``JSON.parse`` of the file (a canvas that is not valid JSON is never selected, so never
   compiled); ``nodes``/``edges`` default to ``[]`` when falsy.
2. Every node becomes a ``<div class="canvas-node …" style="transform: translate(Xpx, Ypx);
   width: Wpx; height: Hpx; ">`` (``--canvas-color`` for a colour): a **text** node's Markdown is
   run through the note steps minus the frontmatter — custom filters, block ids, transclusions,
   Dataview, wikilinks → full path, comments (2.68.1's list) — and stored base64 (UTF-8) in
   ``data-markdown`` for the site's ``canvas-markdown`` transform; a **file** node is an ``<img>``
   for an image (uploaded as an asset) or an ``<iframe>`` of the target's garden URL; a **link**
   node an ``<iframe>`` (YouTube URLs as an embed); a **group** a labelled box, its background
   image uploaded as an asset. Unknown node types give "".
3. Edges become SVG cubic Béziers between node sides, with arrow markers per colour and labels at
   the curve's midpoint.
4. The frontmatter is the note frontmatter (:func:`~.frontmatter.compile_frontmatter`, so the key
   order, ``dg-path``, ``permalink`` — ending ``.canvas/`` — and pass-through are the notes') of
   ``metadata.frontmatter`` plus the content-classes key set to ``"<existing> canvas-page"``.
   Timestamps come from the file's times; with a ``created``/``updatedTimestampKey`` set the
   plugin reads that key from Obsidian's metadata cache, which holds nothing for a canvas, so
   there is none (unverified beyond code reading).

The file is ``---\\n<frontmatter JSON>\\n---\\n`` + the canvas HTML, at ``src/site/notes/<vault
path>`` like a note.

JavaScript's semantics are reproduced where canvas JSON of odd shape reaches them: template
literals print ``undefined``/``null``/``[object Object]``, ``+`` concatenates when a coordinate is
a string, arithmetic on a missing coordinate gives ``NaN``. Where the plugin's compile throws (a
``null`` node, a non-string text, file, url, label or background, a truthy non-string colour, an
edge side that is not one of the four) the canvas is not published and :class:`CanvasError` says
why — the plugin's publish of such a canvas fails too.

``mode="safe"`` keeps the privacy promise for canvases as for notes: text nodes go through the
same safe steps (placeholders for transclusions of unpublished notes, display text for links to
them, published-only queries), and a **file node pointing at an unpublished note or canvas**
keeps its position and colour but none of its target: no ``data-file-path``, no label, no URL —
the transclusion placeholder's sentence instead. Images shown on a published canvas are published
with it (an attachment is no note; the canvas's author placed it there).
"""

from __future__ import annotations

import base64
import math
import re
from dataclasses import replace
from typing import Any
from urllib.parse import urlsplit

from ..canvas import CanvasJSONError, parse_canvas_json
from ..values import js_number_str, js_truthy
from .assets import IMG_PREFIX, REPO_IMG_PREFIX, Asset
from .compile import NOTES_PREFIX, CompiledNote, GardenCompiler, NotPublishable
from .context import CompileContext
from .frontmatter import FileTimes, compile_frontmatter
from .jsfmt import encode_uri, js_json
from .links import convert_wikilinks, redact_markdown_links
from .paths import garden_path, url_path
from .queries import NoteReplaced
from .transclusion import transclude
from .transforms import apply_custom_filters, remove_comments, replace_block_ids

__all__ = ["PRIVATE_NODE_TEXT", "CanvasError", "compile_canvas", "compile_canvas_text", "published_canvases"]

PRIVATE_NODE_TEXT = "This content is not published."
"""What a safe-mode file node shows instead of an unpublished note (the transclusion
placeholder's sentence: names nothing)."""


class CanvasError(ValueError):
    """The plugin's canvas compile would throw here: the canvas cannot be published as it is."""


def published_canvases(index: Any) -> list[str]:
    """Vault paths of the canvases flagged ``dg-publish``, in path order."""
    return [
        r[0]
        for r in index.conn.execute(
            "SELECT f.path FROM files f JOIN canvases c ON c.file_id = f.id WHERE c.publish = 1 ORDER BY f.path"
        )
    ]


# -- JavaScript values ----------------------------------------------------------------------------
# Parsed canvas JSON holds dict, list, str, float (every number: ``parse_int=float``), bool and
# None (null); a missing property is UNDEFINED.


class _Undefined:
    __slots__ = ()

    def __repr__(self) -> str:
        return "undefined"


UNDEFINED: Any = _Undefined()


def _prop(obj: Any, key: str) -> Any:
    """``obj.key``: a TypeError (here :class:`CanvasError`) on null/undefined, ``undefined`` on
    primitives and arrays (no canvas key is one of their properties)."""
    if obj is None or obj is UNDEFINED:
        raise CanvasError(f"cannot read {key!r} of {_tpl(obj)}")
    if isinstance(obj, dict):
        return obj.get(key, UNDEFINED)
    return UNDEFINED


def _opt(obj: Any, key: str) -> Any:
    """``obj?.key``."""
    return UNDEFINED if obj is None or obj is UNDEFINED else _prop(obj, key)


def _truthy(value: Any) -> bool:
    return value is not UNDEFINED and js_truthy(value)


def _tpl(value: Any) -> str:
    """``String(value)`` / a template literal's ``${value}``."""
    if value is UNDEFINED:
        return "undefined"
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, float | int):
        return js_number_str(value)
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return ",".join("" if v is None or v is UNDEFINED else _tpl(v) for v in value)
    if isinstance(value, _NativeFunction):
        return value.text
    return "[object Object]"


_NUMBER = re.compile(r"[+-]?(?:Infinity|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)")
_RADIX = re.compile(r"0([xXoObB])([0-9a-fA-F]+)")
_JS_SPACE = " \t\n\v\f\r\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a" \
    "\u2028\u2029\u202f\u205f\u3000\ufeff"


def _num(value: Any) -> float:
    """``Number(value)`` (ToNumber; objects through their string form)."""
    if value is UNDEFINED:
        return math.nan
    if value is None or value is False:
        return 0.0
    if value is True:
        return 1.0
    if isinstance(value, float | int):
        return float(value)
    text = value if isinstance(value, str) else _tpl(value)
    text = text.strip(_JS_SPACE)
    if text == "":
        return 0.0
    radix = _RADIX.fullmatch(text)
    if radix is not None:
        base = {"x": 16, "o": 8, "b": 2}[radix.group(1).lower()]
        try:
            return float(int(radix.group(2), base))
        except (ValueError, OverflowError):
            return math.nan
    if _NUMBER.fullmatch(text) is None:
        return math.nan
    return float(text.replace("Infinity", "inf"))


def _add(a: Any, b: Any) -> Any:
    """JavaScript ``a + b``: string concatenation once either side is (or becomes) a string."""
    if isinstance(a, str | list | dict) or isinstance(b, str | list | dict):
        return _tpl(a) + _tpl(b)
    return _num(a) + _num(b)


def _sub(a: Any, b: Any) -> float:
    return _num(a) - _num(b)


def _mul(a: Any, b: Any) -> float:
    return _num(a) * _num(b)


def _div(a: Any, b: Any) -> float:
    x, y = _num(a), _num(b)
    if y == 0:
        if x == 0 or math.isnan(x):
            return math.nan
        return math.copysign(math.inf, x) * math.copysign(1.0, y)
    return x / y


def _max50(x: float) -> float:
    """``Math.max(x, 50)`` (NaN wins)."""
    return x if math.isnan(x) else max(x, 50.0)


class _NativeFunction:
    """What ``COLOR_PRESETS[name]`` yields for an inherited ``Object.prototype`` member."""

    def __init__(self, text: str) -> None:
        self.text = text


_COLOR_PRESETS = {"1": "#fb464c", "2": "#e9973f", "3": "#e0de71", "4": "#44cf6e", "5": "#53dfdd", "6": "#a882ff"}
_INHERITED: dict[str, Any] = {
    name: _NativeFunction(f"function {name}() {{ [native code] }}")
    for name in ("constructor", "hasOwnProperty", "isPrototypeOf", "propertyIsEnumerable", "toLocaleString",
                 "toString", "valueOf", "__defineGetter__", "__defineSetter__", "__lookupGetter__",
                 "__lookupSetter__")
}
_INHERITED["constructor"] = _NativeFunction("function Object() { [native code] }")
_INHERITED["__proto__"] = _NativeFunction("[object Object]")


def _resolve_color(color: Any) -> Any:
    """``resolveColor``: ``#…`` as is, ``"1"``–``"6"`` the JSON Canvas presets, anything else
    undefined — a truthy non-string throws there (``color.startsWith``)."""
    if not _truthy(color):
        return UNDEFINED
    if not isinstance(color, str):
        raise CanvasError(f"colour {_tpl(color)!r} is not a string")
    if color.startswith("#"):
        return color
    return _COLOR_PRESETS.get(color, _INHERITED.get(color, UNDEFINED))


def _color_id(color: Any) -> str:
    return re.sub(r"[^a-zA-Z0-9]", "", _tpl(color))[:20]


def _escape(text: str) -> str:
    return (text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
            .replace("'", "&#039;"))


def _string(value: Any, what: str) -> str:
    if not isinstance(value, str):
        raise CanvasError(f"{what} is {_tpl(value)!r}, not a string")
    return value


_SURROGATE = re.compile("[\ud800-\udfff]")


def _base64(text: str) -> str:
    """``Buffer.from(text).toString("base64")``: UTF-8, each lone surrogate as U+FFFD."""
    return base64.b64encode(_SURROGATE.sub("\ufffd", text).encode("utf-8")).decode("ascii")


def _linkpath(text: str) -> str:
    """Obsidian's ``getLinkpath``: the link text before its ``#subpath``."""
    return text.split("#", 1)[0]


def _map_key(value: Any) -> tuple[Any, ...]:
    """A ``Map`` key with JavaScript's SameValueZero: ``1`` and ``"1"`` differ, ``true`` is not
    ``1``, every NaN is equal, objects only equal themselves."""
    if value is UNDEFINED:
        return ("undefined",)
    if value is None:
        return ("null",)
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, float | int):
        return ("num", "nan") if math.isnan(value) else ("num", float(value))
    if isinstance(value, str):
        return ("str", value)
    return ("obj", id(value))


# -- the compile ----------------------------------------------------------------------------------


class _CanvasCompile:
    """One canvas's compile (holds the assets it collects)."""

    def __init__(self, compiler: GardenCompiler, vault_path: str) -> None:
        self.compiler = compiler
        self.ctx: CompileContext = compiler.ctx
        self.path = vault_path
        self.assets: dict[str, Asset] = {}

    # nodes ---------------------------------------------------------------------------------------
    def node(self, node: Any) -> str:
        color = _resolve_color(_prop(node, "color"))
        color_style = f"--canvas-color: {_tpl(color)};" if color is not UNDEFINED else ""
        color_class = "has-color" if color is not UNDEFINED else ""
        base_style = (
            f"transform: translate({_tpl(_prop(node, 'x'))}px, {_tpl(_prop(node, 'y'))}px); "
            f"width: {_tpl(_prop(node, 'width'))}px; height: {_tpl(_prop(node, 'height'))}px; {color_style}"
        )
        kind = _prop(node, "type")
        if kind == "text":
            return self.text_node(node, base_style, color_class)
        if kind == "file":
            return self.file_node(node, base_style, color_class)
        if kind == "link":
            return self.link_node(node, base_style, color_class)
        if kind == "group":
            return self.group_node(node, base_style, color_class)
        return ""

    def text_markdown(self, text: str) -> str:
        """``processTextNodeContent``: the note steps minus the frontmatter (2.68.1's list)."""
        c = self.compiler
        ctx = self.ctx
        text = apply_custom_filters(text, c.settings.custom_filters)
        text = replace_block_ids(text)
        try:
            text = transclude(text, ctx, self.path, c.queries)
            text = c.queries(text, self.path)
        except NoteReplaced as replaced:
            text = replaced.text  # the plugin's failure path, plugin + Markdown mode only
        text = convert_wikilinks(text, ctx, self.path)
        if ctx.safe:
            text = redact_markdown_links(text, ctx, self.path)
        return remove_comments(text)

    def text_node(self, node: Any, base_style: str, color_class: str) -> str:
        raw = _prop(node, "text")
        if not isinstance(raw, str):
            # Every step and ``Buffer.from`` throw on a non-string (and the fallback is the raw value).
            raise CanvasError(f"text node {_tpl(_prop(node, 'id'))} has no text string")
        if self.ctx.safe:
            processed = self.text_markdown(raw)  # no fallback to the raw text: it may name private notes
        else:
            try:
                processed = self.text_markdown(raw)
            except Exception:  # the plugin falls back to the raw text on any error
                processed = raw
        align = _opt(_prop(node, "styleAttributes"), "textAlign")
        content_style = f' style="text-align: {_tpl(align)};"' if _truthy(align) else ""
        return (
            f'<div class="canvas-node canvas-node-text {color_class}" data-node-id="{_tpl(_prop(node, "id"))}"'
            f' style="{base_style}">\n\t<div class="canvas-node-container">\n'
            f'\t\t<div class="canvas-node-content markdown-rendered"{content_style}>\n'
            f'\t\t\t<div class="canvas-node-text-content" data-markdown="{_base64(processed)}"></div>\n'
            "\t\t</div>\n\t</div>\n</div>"
        )

    def _asset(self, resolved: str) -> None:
        """Upload ``resolved`` with the canvas when it can be read (``vault.readBinary``)."""
        file = self.ctx.file_path(resolved)
        if file is None or file.is_file():
            self.assets.setdefault(resolved, Asset(resolved, REPO_IMG_PREFIX + resolved))

    def file_node(self, node: Any, base_style: str, color_class: str) -> str:
        target = _string(_prop(node, "file"), "a file node's file")
        node_id = _tpl(_prop(node, "id"))
        if re.search(r"\.(png|jpg|jpeg|gif|webp|svg)\Z", target, re.IGNORECASE):
            resolved = self.ctx.resolve(_linkpath(target), self.path)
            if resolved is not None:
                self._asset(resolved)
            src = encode_uri(IMG_PREFIX + (resolved or target))
            alt = target.split("/")[-1] or target
            return (
                f'<div class="canvas-node canvas-node-file canvas-node-image {color_class}" data-node-id="{node_id}"'
                f' style="{base_style}">\n\t<div class="canvas-node-container">\n'
                '\t\t<div class="canvas-node-content image-embed">\n'
                f'\t\t\t<img src="{src}" alt="{_escape(alt)}" loading="lazy" />\n'
                "\t\t</div>\n\t</div>\n</div>"
            )
        resolved = self.ctx.resolve(_linkpath(target), self.path)
        if self.ctx.safe and resolved is not None and resolved.endswith((".md", ".canvas")) \
                and not self.ctx.is_published(resolved):
            return (
                f'<div class="canvas-node canvas-node-file {color_class}" data-node-id="{node_id}"'
                f' style="{base_style}">\n\t<div class="canvas-node-container">\n'
                '\t\t<div class="canvas-node-content markdown-embed">\n'
                f'\t\t\t<p class="canvas-node-private">{PRIVATE_NODE_TEXT}</p>\n'
                "\t\t</div>\n\t</div>\n</div>"
            )
        url = _add(self.garden_url(target, resolved), _prop(node, "subpath") if _truthy(_prop(node, "subpath")) else "")
        label = re.sub(r"\.md\Z", "", target).split("/")[-1]
        return (
            f'<div class="canvas-node canvas-node-file {color_class}" data-node-id="{node_id}"'
            f' data-file-path="{_escape(target)}" style="{base_style}">\n'
            f'\t<div class="canvas-node-label">{_escape(label)}</div>\n\t<div class="canvas-node-container">\n'
            '\t\t<div class="canvas-node-content markdown-embed">\n'
            f'\t\t\t<iframe src="{url}" class="canvas-file-iframe" loading="lazy"></iframe>\n'
            "\t\t</div>\n\t</div>\n</div>"
        )

    def garden_url(self, target: str, resolved: str | None) -> str:
        """``resolveFileToGardenUrl``: ``/`` + the plugin's ``generateUrlPath`` (which already ends
        in ``/``) + ``/`` — the doubled slash is the plugin's. ``dg-home`` → ``/``, ``dg-permalink``
        sanitised; ``dg-path`` is not read there, the rewrite rules are."""
        settings = self.ctx.settings
        if resolved is None:
            return "/" + _url_path(re.sub(r"\.md\Z", "", target), settings.slugify_enabled) + "/"
        note = self.ctx.note(resolved) if resolved.endswith(".md") else None
        fm = note.frontmatter if note is not None else {}
        if js_truthy(fm.get("dg-home")):
            return "/"
        permalink = fm.get("dg-permalink")
        if js_truthy(permalink):
            value = str(permalink)
            value = value if value.endswith("/") else value + "/"
            return value if value.startswith("/") else "/" + value
        return "/" + _url_path(garden_path(resolved, {}, settings.rewrite_rules), settings.slugify_enabled) + "/"

    def link_node(self, node: Any, base_style: str, color_class: str) -> str:
        url = _string(_prop(node, "url"), "a link node's url")
        node_id = _tpl(_prop(node, "id"))
        youtube = _youtube_id(url)
        if youtube is not None:
            return (
                f'<div class="canvas-node canvas-node-link canvas-node-youtube {color_class}" data-node-id="{node_id}"'
                f' style="{base_style}">\n\t<div class="canvas-node-label">YouTube</div>\n'
                '\t<div class="canvas-node-container">\n\t\t<div class="canvas-node-content">\n'
                f'\t\t\t<iframe src="https://www.youtube.com/embed/{youtube}" class="canvas-youtube-iframe"'
                ' loading="lazy" frameborder="0" allow="accelerometer; autoplay; clipboard-write; encrypted-media;'
                ' gyroscope; picture-in-picture" allowfullscreen></iframe>\n'
                "\t\t</div>\n\t</div>\n</div>"
            )
        return (
            f'<div class="canvas-node canvas-node-link {color_class}" data-node-id="{node_id}" style="{base_style}">\n'
            f'\t<div class="canvas-node-label">{_escape(url_hostname(url))}</div>\n'
            '\t<div class="canvas-node-container">\n\t\t<div class="canvas-node-content">\n'
            f'\t\t\t<iframe src="{_escape(url)}" class="canvas-link-iframe" loading="lazy"'
            ' sandbox="allow-scripts allow-same-origin"></iframe>\n'
            "\t\t</div>\n\t</div>\n</div>"
        )

    def group_node(self, node: Any, base_style: str, color_class: str) -> str:
        label = _prop(node, "label")
        label = _string(label, "a group's label") if _truthy(label) else ""
        background = _prop(node, "background")
        background_style = ""
        if _truthy(background):
            background = _string(background, "a group's background")
            resolved = self.ctx.resolve(_linkpath(background), self.path)
            if resolved is not None:
                self._asset(resolved)
            mode = _prop(node, "backgroundStyle")
            size = "auto" if mode == "repeat" else "contain" if mode == "ratio" else "cover"
            repeat = "repeat" if mode == "repeat" else "no-repeat"
            background_style = (
                f"background-image: url('{encode_uri(IMG_PREFIX + (resolved or background))}');"
                f" background-size: {size}; background-repeat: {repeat};"
            )
        label_html = f'<div class="canvas-node-label">{_escape(label)}</div>' if label else ""
        return (
            f'<div class="canvas-node canvas-node-group {color_class}" data-node-id="{_tpl(_prop(node, "id"))}"'
            f' style="{base_style} {background_style}">\n\t{label_html}\n</div>'
        )

    # edges ---------------------------------------------------------------------------------------
    def edges(self, edges: list[Any], nodes: list[Any]) -> str:
        by_id: dict[tuple[Any, ...], Any] = {}
        for n in nodes:
            by_id[_map_key(_prop(n, "id"))] = n
        colors: dict[str, None] = {}
        for edge in edges:
            colors[_tpl(_or_muted(_resolve_color(_prop(edge, "color"))))] = None
        markers = "\n".join(
            f'<marker id="arrow-{_color_id(c)}" markerWidth="6" markerHeight="6" refX="5" refY="3" orient="auto"'
            ' markerUnits="strokeWidth">\n'
            f'\t\t\t<path d="M0,0.5 L5,3 L0,5.5" fill="none" stroke="{c}" stroke-width="1.2" stroke-linecap="round"'
            ' stroke-linejoin="round" />\n'
            "\t\t</marker>\n"
            f'\t\t<marker id="arrow-{_color_id(c)}-start" markerWidth="6" markerHeight="6" refX="1" refY="3"'
            ' orient="auto-start-reverse" markerUnits="strokeWidth">\n'
            f'\t\t\t<path d="M6,0.5 L1,3 L6,5.5" fill="none" stroke="{c}" stroke-width="1.2" stroke-linecap="round"'
            ' stroke-linejoin="round" />\n'
            "\t\t</marker>"
            for c in colors
        )
        label_filter = (
            '<filter x="-0.1" y="-0.1" width="1.2" height="1.3" id="edge-label-bg">\n'
            '\t\t\t<feFlood flood-color="var(--background-primary)" flood-opacity="1" result="bg"/>\n'
            "\t\t\t<feMerge>\n"
            '\t\t\t\t<feMergeNode in="bg"/>\n'
            '\t\t\t\t<feMergeNode in="SourceGraphic"/>\n'
            "\t\t\t</feMerge>\n"
            "\t\t</filter>"
        )
        drawn = "\n".join(self.edge(edge, by_id) for edge in edges)
        return f"<defs>{markers}{label_filter}</defs>{drawn}"

    def edge(self, edge: Any, by_id: dict[tuple[Any, ...], Any]) -> str:
        source = by_id.get(_map_key(_prop(edge, "fromNode")))
        target = by_id.get(_map_key(_prop(edge, "toNode")))
        if source is None or target is None:
            return ""
        from_side = _prop(edge, "fromSide")
        from_side = from_side if _truthy(from_side) else "right"
        to_side = _prop(edge, "toSide")
        to_side = to_side if _truthy(to_side) else "left"
        start = _edge_point(source, from_side)
        end = _edge_point(target, to_side)
        color = _tpl(_or_muted(_resolve_color(_prop(edge, "color"))))
        color_id = _color_id(color)
        marker_start = f'marker-start="url(#arrow-{color_id}-start)"' if _prop(edge, "fromEnd") == "arrow" else ""
        marker_end = f'marker-end="url(#arrow-{color_id})"' if _prop(edge, "toEnd") != "none" else ""
        path, cp1, cp2 = _bezier(start, end, from_side, to_side)
        out = (
            f'<path d="{path}" fill="none" stroke="{color}" stroke-width="2" class="canvas-edge"'
            f' data-edge-id="{_tpl(_prop(edge, "id"))}" {marker_start} {marker_end} />'
        )
        label = _prop(edge, "label")
        if _truthy(label):
            label = _string(label, "an edge's label")
            # B(0.5) = (P0 + 3·P1 + 3·P2 + P3) / 8, left to right as JavaScript adds.
            mid_x = _div(_add(_add(_add(start[0], _mul(3, cp1[0])), _mul(3, cp2[0])), end[0]), 8)
            mid_y = _div(_add(_add(_add(start[1], _mul(3, cp1[1])), _mul(3, cp2[1])), end[1]), 8)
            out += (
                f'<text x="{_tpl(mid_x)}" y="{_tpl(mid_y)}" class="canvas-edge-label" filter="url(#edge-label-bg)"'
                f' fill="{color}">{_escape(label)}</text>'
            )
        return out

    # the file ------------------------------------------------------------------------------------
    def compile(self, text: str, frontmatter: dict[str, Any], times: FileTimes) -> str:
        try:
            data = parse_canvas_json(text)
        except CanvasJSONError as exc:
            raise CanvasError(f"not valid JSON ({exc})") from exc
        nodes = _prop(data, "nodes")
        nodes = nodes if _truthy(nodes) else []
        edges = _prop(data, "edges")
        edges = edges if _truthy(edges) else []
        if not isinstance(nodes, list):
            raise CanvasError("nodes is not a list")
        name = self.path.rsplit("/", 1)[-1]
        canvas_id = "_".join(name.split(" ")).replace(".", "", 1)
        nodes_html = "\n".join(self.node(n) for n in nodes)
        if not isinstance(edges, list):
            raise CanvasError("edges is not a list")
        edges_svg = self.edges(edges, nodes)
        body = (
            f'\n<div id="{canvas_id}" class="canvas-wrapper hide">\n'
            '\t<svg class="canvas-background">\n\t\t<defs>\n'
            f'\t\t\t<pattern id="canvas-grid-{canvas_id}" width="25" height="25" patternUnits="userSpaceOnUse">\n'
            '\t\t\t\t<circle r="1.5" cx="12.5" cy="12.5"></circle>\n\t\t\t</pattern>\n\t\t</defs>\n'
            f'\t\t<rect width="100%" height="100%" fill="url(#canvas-grid-{canvas_id})"></rect>\n\t</svg>\n'
            '\t<div class="canvas">\n'
            '\t\t<svg class="canvas-edges-container" style="position:absolute;width:1px;height:1px;overflow:visible;">\n'
            f"\t\t\t{edges_svg}\n\t\t</svg>\n\t\t{nodes_html}\n\t</div>\n</div>\n"
        )
        return "---\n" + js_json(self.frontmatter(frontmatter, times)) + "\n---\n" + body

    def frontmatter(self, fm: dict[str, Any], times: FileTimes) -> dict[str, Any]:
        settings = self.ctx.settings
        key = settings.content_classes_key or "contentClasses"
        existing = fm.get(key, UNDEFINED)
        classes = f"{_tpl(existing)} canvas-page" if _truthy(existing) else "canvas-page"
        source = {k: v for k, v in fm.items()}
        source[key] = classes
        # The plugin reads the timestamp keys from Obsidian's metadata cache, empty for a canvas.
        canvas_settings = replace(
            settings,
            show_created_timestamp=settings.show_created_timestamp and not settings.created_timestamp_key,
            show_updated_timestamp=settings.show_updated_timestamp and not settings.updated_timestamp_key,
        )
        return compile_frontmatter(self.path, source, canvas_settings, times)


def _or_muted(color: Any) -> Any:
    return color if _truthy(color) or isinstance(color, _NativeFunction) else "var(--text-muted)"


def _url_path(path: str, slugify_enabled: bool) -> str:
    """The plugin's ``generateUrlPath`` ("" stays "")."""
    return url_path(path, slugify_enabled) if path else ""


def _edge_point(node: Any, side: Any) -> tuple[Any, Any]:
    """``getEdgePoint``: the middle of a side; a side that is none of the four throws there."""
    x, y, w, h = _prop(node, "x"), _prop(node, "y"), _prop(node, "width"), _prop(node, "height")
    center_x = _add(x, _div(w, 2))
    center_y = _add(y, _div(h, 2))
    if side == "top":
        return center_x, y
    if side == "right":
        return _add(x, w), center_y
    if side == "bottom":
        return center_x, _add(y, h)
    if side == "left":
        return x, center_y
    raise CanvasError(f"edge side {_tpl(side)!r} is none of top, right, bottom, left")


def _pushed(point: tuple[Any, Any], side: Any, amount: Any) -> tuple[Any, Any]:
    """A control point: ``point`` moved by ``amount`` away from its node's ``side`` (any other
    side value leaves it where it is, as the plugin's if-chain does)."""
    x, y = point
    if side == "right":
        return _add(x, amount), y
    if side == "left":
        return _sub(x, amount), y
    if side == "top":
        return x, _sub(y, amount)
    if side == "bottom":
        return x, _add(y, amount)
    return x, y


def _bezier(start: tuple[Any, Any], end: tuple[Any, Any], from_side: Any, to_side: Any) -> tuple[
    str, tuple[Any, Any], tuple[Any, Any]
]:
    """``createBezierPath``: control points pushed out perpendicular to each side."""
    dx = _sub(end[0], start[0])
    dy = _sub(end[1], start[1])
    distance = math.sqrt(dx * dx + dy * dy) if not (math.isnan(dx) or math.isnan(dy)) else math.nan
    curvature = _max50(distance * 0.4)
    cp1x, cp1y = _pushed(start, from_side, curvature)
    cp2x, cp2y = _pushed(end, to_side, curvature)
    path = (f"M {_tpl(start[0])} {_tpl(start[1])} C {_tpl(cp1x)} {_tpl(cp1y)}, {_tpl(cp2x)} {_tpl(cp2y)},"
            f" {_tpl(end[0])} {_tpl(end[1])}")
    return path, (cp1x, cp1y), (cp2x, cp2y)


_YOUTUBE = (
    re.compile(r"(?:youtube\.com/watch\?v=|youtu\.be/|youtube\.com/embed/)([a-zA-Z0-9_-]{11})"),
    re.compile(r"youtube\.com/watch\?.*v=([a-zA-Z0-9_-]{11})"),
)


def _youtube_id(url: str) -> str | None:
    for pattern in _YOUTUBE:
        m = pattern.search(url)
        if m is not None:
            return m.group(1)
    return None


_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


def url_hostname(url: str) -> str:
    """The link node's label: ``new URL(url).hostname``, or the URL itself when it does not
    parse. WHATWG URL parsing is approximated for absolute ``scheme:`` URLs (lower-cased host,
    IDNA for non-ASCII); odd URLs may differ from a browser's parse."""
    trimmed = url.strip(" \t\n\r\f\x00")
    if not _SCHEME.match(trimmed):
        return url
    try:
        host = urlsplit(trimmed).hostname or ""
    except ValueError:
        return url
    if host and not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            return url
    return host


def compile_canvas_text(
    compiler: GardenCompiler, vault_path: str, text: str, frontmatter: dict[str, Any], times: FileTimes
) -> tuple[str, list[Asset]]:
    """The compiled file and assets of canvas JSON ``text`` as if it were the canvas at
    ``vault_path`` with that frontmatter and file times (for tests and tools: no index row
    needed); raises :class:`CanvasError` where the plugin's compile would fail."""
    job = _CanvasCompile(compiler, vault_path)
    return job.compile(text, frontmatter, times), list(job.assets.values())


def compile_canvas(compiler: GardenCompiler, vault_path: str) -> CompiledNote:
    """The published file of the canvas at ``vault_path``; raises :class:`NotPublishable` for a
    canvas that is missing or not flagged, :class:`CanvasError` when the plugin's compile would
    fail on it."""
    canvas = compiler.ctx.canvas(vault_path)
    if canvas is None or not canvas.publish:
        raise NotPublishable(vault_path)
    text, assets = compile_canvas_text(
        compiler, vault_path, canvas.text, canvas.frontmatter, FileTimes(canvas.ctime_ms, canvas.mtime_ms)
    )
    return CompiledNote(
        vault_path,
        garden_path(vault_path, canvas.frontmatter, compiler.settings.rewrite_rules),
        NOTES_PREFIX + vault_path,
        text,
        assets,
    )
