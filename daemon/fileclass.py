"""Metadata Menu fileClasses, as far as link decoration needs them (obsidian.md §8).

Metadata Menu marks every internal link whose target has a class with ``fileclass-name`` and an
icon anchor (the seed page's tables show it). Which class a note has is decided as the plugin's
``FieldIndex.indexFields`` does (metadatamenu: src/index/FieldIndex.ts), from the index and the
settings: it builds an ordered, de-duplicated list of class names per note, appending

1. classes mapped by the note's tags (``tagNames``/``mapWithTag``),
2. by its parent folder (``filesPaths``),
3. by the bookmark groups holding it (``bookmarksGroups``),
4. by the ``fileClassQueries`` returning it (Dataview sources), in the settings' order,
5. the classes its ``fileClassAlias`` property names;

and if none of those classes gives the note a *field*, while the ``globalFileClass`` has fields,
the list becomes exactly ``[globalFileClass]``. A link shows the *last* class of the list
(src/options/linkAttributes.ts ``.last()``). Appending keeps the first position of a class
already present (``[...new Set([...list, name])]``), so a later source naming the same class
again does not move it to the end.

Notes Metadata Menu does not index (the class folder, ``fileIndexingExcluded*``) get no class
and no decoration (``indexableFiles()``; ``setLinkMetadataFormButton`` skips any target that is
neither an indexable note nor a class file).

Settings come from the plugin's own ``data.json`` (found by plugin id, not folder name), each
key overridable in gardend.toml's ``[metadata_menu]`` table (:mod:`.settings_sources`).

Where gardend cannot be Metadata Menu: a fileClass query is JavaScript run with the Dataview
API; gardend evaluates the one form the plugin documents, ``dv.pages("<source>")``, with its own
Dataview source evaluator and reports anything else as a warning. Like every plugin setting in
gardend, bookmark groups and queries apply whatever the per-device enabled state of the
Bookmarks and Dataview plugins (queries do need Dataview installed, as the plugin needs its API).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .settings_sources import binding_for, discover_plugins, find_plugin_dir, resolve_section
from .vault import BookmarkedFile, bookmarked_files, read_bookmark_items

if TYPE_CHECKING:
    from .index import Index
    from .query import ast

__all__ = [
    "PLUGIN_ID", "ClassDef", "FileClassIndex", "FileClassInfo", "FileClassQuery", "MetadataMenuSettings",
    "find_plugin_dir", "load_metadata_menu_settings", "metadata_menu_problems", "pages_call_source",
]

PLUGIN_ID = "metadata-menu"

log = logging.getLogger("gardend.fileclass")


@dataclass(frozen=True)
class FileClassQuery:
    """One ``fileClassQueries`` entry (metadatamenu: src/fileClass/FileClassQuery.ts)."""

    name: str
    id: str
    query: str
    """JavaScript evaluated as ``return <query>`` with ``dv`` bound to the Dataview API."""
    file_class_name: str


@dataclass(frozen=True)
class MetadataMenuSettings:
    """The Metadata Menu settings that change link decoration (obsidian.md §8.1), plus the
    bookmarks its ``bookmarksGroups`` mapping reads (``bookmarks.json`` is a settings file for
    gardend: its change reloads the settings, so the classes follow)."""

    class_files_path: str | None = None
    file_class_alias: str = "fileClass"
    file_class_icon: str = "package"
    global_file_class: str | None = None
    enable_links: bool = True
    file_class_queries: tuple[FileClassQuery, ...] = ()
    excluded_folders: tuple[str, ...] = ()
    excluded_extensions: tuple[str, ...] = (".excalidraw.md",)
    excluded_regex: tuple[str, ...] = ()
    bookmarks: tuple[BookmarkedFile, ...] = ()
    """Every file bookmark with the group holding it, in Metadata Menu's traversal order."""
    dataview_installed: bool = True
    """fileClass queries need the Dataview API; without Dataview they map nothing."""
    problems: tuple[str, ...] = field(default=(), compare=False)


