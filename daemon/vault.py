"""The vault on disk: which files exist, which Obsidian ignores, and the settings in app.json.

Obsidian never sees dot-entries (``.obsidian/``, ``.trash/``, ``.git/``), so neither do we
(obsidian.md §1.2). ``userIgnoreFilters`` ("Excluded files") do *not* remove files from the index
in Obsidian: excluded notes still resolve as link targets (obsidian.md §1.5). We follow that and
only record the exclusion, so queries and the site can hide excluded notes without breaking links.

Symbolic links are followed (Obsidian does), with loop detection on the resolved directory.
"""

from __future__ import annotations

import json
import os
import re
import stat as stat_mod
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .settings_sources import binding_for, resolve_section

NOTE_EXTENSIONS = frozenset({"md"})
"""Files with a metadata cache in Obsidian (only Markdown; obsidian.md §1.3)."""


class VaultError(Exception):
    """The vault folder itself is unusable (missing, not a directory, unreadable)."""


@dataclass(frozen=True, slots=True)
class FileStat:
    """What reconciliation compares: size and mtime first, then the content hash."""

    path: str  # vault path, '/'-separated, as on disk
    size: int
    mtime_ns: int
    ctime_ns: int


@dataclass(frozen=True, slots=True)
class DiscoveryProblem:
    """A folder or file that could not be listed; reported by `check`, never fatal."""

    path: str
    message: str


@dataclass
class Discovery:
    """Every file Obsidian would see, plus the places we could not look into."""

    files: dict[str, FileStat] = field(default_factory=dict)
    problems: list[DiscoveryProblem] = field(default_factory=list)


@dataclass(frozen=True)
class AppSettings:
    """The keys of ``.obsidian/app.json`` gardend reads (obsidian.md §1.4).

    ``userIgnoreFilters`` marks notes as excluded in the index and ``strictLineBreaks`` changes
    the renderer. ``attachmentFolderPath``, ``newLinkFormat`` and ``useMarkdownLinks`` only
    decide where Obsidian puts *new* attachments and how it *writes* links; gardend creates
    neither, so they are read for ``gardend info`` and for a future rename/attachment feature.
    """

    user_ignore_filters: tuple[str, ...] = ()
    strict_line_breaks: bool = False
    attachment_folder_path: str = "/"
    new_link_format: str = "shortest"
    use_markdown_links: bool = False
    problems: tuple[str, ...] = ()


def is_hidden_part(name: str) -> bool:
    """Obsidian skips every file or folder whose name starts with a dot."""
    return name.startswith(".")


def is_ignored_path(vault_path: str) -> bool:
    """True when any segment of the path is a dot-entry (so the file is not part of the vault)."""
    return any(part.startswith(".") for part in vault_path.split("/"))


def extension_of(vault_path: str) -> str:
    """Lower-cased text after the last dot of the file name ('' when there is none)."""
    name = vault_path.rsplit("/", 1)[-1]
    dot = name.rfind(".")
    return name[dot + 1 :].lower() if dot > 0 else ""


def is_note_path(vault_path: str) -> bool:
    return extension_of(vault_path) in NOTE_EXTENSIONS


