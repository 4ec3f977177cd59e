"""The compile cache: publication status and republishing without recompiling the garden.

Compiling every published note on every ``gardend status`` costs seconds per thousand notes,
mostly in Dataview queries. Yet after one edit almost every compiled note is byte-for-byte what
it was. So each compiled note is stored in the index (``publish_cache``) together with what its
compile *read*, and reused while none of that has changed:

* its own content and file times (``created``/``updated`` can come from file times);
* the content of every note it read — transclusions, their headings and blocks — and the
  publish flag of every note or canvas whose flag it checked (safe mode's redaction of links
  to unpublished notes and canvases);
* every link resolution it made: re-checked only when notes were added, removed or renamed,
  since only then can a name resolve differently;
* files read from disk (inlined SVGs), by size and mtime;
* for notes with Dataview queries (including queries inside transclusions), what the queries
  read, from :class:`~gardend.daemon.query.engine.QueryReads`: the ``FROM`` set (or "every
  note"), the notes reached through links and link decoration, and from the query text whether
  they read file times and sizes, in- or outlinks, or the clock.

Edits are classified against the vault as the cache last saw it (``publish_state``): a note
whose content changed but whose *query-visible data* (title, frontmatter, fields, tags, links,
aliases, list items and tasks — :func:`meta_hashes`) did not, cannot change any query result
except through its file times and size. Appending a paragraph therefore recompiles that note
and the few queries that list modification times, not every query in the vault.

Everything is keyed by a fingerprint of the settings and of gardend's own code, so upgrading or
changing a setting recompiles everything once. Stale output is the failure to avoid: every rule
above errs towards recompiling.

The compiled texts and the Dataview blocks' outputs are stored zlib-compressed and read only for
the notes a publish writes or recompiles (:func:`_pack`): a status check reads the dependencies
alone.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from .. import __version__
from ..index import Index
from ..query.engine import QueryReads
from ..query.errors import DQLSyntaxError
from ..query.pages import NameTable
from ..query.parser import parse_query
from ..query.sources import SourceError, note_ids_for_source
from .context import CompileReads
from .queries import BlockOutput

__all__ = ["CachedNote", "CompileCache", "code_fingerprint", "meta_hashes"]

_VOLATILE = re.compile(r"\b(?:today|now|tomorrow|yesterday|sow|eow|som|eom|soy|eoy)\b", re.IGNORECASE)
"""Query text that reads the clock: its result can change with no change to the vault."""
_READS_STAT = re.compile(r"\b(?:mtime|mday|ctime|cday|size)\b|\bfile\b(?!\s*\.)|\brow\b", re.IGNORECASE)
"""Query text that may read file times or sizes (or whole page objects, which hold them)."""
_READS_LINKS = re.compile(r"\b(?:inlinks|outlinks)\b|\bfile\b(?!\s*\.)|\brow\b", re.IGNORECASE)
"""Query text that may read in- or outlinks, which change when *other* notes change."""


def _pack(text: str) -> bytes:
    """A compiled text or the blocks' outputs as stored: zlib-compressed UTF-8. A garden's cache
    is mostly these (a 4k-note garden's are some 240 MB of HTML tables and lists, 30 MB
    compressed), and they are read back only for the few notes a publish writes or recompiles:
    storing them whole made a first publish write several hundred megabytes to the index (and
    its journal), and every status read past them to get at the notes' dependencies."""
    return zlib.compress(text.encode("utf-8", "surrogatepass"), 1)


def _unpack(stored: bytes | str) -> str | None:
    """What :func:`_pack` stored (None when it is not that)."""
    if isinstance(stored, str):
        return stored
    try:
        return zlib.decompress(stored).decode("utf-8", "surrogatepass")
    except (zlib.error, UnicodeDecodeError):
        return None


def _hits(stored: str, ids: set[str]) -> bool:
    """Whether a stored ``",id,id,"`` read set contains any of ``ids``."""
    if not stored or not ids:
        return False
    if len(ids) > 64:
        return not ids.isdisjoint(stored.split(","))
    return any(f",{i}," in stored for i in ids)