def load_metadata_menu_settings(
    root: Path, config_dir: str | None = None, overrides: Mapping[str, Any] | None = None
) -> MetadataMenuSettings:
    """Each setting from gardend.toml's ``[metadata_menu]``, else the plugin's data.json (found
    by manifest id), else Metadata Menu's default; a broken file, an invalid exclusion regex and a
    query gardend cannot run are warnings."""
    config_dir = config_dir or binding_for(root).config_dir
    plugins = discover_plugins(root, config_dir)
    resolved = resolve_section("metadata_menu", root, config_dir, overrides, plugins=plugins)
    values = resolved.values
    dataview_installed = "dataview" in plugins.plugins
    items, bookmark_problem = read_bookmark_items(root, config_dir)
    problems = list(resolved.problems)
    if bookmark_problem is not None:
        problems.append(f"{bookmark_problem}; Metadata Menu bookmark groups map no notes")
    problems += metadata_menu_problems(values, dataview_installed)
    return MetadataMenuSettings(
        class_files_path=values["classFilesPath"],
        file_class_alias=values["fileClassAlias"],
        file_class_icon=values["fileClassIcon"],
        global_file_class=values["globalFileClass"],
        enable_links=values["enableLinks"],
        file_class_queries=_queries(values["fileClassQueries"]),
        excluded_folders=tuple(values["fileIndexingExcludedFolders"]),
        excluded_extensions=tuple(values["fileIndexingExcludedExtensions"]),
        excluded_regex=tuple(values["fileIndexingExcludedRegex"]),
        bookmarks=tuple(bookmarked_files(items)),
        dataview_installed=dataview_installed,
        problems=tuple(problems),
    )


def _queries(entries: Iterable[Mapping[str, str]]) -> tuple[FileClassQuery, ...]:
    return tuple(FileClassQuery(e["name"], e["id"], e["query"], e["fileClassName"]) for e in entries)


def metadata_menu_problems(values: Mapping[str, Any], dataview_installed: bool = True) -> list[str]:
    """Warnings about resolved Metadata Menu settings that can be judged without the vault's
    notes: exclusion regexes that do not compile (Metadata Menu then excludes *every* note, the
    ``catch`` in ``indexableFiles()`` returns true) and fileClass queries gardend cannot run.
    Pure, so ``gardend info`` and the synchroniser report them with the other settings warnings."""
    problems: list[str] = []
    for pattern in values.get("fileIndexingExcludedRegex") or ():
        error = _regex_error(pattern)
        if error is not None:
            problems.append(
                f"Metadata Menu fileIndexingExcludedRegex {pattern!r} is not a valid regular expression "
                f"({error}); Metadata Menu then indexes no note: no fileClass, no link icon anywhere"
            )
    queries = _queries(values.get("fileClassQueries") or ())
    if queries and not dataview_installed:
        problems.append("Metadata Menu fileClassQueries need Dataview, which is not installed; they map no notes")
    for query in queries:
        try:
            source_text = pages_call_source(query.query)
            if source_text is not None:
                _parse_source(source_text)
        except ValueError as exc:
            problems.append(_query_problem(query, str(exc)))
    return problems


def _query_problem(query: FileClassQuery, reason: str) -> str:
    return (f"Metadata Menu fileClassQueries {query.name!r} (query {query.query!r}): {reason}; "
            f"it maps no notes to {query.file_class_name!r}")


# ---------------------------------------------------------------------------------------------
# Queries: the JavaScript expression and the Dataview source inside it

_PAGES_CALL = re.compile(
    r"""[ \t]*dv\s*\.\s*pages\s*\(\s*
        (?P<lit>'(?:[^'\\\n\r]|\\[\s\S])*'|"(?:[^"\\\n\r]|\\[\s\S])*"|`(?:[^`\\$]|\\[\s\S]|\$(?!\{))*`)?
        \s*\)\s*;?\s*""",
    re.VERBOSE,
)
_JS_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}
_JS_ESCAPE = re.compile(r"\\(u\{[0-9A-Fa-f]+\}|u[0-9A-Fa-f]{4}|x[0-9A-Fa-f]{2}|\r\n|[\s\S])")


def pages_call_source(query: str) -> str | None:
    """The Dataview source of a fileClass query ``dv.pages(<string literal>)``; None for
    ``dv.pages()`` or an empty source, which Dataview reads as every page (``pagePaths``:
    ``Sources.folder("")``). Raises ValueError for any other JavaScript, which gardend cannot run.

    Metadata Menu evaluates ``new Function("dv", "return " + query)`` with the Dataview plugin API
    (metadatamenu: src/fileClass/FileClassQuery.ts) and maps each result's ``file.path``; its
    settings document the ``dv.pages(source)`` form (docs/settings.md, "fileClass queries")."""
    match = _PAGES_CALL.fullmatch(query)
    if match is None:
        raise ValueError('gardend runs only dv.pages("<Dataview source>") queries, not other JavaScript')
    literal = match.group("lit")
    if literal is None:
        return None
    text = _JS_ESCAPE.sub(_js_unescape, literal[1:-1])
    return text if text.strip() else None


