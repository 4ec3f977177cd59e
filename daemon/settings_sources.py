"""Where each setting comes from: gardend.toml, the vault's Obsidian and plugin settings, defaults.

A user who already configured Obsidian, Dataview, Digital Garden and Metadata Menu expects gardend
to behave as those plugins do without copying anything. So every setting gardend takes from the
vault is resolved **per key** in this order:

1. ``gardend.toml``: an optional table per plugin (``[obsidian]``, ``[dataview]``,
   ``[digital_garden]``, ``[metadata_menu]``) keyed by the plugin's *own* setting names, so a
   user copies a name from ``data.json`` as it is (``tableIdColumnName = "Note"``);
2. the vault's settings file (``app.json``, or the plugin's ``data.json``; plugins are found by
   the ``id`` in their manifest because the folder name can differ);
3. the built-in default, which is the plugin's own default.

This module is the one place that knows the keys (:data:`SECTIONS`), reads the files (a missing,
empty or broken file is a warning naming it, and the defaults apply), finds the plugins, and
records for every key where its value came from, for ``gardend info``. The typed settings objects
are built from its result by their own modules (:mod:`.vault`, :mod:`.dataview_settings`,
:mod:`.publish.settings`, :mod:`.fileclass`).

Why a per-vault registry (:func:`bind`) instead of passing gardend.toml down: the loaders are
called from a dozen places (index, renderer, compiler, server, CLI) that only know the vault
root and the config folder name. Binding the vault's gardend.toml overrides once — when a
command resolves its session, or when the server starts or reloads — makes every loader honour
them without each caller having to remember to pass them along. Explicit ``overrides=`` still
wins, for tests and library use.

Secrets (the Digital Garden ``githubToken``) are never resolved into a value here: the result only
says whether one is set. :mod:`.publish.credentials` reads it at push time, and nothing else does.

This module imports nothing heavy on purpose: :mod:`.config` validates gardend.toml with it.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "SECTIONS",
    "Binding",
    "OverrideError",
    "PluginInfo",
    "PluginScan",
    "Resolved",
    "Secret",
    "Section",
    "SettingSpec",
    "bind",
    "binding_for",
    "check_config_dir_name",
    "check_override",
    "discover_plugins",
    "find_plugin_dir",
    "is_settings_path",
    "read_settings_file",
    "resolve_section",
    "unbind",
]

DEFAULT_CONFIG_DIR = ".obsidian"
CONFIG_EVENT_NAME = "gardend.toml"
"""How a change to gardend's config file (wherever it is) is named among changed paths."""


class OverrideError(ValueError):
    """A gardend.toml override that does not fit the setting (the message names the key)."""


# ---------------------------------------------------------------------------------------------
# The keys


@dataclass(frozen=True)
class SettingSpec:
    """One setting, under the plugin's own name, with the plugin's own default.

    ``kind`` is one of ``bool``, ``int`` (never negative), ``str``, ``str?`` (a string or JSON
    ``null``; in gardend.toml ``""`` stands for null), ``str_list``, ``filters`` (Digital Garden
    ``customFilters``), ``note_settings`` (Digital Garden ``defaultNoteSettings``) and
    ``fileclass_queries`` (Metadata Menu ``fileClassQueries``).
    """

    key: str
    kind: str
    default: Any
    doc: str
    choices: tuple[str, ...] = ()
    secret: bool = False
    """Never resolved into a value, never accepted from gardend.toml, shown as "set (redacted)"."""
    empty_is_default: bool = False
    """The plugin treats an empty string as "use the default" (``contentClassesKey``...)."""


@dataclass(frozen=True)
class Section:
    """A group of settings: one settings file and one gardend.toml table."""

    name: str
    """Identifier, also the gardend.toml table (``[dataview]``)."""
    title: str
    """What ``gardend info`` calls the group, and what warnings call the defaults."""
    plugin_id: str | None
    """Community plugin id from its manifest; None for Obsidian's own ``app.json``."""
    file_name: str
    specs: tuple[SettingSpec, ...]

    def spec(self, key: str) -> SettingSpec | None:
        for spec in self.specs:
            if spec.key == key:
                return spec
        return None

    @property
    def keys(self) -> list[str]:
        return [s.key for s in self.specs]


