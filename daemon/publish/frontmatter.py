"""The compiled frontmatter (digital-garden.md §3): one line of ``JSON.stringify`` output that
replaces the source block.

The keys and their order are the site template's input (permalinks, tags, page settings), and the
text is hashed for the publication status, so the order, the truthiness rules and the number
formatting all follow the plugin exactly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ..values import js_truthy
from .jsfmt import js_json, luxon_iso
from .paths import garden_path, permalink_for
from .settings import NOTE_SETTING_KEYS, GardenSettings

#: The plugin's frontmatter pattern (not Obsidian's): optional leading whitespace, and the block
#: ends at the first ``---`` after a line break — even inside a block scalar or ``----``.
FRONTMATTER_RE = re.compile(r"^\s*?---[\r\n]([\s\S]*?)[\r\n]---")

_TAG_SPLIT = re.compile(r",\s*")


@dataclass(frozen=True)
class FileTimes:
    """File system times in epoch milliseconds (Obsidian's ``stat.ctime``/``stat.mtime``)."""

    ctime_ms: int
    mtime_ms: int


def _kebab(key: str) -> str:
    return re.sub(r"[A-Z]", lambda m: "-" + m.group(0).lower(), key)


def _tags(fm: dict[str, Any]) -> list[Any]:
    raw = fm.get("tags")
    if isinstance(raw, str):
        tags: list[Any] = _TAG_SPLIT.split(raw)
    elif isinstance(raw, list):
        tags = list(raw)
    else:
        tags = []
    if js_truthy(fm.get("dg-home")) and "gardenEntry" not in tags:
        tags.append("gardenEntry")
    return tags


def _timestamp(fm: dict[str, Any], key: str, file_ms: int | None, settings: GardenSettings) -> Any:
    if key:
        value = fm.get(key)
        return value if js_truthy(value) else None
    if file_ms is None:
        return None
    return luxon_iso(file_ms, settings.time_zone)


def compile_frontmatter(
    vault_path: str, fm: dict[str, Any] | None, settings: GardenSettings, times: FileTimes | None = None
) -> dict[str, Any]:
    """The compiled object in the plugin's key order (2.59–2.73, §3.2), pass-through included."""
    fm = fm or {}
    out: dict[str, Any] = {"dg-publish": True}
    rules = settings.rewrite_rules
    path = garden_path(vault_path, fm, rules)
    if path != vault_path:
        out["dg-path"] = path
    if js_truthy(fm.get("dg-permalink")):
        out["dg-permalink"] = fm["dg-permalink"]
    out["permalink"] = permalink_for(vault_path, fm, rules, settings.slugify_enabled)
    for source, target in (
        ("title", "title"), ("dg-metatags", "metatags"), ("dg-hide", "hide"),
        ("dg-hide-in-graph", "hideInGraph"), ("dg-pinned", "pinned"),
    ):
        if js_truthy(fm.get(source)):
            out[target] = fm[source]
    classes = fm.get(settings.content_classes_key)
    if js_truthy(classes):
        if isinstance(classes, str):
            out["contentClasses"] = classes
        elif isinstance(classes, list):
            out["contentClasses"] = " ".join("" if c is None else js_string(c) for c in classes)
        else:
            out["contentClasses"] = ""
    tags = _tags(fm)
    if tags:
        out["tags"] = tags
    for key in settings.default_note_settings or {k: False for k in NOTE_SETTING_KEYS}:
        value = fm.get(_kebab(key))
        if js_truthy(value):
            out[key] = value
    if settings.default_note_settings.get("dgPassFrontmatter") and "dgPassFrontmatter" not in out:
        out["dgPassFrontmatter"] = True
    if settings.show_note_icon:
        out["noteIcon"] = fm.get(settings.note_icon_key, settings.default_note_icon)  # present-but-null kept
    if settings.show_created_timestamp:
        created = _timestamp(fm, settings.created_timestamp_key, times.ctime_ms if times else None, settings)
        if created is not None:
            out["created"] = created
    if settings.show_updated_timestamp:
        updated = _timestamp(fm, settings.updated_timestamp_key, times.mtime_ms if times else None, settings)
        if updated is not None:
            out["updated"] = updated
    if js_truthy(out.get("dgPassFrontmatter")):
        merged = {k: v for k, v in fm.items() if k != "position"}
        merged.update(out)  # same-named keys keep the source position, new ones follow in order
        return merged
    return out


def js_string(value: Any) -> str:
    """``String(value)`` for the JSON-like values frontmatter holds."""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return "null"
    if isinstance(value, (int, float)):
        return js_json(value)
    if isinstance(value, list):
        return ",".join("" if v is None else js_string(v) for v in value)
    if isinstance(value, dict):
        return "[object Object]"
    return str(value)


def replace_frontmatter(text: str, compiled: dict[str, Any]) -> str:
    """Swap the source block for ``---\\n<JSON>\\n---\\n``; the rest of the closing line stays."""
    block = "---\n" + js_json(compiled) + "\n---\n"
    match = FRONTMATTER_RE.search(text)
    if match is None:
        return block + text  # unreachable for a published note (no frontmatter, no flag)
    return block + text[match.end():]


def strip_frontmatter(text: str) -> str:
    """Transcluded text loses its frontmatter (the same pattern, replaced by nothing)."""
    return FRONTMATTER_RE.sub("", text, count=1)
