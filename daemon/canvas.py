"""Obsidian canvases (``.canvas``, JSON Canvas 1.0) as the index sees them: pure, like the scanner.

Canvases are not notes: Obsidian's metadata cache does not parse them, they have no frontmatter
block, tags or fields, and Dataview does not list them. They matter to gardend for one reason:
the Digital Garden plugin (2.66.0+) publishes a canvas whose JSON says so, in
``metadata.frontmatter["dg-publish"]`` (obsidian-digital-garden src/publisher/Publisher.ts,
``shouldPublishCanvas``: ``JSON.parse`` of the file, ``canvasData?.metadata?.frontmatter``,
``hasPublishFlag``; any exception means "not published"). So the index records, per canvas,
whether it is valid JSON, that frontmatter object, the flag, and the text the compile and the
site read — computed here from the bytes alone, with no I/O, so it can be tested and run anywhere.

Parsing follows JavaScript's ``JSON.parse`` where Python's ``json`` differs, because the flag
must agree with the plugin's: ``NaN``/``Infinity`` literals are invalid, every number is a
double (``parse_int=float``: ``1e400`` is ``Infinity``, a 400-digit integer rounds instead of
failing). A nesting depth beyond Python's recursion limit is reported invalid (JavaScript
engines accept deeper documents; Obsidian never writes one).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from .records import Diagnostic
from .scanner import DEFAULT_MAX_BYTES, content_hash
from .values import js_truthy

__all__ = [
    "CANVAS_SUFFIX",
    "CanvasJSONError",
    "CanvasRecord",
    "canvas_attachment_refs",
    "canvas_nodes",
    "canvas_publish_flag",
    "canvas_text_of",
    "is_canvas_path",
    "parse_canvas_json",
    "scan_canvas",
]

CANVAS_SUFFIX = ".canvas"


def is_canvas_path(vault_path: str) -> bool:
    """``TFile.extension === "canvas"`` (the plugin's test): case-sensitive, and the file name
    needs a stem (a name that *is* ``.canvas`` is a hidden file, never part of the vault)."""
    name = vault_path.rsplit("/", 1)[-1]
    return name.endswith(CANVAS_SUFFIX) and len(name) > len(CANVAS_SUFFIX)


class CanvasJSONError(ValueError):
    """The text is not something JavaScript's ``JSON.parse`` accepts."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line
        """0-based line of the error, when known."""


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def parse_canvas_json(text: str) -> Any:
    """``JSON.parse(text)`` in Python terms (see the module docstring); raises
    :class:`CanvasJSONError`."""
    try:
        return json.loads(text, parse_int=float, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise CanvasJSONError(f"{exc.msg} at line {exc.lineno} column {exc.colno}", exc.lineno - 1) from exc
    except RecursionError as exc:
        raise CanvasJSONError("nested too deeply") from exc
    except ValueError as exc:
        raise CanvasJSONError(str(exc)) from exc


def canvas_frontmatter(data: Any) -> dict[str, Any] | None:
    """``canvasData?.metadata?.frontmatter`` when it is an object (anything else has no keys the
    plugin could read: a string's or an array's ``["dg-publish"]`` is ``undefined``)."""
    if not isinstance(data, dict):
        return None
    metadata = data.get("metadata")
    if not isinstance(metadata, dict):
        return None
    fm = metadata.get("frontmatter")
    return fm if isinstance(fm, dict) else None


def canvas_publish_flag(frontmatter: dict[str, Any] | None) -> bool:
    """``hasPublishFlag``: ``dg-publish`` JS-truthy and not the string ``"false"`` — the rule the
    index applies to notes too (digital-garden.md §1.1, 2.74.2+)."""
    if frontmatter is None:
        return False
    flag = frontmatter.get("dg-publish")
    return js_truthy(flag) and flag != "false"


@dataclass(slots=True)
class CanvasRecord:
    """What the index stores of one canvas file."""

    path: str
    size: int
    content_hash: str
    text: str
    """The file's text ('' when it was too large or not UTF-8 text)."""
    valid: bool = False
    """``JSON.parse`` accepts the text."""
    frontmatter: dict[str, Any] | None = None
    publish: bool = False
    diagnostics: list[Diagnostic] = field(default_factory=list)


def scan_canvas(path: str, data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> CanvasRecord:
    """Read one canvas's flag from its bytes. Never raises: problems become diagnostics, and a
    canvas with a problem is not published (as in the plugin, whose check swallows exceptions)."""
    record = CanvasRecord(path=path, size=len(data), content_hash=content_hash(data), text="")
    if len(data) > max_bytes:
        record.diagnostics.append(Diagnostic(
            "size", f"canvas is {len(data):,} bytes, over the {max_bytes:,}-byte limit (index.max_note_bytes); "
            "it is listed but not read, so it is not published",
        ))
        return record
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("utf-8", errors="replace")
        record.diagnostics.append(Diagnostic(
            "encoding", "canvas is not valid UTF-8; invalid bytes were replaced", severity="warning",
        ))
    record.text = text
    try:
        parsed = parse_canvas_json(text)
    except CanvasJSONError as exc:
        # A warning, not an error: nothing else in the index depends on the canvas, and Obsidian
        # shows the same file as broken; ``gardend check --strict`` still fails on it.
        record.diagnostics.append(Diagnostic(
            "canvas", f"canvas {path} is not valid JSON ({exc}); it cannot be published", exc.line,
            severity="warning",
        ))
        return record
    record.valid = True
    record.frontmatter = canvas_frontmatter(parsed)
    record.publish = canvas_publish_flag(record.frontmatter)
    return record


# -- what a canvas holds (for search, the site's asset rule, and the leak audit) ------------------


def canvas_nodes(data: Any) -> Iterator[dict[str, Any]]:
    """The node objects of parsed canvas JSON that have a string ``type`` (anything else is
    skipped: no reader of a canvas can make sense of it)."""
    raw = data.get("nodes") if isinstance(data, dict) else None
    if isinstance(raw, list):
        for node in raw:
            if isinstance(node, dict) and isinstance(node.get("type"), str):
                yield node


def canvas_text_of(text: str) -> str:
    """The author's words in a canvas: text nodes' Markdown, group labels and edge labels, as
    raw as a note's body (readers of it reduce links to what a page shows). "" for invalid JSON."""
    try:
        data = parse_canvas_json(text)
    except CanvasJSONError:
        return ""
    parts = []
    for node in canvas_nodes(data):
        if node["type"] == "text" and isinstance(node.get("text"), str):
            parts.append(node["text"])
        elif node["type"] == "group" and isinstance(node.get("label"), str):
            parts.append(node["label"])
    edges = data.get("edges") if isinstance(data, dict) else None
    if isinstance(edges, list):
        parts.extend(e["label"] for e in edges if isinstance(e, dict) and isinstance(e.get("label"), str))
    return "\n\n".join(p for p in parts if p)


_EMBED = re.compile(r"!\[\[([^\]|#\n]+)")
_MD_EMBED = re.compile(r"!\[[^\]\n]*\]\(<?([^)>\n]+?)>?\)")


def canvas_attachment_refs(text: str) -> set[str]:
    """Link paths of the files a canvas shows: file nodes, group backgrounds, and embeds in its
    text nodes (``![[x.png]]``, ``![](x.png)``), each before its ``#subpath``; the caller
    resolves them from the canvas's path. Empty for invalid JSON."""
    try:
        data = parse_canvas_json(text)
    except CanvasJSONError:
        return set()
    refs: set[str] = set()
    for node in canvas_nodes(data):
        for key in ("file", "background"):
            value = node.get(key)
            if isinstance(value, str) and value:
                refs.add(value.split("#", 1)[0])
        body = node.get("text")
        if node["type"] == "text" and isinstance(body, str):
            refs.update(m.group(1).strip() for m in _EMBED.finditer(body))
            refs.update(unquote(m.group(1).strip()) for m in _MD_EMBED.finditer(body))
    return refs
