"""The SQLite index: the single source of truth every output is computed from.

This module owns the database: opening it (WAL, migrations), writing scanned notes and
attachments, deleting files, and keeping link resolution right as files come and go. It does not
walk the vault or read files; :mod:`gardend.daemon.sync` decides *what* changed and hands the
records here.

Writes are batched: rows for many notes are collected and written with ``executemany`` inside
one transaction, which is what makes a cold index of thousands of notes take seconds. File ids
are allocated here (the index has a single writer), so child rows can be batched too.

Link resolution is incremental: every link row carries the lower-cased file name it looks up
(``lookup_name``). When a file with name N appears or disappears, only links whose lookup name
can match N are re-resolved (see :func:`gardend.daemon.links.names_affecting`).
"""

from __future__ import annotations

import importlib.util
import json
import os
import sqlite3
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .canvas import CanvasRecord
from .links import Resolution, file_lookup_name, lookup_name, resolve
from .records import NoteRecord
from .tags import tag_with_parents
from .values import to_storage
from .vault import FileStat, extension_of

if TYPE_CHECKING:
    from sqlite_utils import Database

QUERY_SYNTAX_SETTING = "query_syntax"
"""Settings key: the :class:`~.scanner.QuerySyntax` the notes' ``queries`` rows were scanned with."""

SCANNER_VERSION_SETTING = "scanner_version"
"""Settings key: :data:`~.scanner.SCANNER_VERSION` of the scanner that produced the notes' rows."""

DATAVIEWJS_SETTING = "dataviewjs_runs"
"""Settings key: whether Obsidian would run DataviewJS blocks / inline ``$=`` queries, as JSON
``{"blocks": bool, "inline": bool}`` (from the vault's Dataview settings; read by ``check``)."""


class IndexOpenError(Exception):
    """The index database cannot be opened or used (locked, corrupt, unwritable)."""


@dataclass(frozen=True, slots=True)
class StoredFile:
    """What reconciliation needs to know about a file already in the index."""

    id: int
    path: str
    size: int
    mtime_ns: int
    content_hash: str | None
    indexed_at_ns: int
    is_note: bool


@dataclass
class WriteStats:
    """Counts of one batch, for logs and summary lines."""

    notes_written: int = 0
    attachments_written: int = 0
    deleted: int = 0
    links_resolved: int = 0
    touched: int = 0
    changed_names: set[str] = field(default_factory=set)
    note_ids: list[int] = field(default_factory=list)

    def add(self, other: WriteStats) -> None:
        self.notes_written += other.notes_written
        self.attachments_written += other.attachments_written
        self.deleted += other.deleted
        self.links_resolved += other.links_resolved
        self.touched += other.touched


_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
"""One encoder for every row: ``json.dumps`` with options builds a new encoder per call."""


_MIGRATION_SET = "gardend"
"""``gardend.migrations.MIGRATION_SET``: the set the migrations are recorded under."""


def _schema_current(conn: sqlite3.Connection) -> bool:
    """Whether every migration shipped (each ``.sql`` file of ``gardend.migrations``) is recorded
    as applied, found without importing the migrations package and, with it, sqlite-utils.
    False whenever unsure (a new database, a package that is not a folder): the migrations then
    check for themselves, as they always did."""
    try:
        spec = importlib.util.find_spec(importlib.util.resolve_name("..migrations", __package__))
        folders = list(spec.submodule_search_locations or []) if spec is not None else []
        shipped = {name[:-4] for folder in folders for name in os.listdir(folder) if name.endswith(".sql")}
        applied = {r[0] for r in conn.execute(
            "SELECT name FROM _sqlite_migrations WHERE migration_set = ?", (_MIGRATION_SET,))}
    except (ImportError, ValueError, OSError, sqlite3.Error):
        return False
    return bool(shipped) and shipped <= applied


def _json(value: object) -> str:
    return _ENCODER.encode(value)


def _folder(path: str) -> str:
    slash = path.rfind("/")
    return path[:slash] if slash >= 0 else ""