_S = SettingSpec

OBSIDIAN = Section("obsidian", "Obsidian", None, "app.json", (
    _S("userIgnoreFilters", "str_list", (),
       "Excluded files: path prefixes or /regex/; excluded notes stay link targets but leave search."),
    _S("attachmentFolderPath", "str", "/",
       "Where Obsidian saves new attachments; gardend never creates attachments, so it is only reported."),
    _S("newLinkFormat", "str", "shortest",
       "Form of links Obsidian generates; gardend never writes links, so it is only reported.",
       choices=("shortest", "relative", "absolute")),
    _S("useMarkdownLinks", "bool", False,
       "Obsidian generates [text](path.md) links instead of wikilinks; only reported (gardend writes no links)."),
    _S("strictLineBreaks", "bool", False,
       "false: a single newline inside a paragraph renders as <br> (Obsidian's default)."),
))

DATAVIEW = Section("dataview", "Dataview", "dataview", "data.json", (
    _S("renderNullAs", "str", "\\-", "Markdown shown for null values in views, and null's text in string +, join()..."),
    _S("taskCompletionTracking", "bool", False,
       "Annotate a task when it is checked in a view (gardend checks no tasks yet; reported)."),
    _S("taskCompletionUseEmojiShorthand", "bool", False, "Completion annotation as ' ✅ yyyy-MM-dd' (reported)."),
    _S("taskCompletionText", "str", "completion", "Inline-field key of the completion annotation (reported)."),
    _S("taskCompletionDateFormat", "str", "yyyy-MM-dd", "Date format of the completion annotation (reported)."),
    _S("recursiveSubTaskCompletion", "bool", False, "Checking a task checks its sub-tasks too (reported)."),
    _S("warnOnEmptyResult", "bool", True, "Show Dataview's 'No results' box for an empty result."),
    _S("refreshEnabled", "bool", True, "Views refresh when the vault changes (gardend always re-renders; reported)."),
    _S("refreshInterval", "int", 2500, "Debounce of view refreshes in ms (gardend's is watch.debounce_ms; reported)."),
    _S("defaultDateFormat", "str", "MMMM dd, yyyy", "Luxon format of dates at midnight."),
    _S("defaultDateTimeFormat", "str", "h:mm a - MMMM dd, yyyy", "Luxon format of other dates."),
    _S("maxRecursiveRenderDepth", "int", 4, "Nesting depth after which values render as '...'."),
    _S("tableIdColumnName", "str", "File", "Heading of the id column of an ungrouped TABLE."),
    _S("tableGroupColumnName", "str", "Group", "Read by Dataview's settings tab only; no effect on results."),
    _S("showResultCount", "bool", True, "Result count in the first table heading and task group headings."),
    _S("allowHtml", "bool", True, "Markdown export: lists in table cells as HTML <ul>."),
    _S("inlineQueryPrefix", "str", "=", "Prefix of inline DQL queries in inline code."),
    _S("inlineJsQueryPrefix", "str", "$=", "Prefix of inline DataviewJS queries."),
    _S("inlineQueriesInCodeblocks", "bool", True, "Also evaluate inline queries inside code blocks."),
    _S("enableInlineDataview", "bool", True, "Inline DQL queries on or off."),
    _S("enableDataviewJs", "bool", False, "DataviewJS blocks (gardend never runs JavaScript; reported)."),
    _S("enableInlineDataviewJs", "bool", False, "Inline DataviewJS (never run by gardend; reported)."),
    _S("prettyRenderInlineFields", "bool", True, "Reading view's inline-field spans."),
    _S("prettyRenderInlineFieldsInLivePreview", "bool", True, "The same in Live Preview (editor only; reported)."),
    _S("dataviewJsKeyword", "str", "dataviewjs", "Code block language of DataviewJS blocks."),
))