def _js_unescape(match: re.Match[str]) -> str:
    esc = match.group(1)
    if esc in ("\n", "\r", "\r\n", "\u2028", "\u2029"):
        return ""  # a line continuation
    if esc.startswith("u{"):
        return chr(int(esc[2:-1], 16))
    if esc[0] in "ux" and len(esc) > 1:
        return chr(int(esc[1:], 16))
    return _JS_ESCAPES.get(esc, esc)


def _parse_source(text: str) -> ast.Source:
    """``EXPRESSION.source.tryParse`` (what ``dv.pages`` calls); ValueError with a one-line reason."""
    from .query.errors import DQLSyntaxError
    from .query.parser import parse_source

    try:
        return parse_source(text)
    except DQLSyntaxError as exc:
        lines = [ln.strip() for ln in str(exc).splitlines()]
        detail = " ".join(ln for ln in lines if ln and ln != "Error:" and not ln.startswith("-- PARSING FAILED"))
        raise ValueError(f"Dataview cannot parse the source {text!r}: {detail}") from None


def _regex_error(pattern: str) -> str | None:
    """Why ``new RegExp(pattern)`` would throw, or None."""
    try:
        _compile_js(pattern)
    except Exception as exc:  # the regex engine's error types vary; all mean "throws in JS"
        return str(exc) or type(exc).__name__
    return None


def _compile_js(pattern: str) -> Any:
    from .query.functions import js_regex

    return js_regex(pattern)


def _js_truthy(value: Any) -> bool:
    """JavaScript truthiness of a YAML value (``if (frontmatter.mapWithTag)``): empty lists and
    objects are true, ``0`` and ``""`` false."""
    if isinstance(value, list | dict):
        return True
    return bool(value)


def _mapping_list(value: Any) -> list[str]:
    """A class option read for the mappings (metadatamenu: fileClass.ts ``indexFileClass``): a
    list as it is, or a string split on commas and trimmed; empty parts are kept, as there."""
    if not _js_truthy(value):
        return []
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    if isinstance(value, str):
        return [part.strip() for part in value.split(",")]
    return []


def _excludes(value: Any) -> list[str]:
    """``excludes`` as ``getExcludedFieldsFromFrontmatter`` reads it (split on commas, *not*
    trimmed)."""
    if isinstance(value, list):
        return [str(v) for v in value]
    if isinstance(value, str) and value:
        return value.split(",")
    return []


@dataclass
class ClassDef:
    """A fileClass file's frontmatter, as far as mapping notes and link decoration read it."""

    name: str
    path: str
    icon: str | None = None
    extends: str | None = None
    tags: list[str] = field(default_factory=list)
    folders: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    field_names: list[Any] = field(default_factory=list)
    """The ``name`` of each entry of ``fields`` (None for an entry without one)."""
    excludes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class FileClassInfo:
    name: str
    icon: str


@dataclass
class _QueryState:
    """What the fileClass queries map: path → classes in query order, and path → the class of
    the last query returning it (whose fields count for the global-class rule)."""

    classes: dict[str, list[str]] = field(default_factory=dict)
    last: dict[str, str] = field(default_factory=dict)


