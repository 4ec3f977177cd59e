"""Excalidraw drawings in the Digital Garden compile (digital-garden.md §4.11).

The plugin does not render a drawing: it ships the drawing's JSON inside its own viewer markup
(a style block, React and Excalidraw from a CDN, and a script that mounts the drawing), which
the garden's page then runs in the reader's browser. Two places produce it:

* a published ``*.excalidraw.md`` note compiles to its frontmatter, the viewer bundle and one
  viewer for the drawing — none of the note steps run;
* ``![[drawing.excalidraw]]`` in a note is replaced by a viewer during the transclusion step; the
  first drawing of a text carries the bundle, later ones only the viewer; each gets an element id
  numbered by its place in that text.

The drawing is the JSON between the first ```` ```json ```` (or ```` ```compressed-json ````,
then LZ-string Base64 decoded) fence and the last ```` ``` ```` of the file, re-serialised by
``JSON.stringify`` after ``appState.zoom`` is set to ``{"value":1}`` (2.59.1+). The markup
constants are the plugin's, verbatim (``excalidraw-viewer.txt``, MIT): they are part of the
bytes a user migrating from the plugin expects.

Safe mode: a drawing is the published author's own text, but its elements can carry links to
other notes (an element's ``link``, a text element's ``[[…]]``); links to unpublished notes are
cut down to their display text, as in a note's body.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from ..drawing import DrawingError, is_drawing, parse_drawing
from .jsfmt import js_json

__all__ = ["DrawingError", "ViewerMarkup", "drawing_html", "drawing_id", "is_drawing", "viewer_markup"]

@dataclass(frozen=True)
class ViewerMarkup:
    bundle: str
    """The style block and the three CDN scripts (once per page)."""
    viewer: str
    """One drawing's mount point and script, with ``@ID@`` and ``@JSON@`` to fill in."""

    def fill(self, element_id: str, drawing_json: str) -> str:
        # One pass, so an ``@ID@`` inside the drawing's own text is not replaced.
        return re.sub("@ID@|@JSON@", lambda m: element_id if m.group(0) == "@ID@" else drawing_json, self.viewer)


@cache
def viewer_markup() -> ViewerMarkup:
    text = resources.files(__package__).joinpath("excalidraw-viewer.txt").read_text(encoding="utf-8")
    parts = dict(line.split("=", 1) for line in text.splitlines() if line and not line.startswith("#"))
    return ViewerMarkup(parts["bundle"], parts["viewer"])


def drawing_id(path: str, appendage: str = "") -> str:
    """The element id: the file name with spaces → ``_`` and its first ``.`` removed, plus the
    embed's number (``Drawing 2023-09-23 22.41.09.excalidraw.md`` → ``Drawing_2023-09-23_2241.09.excalidraw.md1``)."""
    return path.rsplit("/", 1)[-1].replace(" ", "_").replace(".", "", 1) + appendage


def _set_zoom(drawing: Any, path: str) -> None:
    """``if (json.appState) json.appState.zoom = {value: 1}`` (2.59.1+), with JavaScript's rules:
    ``null.appState`` throws; on a number, string or array there is no ``appState``; setting a
    property on an array is never serialised, and on a primitive it throws (strict mode)."""
    if drawing is None:
        raise DrawingError(f"{path}: the drawing's JSON is null")
    if not isinstance(drawing, dict):
        return
    state = drawing.get("appState")
    if isinstance(state, dict):
        state["zoom"] = {"value": 1}
    elif state and not isinstance(state, list):
        raise DrawingError(f"{path}: the drawing's appState is not an object")


def _map_strings(value: Any, change: Callable[[str], str]) -> Any:
    if isinstance(value, str):
        return change(value)
    if isinstance(value, list):
        return [_map_strings(v, change) for v in value]
    if isinstance(value, dict):
        return {k: _map_strings(v, change) for k, v in value.items()}
    return value


def drawing_html(
    text: str,
    path: str,
    *,
    include_bundle: bool,
    appendage: str = "",
    redact: Callable[[str], str] | None = None,
) -> str:
    """The plugin's markup for the drawing in ``text`` (the ``*.excalidraw.md`` file at ``path``).

    ``redact`` (safe mode) rewrites every string value of the drawing before it is serialised."""
    drawing = parse_drawing(text, path)
    _set_zoom(drawing, path)
    if redact is not None:
        drawing = _map_strings(drawing, redact)
    markup = viewer_markup()
    viewer = markup.fill(drawing_id(path, appendage), js_json(drawing))
    return markup.bundle + viewer if include_bundle else viewer
