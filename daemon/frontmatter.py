"""Frontmatter exactly as Obsidian recognises and reads it.

Two things differ from generic Markdown tools (reference: obsidian.md §2.1, §2.2):

* Recognition: the file must start with ``---`` + line break at byte 0, and the block ends at
  the first later line that is exactly ``---``. ``...`` does not close it, ``--- `` with a
  trailing space does not open it, and without a closing line there is no frontmatter at all.
* Scalar typing: Obsidian hands Dataview plain JSON-like values and keeps dates as strings.
  PyYAML's default resolvers follow YAML 1.1 (``yes`` -> True, ``12:30`` -> 750,
  ``2024-01-01`` -> date), so we use a loader whose implicit resolvers are the YAML 1.2 core
  schema minus nothing but timestamps: only ``true``/``false`` (any case form the core schema
  allows) are booleans, and dates and times stay strings.

The C parser (libyaml) is used when available: it is an order of magnitude faster than the
pure-Python one and the implicit resolvers still run in Python, so our restricted table applies.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import yaml

try:  # libyaml-backed parser; resolution stays in Python so our resolver table applies.
    from yaml._yaml import CParser as _Parser
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml.composer import Composer
    from yaml.parser import Parser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    class _Parser(Reader, Scanner, Parser, Composer):  # type: ignore[no-redef]
        def __init__(self, stream: str) -> None:
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            Parser.__init__(self)
            Composer.__init__(self)


class ObsidianResolver(yaml.resolver.BaseResolver):
    """YAML 1.2 core-schema implicit typing (booleans, null, ints, floats); no timestamps."""


ObsidianResolver.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)
ObsidianResolver.add_implicit_resolver(
    "tag:yaml.org,2002:null",
    re.compile(r"^(?:~|null|Null|NULL|)$"),
    ["~", "n", "N", ""],
)
ObsidianResolver.add_implicit_resolver(
    "tag:yaml.org,2002:int",
    re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"),
    list("-+0123456789"),
)
ObsidianResolver.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+.0123456789"),
)


class ObsidianConstructor(yaml.constructor.SafeConstructor):
    """Safe constructor with YAML 1.2 integer/boolean spelling and duplicate-key detection."""

    def construct_yaml_bool(self, node: yaml.Node) -> bool:
        value = self.construct_scalar(node)
        return str(value).lower() == "true"

    def construct_yaml_int(self, node: yaml.Node) -> int:
        text = str(self.construct_scalar(node))
        if text.startswith("0o"):
            return int(text[2:], 8)
        if text.startswith("0x"):
            return int(text[2:], 16)
        return int(text)  # YAML 1.2: leading zeros are decimal, no underscores, no sexagesimal

    def construct_mapping(self, node: yaml.Node, deep: bool = False) -> dict[str, Any]:
        """Build mappings with text keys as they are parsed.

        Keys are spelled as JavaScript would (``1`` -> "1", ``true`` -> "true") *before* they
        go into the dict: in Python ``True == 1``, so ``{1: a, true: b}`` would collapse.
        Later duplicates win (like JSON.parse) and are reported.
        """
        if not isinstance(node, yaml.MappingNode):
            raise yaml.constructor.ConstructorError(
                None, None, f"expected a mapping node, but found {node.id}", node.start_mark
            )
        self.flatten_mapping(node)  # resolves `<<` merge keys
        mapping: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=deep)
            if isinstance(key, list | dict):
                raise yaml.constructor.ConstructorError(
                    "while constructing a mapping", node.start_mark, "found an unhashable key", key_node.start_mark
                )
            text = _key_text(key)
            if text in mapping:
                self.duplicate_keys.append((text, key_node.start_mark.line))
            mapping[text] = self.construct_object(value_node, deep=deep)
        return mapping


ObsidianConstructor.add_constructor("tag:yaml.org,2002:bool", ObsidianConstructor.construct_yaml_bool)
ObsidianConstructor.add_constructor("tag:yaml.org,2002:int", ObsidianConstructor.construct_yaml_int)
# Explicit !!timestamp tags are rare; keep them as text like every other date.
ObsidianConstructor.add_constructor(
    "tag:yaml.org,2002:timestamp", yaml.constructor.SafeConstructor.construct_yaml_str
)


class ObsidianLoader(_Parser, ObsidianConstructor, ObsidianResolver):  # type: ignore[misc,valid-type]
    """A safe YAML loader that reads scalars the way Obsidian's properties do."""

    def __init__(self, stream: str) -> None:
        _Parser.__init__(self, stream)
        ObsidianConstructor.__init__(self)
        ObsidianResolver.__init__(self)
        self.duplicate_keys: list[tuple[Any, int]] = []