DIGITAL_GARDEN = Section("digital_garden", "Digital Garden", "digitalgarden", "data.json", (
    _S("slugifyEnabled", "bool", True, "Slugify permalinks and transclusion link paths."),
    _S("pathRewriteRules", "str", "", "One 'from:to' per line: rewrites garden paths, dg-path and permalinks."),
    _S("customFilters", "filters", (), "Regex replacements on the note text: [{pattern, flags, replace}]."),
    _S("contentClassesKey", "str", "dg-content-classes", "Property read into contentClasses.", empty_is_default=True),
    _S("noteIconKey", "str", "dg-note-icon", "Property read into noteIcon.", empty_is_default=True),
    _S("defaultNoteIcon", "str", "", "noteIcon of notes without their own."),
    _S("showNoteIconOnTitle", "bool", False, "Any of the four showNoteIcon* switches on: every note gets noteIcon."),
    _S("showNoteIconInFileTree", "bool", False, "See showNoteIconOnTitle."),
    _S("showNoteIconOnInternalLink", "bool", False, "See showNoteIconOnTitle."),
    _S("showNoteIconOnBackLink", "bool", False, "See showNoteIconOnTitle."),
    _S("showCreatedTimestamp", "bool", False, "Emit 'created' in compiled notes."),
    _S("showUpdatedTimestamp", "bool", False, "Emit 'updated' in compiled notes."),
    _S("createdTimestampKey", "str", "",
       "Property holding 'created' (raw value; a note without it gets no 'created'). Empty: the file's ctime."),
    _S("updatedTimestampKey", "str", "",
       "Property holding 'updated' (raw value; a note without it gets no 'updated'). Empty: the file's mtime."),
    _S("defaultNoteSettings", "note_settings", None,
       "dg-* note settings; their key list decides which dg-* properties are compiled. Merged per key."),
    _S("contentBaseDir", "str", "", "Folder of the site inside the garden repository (2.80+); '' = the root."),
    _S("githubUserName", "str", "", "Owner of the garden repository: with githubRepo, the default HTTPS remote."),
    _S("githubRepo", "str", "", "Name of the garden repository: with githubUserName, the default HTTPS remote."),
    _S("githubToken", "str", "", "GitHub token: used only with publish.use_plugin_token; never shown.", secret=True),
))

METADATA_MENU = Section("metadata_menu", "Metadata Menu", "metadata-menu", "data.json", (
    _S("classFilesPath", "str?", None, "Folder of fileClass files (with trailing slash). null: no classes, no link icons."),
    _S("fileClassAlias", "str", "fileClass", "Property that assigns classes to a note.", empty_is_default=True),
    _S("fileClassIcon", "str", "package", "Lucide icon of classes without their own.", empty_is_default=True),
    _S("globalFileClass", "str?", None,
       "Class of notes whose other classes give them no field (used only if it has fields itself)."),
    _S("enableLinks", "bool", True, "Decorate internal links with their target's class icon."),
    _S("fileClassQueries", "fileclass_queries", (),
       "[{name, id, query, fileClassName}]: notes a dv.pages(\"source\") query returns get the class."),
    _S("fileIndexingExcludedFolders", "str_list", (), "Path prefixes Metadata Menu ignores: no class, no link icon."),
    _S("fileIndexingExcludedExtensions", "str_list", (".excalidraw.md",),
       "Path endings Metadata Menu ignores: no class, no link icon."),
    _S("fileIndexingExcludedRegex", "str_list", (),
       "JavaScript regexes on the path; a match is ignored by Metadata Menu. An invalid one ignores every note."),
))

SECTIONS: dict[str, Section] = {s.name: s for s in (OBSIDIAN, DATAVIEW, DIGITAL_GARDEN, METADATA_MENU)}

