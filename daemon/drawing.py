"""Excalidraw drawings as files: what the Excalidraw plugin stores in a ``*.excalidraw.md`` note.

A drawing note holds, inside a ``%%`` comment, a ```` ```json ```` block (or, with the plugin's
"compress" option, a ```` ```compressed-json ```` block of LZ-string Base64) with the drawing's
elements, and under ``# Embedded files`` one line per image it shows: ``<file id>: [[image.png]]``.
Publishing (:mod:`.publish.excalidraw`) ships the JSON the way the Digital Garden plugin reads it;
the renderer draws it. Both read it here, with the plugin's extraction rule and JavaScript's
``JSON.parse`` number semantics, so they agree on what the drawing is. Pure: text in, data out.
"""

from __future__ import annotations

import json
import re
from typing import Any

from .lzstring import decompress_from_base64

__all__ = ["DrawingError", "embedded_files", "is_drawing", "parse_drawing"]

_MAX_SAFE_INTEGER = 2**53 - 1


class DrawingError(ValueError):
    """A drawing whose JSON cannot be read; the message names the file and the reason."""


def is_drawing(path: str) -> bool:
    """The plugin's test (2.59–2.73): the file name ends ``.excalidraw.md``."""
    return path.rsplit("/", 1)[-1].endswith(".excalidraw.md")


def _json_int(text: str) -> int | float:
    # JavaScript numbers are doubles: an integer past 2**53 loses digits the same way.
    value = int(text)
    return value if abs(value) <= _MAX_SAFE_INTEGER else float(value)


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _drawing_source(text: str, path: str) -> str:
    """The JSON text the plugin parses: between the first fence and the last ```` ``` ````."""
    compressed = "```compressed-json" in text
    opening = "```compressed-json" if compressed else "```json"
    start = text.find(opening) + len(opening)  # -1 + len when missing, as in JavaScript
    end = text.rfind("```")
    source = text[start:end] if end > start else ""
    if not compressed:
        return source
    decoded = decompress_from_base64(source.replace("\n", "").replace("\r", ""))
    if not decoded:
        raise DrawingError(f"{path}: the compressed-json block is not valid LZ-string data")
    return decoded


def parse_drawing(text: str, path: str) -> Any:
    """The drawing as ``JSON.parse`` gives it (numbers as JavaScript would hold them)."""
    source = _drawing_source(text, path)
    try:
        return json.loads(source, parse_int=_json_int, parse_constant=_no_constant)
    except ValueError as exc:
        raise DrawingError(f"{path}: the drawing's JSON does not parse ({exc})") from exc


_EMBEDDED_FILE = re.compile(r"^([0-9A-Za-z_-]+): *!?\[\[([^\]\n]+)\]\]", re.MULTILINE)


def embedded_files(text: str) -> dict[str, str]:
    """File id → the link text of the image it stands for (``# Embedded files`` lines)."""
    return {m.group(1): m.group(2).split("|")[0] for m in _EMBEDDED_FILE.finditer(text)}
