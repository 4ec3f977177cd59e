"""Property types from ``types.json`` (obsidian.md §1.7), and where a note's value does not fit.

Obsidian keeps one type per property name for the whole vault. The type only drives the
Properties editor (and Bases): it never changes what the YAML parser returns, so it changes no
query result, no rendered page and no compiled note — Dataview types values itself. A value that
does not fit its declared type is shown with a warning in Obsidian's editor and left as it is.
gardend does the same: the types are kept in the index (setting ``property_types``, like the
starred list) and ``gardend check`` reports a value that does not fit as a notice, with the file.

Names are matched case-insensitively (the reference marks this unverified; it is the reading that
never misses a mismatch Obsidian would show). ``[obsidian.types]`` in gardend.toml overrides or
adds single properties.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .settings_sources import PROPERTY_TYPE_IDS, binding_for, read_settings_file

__all__ = ["PropertyTypes", "TypeMismatch", "load_property_types", "mismatches", "value_fits"]

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")


@dataclass(frozen=True)
class PropertyTypes:
    """Declared property types: name as written → type id, with the source of each."""

    types: Mapping[str, str] = field(default_factory=dict)
    sources: Mapping[str, str] = field(default_factory=dict)
    file: Path | None = None
    problems: tuple[str, ...] = ()

    def type_of(self, name: str) -> str | None:
        folded = name.casefold()
        for declared, type_id in self.types.items():
            if declared.casefold() == folded:
                return type_id
        return None

    def to_json(self) -> str:
        """The form kept in the index (sorted, so an unchanged file writes nothing)."""
        return json.dumps(dict(sorted(self.types.items())), ensure_ascii=False)


def load_property_types(
    root: Path, config_dir: str | None = None, overrides: Mapping[str, str] | None = None
) -> PropertyTypes:
    """``types.json`` merged under gardend.toml's ``[obsidian.types]``. A missing file is normal
    (Obsidian writes it once a property type is chosen); a broken one is a warning."""
    bound = binding_for(root)
    config_dir = config_dir or bound.config_dir
    if overrides is None:
        overrides = bound.overrides.get("types", {})
    file = Path(root) / config_dir / "types.json"
    data, problems = read_settings_file(file, "Obsidian's property-type")
    types: dict[str, str] = {}
    sources: dict[str, str] = {}
    raw = (data or {}).get("types", {})
    if not isinstance(raw, dict):
        problems.append(f"{file}: 'types' is not an object; no property types")
        raw = {}
    for name, type_id in raw.items():
        if isinstance(type_id, str) and type_id in PROPERTY_TYPE_IDS:
            types[name] = type_id
            sources[name] = f"{file}: types.{name}"
        else:
            problems.append(f"{file}: property {name!r} has an unknown type {type_id!r}; ignored")
    label = bound.config_file or "gardend.toml"
    for name, type_id in overrides.items():
        for declared in [d for d in types if d.casefold() == name.casefold()]:
            del types[declared]
            del sources[declared]
        types[name] = type_id
        sources[name] = f"{label}: [obsidian.types].{name}"
    return PropertyTypes(types, sources, file, tuple(problems))


def value_fits(type_id: str, value: Any) -> bool:
    """Whether Obsidian's Properties editor would show ``value`` without a type warning.

    An empty value (``null``) fits every type. Lists of plain values fit the list types, and so
    does a single string (Obsidian shows it as a one-element list).
    """
    if value is None:
        return True
    if type_id == "text":
        return isinstance(value, str)
    if type_id in ("multitext", "tags", "aliases"):
        if isinstance(value, str):
            return True
        return isinstance(value, list) and all(
            isinstance(v, str | int | float) and not isinstance(v, bool) for v in value
        )
    if type_id == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    if type_id == "checkbox":
        return isinstance(value, bool)
    if type_id == "date":
        return isinstance(value, str) and bool(_DATE.match(value))
    if type_id == "datetime":
        return isinstance(value, str) and bool(_DATETIME.match(value))
    return True


@dataclass(frozen=True)
class TypeMismatch:
    path: str
    key: str
    type_id: str
    value: Any

    def message(self) -> str:
        shown = json.dumps(self.value, ensure_ascii=False)
        if len(shown) > 60:
            shown = shown[:57] + "..."
        return (
            f"property '{self.key}' is declared as {self.type_id} in types.json but holds {shown}; "
            "Obsidian shows it with a type warning (the value is used as written)"
        )


def mismatches(types: Mapping[str, str], notes: Iterable[tuple[str, Mapping[str, Any] | None]]) -> Iterator[TypeMismatch]:
    """Every (note, property) whose value does not fit the property's declared type."""
    folded = {name.casefold(): type_id for name, type_id in types.items()}
    if not folded:
        return
    for path, frontmatter in notes:
        for key, value in (frontmatter or {}).items():
            type_id = folded.get(key.casefold())
            if type_id is not None and not value_fits(type_id, value):
                yield TypeMismatch(path, key, type_id, value)
