"""The Digital Garden plugin's settings as far as they change compiled notes (digital-garden.md §7.1).

They are read from the vault's own ``data.json`` of the plugin (found by its manifest id
``digitalgarden``, since the folder name varies), so a garden compiles the way the author's
Obsidian would publish it; gardend.toml's ``[digital_garden]`` table overrides single keys, and
anything missing falls back to the plugin's ``DEFAULT_SETTINGS``.

Corners where the plugin's source decides (checked against obsidian-digital-garden's
``FileMetadataManager``): with ``createdTimestampKey``/``updatedTimestampKey`` set, a note that
lacks that property (or holds a falsy value there) gets no ``created``/``updated`` at all — the
plugin does not fall back to the file time. ``githubToken`` is never loaded into these settings
(only whether it is set); :mod:`.credentials` reads it at push time, when the user opted in.
gardend's own options (output mode, Dataview output, time zone for file times) live here too
because every compile step needs them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from ..dataview_settings import load_dataview_settings
from ..settings_sources import (
    NOTE_SETTING_KEYS,
    default_note_settings,
    resolve_section,
    values_from_data,
)
from .paths import RewriteRule, parse_rewrite_rules

__all__ = ["NOTE_SETTING_KEYS", "PLUGIN_ID", "CustomFilter", "GardenSettings", "load_garden_settings"]

PLUGIN_ID = "digitalgarden"


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
    default_note_settings: dict[str, Any] = field(default_factory=default_note_settings, hash=False)
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
    enable_dataview_js: bool = False
    """Dataview's ``enableDataviewJs``: off, Dataview's ``executeJs`` (which the plugin calls for
    ``dataviewjs`` blocks and as the last resort for ``$=``) renders its "disabled" error."""

    # -- the target (digital-garden.md §2.1, §7.3) ------------------------------------------------
    content_base_dir: str = ""
    """``contentBaseDir`` normalised: "" (the repository root) or ``"Folder/"``."""
    github_user_name: str = ""
    github_repo: str = ""
    github_token_set: bool = field(default=False, compare=False)
    """Whether data.json holds a ``githubToken``; the token itself is never loaded here."""
    problems: tuple[str, ...] = field(default=(), compare=False)

    @property
    def rewrite_rules(self) -> list[RewriteRule]:
        return parse_rewrite_rules(self.path_rewrite_rules)

    @property
    def default_remote(self) -> str | None:
        """``https://github.com/<githubUserName>/<githubRepo>.git``, when both are plausible
        GitHub names (the plugin's own placeholders, such as "add your repo to .env", are not)."""
        if _GITHUB_OWNER.match(self.github_user_name) and _GITHUB_REPO.match(self.github_repo):
            repo = self.github_repo[:-4] if self.github_repo.endswith(".git") else self.github_repo
            return f"https://github.com/{self.github_user_name}/{repo}.git"
        return None

    def with_options(self, **changes: Any) -> GardenSettings:
        return replace(self, **changes)

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> GardenSettings:
        """From the plugin's ``data.json`` object; unknown or mistyped values keep the default."""
        values, problems = values_from_data("digital_garden", data)
        return cls.from_values(values, tuple(problems))

    @classmethod
    def from_values(cls, values: dict[str, Any], problems: tuple[str, ...] = ()) -> GardenSettings:
        """From resolved settings (:func:`~gardend.daemon.settings_sources.resolve_section`)."""
        icons = ("showNoteIconOnTitle", "showNoteIconInFileTree", "showNoteIconOnInternalLink", "showNoteIconOnBackLink")
        return cls(
            slugify_enabled=values["slugifyEnabled"],
            path_rewrite_rules=values["pathRewriteRules"],
            custom_filters=tuple(CustomFilter(f["pattern"], f["flags"], f["replace"]) for f in values["customFilters"]),
            content_classes_key=values["contentClassesKey"],
            note_icon_key=values["noteIconKey"],
            default_note_icon=values["defaultNoteIcon"],
            show_note_icon=any(values[k] is True for k in icons),
            show_created_timestamp=values["showCreatedTimestamp"],
            show_updated_timestamp=values["showUpdatedTimestamp"],
            created_timestamp_key=values["createdTimestampKey"],
            updated_timestamp_key=values["updatedTimestampKey"],
            default_note_settings=dict(values["defaultNoteSettings"]),
            content_base_dir=normalise_content_base_dir(values["contentBaseDir"]),
            github_user_name=values["githubUserName"],
            github_repo=values["githubRepo"],
            github_token_set=bool(values["githubToken"].is_set),
            problems=problems,
        )


_GITHUB_OWNER = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$")
_GITHUB_REPO = re.compile(r"^[A-Za-z0-9._-]{1,100}$")


def normalise_content_base_dir(value: str) -> str:
    """The plugin's normalisation of ``contentBaseDir`` (2.80+, digital-garden.md §2.1): trimmed,
    leading and trailing slashes removed, one trailing ``/`` added; empty, ``/`` or a value with
    a ``.`` or ``..`` segment means the repository root (``""``)."""
    trimmed = value.strip().strip("/")
    if not trimmed or any(part in (".", "..") for part in trimmed.split("/")):
        return ""
    return trimmed + "/"


def load_garden_settings(
    root: Path, config_dir: str | None = None, overrides: Mapping[str, Any] | None = None
) -> GardenSettings:
    """The vault's Digital Garden settings: per key gardend.toml's ``[digital_garden]``, else the
    plugin's data.json (found by the manifest id ``digitalgarden``), else the plugin's default.

    The Dataview keywords the compile matches (``dataviewjs`` and the inline prefixes) are
    Dataview's own settings (digital-garden.md §7.1, last row), so they come from there, as does
    ``enableDataviewJs``, which Dataview's ``executeJs`` obeys when the plugin calls it.
    """
    resolved = resolve_section("digital_garden", root, config_dir, overrides)
    settings = GardenSettings.from_values(resolved.values, resolved.problems)
    dataview = load_dataview_settings(root, config_dir)
    return replace(
        settings,
        dataviewjs_keyword=dataview.dataview_js_keyword,
        inline_query_prefix=dataview.inline_query_prefix,
        inline_js_query_prefix=dataview.inline_js_query_prefix,
        enable_dataview_js=dataview.enable_dataview_js,
    )