#: Property type ids of ``types.json`` (obsidian.md §1.7).
PROPERTY_TYPE_IDS = ("text", "multitext", "number", "checkbox", "date", "datetime", "tags", "aliases")


@dataclass(frozen=True)
class Secret:
    """Stands for a secret setting's value: only whether it is set, never the value."""

    is_set: bool

    def __str__(self) -> str:
        return "set (redacted)" if self.is_set else "not set"

    def __repr__(self) -> str:
        return f"Secret({str(self)!r})"


# ---------------------------------------------------------------------------------------------
# Values: from files (lenient, like the plugins) and from gardend.toml (strict)


def _coerce_file_value(spec: SettingSpec, value: Any) -> tuple[bool, Any]:
    """(usable, value) for a value read from a plugin's data.json. Plugins keep their default
    for a value of the wrong type; so do we, and the caller reports it."""
    kind = spec.kind
    if kind == "bool":
        return isinstance(value, bool), value
    if kind == "int":
        ok = isinstance(value, int) and not isinstance(value, bool) and value >= 0
        return ok, value
    if kind == "str":
        if not isinstance(value, str):
            return False, value
        if spec.empty_is_default and not value:
            return True, spec.default
        return True, value
    if kind == "str?":
        if value is None:
            return True, None
        if isinstance(value, str):
            return True, value or None
        return False, value
    if kind == "str_list":
        if not isinstance(value, list):
            return False, value
        return True, tuple(v for v in value if isinstance(v, str))
    if kind == "filters":
        if not isinstance(value, list):
            return False, value
        return True, tuple(_filter_entry(v) for v in value if isinstance(v, dict) and isinstance(v.get("pattern"), str))
    if kind == "note_settings":
        if not isinstance(value, dict):
            return False, value
        return True, {str(k): v for k, v in value.items()}
    if kind == "fileclass_queries":
        if not isinstance(value, list):
            return False, value
        return True, tuple(_fileclass_query(v) for v in value if isinstance(v, dict))
    raise AssertionError(f"unknown setting kind {kind!r}")  # pragma: no cover


_FILECLASS_QUERY_KEYS = ("name", "id", "query", "fileClassName")


def _fileclass_query(item: Mapping[str, Any]) -> dict[str, str]:
    """One ``fileClassQueries`` entry as Metadata Menu builds it (metadatamenu:
    src/fileClass/FileClassQuery.ts: every part defaults to ``""``)."""
    return {key: item[key] if isinstance(item.get(key), str) else "" for key in _FILECLASS_QUERY_KEYS}


def _filter_entry(item: Mapping[str, Any]) -> dict[str, str]:
    """One ``customFilters`` entry as the plugin reads it (``flags`` default ``g``)."""
    flags = item.get("flags", "g")
    replace = item.get("replace", "")
    return {
        "pattern": str(item["pattern"]),
        "flags": "" if flags is None else str(flags),
        "replace": "" if replace is None else str(replace),
    }