class FileClassIndex:
    """Which class each note has, computed from the index on demand and cached until
    :meth:`forget`."""

    def __init__(self, index: Index, settings: MetadataMenuSettings) -> None:
        self.index = index
        self.settings = settings
        self.classes: dict[str, ClassDef] = {}
        self.by_path: dict[str, ClassDef] = {}
        # Mapping tables: key → class, the last class file declaring a key wins (a JS Map.set).
        self.tag_map: dict[str, str] = {}
        self.path_map: dict[str, str] = {}
        self.group_map: dict[str, str] = {}
        self.problems: list[str] = []
        """Warnings met while mapping (a query failing on this vault); each is logged once."""
        self._cache: dict[str, FileClassInfo | None] = {}
        self._fields: dict[str, bool] = {}
        self._queries_state: _QueryState | None = None
        self._excluders: list[Any] | None = []
        self._bookmarked: dict[str, list[str]] = {}
        if settings.class_files_path and settings.enable_links:
            self._load_classes(settings.class_files_path)
            self._excluders = self._compile_excluders()
            for mark in settings.bookmarks:
                name = self.group_map.get(mark.group)
                if name is not None:
                    _append(self._bookmarked.setdefault(mark.path, []), name)

    def _load_classes(self, folder: str) -> None:
        """Every Markdown file under ``classFilesPath`` is a class named by its path relative to
        that folder without ``.md`` (§8.2). Class files are read in path order: where two classes
        declare the same tag, folder or group, the later one wins (Metadata Menu's order is the
        vault's file order, which gardend cannot know)."""
        prefix = folder if folder.endswith("/") else folder + "/"
        rows = self.index.conn.execute(
            "SELECT f.path, n.frontmatter FROM files f JOIN notes n ON n.file_id = f.id"
            " WHERE substr(f.path, 1, ?) = ? AND f.path LIKE '%.md' ORDER BY f.path",
            (len(prefix), prefix),
        )
        for path, fm_json in rows:
            name = path[len(prefix) : -3]
            if not name:
                continue
            fm = json.loads(fm_json) if fm_json else {}
            if not isinstance(fm, dict):
                fm = {}
            icon = fm.get("icon") if isinstance(fm.get("icon"), str) and fm.get("icon") else None
            extends = fm.get("extends") if isinstance(fm.get("extends"), str) and fm.get("extends") else None
            fields = fm.get("fields")
            definition = ClassDef(
                name, path, icon, extends,
                tags=[t for t in _mapping_list(fm.get("tagNames")) if " " not in t],
                folders=_mapping_list(fm.get("filesPaths")),
                groups=_mapping_list(fm.get("bookmarksGroups")),
                field_names=[f.get("name") if isinstance(f, dict) else None for f in fields]
                if isinstance(fields, list) else [],
                excludes=_excludes(fm.get("excludes")),
            )
            self.classes[name] = definition
            self.by_path[path] = definition
            # The order of fileClass.ts indexFileClass: mapWithTag, tagNames, filesPaths, groups.
            if _js_truthy(fm.get("mapWithTag")) and " " not in name:
                self.tag_map[name] = name
            for tag in definition.tags:
                self.tag_map[tag] = name
            for folder_path in definition.folders:
                self.path_map[folder_path] = name
            for group in definition.groups:
                self.group_map[group] = name

    def _compile_excluders(self) -> list[Any] | None:
        """The exclusion regexes, compiled; None when one does not compile, which excludes every
        note (the ``catch`` in ``indexableFiles()`` returns true). Reported at settings load."""
        out = []
        for pattern in self.settings.excluded_regex:
            try:
                out.append(_compile_js(pattern))
            except Exception:  # any compile error means "throws" in JavaScript
                return None
        return out

    def _ancestors(self, name: str) -> list[str]:
        """``fileClassesAncestors``: the ``extends`` chain through existing classes, stopping
        before a class seen already (Metadata Menu stops when the chain returns to the class)."""
        chain: list[str] = []
        current = self.classes.get(name)
        while current is not None:
            parent = current.extends
            if parent is None or parent not in self.classes or parent == name or parent in chain:
                break
            chain.append(parent)
            current = self.classes[parent]
        return chain

    def has_fields(self, name: str | None) -> bool:
        """Whether class ``name`` defines at least one field, its own or inherited, after
        ``excludes`` (metadatamenu: fileClass.ts ``getAttributes``: the class's own excludes
        filter its own and its ancestors' fields; each ancestor's excludes filter the ancestors
        above it). ``fields`` that is not a list counts as none."""
        if name is None or name not in self.classes:
            return False
        if name not in self._fields:
            definition = self.classes[name]
            excluded = list(definition.excludes)
            found = any(n not in excluded for n in definition.field_names)
            for ancestor_name in self._ancestors(name):
                if found:
                    break
                ancestor = self.classes[ancestor_name]
                found = any(n not in excluded for n in ancestor.field_names)
                excluded += ancestor.excludes
            self._fields[name] = found
        return self._fields[name]

    def icon_of(self, name: str) -> str:
        """``FileClass.getIcon``: the first non-empty ``icon`` in ``[class, *ancestors]``, else the
        ``fileClassIcon`` setting."""
        for candidate in (name, *self._ancestors(name)):
            current = self.classes.get(candidate)
            if current is not None and current.icon:
                return current.icon
        return self.settings.file_class_icon

    def forget(self, changed_paths: Iterable[str] | None = None) -> bool:
        """Drop cached classes (notes' tags, properties, folders or links may have changed).

        With ``changed_paths`` (the paths a sync changed), also say whether a class handed out
        before may differ now, so a cache of pages showing decorated links knows to drop them: a
        changed note's own class differs, or what the fileClass queries map differs (a query
        can map a note because *another* note changed, e.g. ``outgoing([[Hub]])``). Without
        it, True whenever anything had been handed out."""
        old, old_queries = self._cache, self._queries_state
        self._cache, self._queries_state = {}, None
        if changed_paths is None:
            return bool(old)
        if not old:
            return False
        if any(path in old and self.class_of(path) != old[path] for path in changed_paths):
            return True
        if old_queries is not None:
            return self._queries() != old_queries
        return False

    def class_of(self, path: str) -> FileClassInfo | None:
        """The class whose decoration a link to ``path`` gets, or None."""
        if path in self._cache:
            return self._cache[path]
        info = self._compute(path)
        self._cache[path] = info
        return info

    def indexable(self, path: str) -> bool:
        """Whether Metadata Menu indexes the note at ``path`` (``indexableFiles()``): Markdown,
        outside the class folder and every ``fileIndexingExcluded*`` rule (folders and
        extensions are plain ``startsWith``/``endsWith`` on the vault path)."""
        settings = self.settings
        if not path.lower().endswith(".md"):
            return False
        if settings.class_files_path and path.startswith(settings.class_files_path):
            return False
        if any(path.startswith(folder) for folder in settings.excluded_folders):
            return False
        if any(path.endswith(ext) for ext in settings.excluded_extensions):
            return False
        if self._excluders is None:
            return False
        for regex in self._excluders:
            try:
                if regex.search(path):
                    return False
            except Exception:  # a runaway pattern (timeout): treated as matching, i.e. excluded
                return False
        return True

    def _compute(self, path: str) -> FileClassInfo | None:
        if not self.classes:
            return None
        definition = self.by_path.get(path)
        if definition is not None:  # a class file: decorated with its own class (§8.4 step 4)
            return FileClassInfo(definition.name, self.icon_of(definition.name))
        if not self.indexable(path):
            return None
        row = self.index.conn.execute(
            "SELECT f.id, n.frontmatter FROM files f JOIN notes n ON n.file_id = f.id WHERE f.path = ?", (path,)
        ).fetchone()
        if row is None:
            return None
        fm = json.loads(row[1]) if row[1] else {}
        if not isinstance(fm, dict):
            fm = {}
        names: list[str] = []
        mapped_fields = False  # a class from tags, folders, groups or queries gives the note fields
        # 1. Tags (resolveFileClassMatchingTags): frontmatter tags, then the body's, in order.
        if self.tag_map:
            for key in self._matching_tags(row[0], fm):
                name = self.tag_map.get(key)
                if name is not None:
                    _append(names, name)
                    mapped_fields = mapped_fields or self.has_fields(name)
        # 2. Folders (resolveFileClassMatchingFilesPaths): the parent folder's path starts with
        # the configured one; the vault root's folder path is "/".
        parent = path.rsplit("/", 1)[0] if "/" in path else "/"
        for prefix, name in self.path_map.items():
            if parent.startswith(prefix):
                _append(names, name)
                mapped_fields = mapped_fields or self.has_fields(name)
        # 3. Bookmark groups.
        for name in self._bookmarked.get(path, ()):
            _append(names, name)
            mapped_fields = mapped_fields or self.has_fields(name)
        # 4. fileClass queries; the fields are those of the last query returning the note.
        if self.settings.file_class_queries:
            state = self._queries()
            for name in state.classes.get(path, ()):
                _append(names, name)
            mapped_fields = mapped_fields or self.has_fields(state.last.get(path))
        # 5. The note's own fileClass property. An unknown name resets the fields it gave so far
        # (getFilesFieldsFromFileClass sets them to [] for it).
        own_fields = False
        raw = fm.get(self.settings.file_class_alias)
        if _js_truthy(raw):
            listed = raw if isinstance(raw, list) else [p.strip() for p in raw.split(",")] if isinstance(raw, str) else []
            for name in listed:
                if isinstance(name, str) and name in self.classes:
                    _append(names, name)
                    own_fields = own_fields or self.has_fields(name)
                else:
                    own_fields = False
        # 6. The global class, only for a note none of whose classes gives it a field, and only
        # when the global class has fields itself (getFilesFields: fieldsFromGlobalFileClass.length).
        glob = self.settings.global_file_class
        if not (mapped_fields or own_fields) and glob in self.classes and self.has_fields(glob):
            names = [glob]  # type: ignore[list-item]
        if not names:
            return None
        return FileClassInfo(names[-1], self.icon_of(names[-1]))

    def _matching_tags(self, note_id: int, fm: Mapping[str, Any]) -> list[str]:
        """The note's tags that map to a class, as map keys, in Metadata Menu's order.

        Frontmatter ``tags`` are compared as written (a list, or a string split on commas and
        trimmed): ``"#x"`` is not ``x``. Body tags carry their ``#``; one leading ``#`` is
        removed before the look-up (``_tag.replace(/^#/, "")``). Case-sensitive, no nesting."""
        raw = fm.get("tags")
        if isinstance(raw, list):
            listed = [t for t in raw if isinstance(t, str)]
        elif isinstance(raw, str):
            listed = [t.strip() for t in raw.split(",")]
        else:
            listed = []
        keys = [t[1:] if t.startswith("#") else t for t in listed if t in self.tag_map]
        for (tag,) in self.index.conn.execute(
            "SELECT tag FROM tags WHERE note_id = ? AND source = 'inline' ORDER BY seq", (note_id,)
        ):
            if tag.startswith("#") and tag[1:] in self.tag_map:
                keys.append(tag[1:])
        return keys

    # -- fileClass queries ----------------------------------------------------------------------
    def _queries(self) -> _QueryState:
        """Run every fileClass query once per :meth:`forget` (metadatamenu: FieldIndex.ts
        ``resolveFileClassQueries``: queries in the settings' order, each result appended)."""
        if self._queries_state is not None:
            return self._queries_state
        state = _QueryState()
        self._queries_state = state
        if not self.settings.dataview_installed:
            return state
        from .query.pages import NameTable
        from .query.sources import SourceError, note_ids_for_source

        names: NameTable | None = None
        paths: dict[int, str] | None = None
        for query in self.settings.file_class_queries:
            if query.file_class_name not in self.classes:
                self._warn(_query_problem(query, f"there is no fileClass {query.file_class_name!r}"))
                continue
            try:
                source_text = pages_call_source(query.query)
                source = None if source_text is None else _parse_source(source_text)
                if names is None:
                    names = NameTable.load(self.index)
                if source is None:
                    ids = {r[0] for r in self.index.conn.execute("SELECT file_id FROM notes")}
                else:
                    ids = note_ids_for_source(self.index, source, None, names)
            except (ValueError, SourceError) as exc:
                self._warn(_query_problem(query, str(exc)))
                continue
            if paths is None:
                paths = dict(self.index.conn.execute("SELECT id, path FROM files"))
            for note_id in sorted(ids):
                path = paths.get(note_id)
                if path is not None:
                    _append(state.classes.setdefault(path, []), query.file_class_name)
                    state.last[path] = query.file_class_name
        return state

    def query_origins(self) -> set[str]:
        """Notes whose *outgoing links* decide what a fileClass query maps (the ``X`` of an
        ``outgoing([[X]])`` source): a change to them can change another note's class. A cache
        of decorated links must treat them as read (the compile cache does)."""
        if not self.settings.file_class_queries or not self.classes:
            return set()
        from .query import ast
        from .query.pages import NameTable

        found: set[str] = set()
        names: list[NameTable] = []  # loaded on the first outgoing() source only

        def walk(source: ast.Source) -> None:
            if isinstance(source, ast.LinkSource) and source.direction == "outgoing" and source.file:
                if not names:
                    names.append(NameTable.load(self.index))
                target = names[0].resolve_path(source.file, "")
                if target is not None:
                    found.add(target)
            elif isinstance(source, ast.NegatedSource):
                walk(source.child)
            elif isinstance(source, ast.BinaryOpSource):
                walk(source.left)
                walk(source.right)

        for query in self.settings.file_class_queries:
            try:
                source_text = pages_call_source(query.query)
                if source_text is not None:
                    walk(_parse_source(source_text))
            except ValueError:
                continue
        return found

    def _warn(self, message: str) -> None:
        if message not in self.problems:
            self.problems.append(message)
            log.warning("%s", message)


def _append(names: list[str], name: str) -> None:
    """Append unless present: ``[...new Set([...names, name])]`` keeps the first position."""
    if name not in names:
        names.append(name)
