"""Bringing the index in line with the vault: start-up reconciliation and incremental updates.

Reconciliation compares every file's (size, mtime) with the index; only files that differ are
read, and a content-hash match turns a re-scan into a cheap stat update (a `touch` or a
checkout that rewrote identical bytes). Files whose mtime is not safely older than the moment
they were indexed are hashed too ("racily clean", as git calls it): two writes within the file
system's timestamp granularity can leave size and mtime unchanged.

Scanning is pure and CPU-bound, so a large batch is spread over worker processes while the
parent writes finished records into SQLite. Small batches (the common case while watching) are
scanned in-process: starting workers would cost more than the scan.

Canvases (``.canvas``) are attachments that are read: their Digital Garden flag lives in their
JSON (:mod:`gardend.daemon.canvas`). They are few and small, so they are read in-process, with the
notes' rules for changes (size and mtime, racily clean files) plus one of their own: a canvas an
older gardend indexed as a plain attachment (no ``canvases`` row) is read once.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from .canvas import CanvasRecord, is_canvas_path, scan_canvas
from .dataview_settings import load_dataview_settings
from .effective_settings import load_vault_settings
from .index import (
    DATAVIEWJS_SETTING,
    QUERY_SYNTAX_SETTING,
    SCANNER_VERSION_SETTING,
    Index,
    PreparedNote,
    StoredFile,
    WriteStats,
    prepare_note,
)
from .links import file_lookup_name
from .property_types import load_property_types
from .records import Diagnostic, NoteRecord
from .scanner import (
    DEFAULT_MAX_BYTES,
    DEFAULT_QUERY_SYNTAX,
    SCANNER_VERSION,
    QuerySyntax,
    content_hash,
    scan_note,
)
from .vault import (
    Discovery,
    DiscoveryProblem,
    FileStat,
    IgnoreFilters,
    discover,
    is_ignored_path,
    is_note_path,
    load_app_settings,
    load_starred_paths,
    stat_file,
)

log = logging.getLogger("gardend.sync")

RACY_MARGIN_NS = 2_000_000_000
"""Files modified less than this before they were indexed are re-hashed on reconciliation."""

PARALLEL_THRESHOLD = 64
"""Batches with at least this many notes to scan use worker processes."""

WRITE_CHUNK = 500
"""Notes written per transaction during a full index (bounds memory and WAL size)."""


@dataclass
class SyncResult:
    """What one sync did; `summary()` is the line `gardend index` prints."""

    scanned: int = 0
    unchanged: int = 0
    deleted: int = 0
    attachments: int = 0
    touched: int = 0
    links_resolved: int = 0
    files_total: int = 0
    notes_total: int = 0
    problems: list[DiscoveryProblem] = field(default_factory=list)
    changed_paths: list[str] = field(default_factory=list)

    def absorb(self, stats: WriteStats) -> None:
        self.scanned += stats.notes_written
        self.attachments += stats.attachments_written
        self.deleted += stats.deleted
        self.touched += stats.touched
        self.links_resolved += stats.links_resolved


@dataclass(frozen=True)
class ScanJob:
    root: str
    path: str
    max_bytes: int
    file_id: int
    syntax: QuerySyntax = DEFAULT_QUERY_SYNTAX


_NAMES: dict[str, list[str]] | None = None
"""The vault's name table for workers of a full sync (inherited by fork, or set by the initializer)."""


def _init_worker(names: dict[str, list[str]] | None) -> None:
    global _NAMES
    _NAMES = names


def _scan_job(job: ScanJob) -> PreparedNote | tuple[str, None]:
    """Worker: stat, read, scan one note and build its rows (links resolved against ``_NAMES``)."""
    stat, record = _read_and_scan(job)
    if stat is None or record is None:
        return (job.path, None)
    return prepare_note(stat, job.file_id, record, _NAMES)