def check_override(section: str, key: str, value: Any) -> Any:
    """A gardend.toml override, type-checked against the setting (:class:`OverrideError` if not).

    Stricter than the plugin files: a typo or a wrong type in the user's own config is a
    mistake to report, not a value to silently replace by the default.
    """
    sec = SECTIONS[section]
    spec = sec.spec(key)
    where = f"[{section}] {key}"
    if spec is None:
        extra = ", config_dir, types" if section == "obsidian" else ""
        raise OverrideError(
            f"unknown setting '{key}' in [{section}] (the {sec.title} settings gardend reads: "
            f"{', '.join(sec.keys)}{extra})"
        )
    if spec.secret:
        raise OverrideError(
            f"'{key}' cannot be set in gardend.toml: secrets stay in the plugin's own settings "
            "(see publish.use_plugin_token)"
        )
    kind = spec.kind
    if kind == "bool":
        if not isinstance(value, bool):
            raise OverrideError(f"{where} must be true or false, not {value!r}")
        return value
    if kind == "int":
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise OverrideError(f"{where} must be a non-negative integer, not {value!r}")
        return value
    if kind in ("str", "str?"):
        if not isinstance(value, str):
            raise OverrideError(f"{where} must be a string, not {value!r}")
        if spec.choices and value not in spec.choices:
            raise OverrideError(f"{where} must be one of {', '.join(map(repr, spec.choices))}, not {value!r}")
        if kind == "str?":
            return value or None
        if spec.empty_is_default and not value:
            return spec.default
        return value
    if kind == "str_list":
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise OverrideError(f"{where} must be a list of strings")
        return tuple(value)
    if kind == "filters":
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise OverrideError(f'{where} must be a list of tables: [{{pattern = "...", flags = "g", replace = "..."}}]')
        out = []
        for item in value:
            unknown = set(item) - {"pattern", "flags", "replace"}
            if unknown or not isinstance(item.get("pattern"), str):
                raise OverrideError(f"{where}: each entry needs a string 'pattern' (and optional 'flags', 'replace')")
            if not all(isinstance(item.get(k, ""), str) for k in ("flags", "replace")):
                raise OverrideError(f"{where}: 'flags' and 'replace' must be strings")
            out.append(_filter_entry(item))
        return tuple(out)
    if kind == "note_settings":
        if not isinstance(value, dict) or not all(isinstance(v, bool) for v in value.values()):
            raise OverrideError(f"{where} must be a table of true/false values, e.g. {{dgShowBacklinks = true}}")
        return dict(value)
    if kind == "fileclass_queries":
        shape = f'{where} must be a list of tables: [{{name = "...", query = "dv.pages(\'#tag\')", fileClassName = "..."}}]'
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise OverrideError(shape)
        for item in value:
            unknown = set(item) - set(_FILECLASS_QUERY_KEYS)
            if unknown or not all(isinstance(v, str) for v in item.values()):
                raise OverrideError(f"{where}: each entry takes only string {', '.join(_FILECLASS_QUERY_KEYS)}")
        return tuple(_fileclass_query(item) for item in value)
    raise AssertionError(f"unknown setting kind {kind!r}")  # pragma: no cover


def check_property_types(value: Any) -> dict[str, str]:
    """``[obsidian.types]`` of gardend.toml: property name → type id."""
    if not isinstance(value, dict):
        raise OverrideError('[obsidian.types] must be a table: property = "type"')
    for name, type_id in value.items():
        if type_id not in PROPERTY_TYPE_IDS:
            raise OverrideError(
                f"[obsidian.types] {name}: unknown property type {type_id!r} (one of {', '.join(PROPERTY_TYPE_IDS)})"
            )
    return dict(value)


def check_config_dir_name(name: str) -> str | None:
    """Why ``name`` cannot be an Obsidian config folder name, or None when it can.

    Obsidian requires an overridden config folder to start with a dot; one path segment only
    (the folder sits at the vault root). A folder name without the dot would also be indexed as
    notes, since only dot-entries are hidden from the vault.
    """
    if not name.startswith(".") or name in (".", ".."):
        return f"config folder name {name!r} must start with a dot (Obsidian's rule), like '.obsidian'"
    if "/" in name or "\\" in name:
        return f"config folder name {name!r} must be a folder at the vault root, not a path"
    return None


# ---------------------------------------------------------------------------------------------
# Files


def read_settings_file(path: Path, what: str) -> tuple[dict[str, Any] | None, list[str]]:
    """(object, problems) of a JSON settings file; ``None`` when it cannot be used.

    A missing file gives ``(None, [])``: whether that deserves a warning depends on the file.
    An empty, unreadable or broken file, or one holding something other than an object, gives
    ``None`` and one warning naming the file; the caller then uses the defaults.
    """
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None, []
    except OSError as exc:
        return None, [f"{path}: cannot read ({exc.strerror or exc}); {what} defaults apply"]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None, [f"{path}: not UTF-8 text; {what} defaults apply"]
    if not text.strip():
        return None, [f"{path}: empty file; {what} defaults apply"]
    try:
        data = json.loads(text)
    except ValueError as exc:
        return None, [f"{path}: invalid JSON ({exc}); {what} defaults apply"]
    if not isinstance(data, dict):
        return None, [f"{path}: not a JSON object; {what} defaults apply"]
    return data, []


