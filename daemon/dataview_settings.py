"""The vault's own Dataview settings (``.obsidian/plugins/<dataview>/data.json``, dataview.md §6).

A user who renamed the id column, changed how nulls render or picked another date format in
Dataview expects gardend's tables to follow — with no gardend.toml at all. The plugin is found by
the ``id`` in its manifest; a missing file means Dataview's defaults, a broken one a warning.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..renderers.dataview import ViewSettings
from .fileclass import find_plugin_dir
from .query.engine import QuerySettings
from .values import ValueSettings

PLUGIN_ID = "dataview"


@dataclass(frozen=True)
class DataviewSettings:
    """Every Dataview setting that changes a query result or its markup, with Dataview's defaults."""

    render_null_as: str = "\\-"
    warn_on_empty_result: bool = True
    show_result_count: bool = True
    default_date_format: str = "MMMM dd, yyyy"
    default_date_time_format: str = "h:mm a - MMMM dd, yyyy"
    max_recursive_render_depth: int = 4
    table_id_column_name: str = "File"
    table_group_column_name: str = "Group"  # read by Dataview's settings UI only, never by the engine
    inline_query_prefix: str = "="
    inline_js_query_prefix: str = "$="
    inline_queries_in_codeblocks: bool = True
    enable_inline_dataview: bool = True
    enable_dataview_js: bool = False
    enable_inline_dataview_js: bool = False
    pretty_render_inline_fields: bool = True
    source: str | None = None
    problems: tuple[str, ...] = ()

    def value_settings(self) -> ValueSettings:
        return self.view_settings().value_settings

    def query_settings(self) -> QuerySettings:
        return QuerySettings(table_id_column_name=self.table_id_column_name, values=self.value_settings())

    def view_settings(self) -> ViewSettings:
        return ViewSettings(
            render_null_as=self.render_null_as,
            warn_on_empty_result=self.warn_on_empty_result,
            show_result_count=self.show_result_count,
            default_date_format=self.default_date_format,
            default_date_time_format=self.default_date_time_format,
            max_recursive_render_depth=self.max_recursive_render_depth,
        )


_KEYS: dict[str, tuple[str, type]] = {
    "renderNullAs": ("render_null_as", str),
    "warnOnEmptyResult": ("warn_on_empty_result", bool),
    "showResultCount": ("show_result_count", bool),
    "defaultDateFormat": ("default_date_format", str),
    "defaultDateTimeFormat": ("default_date_time_format", str),
    "maxRecursiveRenderDepth": ("max_recursive_render_depth", int),
    "tableIdColumnName": ("table_id_column_name", str),
    "tableGroupColumnName": ("table_group_column_name", str),
    "inlineQueryPrefix": ("inline_query_prefix", str),
    "inlineJsQueryPrefix": ("inline_js_query_prefix", str),
    "inlineQueriesInCodeblocks": ("inline_queries_in_codeblocks", bool),
    "enableInlineDataview": ("enable_inline_dataview", bool),
    "enableDataviewJs": ("enable_dataview_js", bool),
    "enableInlineDataviewJs": ("enable_inline_dataview_js", bool),
    "prettyRenderInlineFields": ("pretty_render_inline_fields", bool),
}


def load_dataview_settings(root: Path, config_dir: str = ".obsidian") -> DataviewSettings:
    """Read the plugin's data.json; unknown keys are ignored, mistyped ones reported."""
    folder = find_plugin_dir(root, PLUGIN_ID, config_dir)
    if folder is None:
        return DataviewSettings()
    path = folder / "data.json"
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return DataviewSettings()
    except OSError as exc:
        return DataviewSettings(problems=(f"{path}: cannot read Dataview settings ({exc.strerror}); using defaults",))
    try:
        data: Any = json.loads(raw) if raw.strip() else {}
    except ValueError as exc:
        return DataviewSettings(problems=(f"{path}: invalid JSON ({exc}); using Dataview's defaults",))
    if not isinstance(data, dict):
        return DataviewSettings(problems=(f"{path}: not a JSON object; using Dataview's defaults",))
    values: dict[str, Any] = {}
    problems: list[str] = []
    for key, (name, kind) in _KEYS.items():
        if key not in data:
            continue
        value = data[key]
        ok = isinstance(value, kind) and not (kind is int and isinstance(value, bool))
        if ok:
            values[name] = value
        else:
            problems.append(f"{path}: {key} should be {kind.__name__}, not {value!r}; using the default")
    return DataviewSettings(**values, source=str(path), problems=tuple(problems))
