"""All of a vault's effective settings at once: for ``gardend info``, the server's reload and the
static build's fingerprint.

Each typed settings object is built by its own module from :mod:`.settings_sources`; this module
only gathers them, with the plugins found and every warning, and turns them into the rows
``gardend info`` prints (value and source per key, secrets redacted).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .config import Config, iter_options
from .fileclass import metadata_menu_problems
from .property_types import PropertyTypes, load_property_types
from .settings_sources import (
    SECTIONS,
    Binding,
    PluginScan,
    Resolved,
    Secret,
    bind,
    binding_for,
    discover_plugins,
    resolve_section,
)
from .vault import IgnoreFilters

__all__ = [
    "GROUPS",
    "VaultSettings",
    "bind_config",
    "describe",
    "gardend_rows",
    "load_vault_settings",
    "settings_fingerprint",
    "settings_state",
]

#: Groups of ``gardend info``, in order: (section name, title).
GROUPS: tuple[tuple[str, str], ...] = (
    ("obsidian", "obsidian"),
    ("dataview", "dataview"),
    ("digital_garden", "digital garden"),
    ("metadata_menu", "metadata menu"),
)


def bind_config(root: Path, config: Config, config_dir_source: str | None = None) -> Binding:
    """Register ``config``'s config folder and override tables for ``root`` (see
    :func:`~gardend.daemon.settings_sources.bind`); returns the binding."""
    if config_dir_source is None:
        explicit = config.source is not None and _toml_has(Path(config.source), "obsidian", "config_dir")
        config_dir_source = f"{config.source}: [obsidian].config_dir" if explicit else "default"
    binding = Binding(
        config_dir=config.obsidian.config_dir,
        config_dir_source=config_dir_source,
        overrides={name: dict(values) for name, values in config.overrides.by_section().items()},
        config_file=config.source,
    )
    bind(root, binding)
    return binding


@dataclass
class VaultSettings:
    """Every setting gardend takes from a vault, resolved, with the warnings met on the way."""

    root: Path
    config_dir: str
    config_dir_source: str
    plugins: PluginScan
    sections: dict[str, Resolved]
    types: PropertyTypes
    problems: list[str] = field(default_factory=list)


def load_vault_settings(root: Path, config_dir: str | None = None) -> VaultSettings:
    """Read app.json, types.json, community-plugins.json and the plugins' data.json once.

    ``config_dir`` defaults to what gardend.toml (or ``--obsidian-dir``) bound for the vault.
    """
    bound = binding_for(root)
    config_dir = config_dir or bound.config_dir
    plugins = discover_plugins(root, config_dir)
    sections = {name: resolve_section(name, root, config_dir, plugins=plugins) for name in SECTIONS}
    types = load_property_types(root, config_dir)
    problems = list(plugins.problems)
    for resolved in sections.values():
        problems.extend(resolved.problems)
    problems.extend(types.problems)
    problems.extend(IgnoreFilters(sections["obsidian"].values["userIgnoreFilters"]).problems)
    problems.extend(metadata_menu_problems(sections["metadata_menu"].values, "dataview" in plugins.plugins))
    return VaultSettings(root, config_dir, bound.config_dir_source, plugins, sections, types, problems)


def _jsonable(value: Any) -> Any:
    if isinstance(value, Secret):
        return str(value)
    if isinstance(value, tuple | list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return value


def describe(settings: VaultSettings) -> dict[str, Any]:
    """The JSON-ready description ``gardend info`` prints: groups of {key, value, source}, the
    plugins, the property types and the warnings. Secrets appear only as "set (redacted)"."""
    groups: dict[str, Any] = {}
    for name, _title in GROUPS:
        resolved = settings.sections[name]
        rows = []
        for key, value in resolved.values.items():
            row = {"key": key, "value": _jsonable(value), "source": resolved.sources[key]}
            if isinstance(value, Secret):
                row["redacted"] = True
            rows.append(row)
        if name == "obsidian":
            rows.insert(0, {"key": "config folder", "value": settings.config_dir, "source": settings.config_dir_source})
            rows.extend(
                {"key": f"types.{prop}", "value": type_id, "source": settings.types.sources[prop]}
                for prop, type_id in sorted(settings.types.types.items())
            )
        entry: dict[str, Any] = {"settings": rows}
        if resolved.section.plugin_id is not None:
            plugin = resolved.plugin
            entry["plugin_id"] = resolved.section.plugin_id
            entry["installed"] = plugin is not None
        entry["file"] = str(resolved.file) if resolved.file is not None else None
        entry["file_used"] = resolved.file_used
        groups[name] = entry
    plugins = [
        {
            "id": p.id,
            "folder": str(p.folder),
            "name": p.name,
            "version": p.version,
            "enabled": p.enabled,
        }
        for p in sorted(settings.plugins.plugins.values(), key=lambda p: p.id)
    ]
    return {"groups": groups, "plugins": plugins, "problems": list(settings.problems)}


def gardend_rows(config: Config) -> list[dict[str, Any]]:
    """gardend's own options: value and source (the gardend.toml key, or ``default``)."""
    present = _toml_keys(Path(config.source)) if config.source else set()
    rows = []
    for dotted, _default, _doc in iter_options():
        value: Any = config
        for part in dotted.split("."):
            value = getattr(value, part)
        section, _, key = dotted.rpartition(".")
        where = f"[{section}].{key}" if section else key
        rows.append({
            "key": dotted,
            "value": value,
            "source": f"{config.source}: {where}" if dotted in present else "default",
        })
    return rows


def _toml_keys(file: Path) -> set[str]:
    """Dotted names of the scalar keys present in a TOML file (empty when it cannot be read:
    load_config already reported that)."""
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return set()
    out: set[str] = set()

    def walk(table: dict[str, Any], prefix: str) -> None:
        for key, value in table.items():
            if isinstance(value, dict):
                walk(value, f"{prefix}{key}.")
            else:
                out.add(f"{prefix}{key}")

    walk(data, "")
    return out


def _toml_has(file: Path, *path: str) -> bool:
    return ".".join(path) in _toml_keys(file)


def settings_fingerprint(root: Path, config_dir: str | None = None) -> str:
    """A hash of every effective setting (secrets excluded: only whether they are set), so an
    output built from the settings is rebuilt when any of them, from any source, changes."""
    return _fingerprint(load_vault_settings(root, config_dir))


def _fingerprint(settings: VaultSettings, *extra: object) -> str:
    payload: dict[str, Any] = {name: _jsonable(resolved.values) for name, resolved in settings.sections.items()}
    payload["types"] = dict(sorted(settings.types.types.items()))
    payload["config_dir"] = settings.config_dir
    payload["extra"] = [str(e) for e in extra]
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def settings_state(root: Path, config_dir: str | None = None) -> str:
    """:func:`settings_fingerprint` plus the bookmarks (``file.starred``) and the warnings: equal
    before and after a save exactly when nothing gardend shows, publishes or warns about can have
    changed (the server then ignores the save)."""
    settings = load_vault_settings(root, config_dir)
    bookmarks = Path(root) / settings.config_dir / "bookmarks.json"
    try:
        marks = hashlib.sha256(bookmarks.read_bytes()).hexdigest()
    except OSError:
        marks = "-"
    return _fingerprint(settings, marks, *settings.problems)


def replace_config_dir(config: Config, config_dir: str) -> Config:
    """``config`` with another Obsidian config folder (``--obsidian-dir``)."""
    return dataclasses.replace(config, obsidian=dataclasses.replace(config.obsidian, config_dir=config_dir))