@dataclass(frozen=True)
class PluginInfo:
    """An installed community plugin, as its manifest and ``community-plugins.json`` say."""

    id: str
    folder: Path
    name: str = ""
    version: str = ""
    enabled: bool | None = None
    """Listed in ``community-plugins.json``; None when that file is missing or unreadable."""


@dataclass
class PluginScan:
    """Every plugin folder of the config folder, by manifest id."""

    plugins: dict[str, PluginInfo] = field(default_factory=dict)
    enabled_ids: tuple[str, ...] | None = None
    problems: list[str] = field(default_factory=list)


def discover_plugins(root: Path, config_dir: str = DEFAULT_CONFIG_DIR) -> PluginScan:
    """Plugins under ``<config>/plugins/*/manifest.json`` and their enabled state.

    The settings of an installed plugin apply whether it is enabled or not: the list of enabled
    plugins is per device (Obsidian can sync the config folder without it), and a plugin switched
    off for a moment should not change what gardend publishes. ``gardend info`` shows the state.

    When two folders declare the same id, the folder named like the id wins, then the first in
    name order (the same rule as :func:`find_plugin_dir`).
    """
    scan = PluginScan()
    config = root / config_dir
    enabled_path = config / "community-plugins.json"
    try:
        enabled_raw = enabled_path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        enabled_raw = None
    except (OSError, UnicodeDecodeError) as exc:
        enabled_raw = None
        scan.problems.append(f"{enabled_path}: cannot read ({exc}); plugins' enabled state unknown")
    if enabled_raw is not None:
        try:
            listed = json.loads(enabled_raw) if enabled_raw.strip() else []
        except ValueError as exc:
            listed = None
            scan.problems.append(f"{enabled_path}: invalid JSON ({exc}); plugins' enabled state unknown")
        if isinstance(listed, list):
            scan.enabled_ids = tuple(x for x in listed if isinstance(x, str))
        elif listed is not None:
            scan.problems.append(f"{enabled_path}: not a JSON list; plugins' enabled state unknown")
    plugins_dir = config / "plugins"
    try:
        folders = sorted(p for p in plugins_dir.iterdir() if p.is_dir())
    except OSError:
        folders = []
    for folder in folders:
        manifest = folder / "manifest.json"
        try:
            data = json.loads(manifest.read_text(encoding="utf-8-sig"))
        except FileNotFoundError:
            data = {"id": folder.name} if (folder / "data.json").is_file() else None
        except (OSError, ValueError, UnicodeDecodeError) as exc:
            if (folder / "data.json").is_file():
                scan.problems.append(f"{manifest}: unreadable plugin manifest ({exc}); taking the folder name as its id")
                data = {"id": folder.name}
            else:
                scan.problems.append(f"{manifest}: unreadable plugin manifest ({exc}); plugin ignored")
                continue
        if not isinstance(data, dict) or not isinstance(data.get("id"), str) or not data["id"]:
            continue
        plugin_id = data["id"]
        previous = scan.plugins.get(plugin_id)
        if previous is not None and previous.folder.name == plugin_id:
            continue
        if previous is not None and folder.name != plugin_id:
            continue
        scan.plugins[plugin_id] = PluginInfo(
            id=plugin_id,
            folder=folder,
            name=str(data.get("name") or ""),
            version=str(data.get("version") or ""),
            enabled=None if scan.enabled_ids is None else plugin_id in scan.enabled_ids,
        )
    return scan


def find_plugin_dir(root: Path, plugin_id: str, config_dir: str = DEFAULT_CONFIG_DIR) -> Path | None:
    """The folder of an installed plugin, found by the ``id`` in its manifest (the folder name may
    differ; a folder named like the id with a ``data.json`` but no manifest counts too)."""
    info = discover_plugins(root, config_dir).plugins.get(plugin_id)
    return None if info is None else info.folder