_META_QUERIES: tuple[tuple[str, str], ...] = (
    ("notes", "SELECT file_id, title, frontmatter, publish FROM notes"),
    ("fields", "SELECT note_id, key, value, source, line FROM fields"),
    ("links", "SELECT note_id, kind, embed, original, linkpath, subpath, display, line, col, fm_key, target_path"
              " FROM links"),
    ("tags", "SELECT note_id, tag, source, line FROM tags"),
    ("aliases", "SELECT note_id, alias FROM aliases"),
    ("list_items", "SELECT note_id, line, line_count, list_line, parent_line, symbol, status, text, block_id,"
                   " fields, tags, section FROM list_items"),
)
_META_ORDER = {"notes": "file_id", "fields": "note_id, seq", "links": "note_id, seq", "tags": "note_id, seq",
               "aliases": "note_id, seq", "list_items": "note_id, line"}


def meta_hashes(index: Index, ids: Iterable[int] | None = None) -> dict[int, str]:
    """file id → hash of everything a Dataview page exposes of the note except file times and
    size (those are compared separately). ``ids=None`` hashes every note in a few table scans."""
    wanted = None if ids is None else sorted(set(ids))
    hashers: dict[int, Any] = {}
    for table, sql in _META_QUERIES:
        chunks: list[list[int] | None] = [None] if wanted is None else [
            wanted[i:i + 500] for i in range(0, len(wanted), 500)
        ]
        key_col = "file_id" if table == "notes" else "note_id"
        for chunk in chunks:
            where = "" if chunk is None else f" WHERE {key_col} IN ({','.join('?' * len(chunk))})"
            rows = index.conn.execute(f"{sql}{where} ORDER BY {_META_ORDER[table]}", chunk or ())
            for row in rows:
                h = hashers.get(row[0])
                if h is None:
                    h = hashers[row[0]] = hashlib.blake2b(digest_size=16)
                h.update(table.encode() + b"\0" + repr(row[1:]).encode("utf-8", "surrogatepass") + b"\n")
    return {file_id: h.hexdigest() for file_id, h in hashers.items()}


_CODE_FINGERPRINT: str | None = None


def code_fingerprint() -> str:
    """gardend's version and the source of the packages a compile runs through, so a development
    install never reuses output of older code. Computed once per process."""
    global _CODE_FINGERPRINT
    if _CODE_FINGERPRINT is None:
        from ... import renderers

        h = hashlib.sha256(__version__.encode())
        for folder in (Path(__file__).resolve().parents[1], Path(renderers.__file__).resolve().parent):
            for file in sorted(folder.rglob("*.py")):
                h.update(file.relative_to(folder).as_posix().encode() + b"\0" + file.read_bytes())
        _CODE_FINGERPRINT = h.hexdigest()
    return _CODE_FINGERPRINT


@dataclass(frozen=True)
class FileState:
    id: int
    content_hash: str | None
    size: int
    mtime_ns: int
    ctime_ns: int
    is_note: bool
    publish: bool


@dataclass(frozen=True)
class CachedNote:
    """A compiled note as stored: what :class:`~.compile.CompiledNote` holds, plus its SHA.

    ``text`` is None for a note :meth:`CompileCache.lookup` found in the cache: the texts of a
    garden are most of the cache's size, and a status check or a republish compares SHAs and
    needs the text of only the few notes it writes (:meth:`CompileCache.text`)."""

    vault_path: str
    garden_path: str
    repo_path: str
    text: str | None
    sha: str
    assets: tuple[tuple[str, str], ...]