@dataclass(frozen=True, slots=True)
class FrontmatterBlock:
    """Where the frontmatter sits in the file; lines are 0-based, ``end_line`` is the closing ``---``."""

    yaml_text: str
    end_line: int
    body_offset: int  # character offset of the first body character


@dataclass(slots=True)
class FrontmatterResult:
    """Parsed properties plus what went wrong, located in the note's own line numbers (1-based)."""

    data: dict[str, Any] | None
    error: str | None = None
    error_line: int | None = None
    warnings: list[tuple[int, str]] | None = None


_CLOSE_RE = re.compile(r"^---\r?$", re.MULTILINE)


def find_frontmatter(text: str) -> FrontmatterBlock | None:
    """Locate the block by Obsidian's rule: ``---`` + newline at offset 0, closed by a ``---`` line."""
    if text.startswith("---\n"):
        start = 4
    elif text.startswith("---\r\n"):
        start = 5
    else:
        return None
    # `^` after a newline: the closing line may directly follow the opening one (empty block).
    match = _CLOSE_RE.search(text, start)
    if match is None:
        return None
    line_start = match.start()
    end = match.end()
    if end < len(text) and text[end] == "\n":
        end += 1
    end_line = text.count("\n", 0, line_start)
    return FrontmatterBlock(yaml_text=text[start:line_start], end_line=end_line, body_offset=end)


def parse_yaml(yaml_text: str) -> FrontmatterResult:
    """Parse the YAML of a frontmatter block; errors carry a 1-based line in the *note*.

    The block starts on note line 2 (line 1 is the opening ``---``), so YAML line ``n`` (0-based)
    is note line ``n + 2``. Only a top-level mapping counts as properties (obsidian.md §2.2).
    """
    if not yaml_text.strip():
        return FrontmatterResult(data={})
    stripped = yaml_text.lstrip()
    if stripped.startswith("{"):
        # JSON frontmatter (the Digital Garden's compiled form) is valid YAML flow syntax, but the
        # json module is exact about it and an order of magnitude faster.
        try:
            loaded = json.loads(yaml_text)
        except ValueError:
            loaded = None
        if isinstance(loaded, dict):
            return FrontmatterResult(data=loaded)
    loader: ObsidianLoader | None = None
    try:
        loader = ObsidianLoader(yaml_text)
        loaded = loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 2 if mark is not None else 2
        problem = exc.problem or "invalid YAML"
        if exc.context:
            problem = f"{exc.context}, {problem}"
        return FrontmatterResult(data=None, error=f"invalid YAML in frontmatter: {problem}", error_line=line)
    except yaml.YAMLError as exc:
        return FrontmatterResult(data=None, error=f"invalid YAML in frontmatter: {exc}", error_line=2)
    except (ValueError, TypeError, RecursionError) as exc:
        # e.g. a non-hashable mapping key ({[a]: 1}) or absurd nesting depth.
        return FrontmatterResult(data=None, error=f"invalid YAML in frontmatter: {exc}", error_line=2)
    finally:
        if loader is not None:
            loader.dispose()
    warnings = [
        (line + 2, f"duplicate property {key!r} in frontmatter: the last value is used")
        for key, line in loader.duplicate_keys
    ]
    if loaded is None:
        return FrontmatterResult(data={}, warnings=warnings or None)
    if not isinstance(loaded, dict):
        kind = "a list" if isinstance(loaded, list) else "a single value"
        return FrontmatterResult(
            data=None,
            error=f"frontmatter is {kind}, not a mapping of properties; Obsidian ignores it",
            error_line=2,
        )
    data = {_key_text(k): _jsonable(v) for k, v in loaded.items()}
    return FrontmatterResult(data=data, warnings=warnings or None)


def _key_text(key: Any) -> str:
    """Property names are strings in Obsidian; YAML allows `1: x` or `true: y`, so spell them as JS would."""
    if isinstance(key, str):
        return key
    if key is None:
        return "null"
    if isinstance(key, bool):
        return "true" if key else "false"
    return str(key)


def _jsonable(value: Any) -> Any:
    """Keep only JSON-like values (what Obsidian's metadata cache holds)."""
    if isinstance(value, dict):
        return {_key_text(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, set):  # !!set
        return {_key_text(k): None for k in value}
    if isinstance(value, bytes):  # !!binary
        return value.decode("latin-1")
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)