def _read_and_scan(job: ScanJob) -> tuple[FileStat | None, NoteRecord | None]:
    """Stat, read and scan one note. A vanished file yields (None, None)."""
    full = os.path.join(job.root, job.path)
    try:
        st = os.stat(full)
    except FileNotFoundError:
        return None, None
    except OSError as exc:
        return None, _unreadable(job.path, f"cannot stat: {exc.strerror or exc}")
    stat = FileStat(job.path, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
    if st.st_size > job.max_bytes:
        # Do not read a huge file into memory just to refuse it.
        return stat, _too_large(job.path, st.st_size, job.max_bytes)
    try:
        with open(full, "rb") as fh:
            data = fh.read()
    except FileNotFoundError:
        return None, None
    except IsADirectoryError:
        return None, None
    except OSError as exc:
        return stat, _unreadable(job.path, f"cannot read: {exc.strerror or exc}")
    if len(data) != stat.size:
        stat = FileStat(job.path, len(data), stat.mtime_ns, stat.ctime_ns)
    return stat, scan_note(job.path, data, max_bytes=job.max_bytes, syntax=job.syntax)


def _read_canvas(root: str, path: str, max_bytes: int) -> tuple[FileStat, CanvasRecord] | None:
    """Stat, read and scan one canvas (small JSON files: always in-process, never in workers).
    A vanished file yields None; an unreadable one a record with an ``io`` diagnostic."""
    full = os.path.join(root, path)
    try:
        st = os.stat(full)
        if st.st_size > max_bytes:
            # Do not read a huge file just to refuse it; its size stands in for its content hash.
            record = CanvasRecord(path, st.st_size, f"size:{st.st_size}:{st.st_mtime_ns}", "")
            record.diagnostics.append(Diagnostic(
                "size", f"canvas is {st.st_size:,} bytes, over the {max_bytes:,}-byte limit "
                "(index.max_note_bytes); it is listed but not read, so it is not published",
            ))
            return FileStat(path, st.st_size, st.st_mtime_ns, st.st_ctime_ns), record
        with open(full, "rb") as fh:
            data = fh.read()
    except (FileNotFoundError, IsADirectoryError):
        return None
    except OSError as exc:
        try:
            st = os.stat(full)
        except OSError:
            return None
        record = CanvasRecord(path, st.st_size, f"io:{st.st_size}:{st.st_mtime_ns}", "")
        record.diagnostics.append(Diagnostic("io", f"cannot read canvas: {exc.strerror or exc}; it is not published"))
        return FileStat(path, st.st_size, st.st_mtime_ns, st.st_ctime_ns), record
    return FileStat(path, len(data), st.st_mtime_ns, st.st_ctime_ns), scan_canvas(path, data, max_bytes=max_bytes)


def _unreadable(path: str, message: str) -> NoteRecord:
    record = NoteRecord(path=path, size=0, content_hash="", text="")
    name = path.rsplit("/", 1)[-1]
    record.title = name[:-3] if name.lower().endswith(".md") else name
    record.diagnostics.append(Diagnostic("io", message))
    return record


def _too_large(path: str, size: int, max_bytes: int) -> NoteRecord:
    record = _unreadable(path, "")
    record.size = size
    record.diagnostics = [
        Diagnostic(
            "size",
            f"note is {size:,} bytes, over the {max_bytes:,}-byte limit (index.max_note_bytes); "
            "it is listed but not scanned",
        )
    ]
    return record


class Synchronizer:
    """Keeps one index in step with one vault folder."""

    def __init__(
        self,
        index: Index,
        root: Path,
        *,
        workers: int = 0,
        max_bytes: int = DEFAULT_MAX_BYTES,
        config_dir: str = ".obsidian",
    ) -> None:
        self.index = index
        self.root = Path(root)
        self.workers = workers or os.cpu_count() or 1
        self.max_bytes = max_bytes
        self.config_dir = config_dir
        self.reload_settings()

    def reload_settings(self) -> list[str]:
        """Re-read app.json (ignore filters), bookmarks (``file.starred``), types.json
        (property types) and Dataview's query syntax; returns the warnings of *every* settings
        file gardend reads (the plugins' too), so ``check`` and ``serve`` report a missing, empty
        or broken one.

        The starred list is kept in the index so queries read it from there like everything else.
        A new query syntax (Dataview's inline prefixes, DataviewJS keyword, inline queries on or
        off, inline queries in code blocks) takes effect at the next sync, which re-scans every
        note that may hold a query (:meth:`_stale_query_paths`).
        """
        app = load_app_settings(self.root, self.config_dir)
        self.app_settings = app
        self.ignore = IgnoreFilters(app.user_ignore_filters)
        starred, problems = load_starred_paths(self.root, self.config_dir)
        encoded = json.dumps(starred, ensure_ascii=False)
        if self.index.get_setting("starred") != encoded:
            with self.index.transaction():
                self.index.set_setting("starred", encoded)
        types = load_property_types(self.root, self.config_dir)  # read by `check` from the index
        if self.index.get_setting("property_types") != types.to_json():
            with self.index.transaction():
                self.index.set_setting("property_types", types.to_json())
        dataview = load_dataview_settings(self.root, self.config_dir)
        self.query_syntax = dataview.query_syntax()
        runs = json.dumps({"blocks": dataview.runs_dataviewjs, "inline": dataview.runs_inline_dataviewjs})
        if self.index.get_setting(DATAVIEWJS_SETTING) != runs:  # read by `check` from the index
            with self.index.transaction():
                self.index.set_setting(DATAVIEWJS_SETTING, runs)
        return load_vault_settings(self.root, self.config_dir).problems + problems

    def settings_changed(self) -> None:
        """Settings files changed (the watcher calls this after :meth:`reload_settings`): move the
        index generation on, so every cache keyed by it — query results, rendered pages, the
        site's snapshot — is rebuilt with the new settings, as after a note edit."""
        with self.index.transaction():
            self.index.set_setting("generation", str(self.index.generation() + 1))

    def _excluded(self, path: str) -> bool:
        return bool(self.ignore) and self.ignore.matches(path)

    def _stale_query_paths(self) -> set[str] | None:
        """Notes to re-scan because the query syntax changed since they were scanned (``None``:
        it did not). An index made before the syntax was recorded counts as changed, so notes
        scanned by an older gardend get their queries in code blocks too."""
        if self.index.get_setting(SCANNER_VERSION_SETTING) != str(SCANNER_VERSION):
            # The scanner's rules changed (a new gardend): what it extracts from unchanged notes
            # may differ, so every note is scanned again, once.
            return {r[0] for r in self.index.conn.execute(
                "SELECT f.path FROM files f JOIN notes n ON n.file_id = f.id")}
        if self.index.get_setting(QUERY_SYNTAX_SETTING) == self.query_syntax.key():
            return None
        return set(self.index.paths_that_may_hold_code())

    def _query_syntax_done(self) -> None:
        """Every note is scanned with the current query syntax: record it."""
        with self.index.transaction():
            self.index.set_setting(QUERY_SYNTAX_SETTING, self.query_syntax.key())
            self.index.set_setting(SCANNER_VERSION_SETTING, str(SCANNER_VERSION))

    # -- full reconciliation ---------------------------------------------------------------------
    def full_sync(self, progress: Callable[[int, int], None] | None = None) -> SyncResult:
        """Reconcile the whole vault with the index (cold index, restart, or `gardend index`)."""
        result = SyncResult()
        found = discover(self.root)
        result.problems = found.problems
        self.index.set_excluded(self._excluded)
        forced = self._stale_query_paths()
        stored = self.index.stored_files()
        to_scan: list[str] = []
        attachments: list[FileStat] = []
        touched: list[FileStat] = []
        hash_check: list[tuple[FileStat, StoredFile]] = []
        canvas_jobs: list[str] = []
        with_rows = self.index.canvas_paths()
        for path, st in found.files.items():
            old = stored.get(path)
            note = is_note_path(path)
            if not note and is_canvas_path(path):
                if self._canvas_fresh(old, st, path in with_rows):
                    result.unchanged += 1
                else:
                    canvas_jobs.append(path)
                continue
            if old is None or old.is_note != note:
                (to_scan.append(path) if note else attachments.append(st))
                continue
            if forced and path in forced:
                to_scan.append(path)
                continue
            same_stat = old.size == st.size and old.mtime_ns == st.mtime_ns
            racy = st.mtime_ns + RACY_MARGIN_NS > old.indexed_at_ns
            if same_stat and not racy:
                result.unchanged += 1
                continue
            if not note:
                if not same_stat:
                    attachments.append(st)
                else:
                    result.unchanged += 1
                continue
            hash_check.append((st, old))
        for st, old in hash_check:
            try:
                data = (self.root / st.path).read_bytes() if st.size <= self.max_bytes else None
            except OSError:
                data = None
            if data is not None and old.content_hash == content_hash(data):
                if old.size != st.size or old.mtime_ns != st.mtime_ns:
                    touched.append(st)
                else:
                    result.unchanged += 1
                    touched.append(st)  # refresh indexed_at so it is no longer racy
            else:
                to_scan.append(st.path)
        deleted = [p for p in stored if p not in found.files]
        canvases = self._read_canvases(canvas_jobs)
        total = len(to_scan)
        done = 0
        was_pending = self.index.resolution_pending()
        ids = {p: stored[p].id for p in to_scan if p in stored}
        new_paths = [p for p in to_scan if p not in ids]
        first_id = self.index.reserve_ids(len(new_paths))
        ids.update((p, first_id + k) for k, p in enumerate(sorted(new_paths)))
        # Every file of the vault is known from discovery, so links are resolved while scanning
        # (in the workers) against that name table. Afterwards only links of notes that were
        # *not* scanned need a look, and only where a file name came or went.
        names: dict[str, list[str]] = {}
        for path in found.files:
            names.setdefault(file_lookup_name(path), []).append(path)
        changed_names: set[str] = set()
        prepared_ids: set[int] = set()
        vanished: list[str] = []
        first = True
        for batch in self._scan_many(to_scan, ids, names, vanished):
            done += len(batch)
            stats = self.index.write_batch(
                notes=batch,
                attachments=attachments if first else (),
                deleted=deleted if first else (),
                touched=touched if first else (),
                excluded=self._excluded,
                resolve_links=False,
                canvases=canvases if first else (),
            )
            first = False
            result.absorb(stats)
            changed_names |= stats.changed_names
            prepared_ids.update(stats.note_ids)
            result.changed_paths.extend(p.stat.path for p in batch)
            if progress:
                progress(done, total)
        if first and (attachments or deleted or touched or canvases):
            stats = self.index.write_batch(
                attachments=attachments, deleted=deleted, touched=touched, excluded=self._excluded,
                resolve_links=False, canvases=canvases,
            )
            result.absorb(stats)
            changed_names |= stats.changed_names
        if vanished:
            # Files that disappeared between discovery and reading: their names resolve differently.
            changed_names |= {file_lookup_name(p) for p in vanished}
            prepared_ids.clear()
        if was_pending:
            # A previous sync stopped between writing notes and resolving: redo it all.
            result.links_resolved += self.index.resolve_all()
        elif (stored or vanished) and (changed_names or vanished):
            result.links_resolved += self.index.resolve_names(changed_names, prepared_ids)
        elif self.index.resolution_pending():
            self.index.resolve_names(set(), prepared_ids)  # cold index: all resolved in the workers
        result.changed_paths.extend(st.path for st in attachments)
        result.changed_paths.extend(st.path for st, _ in canvases)
        result.changed_paths.extend(deleted)
        result.files_total = self.index.file_count()
        result.notes_total = self.index.note_count()
        problems = _problems_json(found)
        if self.index.get_setting("discovery_problems") != problems:
            with self.index.transaction():
                self.index.set_setting("discovery_problems", problems)
        if forced is not None:
            self._query_syntax_done()
        return result

    @staticmethod
    def _canvas_fresh(old: StoredFile | None, st: FileStat, has_row: bool) -> bool:
        """Whether the index's record of a canvas still holds: same size and mtime, not racily
        clean, and read by this schema (a canvas indexed before schema 5 has no row yet)."""
        return (
            old is not None and not old.is_note and has_row and old.size == st.size and old.mtime_ns == st.mtime_ns
            and st.mtime_ns + RACY_MARGIN_NS <= old.indexed_at_ns
        )

    def _read_canvases(self, paths: Iterable[str]) -> list[tuple[FileStat, CanvasRecord]]:
        read = (_read_canvas(str(self.root), p, self.max_bytes) for p in sorted(paths))
        return [found for found in read if found is not None]

    def _scan_many(
        self, paths: list[str], ids: dict[str, int], names: dict[str, list[str]], vanished: list[str]
    ) -> Iterator[list[PreparedNote]]:
        """Scan notes, in worker processes when there are many, yielding write-sized batches."""
        if not paths:
            return
        jobs = [ScanJob(str(self.root), p, self.max_bytes, ids[p], self.query_syntax) for p in sorted(paths)]
        if len(jobs) < PARALLEL_THRESHOLD or self.workers <= 1:
            _init_worker(names)
            try:
                yield from _batched(map(_scan_job, jobs), vanished)
            finally:
                _init_worker(None)
            return
        context = multiprocessing.get_context("fork" if hasattr(os, "fork") else "spawn")
        with ProcessPoolExecutor(
            max_workers=self.workers, mp_context=context, initializer=_init_worker, initargs=(names,)
        ) as pool:
            yield from _batched(pool.map(_scan_job, jobs, chunksize=32), vanished)

    # -- incremental -----------------------------------------------------------------------------
    def sync_paths(self, paths: Iterable[str]) -> SyncResult:
        """Bring the given vault paths (files or folders, present or gone) up to date.

        Used by the watcher: an event names a path; what happened to it is decided by looking at
        the disk now, so lost, duplicated or reordered events cannot leave the index wrong.
        After a change of the query syntax, the notes it may affect are re-scanned too.
        """
        result = SyncResult()
        forced = self._stale_query_paths()
        if forced:
            paths = [*paths, *sorted(forced)]
        notes: list[PreparedNote] = []
        attachments: list[FileStat] = []
        deleted: list[str] = []
        touched: list[FileStat] = []
        seen: set[str] = set()
        canvas_jobs: list[str] = []
        for path in sorted(set(paths)):
            path = path.strip("/")
            if not path or is_ignored_path(path):
                continue
            full = self.root / path
            if full.is_dir():
                self._sync_folder(path, notes, attachments, deleted, touched, seen, forced, canvas_jobs)
                continue
            # Gone, or a file: anything indexed under it as a folder is gone too.
            for child in self.index.paths_under(path):
                if child not in seen:
                    seen.add(child)
                    deleted.append(child)
            self._sync_file(path, notes, attachments, deleted, touched, seen, forced, canvas_jobs)
        canvases = self._read_canvases(canvas_jobs)
        if notes or attachments or deleted or touched or canvases:
            stats = self.index.write_batch(
                notes=notes, attachments=attachments, deleted=deleted, touched=touched, excluded=self._excluded,
                canvases=canvases,
            )
            result.absorb(stats)
            result.changed_paths = (
                [p.stat.path for p in notes] + [a.path for a in attachments] + [st.path for st, _ in canvases]
                + deleted
            )
        if forced is not None:
            self._query_syntax_done()
        return result

    def _sync_folder(
        self,
        folder: str,
        notes: list[PreparedNote],
        attachments: list[FileStat],
        deleted: list[str],
        touched: list[FileStat],
        seen: set[str],
        forced: set[str] | None,
        canvas_jobs: list[str],
    ) -> None:
        try:
            found = discover(self.root / folder)
        except Exception as exc:  # a folder vanishing mid-walk is normal during moves
            log.debug("cannot walk %s: %s", folder, exc)
            found = Discovery()
        on_disk = {f"{folder}/{p}" for p in found.files}
        for child in self.index.paths_under(folder):
            if child not in on_disk and child not in seen:
                seen.add(child)
                deleted.append(child)
        for path in sorted(on_disk):
            self._sync_file(path, notes, attachments, deleted, touched, seen, forced, canvas_jobs)

    def _sync_file(
        self,
        path: str,
        notes: list[PreparedNote],
        attachments: list[FileStat],
        deleted: list[str],
        touched: list[FileStat],
        seen: set[str],
        forced: set[str] | None,
        canvas_jobs: list[str],
    ) -> None:
        """One path; a ``forced`` note is re-scanned even when its bytes are unchanged; a canvas
        that changed goes to ``canvas_jobs`` (read after the walk)."""
        if path in seen:
            return
        seen.add(path)
        force = bool(forced) and path in forced
        st = stat_file(self.root, path)
        old = self.index.stored_file(path)
        if st is None:
            if old is not None:
                deleted.append(path)
            return
        if not is_note_path(path):
            if is_canvas_path(path):
                if not self._canvas_fresh(old, st, old is not None and self.index.has_canvas_row(old.id)):
                    canvas_jobs.append(path)
                return
            if old is None or old.size != st.size or old.mtime_ns != st.mtime_ns or old.is_note:
                attachments.append(st)
            return
        if old is not None and old.is_note and old.size == st.size and old.mtime_ns == st.mtime_ns \
                and st.mtime_ns + RACY_MARGIN_NS <= old.indexed_at_ns and not force:
            return
        file_id = old.id if old is not None else self.index.reserve_ids(1)
        fresh_stat, record = _read_and_scan(ScanJob(str(self.root), path, self.max_bytes, file_id, self.query_syntax))
        if fresh_stat is None or record is None:
            if old is not None:
                deleted.append(path)
            return
        if old is not None and old.is_note and record.content_hash and old.content_hash == record.content_hash \
                and not force:
            touched.append(fresh_stat)
            return
        notes.append(prepare_note(fresh_stat, file_id, record))


def _batched(
    results: Iterable[PreparedNote | tuple[str, None]], vanished: list[str]
) -> Iterator[list[PreparedNote]]:
    batch: list[PreparedNote] = []
    for prepared in results:
        if isinstance(prepared, tuple):
            vanished.append(prepared[0])
            continue
        batch.append(prepared)
        if len(batch) >= WRITE_CHUNK:
            yield batch
            batch = []
    if batch:
        yield batch


def _problems_json(found: Discovery) -> str:
    return json.dumps([[p.path, p.message] for p in sorted(found.problems, key=lambda p: p.path)])
