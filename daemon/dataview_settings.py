"""The vault's own Dataview settings (``.obsidian/plugins/<dataview>/data.json``, dataview.md §6).

A user who renamed the id column, changed how nulls render or picked another date format in
Dataview expects gardend's tables to follow — with no gardend.toml at all. The plugin is found by
the ``id`` in its manifest; a missing, empty or broken file is a warning and Dataview's defaults
apply; gardend.toml's ``[dataview]`` table overrides single keys (:mod:`.settings_sources`).

Every key of Dataview's settings tab that can change a result or its markup is read. The task
completion keys only matter once a task is checked from a view, and the refresh keys only for
Obsidian's own timing; gardend reads and reports them so ``gardend info`` is complete.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..renderers.dataview import ViewSettings
from .query.engine import QuerySettings
from .scanner import QuerySyntax
from .settings_sources import resolve_section
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
    pretty_render_inline_fields_in_live_preview: bool = True
    dataview_js_keyword: str = "dataviewjs"
    allow_html: bool = True
    task_completion_tracking: bool = False
    task_completion_use_emoji_shorthand: bool = False
    task_completion_text: str = "completion"
    task_completion_date_format: str = "yyyy-MM-dd"
    recursive_sub_task_completion: bool = False
    refresh_enabled: bool = True
    refresh_interval: int = 2500
    source: str | None = None
    problems: tuple[str, ...] = ()

    def value_settings(self) -> ValueSettings:
        return self.view_settings().value_settings

    def query_settings(self) -> QuerySettings:
        return QuerySettings(table_id_column_name=self.table_id_column_name, values=self.value_settings())

    def query_syntax(self) -> QuerySyntax:
        """What counts as a query in a note's text (the scanner's ``queries`` rows follow it)."""
        return QuerySyntax(
            inline_prefix=self.inline_query_prefix,
            inline_js_prefix=self.inline_js_query_prefix,
            js_keyword=self.dataview_js_keyword,
            inline_enabled=self.enable_inline_dataview,
            in_codeblocks=self.inline_queries_in_codeblocks,
        )

    @property
    def runs_dataviewjs(self) -> bool:
        """Would Obsidian run a ``dataviewjs`` block? Dataview registers the block processor
        whatever the setting, and its renderer shows an error instead of running the code when
        ``enableDataviewJs`` is off (obsidian-dataview src/ui/views/js-view.ts
        ``DataviewJSRenderer.render``)."""
        return self.enable_dataview_js

    @property
    def runs_inline_dataviewjs(self) -> bool:
        """Would Obsidian run an inline ``$=`` query? Only with both JavaScript switches on and
        inline queries enabled (js-view.ts ``DataviewInlineJSRenderer.render``; main.ts returns
        before any inline query when ``enableInlineDataview`` is off)."""
        return self.enable_dataview_js and self.enable_inline_dataview_js and self.enable_inline_dataview

    def view_settings(self) -> ViewSettings:
        return ViewSettings(
            render_null_as=self.render_null_as,
            warn_on_empty_result=self.warn_on_empty_result,
            show_result_count=self.show_result_count,
            default_date_format=self.default_date_format,
            default_date_time_format=self.default_date_time_format,
            max_recursive_render_depth=self.max_recursive_render_depth,
        )


#: data.json key → field name, for every key of :data:`~.settings_sources.DATAVIEW`.
_FIELDS: dict[str, str] = {
    "renderNullAs": "render_null_as",
    "taskCompletionTracking": "task_completion_tracking",
    "taskCompletionUseEmojiShorthand": "task_completion_use_emoji_shorthand",
    "taskCompletionText": "task_completion_text",
    "taskCompletionDateFormat": "task_completion_date_format",
    "recursiveSubTaskCompletion": "recursive_sub_task_completion",
    "warnOnEmptyResult": "warn_on_empty_result",
    "refreshEnabled": "refresh_enabled",
    "refreshInterval": "refresh_interval",
    "defaultDateFormat": "default_date_format",
    "defaultDateTimeFormat": "default_date_time_format",
    "maxRecursiveRenderDepth": "max_recursive_render_depth",
    "tableIdColumnName": "table_id_column_name",
    "tableGroupColumnName": "table_group_column_name",
    "showResultCount": "show_result_count",
    "allowHtml": "allow_html",
    "inlineQueryPrefix": "inline_query_prefix",
    "inlineJsQueryPrefix": "inline_js_query_prefix",
    "inlineQueriesInCodeblocks": "inline_queries_in_codeblocks",
    "enableInlineDataview": "enable_inline_dataview",
    "enableDataviewJs": "enable_dataview_js",
    "enableInlineDataviewJs": "enable_inline_dataview_js",
    "prettyRenderInlineFields": "pretty_render_inline_fields",
    "prettyRenderInlineFieldsInLivePreview": "pretty_render_inline_fields_in_live_preview",
    "dataviewJsKeyword": "dataview_js_keyword",
}


def load_dataview_settings(
    root: Path, config_dir: str | None = None, overrides: Mapping[str, Any] | None = None
) -> DataviewSettings:
    """Each setting from gardend.toml's ``[dataview]``, else the plugin's data.json, else
    Dataview's default. Unknown keys are ignored; mistyped ones, and a missing, empty or broken
    file of an installed plugin, are reported in ``problems``."""
    resolved = resolve_section("dataview", root, config_dir, overrides)
    values = {_FIELDS[key]: value for key, value in resolved.values.items()}
    source = str(resolved.file) if resolved.file_used else None
    return DataviewSettings(**values, source=source, problems=resolved.problems)
