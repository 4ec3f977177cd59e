"""The Digital Garden plugin's settings as far as they change compiled notes (digital-garden.md §7.1).

They are read from the vault's own ``data.json`` of the plugin (found by its manifest id
``digitalgarden``, since the folder name varies), so a garden compiles the way the author's
Obsidian would publish it; anything missing falls back to the plugin's ``DEFAULT_SETTINGS``.
gardend's own options (output mode, Dataview output, time zone for file times) live here too
because every compile step needs them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from ..fileclass import find_plugin_dir
from .paths import RewriteRule, parse_rewrite_rules

PLUGIN_ID = "digitalgarden"

#: ``defaultNoteSettings`` keys in the plugin's order (2.59–2.82; 2.83 adds the graph-depth one).
NOTE_SETTING_KEYS: tuple[str, ...] = (
    "dgHomeLink", "dgPassFrontmatter", "dgShowBacklinks", "dgShowLocalGraph", "dgShowInlineTitle",
    "dgShowFileTree", "dgEnableSearch", "dgShowToc", "dgLinkPreview", "dgShowTags",
)
_DEFAULT_NOTE_SETTINGS: dict[str, bool] = {key: key == "dgHomeLink" for key in NOTE_SETTING_KEYS}


@dataclass(frozen=True)
class CustomFilter:
    """One ``customFilters`` entry: ``text.replace(new RegExp(pattern, flags), replace)``."""

    pattern: str
    flags: str = "g"
    replace: str = ""


@dataclass(frozen=True)
class GardenSettings:
    """Plugin settings (names as in ``data.json``) plus gardend's compile options."""

    slugify_enabled: bool = True
    path_rewrite_rules: str = ""
    custom_filters: tuple[CustomFilter, ...] = ()
    content_classes_key: str = "dg-content-classes"
    note_icon_key: str = "dg-note-icon"
    default_note_icon: str = ""
    show_note_icon: bool = False
    """Any of the four ``showNoteIcon*`` settings: then every note gets ``noteIcon``."""
    show_created_timestamp: bool = False
    show_updated_timestamp: bool = False
    created_timestamp_key: str = ""
    updated_timestamp_key: str = ""
    default_note_settings: dict[str, Any] = field(default_factory=lambda: dict(_DEFAULT_NOTE_SETTINGS), hash=False)
    # -- gardend options --------------------------------------------------------------------------
    dataview_output: Literal["html", "markdown"] = "html"
    """``html``: query results as Dataview's HTML (what the seed page shows, from dataviewjs);
    ``markdown``: the plugin's ``tryQueryMarkdown`` text + ``{ .block-language-dataview}``."""
    time_zone: str | None = None
    """IANA zone for file ctime/mtime timestamps (the plugin uses Obsidian's host zone);
    ``None`` = this process's local zone."""
    transclusion_depth: int = 4
    dataviewjs_keyword: str = "dataviewjs"
    inline_query_prefix: str = "="
    inline_js_query_prefix: str = "$="

    @property
    def rewrite_rules(self) -> list[RewriteRule]:
        return parse_rewrite_rules(self.path_rewrite_rules)

    def with_options(self, **changes: Any) -> GardenSettings:
        return replace(self, **changes)

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> GardenSettings:
        """From the plugin's ``data.json`` object; unknown or mistyped values keep the default."""
        base = cls()

        def get(key: str, default: Any, kind: type | tuple[type, ...]) -> Any:
            value = data.get(key, default)
            return value if isinstance(value, kind) else default

        filters = []
        for item in data.get("customFilters") or []:
            if isinstance(item, dict) and isinstance(item.get("pattern"), str):
                filters.append(
                    CustomFilter(item["pattern"], str(item.get("flags", "g") or ""), str(item.get("replace", "") or ""))
                )
        note_settings = data.get("defaultNoteSettings")
        icons = ("showNoteIconOnTitle", "showNoteIconInFileTree", "showNoteIconOnInternalLink", "showNoteIconOnBackLink")
        return cls(
            slugify_enabled=get("slugifyEnabled", base.slugify_enabled, bool),
            path_rewrite_rules=get("pathRewriteRules", "", str),
            custom_filters=tuple(filters),
            content_classes_key=get("contentClassesKey", base.content_classes_key, str) or base.content_classes_key,
            note_icon_key=get("noteIconKey", base.note_icon_key, str) or base.note_icon_key,
            default_note_icon=get("defaultNoteIcon", "", str),
            show_note_icon=any(data.get(k) is True for k in icons),
            show_created_timestamp=get("showCreatedTimestamp", False, bool),
            show_updated_timestamp=get("showUpdatedTimestamp", False, bool),
            created_timestamp_key=get("createdTimestampKey", "", str),
            updated_timestamp_key=get("updatedTimestampKey", "", str),
            default_note_settings=dict(note_settings) if isinstance(note_settings, dict) else dict(_DEFAULT_NOTE_SETTINGS),
        )


def load_garden_settings(root: Path, config_dir: str = ".obsidian") -> GardenSettings:
    """The vault's Digital Garden settings, or the plugin defaults when it is not installed."""
    folder = find_plugin_dir(root, PLUGIN_ID, config_dir)
    if folder is None:
        return GardenSettings()
    try:
        data = json.loads((folder / "data.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return GardenSettings()
    return GardenSettings.from_data(data) if isinstance(data, dict) else GardenSettings()
