"""Metadata Menu fileClasses, as far as link decoration needs them (obsidian.md §8).

Metadata Menu marks every internal link whose target has a class with ``fileclass-name`` and an
icon anchor (the seed page's tables show it). Which class a note has is decided from the index:
tag and folder mappings declared by the class files, the note's own ``fileClass`` property
(or the configured alias), and the global class — the *last* one wins (§8.3).

Settings come from the plugin's own ``data.json`` (found by plugin id, not folder name), each
key overridable in gardend.toml's ``[metadata_menu]`` table (:mod:`.settings_sources`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .index import Index
from .settings_sources import find_plugin_dir, resolve_section

__all__ = [
    "PLUGIN_ID", "ClassDef", "FileClassIndex", "FileClassInfo", "MetadataMenuSettings",
    "find_plugin_dir", "load_metadata_menu_settings",
]

PLUGIN_ID = "metadata-menu"


@dataclass(frozen=True)
class MetadataMenuSettings:
    """The Metadata Menu settings that change link decoration (obsidian.md §8.1)."""

    class_files_path: str | None = None
    file_class_alias: str = "fileClass"
    file_class_icon: str = "package"
    global_file_class: str | None = None
    enable_links: bool = True
    problems: tuple[str, ...] = field(default=(), compare=False)


def load_metadata_menu_settings(
    root: Path, config_dir: str | None = None, overrides: Mapping[str, Any] | None = None
) -> MetadataMenuSettings:
    """Each setting from gardend.toml's ``[metadata_menu]``, else the plugin's data.json (found
    by manifest id), else Metadata Menu's default; a broken file is a warning."""
    resolved = resolve_section("metadata_menu", root, config_dir, overrides)
    values = resolved.values
    return MetadataMenuSettings(
        class_files_path=values["classFilesPath"],
        file_class_alias=values["fileClassAlias"],
        file_class_icon=values["fileClassIcon"],
        global_file_class=values["globalFileClass"],
        enable_links=values["enableLinks"],
        problems=resolved.problems,
    )


def _names(value: Any) -> list[str]:
    """A list, or a string split on commas, trimmed (Metadata Menu's reading of list settings)."""
    if isinstance(value, list):
        return [str(v).strip() for v in value if v is not None and str(v).strip()]
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return []


@dataclass
class ClassDef:
    name: str
    path: str
    icon: str | None = None
    extends: str | None = None
    tags: list[str] = field(default_factory=list)
    folders: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class FileClassInfo:
    name: str
    icon: str


class FileClassIndex:
    """Which class each note has, computed from the index on demand and cached."""

    def __init__(self, index: Index, settings: MetadataMenuSettings) -> None:
        self.index = index
        self.settings = settings
        self.classes: dict[str, ClassDef] = {}
        self.by_path: dict[str, ClassDef] = {}
        self._cache: dict[str, FileClassInfo | None] = {}
        if settings.class_files_path and settings.enable_links:
            self._load_classes(settings.class_files_path)

    def _load_classes(self, folder: str) -> None:
        prefix = folder if folder.endswith("/") else folder + "/"
        rows = self.index.conn.execute(
            "SELECT f.path, n.frontmatter FROM files f JOIN notes n ON n.file_id = f.id"
            " WHERE substr(f.path, 1, ?) = ? AND f.path LIKE '%.md'",
            (len(prefix), prefix),
        )
        for path, fm_json in rows:
            name = path[len(prefix) : -3]
            fm = json.loads(fm_json) if fm_json else {}
            icon = fm.get("icon") if isinstance(fm.get("icon"), str) and fm.get("icon") else None
            extends = fm.get("extends") if isinstance(fm.get("extends"), str) else None
            tags = [t for t in _names(fm.get("tagNames")) if " " not in t]
            if fm.get("mapWithTag") is True and " " not in name:
                tags.append(name)
            definition = ClassDef(name, path, icon, extends, tags, _names(fm.get("filesPaths")))
            self.classes[name] = definition
            self.by_path[path] = definition

    def icon_of(self, name: str) -> str:
        seen: set[str] = set()
        current = self.classes.get(name)
        while current is not None and current.name not in seen:
            if current.icon:
                return current.icon
            seen.add(current.name)
            current = self.classes.get(current.extends or "")
        return self.settings.file_class_icon

    def forget(self) -> None:
        """Drop cached classes (notes' tags or properties may have changed)."""
        self._cache.clear()

    def class_of(self, path: str) -> FileClassInfo | None:
        """The class whose decoration a link to ``path`` gets, or None."""
        if path in self._cache:
            return self._cache[path]
        info = self._compute(path)
        self._cache[path] = info
        return info

    def _compute(self, path: str) -> FileClassInfo | None:
        if not self.classes and not self.settings.global_file_class:
            return None
        definition = self.by_path.get(path)
        if definition is not None:
            return FileClassInfo(definition.name, self.icon_of(definition.name))
        if not path.lower().endswith(".md"):
            return None
        row = self.index.conn.execute(
            "SELECT f.id, n.frontmatter FROM files f JOIN notes n ON n.file_id = f.id WHERE f.path = ?", (path,)
        ).fetchone()
        if row is None:
            return None
        fm = json.loads(row[1]) if row[1] else {}
        found: list[str] = []
        note_tags = {t.lstrip("#") for t in _names(fm.get("tags"))}
        note_tags |= {
            t.lstrip("#") for (t,) in self.index.conn.execute(
                "SELECT tag FROM tags WHERE note_id = ? AND source = 'inline'", (row[0],)
            )
        }
        for definition in self.classes.values():
            if any(tag in note_tags for tag in definition.tags):
                found.append(definition.name)
        folder = path.rsplit("/", 1)[0] if "/" in path else ""
        for definition in self.classes.values():
            if any(folder.startswith(p.rstrip("/")) for p in definition.folders):
                found.append(definition.name)
        for name in _names(fm.get(self.settings.file_class_alias)):
            if name in self.classes:
                found.append(name)
        if not found and self.settings.global_file_class in self.classes:
            found.append(self.settings.global_file_class)  # type: ignore[arg-type]
        if not found:
            return None
        name = found[-1]
        return FileClassInfo(name, self.icon_of(name))