def discover(root: Path) -> Discovery:
    """Walk the vault with ``os.scandir`` (one ``stat`` per entry, cached by the OS on Linux)."""
    if not root.exists():
        raise VaultError(f"{root}: vault folder does not exist")
    if not root.is_dir():
        raise VaultError(f"{root}: vault path is not a folder")
    result = Discovery()
    seen_dirs: set[tuple[int, int]] = set()
    try:
        st = root.stat()
        seen_dirs.add((st.st_dev, st.st_ino))
    except OSError as exc:
        raise VaultError(f"{root}: cannot read vault folder: {exc.strerror}") from exc
    stack: list[tuple[str, str]] = [(str(root), "")]
    while stack:
        abs_dir, rel_dir = stack.pop()
        try:
            with os.scandir(abs_dir) as it:
                entries = list(it)
        except OSError as exc:
            result.problems.append(
                DiscoveryProblem(rel_dir or ".", f"cannot list folder: {exc.strerror or exc}")
            )
            continue
        for entry in entries:
            name = entry.name
            if name.startswith("."):
                continue
            rel = f"{rel_dir}/{name}" if rel_dir else name
            try:
                st = entry.stat(follow_symlinks=True)
            except OSError as exc:
                if entry.is_symlink():
                    reason = "broken symbolic link" if isinstance(exc, FileNotFoundError) else (
                        f"symbolic link cannot be followed: {exc.strerror or exc}"
                    )
                    result.problems.append(DiscoveryProblem(rel, reason))
                else:
                    result.problems.append(DiscoveryProblem(rel, f"cannot stat: {exc.strerror or exc}"))
                continue
            if stat_mod.S_ISDIR(st.st_mode):
                key = (st.st_dev, st.st_ino)
                if key in seen_dirs:
                    result.problems.append(
                        DiscoveryProblem(rel, "symbolic link loop: this folder is already in the vault")
                    )
                    continue
                seen_dirs.add(key)
                stack.append((entry.path, rel))
            elif stat_mod.S_ISREG(st.st_mode):
                result.files[rel] = FileStat(rel, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
    return result


def stat_file(root: Path, vault_path: str) -> FileStat | None:
    """Stat one vault file (following symlinks); None when it is gone or not a regular file."""
    try:
        st = os.stat(root / vault_path)
    except OSError:
        return None
    if not stat_mod.S_ISREG(st.st_mode):
        return None
    return FileStat(vault_path, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def iter_subtree(discovery: Discovery, folder: str) -> Iterator[str]:
    prefix = folder.rstrip("/") + "/"
    for path in discovery.files:
        if path.startswith(prefix):
            yield path


# ---------------------------------------------------------------------------------------------
# .obsidian/app.json


def load_app_settings(
    root: Path, config_dir: str | None = None, overrides: Mapping[str, Any] | None = None
) -> AppSettings:
    """app.json's keys, each from gardend.toml's ``[obsidian]`` table, else the file, else
    Obsidian's default. A missing, empty or broken file is a warning, never fatal."""
    resolved = resolve_section("obsidian", root, config_dir, overrides)
    values = resolved.values
    return AppSettings(
        user_ignore_filters=tuple(values["userIgnoreFilters"]),
        strict_line_breaks=values["strictLineBreaks"],
        attachment_folder_path=values["attachmentFolderPath"],
        new_link_format=values["newLinkFormat"],
        use_markdown_links=values["useMarkdownLinks"],
        problems=resolved.problems,
    )


class IgnoreFilters:
    """Obsidian's "Excluded files": ``/regex/`` entries or case-insensitive path prefixes.

    Matching per obsidian.md §1.5: an entry longer than 2 characters that starts and ends with
    ``/`` is a regular expression (flag ``i``, unanchored search on the vault path); any other
    entry is a literal prefix. A regex that does not compile is skipped and reported.
    """

    def __init__(self, entries: tuple[str, ...] | list[str]) -> None:
        self.patterns: list[re.Pattern[str]] = []
        self.problems: list[str] = []
        for entry in entries:
            if len(entry) > 2 and entry.startswith("/") and entry.endswith("/"):
                try:
                    self.patterns.append(re.compile(entry[1:-1], re.IGNORECASE))
                except re.error as exc:
                    self.problems.append(f"userIgnoreFilters entry {entry!r} is not a valid regex: {exc}")
            elif entry:
                self.patterns.append(re.compile("^" + re.escape(entry), re.IGNORECASE))

    def __bool__(self) -> bool:
        return bool(self.patterns)

    def matches(self, vault_path: str) -> bool:
        return any(p.search(vault_path) for p in self.patterns)


@dataclass(frozen=True, slots=True)
class BookmarkedFile:
    """A file bookmarked in Obsidian's Bookmarks plugin, with the group holding it."""

    group: str
    """``"/"`` for the top level, else the group titles joined by ``/`` (``"Group/Sub"``): the
    form Metadata Menu's ``bookmarksGroups`` uses (metadatamenu: suggestModals.ts ``getGroups``)."""
    path: str


def read_bookmark_items(root: Path, config_dir: str | None = None) -> tuple[list[Any], str | None]:
    """The top-level ``items`` of ``<config>/bookmarks.json`` and, when it cannot be read, why
    (callers say what a broken file costs them). A missing file is no bookmarks, no problem."""
    path = root / (config_dir or binding_for(root).config_dir) / "bookmarks.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return [], None
    except (OSError, ValueError) as exc:
        return [], f"{path}: cannot read bookmarks ({exc})"
    items = data.get("items") if isinstance(data, dict) else None
    return (items if isinstance(items, list) else []), None


def bookmarked_files(items: object, group: str = "") -> list[BookmarkedFile]:
    """Every ``file`` bookmark with the path of the group that holds it *directly*, in Metadata
    Menu's traversal order: a level's files first, then its groups, depth first (metadatamenu:
    src/index/FieldIndex.ts ``getFilesForItems``). Pure: the caller reads the file."""
    found: list[BookmarkedFile] = []
    if not isinstance(items, list):
        return found
    entries = [item for item in items if isinstance(item, dict)]
    for item in entries:
        if item.get("type") == "file" and isinstance(item.get("path"), str):
            found.append(BookmarkedFile(group or "/", item["path"]))
    for item in entries:
        if item.get("type") == "group":
            title = item.get("title")
            title = title if isinstance(title, str) else "" if title is None else str(title)
            found += bookmarked_files(item.get("items"), f"{group}/{title}" if group else title)
    return found


def load_starred_paths(root: Path, config_dir: str | None = None) -> tuple[list[str], list[str]]:
    """Vault paths bookmarked as *files* in Obsidian's Bookmarks plugin (groups flattened).

    Dataview's ``file.starred`` reads the same list. Returns (paths, problems).
    """
    items, problem = read_bookmark_items(root, config_dir)
    if problem is not None:
        return [], [f"{problem}; file.starred is false everywhere"]
    return sorted({b.path for b in bookmarked_files(items)}), []
