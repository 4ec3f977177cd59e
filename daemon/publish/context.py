"""What every compile step may look up, backed by the index (never by scanning the vault).

One :class:`CompileContext` serves a whole publish run: it caches name resolution, note rows
and the publication flags, and it carries the output mode. ``mode="plugin"`` reproduces the
Digital Garden plugin byte for byte, leaks included; ``mode="safe"`` keeps unpublished notes
out of the output (digital-garden.md §9 rows 1–3).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Literal, TypeVar

from ..index import Index
from ..query.pages import NameTable
from .settings import GardenSettings

Mode = Literal["plugin", "safe"]


@dataclass(frozen=True)
class NoteRow:
    path: str
    text: str
    frontmatter: dict[str, Any]
    publish: bool
    ctime_ms: int
    mtime_ms: int


@dataclass(frozen=True)
class CanvasRow(NoteRow):
    """A canvas as the index holds it (:mod:`gardend.daemon.canvas`): the same fields as a note,
    its text being the canvas JSON and its frontmatter ``metadata.frontmatter``."""


_Row = TypeVar("_Row", bound=NoteRow)


@dataclass(frozen=True)
class Heading:
    level: int
    text: str
    line: int


@dataclass
class CompileReads:
    """What compiling one note looked up, for the compile cache (:mod:`.cache`): a cached note
    stays valid while every one of these facts is unchanged."""

    notes: set[str] = field(default_factory=set)
    """Notes whose content was read (the note itself, transclusions, their headings/blocks)."""
    flags: set[str] = field(default_factory=set)
    """Notes whose publish flag was read (safe-mode link and embed redaction)."""
    resolutions: set[tuple[bool, str, str, str | None]] = field(default_factory=set)
    """``(strict, linkpath, source, resolved path)`` of every link resolution; ``strict``: with
    the plugin's rule that untrimmed link text does not resolve (:meth:`CompileContext.resolve`)."""
    files: set[str] = field(default_factory=set)
    """Files read from disk (inlined SVGs)."""


@dataclass
class CompileContext:
    index: Index
    root: Path | None
    settings: GardenSettings
    mode: Mode = "plugin"
    names: NameTable | None = None
    _notes: dict[str, NoteRow | None] = field(default_factory=dict)
    _canvases: dict[str, CanvasRow | None] = field(default_factory=dict)
    reads: CompileReads | None = None
    """Set while a note compiles under the compile cache: every look-up below is recorded."""

    def __post_init__(self) -> None:
        if self.names is None:
            self.names = NameTable.load(self.index)

    @property
    def safe(self) -> bool:
        return self.mode == "safe"

    # -- resolution -----------------------------------------------------------------------------
    def resolve(self, linkpath: str, source: str) -> str | None:
        """Obsidian's ``getFirstLinkpathDest`` as the plugin calls it: with the text as typed,
        so leading/trailing whitespace (``[[Note | alias]]``) does not resolve (§4.5 item 6)."""
        if linkpath != linkpath.strip():
            return None
        assert self.names is not None
        resolved = self.names.resolve_path(linkpath, source)
        if self.reads is not None:
            self.reads.resolutions.add((True, linkpath, source, resolved))
        return resolved

    def resolve_as_obsidian(self, linkpath: str, source: str) -> str | None:
        """The note Obsidian itself opens for the link, which trims the text: ``[[Note | alias]]``
        leads to ``Note``. Safe mode redacts by this, so a link the plugin leaves unresolved
        (and so writes out as typed) still loses the private name it points at."""
        linkpath = linkpath.strip()
        assert self.names is not None
        resolved = self.names.resolve_path(linkpath, source) if linkpath else None
        if self.reads is not None:
            self.reads.resolutions.add((False, linkpath, source, resolved))
        return resolved

    # -- notes ----------------------------------------------------------------------------------
    def note(self, path: str) -> NoteRow | None:
        if self.reads is not None:
            self.reads.notes.add(path)
        return self._row(path)

    def _row(self, path: str) -> NoteRow | None:
        if path not in self._notes:
            self._notes[path] = self._fetch(path, "notes", NoteRow)
        return self._notes[path]

    def canvas(self, path: str) -> CanvasRow | None:
        """The canvas at ``path`` (None when there is none, or it is no canvas)."""
        if self.reads is not None:
            self.reads.notes.add(path)
        return self._canvas_row(path)

    def _canvas_row(self, path: str) -> CanvasRow | None:
        if path not in self._canvases:
            self._canvases[path] = self._fetch(path, "canvases", CanvasRow)
        return self._canvases[path]

    def _fetch(self, path: str, table: Literal["notes", "canvases"], row_type: type[_Row]) -> _Row | None:
        """One row of ``notes`` or ``canvases`` (same columns) joined with its file's times."""
        row = self.index.conn.execute(  # ``table`` is one of two fixed names, never input
            "SELECT t.text, t.frontmatter, t.publish, f.ctime_ns, f.mtime_ns FROM files f"
            f" JOIN {table} t ON t.file_id = f.id WHERE f.path = ?",
            (path,),
        ).fetchone()
        if row is None:
            return None
        fm = json.loads(row[1]) if row[1] else {}
        return row_type(path, row[0], fm if isinstance(fm, dict) else {}, bool(row[2]),
                        row[3] // 1_000_000, row[4] // 1_000_000)

    def is_published(self, path: str) -> bool:
        """Whether the note — or, for a ``.canvas`` path, the canvas — at ``path`` is published."""
        if self.reads is not None:
            self.reads.flags.add(path)
        if path.endswith(".canvas"):
            canvas = self._canvas_row(path)
            return canvas is not None and canvas.publish
        note = self._row(path)
        return note is not None and note.publish

    @cached_property
    def published_paths(self) -> frozenset[str]:
        return frozenset(
            r[0] for r in self.index.conn.execute(
                "SELECT f.path FROM files f JOIN notes n ON n.file_id = f.id WHERE n.publish = 1"
            )
        )

    def block_lines(self, path: str, block_id: str) -> tuple[int, int] | None:
        """0-based start and end line of a ``^id`` block (Obsidian's metadata ``blocks``).

        Obsidian's ``blocks`` map is keyed by the lower-cased id, and so is the index."""
        if self.reads is not None:
            self.reads.notes.add(path)
        row = self.index.conn.execute(
            "SELECT b.line, b.end_line FROM blocks b JOIN files f ON f.id = b.note_id"
            " WHERE f.path = ? AND b.id_lower = ?",
            (path, block_id.lower()),
        ).fetchone()
        return None if row is None else (row[0], row[1])

    def headings(self, path: str) -> list[Heading]:
        if self.reads is not None:
            self.reads.notes.add(path)
        return [
            Heading(r[0], r[1], r[2])
            for r in self.index.conn.execute(
                "SELECT h.level, h.text, h.line FROM headings h JOIN files f ON f.id = h.note_id"
                " WHERE f.path = ? ORDER BY h.seq",
                (path,),
            )
        ]

    # -- files ----------------------------------------------------------------------------------
    def file_path(self, vault_path: str) -> Path | None:
        return None if self.root is None else self.root / vault_path

    def read_text(self, vault_path: str) -> str | None:
        path = self.file_path(vault_path)
        if path is None:
            return None
        if self.reads is not None:
            self.reads.files.add(vault_path)
        try:
            return path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None