# ---------------------------------------------------------------------------------------------
# gardend.toml bindings


@dataclass(frozen=True)
class Binding:
    """What gardend.toml says about one vault: the config folder and the per-key overrides."""

    config_dir: str = DEFAULT_CONFIG_DIR
    config_dir_source: str = "default"
    overrides: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    """Section name (and ``"types"``) → {plugin key: value}, already type-checked."""
    config_file: str | None = None


_BINDINGS: dict[Path, Binding] = {}
_LOCK = threading.Lock()


def _key(root: Path) -> Path:
    try:
        return Path(root).resolve()
    except OSError:  # pragma: no cover - resolve() of a vanished folder on some platforms
        return Path(root).absolute()


def bind(root: Path, binding: Binding) -> None:
    """Make ``binding`` apply to every settings loader called for ``root`` in this process."""
    with _LOCK:
        _BINDINGS[_key(root)] = binding


def unbind(root: Path) -> None:
    with _LOCK:
        _BINDINGS.pop(_key(root), None)


def binding_for(root: Path) -> Binding:
    with _LOCK:
        return _BINDINGS.get(_key(root)) or Binding()


# ---------------------------------------------------------------------------------------------
# Resolution


@dataclass(frozen=True)
class Resolved:
    """The effective values of one section, with where each came from."""

    section: Section
    values: dict[str, Any]
    sources: dict[str, str]
    """Key → ``"default"``, ``"<file>: <key>"`` or ``"<gardend.toml>: [<section>].<key>"``."""
    file: Path | None
    """The settings file that was (or would be) read; None when the plugin is not installed."""
    file_used: bool
    plugin: PluginInfo | None
    problems: tuple[str, ...] = ()


def resolve_section(
    name: str,
    root: Path,
    config_dir: str | None = None,
    overrides: Mapping[str, Any] | None = None,
    plugins: PluginScan | None = None,
) -> Resolved:
    """Resolve every key of section ``name`` for the vault at ``root``: override, file, default.

    ``config_dir`` and ``overrides`` default to what :func:`bind` registered for the vault.
    """
    section = SECTIONS[name]
    bound = binding_for(root)
    config_dir = config_dir or bound.config_dir
    if overrides is None:
        overrides = bound.overrides.get(name, {})
    toml_label = bound.config_file or "gardend.toml"
    config = Path(root) / config_dir
    problems: list[str] = []
    plugin: PluginInfo | None = None
    file: Path | None = None
    data: dict[str, Any] | None = None
    if section.plugin_id is None:
        file = config / section.file_name
        data, found = read_settings_file(file, f"{section.title}'s")
        problems += found
        if data is None and not found:
            if config.is_dir():
                problems.append(f"{file}: missing; {section.title}'s defaults apply")
            else:
                problems.append(
                    f"{config}: no Obsidian config folder; Obsidian's and the plugins' defaults apply "
                    "(renamed? pass --obsidian-dir or set obsidian.config_dir)"
                )
    else:
        scan = plugins if plugins is not None else discover_plugins(root, config_dir)
        plugin = scan.plugins.get(section.plugin_id)
        if plugin is not None:
            file = plugin.folder / section.file_name
            data, found = read_settings_file(file, f"{section.title}'s")
            problems += found
            if data is None and not found:
                problems.append(f"{file}: missing; {section.title}'s defaults apply")
    values, sources = _resolve_values(section, data, file, overrides, toml_label, problems)
    return Resolved(section, values, sources, file, data is not None, plugin, tuple(problems))