class Index:
    """One vault's index database. Use from one thread at a time; open another for readers."""

    def __init__(self, db_path: str | Path, *, readonly: bool = False) -> None:
        self.path = Path(db_path)
        if not readonly:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            if readonly:
                uri = f"file:{self.path}?mode=ro"
                conn = sqlite3.connect(uri, uri=True, check_same_thread=False)
            else:
                conn = sqlite3.connect(str(self.path), check_same_thread=False, timeout=30)
            conn.isolation_level = None  # we issue BEGIN/COMMIT ourselves
            self.conn = conn
            self._db: Database | None = None
            conn.execute("PRAGMA busy_timeout = 30000")
            if not readonly:
                conn.execute("PRAGMA journal_mode = WAL")
                conn.execute("PRAGMA synchronous = NORMAL")
                conn.execute("PRAGMA foreign_keys = OFF")
                if _schema_current(conn):
                    self.applied_migrations: list[str] = []
                else:
                    from ..migrations import apply_migrations

                    self.applied_migrations = apply_migrations(self.db)
            conn.execute("PRAGMA cache_size = -32000")
        except sqlite3.DatabaseError as exc:
            raise IndexOpenError(f"{self.path}: cannot open index database: {exc}") from exc
        self._next_id: int | None = None
        self._id_floor = 0
        self._in_tx = False

    @property
    def db(self) -> Database:
        """sqlite-utils' view of the connection, made when first used (the migrations use it):
        importing sqlite-utils is a noticeable part of a short command's start-up."""
        if self._db is None:
            from sqlite_utils import Database

            self._db = Database(self.conn)
        return self._db

    def close(self) -> None:
        with suppress(sqlite3.Error):
            self.conn.close()

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- transactions ----------------------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One write transaction; nested calls join the outer one."""
        if self._in_tx:
            yield
            return
        self.conn.execute("BEGIN IMMEDIATE")
        self._in_tx = True
        self._next_id = None
        try:
            yield
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        else:
            self.conn.execute("COMMIT")
        finally:
            self._in_tx = False
            self._next_id = None

    def _allocate_id(self) -> int:
        if self._next_id is None:
            row = self.conn.execute("SELECT COALESCE(MAX(id), 0) FROM files").fetchone()
            self._next_id = max(int(row[0]) + 1, self._id_floor)
        value = self._next_id
        self._next_id += 1
        self._id_floor = max(self._id_floor, self._next_id)
        return value

    def reserve_ids(self, count: int) -> int:
        """Reserve ``count`` consecutive ids for files about to be scanned elsewhere; returns the first.

        Workers build rows with their final file id, so nothing needs rewriting on insert.
        """
        row = self.conn.execute("SELECT COALESCE(MAX(id), 0) FROM files").fetchone()
        first = max(int(row[0]) + 1, self._id_floor)
        self._id_floor = first + count
        if self._next_id is not None:
            self._next_id = max(self._next_id, self._id_floor)
        return first

    # -- settings --------------------------------------------------------------------------------
    def get_setting(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_setting(self, key: str, value: str | None) -> None:
        if value is None:
            self.conn.execute("DELETE FROM settings WHERE key = ?", (key,))
        else:
            self.conn.execute(
                "INSERT INTO settings(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (key, value),
            )

    def _bump_generation(self) -> None:
        """Count index changes: caches of query results (render cache) compare generations."""
        self.conn.execute(
            "INSERT INTO settings(key, value) VALUES ('generation', '1')"
            " ON CONFLICT(key) DO UPDATE SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT)"
        )

    def generation(self) -> int:
        value = self.get_setting("generation")
        return int(value) if value else 0

    # -- reading ---------------------------------------------------------------------------------
    def stored_files(self) -> dict[str, StoredFile]:
        rows = self.conn.execute(
            "SELECT id, path, size, mtime_ns, content_hash, indexed_at_ns, is_note FROM files"
        )
        return {r[1]: StoredFile(r[0], r[1], r[2], r[3], r[4], r[5], bool(r[6])) for r in rows}

    def stored_file(self, path: str) -> StoredFile | None:
        r = self.conn.execute(
            "SELECT id, path, size, mtime_ns, content_hash, indexed_at_ns, is_note FROM files WHERE path = ?",
            (path,),
        ).fetchone()
        return StoredFile(r[0], r[1], r[2], r[3], r[4], r[5], bool(r[6])) if r else None

    def paths_under(self, folder: str) -> list[str]:
        prefix = folder.rstrip("/") + "/"
        rows = self.conn.execute(
            "SELECT path FROM files WHERE substr(path, 1, ?) = ?", (len(prefix), prefix)
        )
        return [r[0] for r in rows]

    def paths_that_may_hold_code(self) -> list[str]:
        """Notes whose text may hold code: a backtick, a ``~~~`` fence, or indentation that can
        start an indented code block. Only these can hold Dataview queries, so only these are
        re-scanned when the query syntax (Dataview's prefixes and keyword) changes."""
        rows = self.conn.execute(
            "SELECT f.path FROM files f JOIN notes n ON n.file_id = f.id WHERE instr(n.text, '`') > 0"
            " OR instr(n.text, '~~~') > 0 OR instr(n.text, '    ') > 0 OR instr(n.text, char(9)) > 0"
        )
        return [r[0] for r in rows]

    def note_count(self) -> int:
        return int(self.conn.execute("SELECT COUNT(*) FROM notes").fetchone()[0])

    def file_count(self) -> int:
        return int(self.conn.execute("SELECT COUNT(*) FROM files").fetchone()[0])

    def canvas_paths(self) -> set[str]:
        """Canvases that have their ``canvases`` row (an index made before schema 5 has canvases
        recorded as plain attachments: those must be read once)."""
        return {r[0] for r in self.conn.execute("SELECT f.path FROM files f JOIN canvases c ON c.file_id = f.id")}

    def has_canvas_row(self, file_id: int) -> bool:
        return self.conn.execute("SELECT 1 FROM canvases WHERE file_id = ?", (file_id,)).fetchone() is not None

    def candidates(self, name_lower: str) -> list[str]:
        return [r[0] for r in self.conn.execute("SELECT path FROM files WHERE name_lower = ?", (name_lower,))]

    # -- writing ---------------------------------------------------------------------------------
    def write_batch(
        self,
        notes: Iterable[PreparedNote] = (),
        attachments: Iterable[FileStat] = (),
        deleted: Iterable[str] = (),
        touched: Iterable[FileStat] = (),
        excluded: object = None,
        resolve_links: bool = True,
        canvases: Iterable[tuple[FileStat, CanvasRecord]] = (),
    ) -> WriteStats:
        """Apply one batch of changes atomically and re-resolve the links they affect.

        ``touched`` are files whose stat changed but whose content did not (a hash match): only
        their stat is updated. ``canvases`` are canvas files read by :func:`~.canvas.scan_canvas`:
        a ``files`` row like an attachment's (with the content hash) plus their ``canvases`` row
        and diagnostics. ``excluded`` is a predicate for Obsidian's "Excluded files".
        With ``resolve_links=False`` the caller resolves later (see :meth:`resolve_names`); the
        batch is then marked ``resolution_pending`` so a crash before that is repaired on the next
        sync. Notes whose rows were prepared with a resolver are not re-resolved either way.
        """
        stats = WriteStats()
        is_excluded = excluded if callable(excluded) else (lambda _p: False)
        with self.transaction():
            changed_names: set[str] = set()
            rescanned: list[int] = []
            for path in deleted:
                name = self._delete_file(path)
                if name is not None:
                    changed_names.add(name)
                    stats.deleted += 1
            buf = _RowBuffer()
            now = time.time_ns()
            prepared_notes = list(notes)
            existing = self._existing_files([p.stat.path for p in prepared_notes])
            taken = self._taken_ids([p.file_id for p in prepared_notes if p.stat.path not in existing])
            new_files: list[tuple] = []
            for prepared in prepared_notes:
                st = prepared.stat
                if st.path in existing:
                    file_id, name, _ = self._upsert_file(
                        st, prepared.content_hash, True, now, is_excluded(st.path), prepared.file_id
                    )
                    self._delete_children(file_id)
                else:
                    file_id = prepared.file_id if prepared.file_id not in taken else self._allocate_id()
                    taken.add(file_id)
                    name = file_lookup_name(st.path)
                    new_files.append(
                        (file_id, st.path, name, _folder(st.path), extension_of(st.path), st.size, st.mtime_ns,
                         st.ctime_ns, prepared.content_hash, now, 1, int(is_excluded(st.path)))
                    )
                    changed_names.add(name)
                buf.add(prepared.with_file_id(file_id))
                stats.note_ids.append(file_id)
                if not prepared.resolved:
                    rescanned.append(file_id)
                stats.notes_written += 1
            if new_files:
                self.conn.executemany(_INSERT_FILE, new_files)
            buf.flush(self.conn)
            for st in attachments:
                _, name, is_new = self._upsert_file(st, None, False, now, is_excluded(st.path))
                if is_new:
                    changed_names.add(name)
                stats.attachments_written += 1
            for st, canvas in canvases:
                self._write_canvas(st, canvas, now, is_excluded(st.path), changed_names)
                stats.attachments_written += 1
            for st in touched:
                self.conn.execute(
                    "UPDATE files SET size = ?, mtime_ns = ?, ctime_ns = ?, indexed_at_ns = ? WHERE path = ?",
                    (st.size, st.mtime_ns, st.ctime_ns, now, st.path),
                )
                stats.touched += 1
            stats.changed_names = changed_names
            self._bump_generation()
            if resolve_links:
                stats.links_resolved = self._resolve_affected(rescanned, changed_names)
            else:
                self.set_setting("resolution_pending", "1")
        return stats

    def _upsert_file(
        self,
        st: FileStat,
        content_hash: str | None,
        is_note: bool,
        now: int,
        excluded: bool,
        file_id: int | None = None,
    ) -> tuple[int, str, bool]:
        """Insert or update the files row; a reserved ``file_id`` is used for a new file."""
        name = file_lookup_name(st.path)
        row = self.conn.execute("SELECT id, is_note FROM files WHERE path = ?", (st.path,)).fetchone()
        if row is not None:
            file_id = int(row[0])
            self.conn.execute(
                "UPDATE files SET size = ?, mtime_ns = ?, ctime_ns = ?, content_hash = ?, indexed_at_ns = ?,"
                " is_note = ?, excluded = ? WHERE id = ?",
                (st.size, st.mtime_ns, st.ctime_ns, content_hash, now, int(is_note), int(excluded), file_id),
            )
            if row[1] and not is_note:
                self._delete_children(file_id)
                self._delete_note_row(file_id)
            return file_id, name, False
        if file_id is None or self.conn.execute("SELECT 1 FROM files WHERE id = ?", (file_id,)).fetchone():
            file_id = self._allocate_id()
        self.conn.execute(
            _INSERT_FILE,
            (file_id, st.path, name, _folder(st.path), extension_of(st.path), st.size, st.mtime_ns, st.ctime_ns,
             content_hash, now, int(is_note), int(excluded)),
        )
        return file_id, name, True

    def _write_canvas(
        self, st: FileStat, canvas: CanvasRecord, now: int, excluded: bool, changed_names: set[str]
    ) -> None:
        file_id, name, is_new = self._upsert_file(st, canvas.content_hash, False, now, excluded)
        if is_new:
            changed_names.add(name)
        self.conn.execute("DELETE FROM canvases WHERE file_id = ?", (file_id,))
        self.conn.execute("DELETE FROM diagnostics WHERE file_id = ?", (file_id,))
        self.conn.execute(
            "INSERT INTO canvases (file_id, valid, frontmatter, publish, text) VALUES (?, ?, ?, ?, ?)",
            (file_id, int(canvas.valid), _json(canvas.frontmatter) if canvas.frontmatter is not None else None,
             int(canvas.publish), canvas.text),
        )
        if canvas.diagnostics:
            self.conn.executemany(
                _INSERT["diagnostics"],
                [(file_id, seq, d.kind, d.severity, d.line, d.message) for seq, d in enumerate(canvas.diagnostics)],
            )

    def _existing_files(self, paths: list[str]) -> set[str]:
        found: set[str] = set()
        for chunk in _chunks(paths, 500):
            marks = ",".join("?" * len(chunk))
            found.update(r[0] for r in self.conn.execute(f"SELECT path FROM files WHERE path IN ({marks})", chunk))
        return found

    def _taken_ids(self, ids: list[int]) -> set[int]:
        taken: set[int] = set()
        for chunk in _chunks(ids, 500):
            marks = ",".join("?" * len(chunk))
            taken.update(r[0] for r in self.conn.execute(f"SELECT id FROM files WHERE id IN ({marks})", chunk))
        return taken

    def _delete_children(self, file_id: int) -> None:
        for table in _CHILD_TABLES:
            self.conn.execute(f"DELETE FROM {table} WHERE note_id = ?", (file_id,))
        self.conn.execute("DELETE FROM diagnostics WHERE file_id = ?", (file_id,))
        self.conn.execute("DELETE FROM canvases WHERE file_id = ?", (file_id,))
        self._delete_note_row(file_id)

    def _delete_note_row(self, file_id: int) -> None:
        old = self.conn.execute("SELECT title, text FROM notes WHERE file_id = ?", (file_id,)).fetchone()
        if old is not None:
            self.conn.execute(
                "INSERT INTO notes_fts(notes_fts, rowid, title, text) VALUES ('delete', ?, ?, ?)",
                (file_id, old[0], old[1]),
            )
            self.conn.execute("DELETE FROM notes WHERE file_id = ?", (file_id,))

    def _delete_file(self, path: str) -> str | None:
        row = self.conn.execute("SELECT id, name_lower FROM files WHERE path = ?", (path,)).fetchone()
        if row is None:
            return None
        file_id = int(row[0])
        self._delete_children(file_id)
        self.conn.execute("DELETE FROM files WHERE id = ?", (file_id,))
        return str(row[1])

    # -- link resolution -------------------------------------------------------------------------
    def _resolve_affected(
        self, rescanned: list[int], changed_names: set[str], exclude: set[int] | frozenset[int] = frozenset()
    ) -> int:
        """Re-resolve the links of re-scanned notes and every link a changed file name can affect."""
        lookups: dict[str, list[str]] = {}

        def get(name: str) -> list[str]:
            found = lookups.get(name)
            if found is None:
                found = self.candidates(name)
                lookups[name] = found
            return found

        targets: list[tuple[int, int, str, str, str | None, str | None]] = []
        if rescanned:
            for chunk in _chunks(rescanned, 500):
                marks = ",".join("?" * len(chunk))
                targets.extend(
                    self.conn.execute(
                        "SELECT l.note_id, l.seq, l.linkpath, f.path, l.target_path, l.ambiguous"
                        f" FROM links l JOIN files f ON f.id = l.note_id WHERE l.note_id IN ({marks})",
                        chunk,
                    ).fetchall()
                )
        if changed_names:
            lookup_names: set[str] = set()
            for name in changed_names:
                lookup_names.add(name)
                if name.endswith(".md"):
                    lookup_names.add(name[:-3])
            seen = {(t[0], t[1]) for t in targets}
            skip = set(exclude)
            for chunk in _chunks(sorted(lookup_names), 500):
                marks = ",".join("?" * len(chunk))
                for row in self.conn.execute(
                    "SELECT l.note_id, l.seq, l.linkpath, f.path, l.target_path, l.ambiguous"
                    f" FROM links l JOIN files f ON f.id = l.note_id WHERE l.lookup_name IN ({marks})",
                    chunk,
                ):
                    if (row[0], row[1]) not in seen and row[0] not in skip:
                        targets.append(row)
        return self._apply_resolutions(targets, get)

    def _apply_resolutions(self, targets: list, get: object) -> int:
        updates = []
        cache: dict[tuple[str, str], Resolution] = {}
        for note_id, seq, linkpath, source, old_target, old_ambiguous in targets:
            slash = source.rfind("/")
            key = (linkpath, source[:slash] if slash >= 0 else "")
            res = cache.get(key) if linkpath else None
            if res is None:
                res = resolve(linkpath, source, lookup=get)
                if linkpath:
                    cache[key] = res
            ambiguous = _json(list(res.ambiguous)) if res.ambiguous else None
            if res.path != old_target or ambiguous != old_ambiguous:
                updates.append((res.path, ambiguous, note_id, seq))
        if updates:
            self.conn.executemany(
                "UPDATE links SET target_path = ?, ambiguous = ? WHERE note_id = ? AND seq = ?", updates
            )
        return len(updates)

    def resolve_all(self) -> int:
        """Resolve every link from scratch (after a cold index); names are looked up in memory."""
        table: dict[str, list[str]] = {}
        for path, name in self.conn.execute("SELECT path, name_lower FROM files"):
            table.setdefault(name, []).append(path)
        with self.transaction():
            targets = self.conn.execute(
                "SELECT l.note_id, l.seq, l.linkpath, f.path, l.target_path, l.ambiguous"
                " FROM links l JOIN files f ON f.id = l.note_id"
            ).fetchall()
            count = self._apply_resolutions(targets, lambda n: table.get(n, []))
            self.set_setting("resolution_pending", None)
            self._bump_generation()
        return count

    def resolve_names(self, changed_names: set[str], exclude: set[int]) -> int:
        """After a multi-batch sync: re-resolve links that the changed file names can affect."""
        with self.transaction():
            self._bump_generation()
            count = self._resolve_affected([], changed_names, exclude) if changed_names else 0
            self.set_setting("resolution_pending", None)
        return count

    def resolution_pending(self) -> bool:
        return self.get_setting("resolution_pending") == "1"

    def set_excluded(self, predicate: object) -> int:
        """Recompute the "Excluded files" flag of every file (after app.json changed)."""
        if not callable(predicate):
            return 0
        rows = self.conn.execute("SELECT id, path, excluded FROM files").fetchall()
        updates = [(int(predicate(path)), fid) for fid, path, old in rows if int(predicate(path)) != old]
        if updates:
            with self.transaction():
                self.conn.executemany("UPDATE files SET excluded = ? WHERE id = ?", updates)
        return len(updates)


def _chunks(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


_INSERT_FILE = (
    "INSERT INTO files (id, path, name_lower, folder, ext, size, mtime_ns, ctime_ns, content_hash,"
    " indexed_at_ns, is_note, excluded) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)

TABLES = (
    "notes",
    "notes_fts",
    "fields",
    "links",
    "tags",
    "tag_index",
    "aliases",
    "headings",
    "blocks",
    "list_items",
    "queries",
    "diagnostics",
)
"""Tables of a note's rows, in the order of :attr:`PreparedNote.rows`. Every row starts with the file id."""

_CHILD_TABLES = tuple(t for t in TABLES if t not in ("notes", "notes_fts", "diagnostics"))
"""Tables keyed by ``note_id`` whose rows are replaced when a note is re-scanned."""

_INSERT = {
    "notes": "INSERT INTO notes (file_id, title, frontmatter, body_start_line, publish, text) VALUES (?, ?, ?, ?, ?, ?)",
    "notes_fts": "INSERT INTO notes_fts (rowid, title, text) VALUES (?, ?, ?)",
    "fields": "INSERT INTO fields (note_id, seq, key, value, source, line) VALUES (?, ?, ?, ?, ?, ?)",
    "links": "INSERT INTO links (note_id, seq, kind, embed, original, linkpath, subpath, display, line, col,"
    " fm_key, lookup_name, target_path, ambiguous) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    "tags": "INSERT INTO tags (note_id, seq, tag, source, line) VALUES (?, ?, ?, ?, ?)",
    "tag_index": "INSERT OR IGNORE INTO tag_index (note_id, tag_lower) VALUES (?, ?)",
    "aliases": "INSERT INTO aliases (note_id, seq, alias) VALUES (?, ?, ?)",
    "headings": "INSERT INTO headings (note_id, seq, level, text, line) VALUES (?, ?, ?, ?, ?)",
    "blocks": "INSERT INTO blocks (note_id, id_lower, block_id, line, end_line, kind) VALUES (?, ?, ?, ?, ?, ?)",
    "list_items": "INSERT INTO list_items (note_id, line, line_count, list_line, parent_line, symbol, status, text,"
    " block_id, fields, tags, section) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    "queries": "INSERT INTO queries (note_id, seq, kind, source, line) VALUES (?, ?, ?, ?, ?)",
    "diagnostics": "INSERT INTO diagnostics (file_id, seq, kind, severity, line, message) VALUES (?, ?, ?, ?, ?, ?)",
}


@dataclass(slots=True)
class PreparedNote:
    """A scanned note already turned into table rows.

    Built in the scanning worker process: tuples of plain values pickle an order of magnitude
    faster than the record's dataclasses, which keeps the single writer process free for SQL.
    """

    stat: FileStat
    file_id: int
    content_hash: str
    rows: tuple[list[tuple], ...]
    resolved: bool = False  # links were resolved against a complete name table

    def with_file_id(self, file_id: int) -> PreparedNote:
        if file_id == self.file_id:
            return self
        rows = tuple([(file_id, *row[1:]) for row in table] for table in self.rows)
        return PreparedNote(self.stat, file_id, self.content_hash, rows, self.resolved)


def prepare_note(
    stat: FileStat, file_id: int, r: NoteRecord, names: dict[str, list[str]] | None = None
) -> PreparedNote:
    """Turn a record into the rows of every table (pure; runs in worker processes).

    With ``names`` (lower-cased file name -> vault paths of the whole vault, known from
    discovery) links are resolved here, in parallel, instead of in a pass over the database.
    """
    notes = [(file_id, r.title, _json(r.frontmatter) if r.frontmatter is not None else None,
              r.body_start_line, int(r.publish), r.text)]
    fts = [(file_id, r.title, r.text)]
    fields = [(file_id, seq, f.key, _json(to_storage(f.value)), f.source, f.line) for seq, f in enumerate(r.fields)]
    links = [
        (file_id, seq, link.kind, int(link.embed), link.original, link.linkpath, link.subpath, link.display,
         link.line, link.col, link.key, lookup_name(link.linkpath), *_resolved(link.linkpath, stat.path, names))
        for seq, link in enumerate(r.links)
    ]
    tags = [(file_id, seq, tag.tag, tag.source, tag.line) for seq, tag in enumerate(r.tags)]
    lowered: dict[str, None] = {}
    for tag in r.tags:
        for t in tag_with_parents(tag.tag):
            lowered[t.lower()] = None
    tag_index = [(file_id, t) for t in lowered]
    aliases = [(file_id, seq, a) for seq, a in enumerate(r.aliases)]
    headings = [(file_id, seq, h.level, h.text, h.line) for seq, h in enumerate(r.headings)]
    blocks_by_id: dict[str, tuple] = {}
    for b in r.blocks:
        blocks_by_id[b.block_id.lower()] = (file_id, b.block_id.lower(), b.block_id, b.line, b.end_line, b.kind)
    list_items = [
        (file_id, item.line, item.line_count, item.list_line, item.parent, item.symbol, item.status, item.text,
         item.block_id, _json([[k, to_storage(v)] for k, v in item.fields]) if item.fields else None,
         _json(item.tags) if item.tags else None, item.section)
        for item in r.list_items
    ]
    queries = [(file_id, seq, q.kind, q.source, q.line) for seq, q in enumerate(r.queries)]
    diagnostics = [(file_id, seq, d.kind, d.severity, d.line, d.message) for seq, d in enumerate(r.diagnostics)]
    rows = (notes, fts, fields, links, tags, tag_index, aliases, headings, list(blocks_by_id.values()),
            list_items, queries, diagnostics)
    return PreparedNote(stat, file_id, r.content_hash, rows, names is not None)


def _resolved(linkpath: str, source: str, names: dict[str, list[str]] | None) -> tuple[str | None, str | None]:
    if names is None:
        return (None, None)
    res = resolve(linkpath, source, names)
    return (res.path, _json(list(res.ambiguous)) if res.ambiguous else None)


class _RowBuffer:
    """Rows of many notes, written with one ``executemany`` per table."""

    def __init__(self) -> None:
        self.tables: tuple[list[tuple], ...] = tuple([] for _ in TABLES)
        self._count = 0

    def __len__(self) -> int:
        return self._count

    def add(self, prepared: PreparedNote) -> None:
        for target, rows in zip(self.tables, prepared.rows, strict=True):
            target.extend(rows)
            self._count += len(rows)

    def flush(self, conn: sqlite3.Connection) -> None:
        if not self._count:
            return
        for name, rows in zip(TABLES, self.tables, strict=True):
            if rows:
                conn.executemany(_INSERT[name], rows)
        self.tables = tuple([] for _ in TABLES)
        self._count = 0