@dataclass
class _Changes:
    """The vault now compared with the vault the cache last saw."""

    paths_changed: bool = False
    content: set[str] = field(default_factory=set)
    """Notes added, removed, or with other bytes."""
    stat: set[str] = field(default_factory=set)
    """Files added, removed, or with other size or times."""
    meta: set[str] = field(default_factory=set)
    """Notes added, removed, or whose query-visible data changed."""
    class_files: bool = False
    """A Metadata Menu class file is among ``meta``: every link decoration may differ."""
    meta_ids: set[str] = field(default_factory=set)
    stat_ids: set[str] = field(default_factory=set)
    """File ids (as text) of ``meta`` and ``stat`` paths that exist now: what stored read sets
    (``",id,id,"`` strings) are searched for."""

    @property
    def any(self) -> bool:
        return bool(self.paths_changed or self.content or self.stat or self.meta)


class CompileCache:
    """The cache of one compile mode and settings fingerprint over one index.

    Use: :meth:`lookup` each published note; compile the misses with a ``CompileReads`` and a
    ``QueryReads`` attached and :meth:`store` them; :meth:`finish` when every published note has
    been looked up or stored, which records the vault state the cache is now valid for.
    """

    def __init__(self, index: Index, mode: str, fingerprint: str, class_folder: str | None = None) -> None:
        self.index = index
        self.mode = mode
        self.fingerprint = fingerprint
        self.class_folder = class_folder.strip("/") + "/" if class_folder else None
        self.state = self._current_state()
        self._names: NameTable | None = None
        self._candidates: dict[tuple[str, str | None], set[str] | None] = {}
        conn = index.conn
        stored = conn.execute("SELECT fingerprint FROM publish_cache_meta WHERE mode = ?", (mode,)).fetchone()
        self.entries: dict[str, tuple[CachedNote, str]] = {}
        """vault path → (compiled note, its deps as stored JSON, decoded only when needed)."""
        self._old: dict[str, tuple[str | None, int, int, int, str | None]] = {}
        if stored is not None and stored[0] == fingerprint:
            self._old = {
                r[0]: (r[1], r[2], r[3], r[4], r[5])
                for r in conn.execute(
                    "SELECT path, content_hash, size, mtime_ns, ctime_ns, meta_hash FROM publish_state WHERE mode = ?",
                    (mode,),
                )
            }
            for r in conn.execute(
                "SELECT vault_path, garden_path, repo_path, sha, assets, deps FROM publish_cache WHERE mode = ?",
                (mode,),
            ):
                note = CachedNote(r[0], r[1], r[2], None, r[3], tuple(tuple(a) for a in json.loads(r[4])))
                self.entries[r[0]] = (note, r[5])
        self.changes = self._diff()
        self._stored: list[tuple[Any, ...]] = []
        self.hits = 0
        self.misses = 0

    # -- state ----------------------------------------------------------------------------------
    def _current_state(self) -> dict[str, FileState]:
        return {
            r[0]: FileState(r[1], r[2], r[3], r[4], r[5], bool(r[6]), bool(r[7]))
            for r in self.index.conn.execute(
                "SELECT f.path, f.id, f.content_hash, f.size, f.mtime_ns, f.ctime_ns, f.is_note,"
                " COALESCE(n.publish, c.publish, 0) FROM files f LEFT JOIN notes n ON n.file_id = f.id"
                " LEFT JOIN canvases c ON c.file_id = f.id"
            )
        }

    def _diff(self) -> _Changes:
        changes = _Changes()
        old, now = self._old, self.state
        added = now.keys() - old.keys()
        removed = old.keys() - now.keys()
        changes.paths_changed = bool(added or removed)
        changes.stat |= added | removed
        changes.content |= {p for p in added if now[p].is_note} | {p for p in removed if old[p][0] is not None}
        changes.meta |= changes.content
        changed_notes: list[str] = []
        for path in now.keys() & old.keys():
            cur, prev = now[path], old[path]
            if (cur.size, cur.mtime_ns, cur.ctime_ns) != prev[1:4]:
                changes.stat.add(path)
            if cur.content_hash != prev[0]:
                changes.content.add(path)
                if cur.is_note:
                    changed_notes.append(path)
        self._meta_now: dict[str, str | None] = {}
        if changed_notes:
            hashes = meta_hashes(self.index, [now[p].id for p in changed_notes])
            for path in changed_notes:
                self._meta_now[path] = hashes.get(now[path].id)
                if self._meta_now[path] != old[path][4]:
                    changes.meta.add(path)
        if self.class_folder:
            changes.class_files = any(p.startswith(self.class_folder) for p in changes.meta)
        changes.meta_ids = {str(now[p].id) for p in changes.meta if p in now}
        changes.stat_ids = {str(now[p].id) for p in changes.stat if p in now}
        return changes

    def names(self) -> NameTable:
        if self._names is None:
            self._names = NameTable.load(self.index)
        return self._names

    # -- look-up --------------------------------------------------------------------------------
    def lookup(self, vault_path: str) -> CachedNote | None:
        """The cached compile of ``vault_path`` when nothing it read has changed, else None."""
        found = self.entries.get(vault_path)
        if found is None or (self.changes.any and not self._quick_valid(vault_path, found[1])
                             and not self._valid(vault_path, json.loads(found[1]))):
            self.misses += 1
            return None
        self.hits += 1
        return found[0]

    def text(self, vault_path: str) -> str | None:
        """The stored compiled text of ``vault_path`` (None when it has none): read when needed,
        as it is now — the caller checks it against the SHA it planned with."""
        found = self.entries.get(vault_path)
        if found is not None and found[0].text is not None:
            return found[0].text
        row = self.index.conn.execute(
            "SELECT text FROM publish_cache WHERE mode = ? AND vault_path = ?", (self.mode, vault_path)
        ).fetchone()
        return None if row is None else _unpack(row[0])

    def _quick_valid(self, vault_path: str, raw: str) -> bool:
        """True when the stored deps (JSON text) mention none of a few changed files and hold no
        rule that needs decoding — after one edit that is nearly every note, and decoding
        thousands of JSON documents would cost more than the rest of a status check. False
        means "decode and check properly", never "invalid"."""
        ch = self.changes
        if ch.paths_changed or vault_path in ch.content or vault_path in ch.stat or len(self._tokens) > 200:
            return False
        if '"q": ' in raw and (ch.meta or '"volatile": true' in raw or (ch.stat and '"stat": true' in raw)):
            return False
        return not any(token in raw for token in self._tokens)

    @cached_property
    def _tokens(self) -> list[str]:
        """How changed files can appear in stored deps: JSON strings and ``,id,`` entries."""
        ch = self.changes
        paths = ch.content | ch.stat | ch.meta
        return [json.dumps(p, ensure_ascii=False) for p in paths] + [
            f",{i}," for i in ch.meta_ids | ch.stat_ids
        ]

    def _valid(self, vault_path: str, deps: dict[str, Any]) -> bool:
        ch = self.changes
        if vault_path in ch.content or vault_path in ch.stat:
            return False
        if any(p in ch.content for p in deps["notes"]):
            return False
        for path, flag in deps["flags"].items():
            state = self.state.get(path)
            if (state is not None and state.publish) != flag:
                return False
        if any(p in ch.stat for p in deps["files"]):
            return False
        if ch.paths_changed:
            names = self.names()
            for strict, linkpath, source, resolved in deps["res"]:
                if strict and linkpath != linkpath.strip():
                    now = None
                else:
                    now = names.resolve_path(linkpath, source)
                if now != resolved:
                    return False
        q = deps.get("q")
        return q is None or self._queries_valid(q)

    def _queries_valid(self, q: dict[str, Any]) -> bool:
        if not self._queries_may_be_valid():
            return False
        ch = self.changes
        inline = q["inline"]
        if inline["volatile"] or (inline["links"] and ch.meta):
            return False
        # Notes inline queries reached through links (and ``this``).
        if _hits(q["derefs"], ch.meta_ids) or (inline["stat"] and _hits(q["derefs"], ch.stat_ids)):
            return False
        return all(self._block_valid(block) for block in q["blocks"])

    def _queries_may_be_valid(self) -> bool:
        # Added, removed or renamed notes: names resolve differently and notes join folders.
        # A changed Metadata Menu class file: any link's decoration may differ.
        return not (self.changes.paths_changed or self.changes.class_files)

    def _block_valid(self, block: dict[str, Any]) -> bool:
        """One ``dataview`` block's output is still right (its ``derefs`` include ``this`` and
        every note its output links to, whose fileClass and publish flag decorate the link)."""
        ch = self.changes
        if block["volatile"]:
            return False
        cands = block["cands"]
        if ch.meta:
            if cands is None or block["links"] or _hits(cands, ch.meta_ids) or _hits(block["derefs"], ch.meta_ids):
                return False
            now = self._from_set(block["text"], block["this"])
            if now is None or not ch.meta.isdisjoint(now):
                return False  # a changed note joined the FROM set
        # File times and sizes change on every save, but only matter to queries showing them.
        return not (block["stat"] and ch.stat and (
            cands is None or _hits(cands, ch.stat_ids) or _hits(block["derefs"], ch.stat_ids)
        ))

    def valid_blocks(self, vault_path: str) -> dict[tuple[str, str], tuple[str, Any]]:
        """For a note that must be recompiled: the outputs of its Dataview blocks that are still
        right, keyed as :attr:`~.queries.QueryStep.memo` wants them."""
        found = self.entries.get(vault_path)
        if found is None or not self._queries_may_be_valid():
            return {}
        q = json.loads(found[1]).get("q")
        if not q or not q["blocks"]:
            return {}
        row = self.index.conn.execute(
            "SELECT blocks FROM publish_cache WHERE mode = ? AND vault_path = ?", (self.mode, vault_path)
        ).fetchone()
        if row is None:
            return {}
        unpacked = _unpack(row[0])
        if unpacked is None:
            return {}
        outputs = json.loads(unpacked)
        return {
            (block["whole"], block["file"]): (out, block)
            for block, out in zip(q["blocks"], outputs, strict=False)
            if self._block_valid(block)
        }

    def _from_set(self, text: str, this_path: str | None) -> set[str] | None:
        """The notes a query's ``FROM`` selects now (None: cannot tell, so recompile)."""
        key = (text, this_path)
        if key not in self._candidates:
            try:
                query = parse_query(text)
                ids = note_ids_for_source(self.index, query.source, this_path, self.names())
            except (DQLSyntaxError, SourceError):
                self._candidates[key] = None
            else:
                by_id = {s.id: p for p, s in self.state.items()}
                self._candidates[key] = {by_id[i] for i in ids if i in by_id}
        return self._candidates[key]

    # -- store ----------------------------------------------------------------------------------
    def store(
        self, note: CachedNote, reads: CompileReads, query_reads: QueryReads, blocks: list[BlockOutput]
    ) -> None:
        """Keep a fresh compile with what it read (written by :meth:`finish`)."""
        deps: dict[str, Any] = {
            "notes": sorted(reads.notes),
            "flags": {p: bool(self.state[p].publish) if p in self.state else False for p in sorted(reads.flags)},
            "files": sorted(reads.files),
            "res": sorted([s, lp, src, res] for s, lp, src, res in reads.resolutions),
        }
        outputs: list[str] = []
        if blocks or query_reads.inline:
            inline = " ".join(query_reads.inline)
            records = [self._block_record(block) for block in blocks]
            deps["q"] = {
                "derefs": self._id_text(query_reads.derefs),
                "inline": {
                    "stat": bool(_READS_STAT.search(inline)),
                    "links": bool(_READS_LINKS.search(inline)),
                    "volatile": bool(_VOLATILE.search(inline)),
                },
                "blocks": records,
            }
            outputs = [block.output for block in blocks]
        stored = json.dumps(deps, ensure_ascii=False)
        self.entries[note.vault_path] = (note, stored)
        assert note.text is not None  # a fresh compile
        self._stored.append((
            self.mode, note.vault_path, note.garden_path, note.repo_path, _pack(note.text), note.sha,
            json.dumps(note.assets), stored, _pack(json.dumps(outputs, ensure_ascii=False)),
        ))

    def _block_record(self, block: BlockOutput) -> dict[str, Any]:
        if block.record is not None:
            return block.record  # reused: still valid, and file ids are stable while paths are
        assert block.reads is not None
        runs = block.reads.runs
        text, this_path, run = runs[0] if len(runs) == 1 else ("", None, QueryReads())
        return {
            "whole": block.whole,
            "file": block.file_path,
            "text": text,
            "this": this_path,
            "cands": None if run.candidates is None else self._id_text(run.candidates),
            "derefs": self._id_text(run.derefs | block.reads.derefs),
            "stat": bool(_READS_STAT.search(text)),
            "links": bool(_READS_LINKS.search(text)),
            "volatile": bool(_VOLATILE.search(text)) or run.failed or len(runs) != 1,
        }

    def _id_text(self, paths: Iterable[str]) -> str:
        """Paths as ``",id,id,"`` (file ids of the current index): compact to store, and
        searchable for a few changed ids without decoding. A path without an id (deleted meanwhile)
        is kept by name, which never matches an id, but deletions invalidate every query anyway."""
        ids = sorted(str(self.state[p].id) if p in self.state else json.dumps(p) for p in paths)
        return "," + ",".join(ids) + "," if ids else ""

    def finish(self, published: Iterable[str]) -> None:
        """Record that every entry for ``published`` is valid for the current vault state, and
        drop entries of notes no longer published."""
        keep = set(published)
        conn = self.index.conn
        changed = self.changes
        try:
            with conn:
                stale_fingerprint = conn.execute(
                    "SELECT fingerprint FROM publish_cache_meta WHERE mode = ?", (self.mode,)
                ).fetchone()
                if stale_fingerprint is None or stale_fingerprint[0] != self.fingerprint or not self._old:
                    self._write_full_state()
                else:
                    self._write_state_delta(changed)
                conn.executemany(
                    "INSERT OR REPLACE INTO publish_cache VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", self._stored
                )
                gone = [(self.mode, p) for p in self.entries if p not in keep]
                conn.executemany("DELETE FROM publish_cache WHERE mode = ? AND vault_path = ?", gone)
                conn.execute(
                    "INSERT OR REPLACE INTO publish_cache_meta (mode, fingerprint) VALUES (?, ?)",
                    (self.mode, self.fingerprint),
                )
        except sqlite3.OperationalError:
            # A read-only or busy index only loses the speed-up, never correctness.
            return
        self._stored = []

    def _write_full_state(self) -> None:
        conn = self.index.conn
        conn.execute("DELETE FROM publish_state WHERE mode = ?", (self.mode,))
        conn.execute("DELETE FROM publish_cache WHERE mode = ?", (self.mode,))
        by_id = meta_hashes(self.index)
        conn.executemany(
            "INSERT INTO publish_state VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(self.mode, p, s.content_hash, s.size, s.mtime_ns, s.ctime_ns, by_id.get(s.id) if s.is_note else None)
             for p, s in self.state.items()],
        )

    def _write_state_delta(self, changed: _Changes) -> None:
        conn = self.index.conn
        removed = [p for p in self._old if p not in self.state]
        conn.executemany("DELETE FROM publish_state WHERE mode = ? AND path = ?", [(self.mode, p) for p in removed])
        touched = [p for p in (changed.stat | changed.content) if p in self.state]
        missing = [self.state[p].id for p in touched if self.state[p].is_note and p not in self._meta_now]
        extra = meta_hashes(self.index, missing) if missing else {}
        rows = []
        for path in touched:
            s = self.state[path]
            meta = self._meta_now.get(path, extra.get(s.id)) if s.is_note else None
            rows.append((self.mode, path, s.content_hash, s.size, s.mtime_ns, s.ctime_ns, meta))
        conn.executemany("INSERT OR REPLACE INTO publish_state VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