def _resolve_values(
    section: Section,
    data: Mapping[str, Any] | None,
    file: Path | None,
    overrides: Mapping[str, Any],
    toml_label: str,
    problems: list[str],
) -> tuple[dict[str, Any], dict[str, str]]:
    """Per key: the override, else the file's value (when usable), else the default."""
    name = section.name
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for spec in section.specs:
        if spec.secret:
            present = data is not None and isinstance(data.get(spec.key), str) and bool(data[spec.key])
            values[spec.key] = Secret(present)
            sources[spec.key] = f"{file}: {spec.key}" if present else "default"
            continue
        file_value = _MISSING
        if data is not None and spec.key in data:
            ok, coerced = _coerce_file_value(spec, data[spec.key])
            if ok:
                file_value = coerced
            else:
                problems.append(
                    f"{file}: {spec.key} should be {_kind_text(spec.kind)}, not {data[spec.key]!r}; using the default"
                )
        if spec.key in overrides:
            value = overrides[spec.key]
            if spec.kind == "note_settings":
                base = file_value if file_value is not _MISSING else default_note_settings()
                value = {**base, **value}
            values[spec.key] = value
            sources[spec.key] = f"{toml_label}: [{name}].{spec.key}"
        elif file_value is not _MISSING:
            values[spec.key] = file_value
            sources[spec.key] = f"{file}: {spec.key}"
        else:
            values[spec.key] = default_note_settings() if spec.kind == "note_settings" else spec.default
            sources[spec.key] = "default"
    return values, sources


def values_from_data(name: str, data: Mapping[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Effective values of section ``name`` from a plugin's data object alone (no file, no
    gardend.toml): what :func:`resolve_section` does with the file's contents."""
    problems: list[str] = []
    values, _ = _resolve_values(SECTIONS[name], data, None, {}, "gardend.toml", problems)
    return values, problems


class _Missing:
    pass


_MISSING: Any = _Missing()

#: ``defaultNoteSettings`` keys in the plugin's order (2.59–2.82; 2.83 adds a graph-depth one).
NOTE_SETTING_KEYS: tuple[str, ...] = (
    "dgHomeLink", "dgPassFrontmatter", "dgShowBacklinks", "dgShowLocalGraph", "dgShowInlineTitle",
    "dgShowFileTree", "dgEnableSearch", "dgShowToc", "dgLinkPreview", "dgShowTags",
)


def default_note_settings() -> dict[str, Any]:
    """The plugin's ``DEFAULT_SETTINGS.defaultNoteSettings`` (only ``dgHomeLink`` on)."""
    return {key: key == "dgHomeLink" for key in NOTE_SETTING_KEYS}


def _kind_text(kind: str) -> str:
    return {
        "bool": "true or false", "int": "a non-negative integer", "str": "a string", "str?": "a string or null",
        "str_list": "a list of strings", "filters": "a list of filters", "note_settings": "an object",
        "fileclass_queries": "a list of {name, id, query, fileClassName} objects",
    }[kind]


# ---------------------------------------------------------------------------------------------
# Which vault files are settings


def settings_file_names(config_dir: str) -> tuple[str, ...]:
    """Vault paths of the Obsidian files whose change changes gardend's settings."""
    return tuple(f"{config_dir}/{name}" for name in (
        "app.json", "types.json", "community-plugins.json", "bookmarks.json",
    ))


def is_settings_path(vault_path: str, config_dir: str = DEFAULT_CONFIG_DIR) -> bool:
    """True for ``app.json``, ``types.json``, ``community-plugins.json``, ``bookmarks.json`` and
    any plugin's ``data.json`` or ``manifest.json`` in the config folder (a plugin's folder can be
    renamed and its id is only known from the manifest, so every plugin's files count), and for
    ``gardend.toml``, the name a settings-changed event gives gardend's own config file."""
    if vault_path == CONFIG_EVENT_NAME or vault_path in settings_file_names(config_dir):
        return True
    prefix = f"{config_dir}/plugins/"
    if not vault_path.startswith(prefix):
        return False
    rest = vault_path[len(prefix):].split("/")
    return len(rest) == 2 and rest[1] in ("data.json", "manifest.json")


def section_names() -> Iterable[str]:
    return SECTIONS.keys()
