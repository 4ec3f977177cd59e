"""Dataview page objects built from the index (dataview.md §1).

A *page* is what a query row holds: ``{"file": {...implicit fields...}, <field>: <value>, ...}``.
Dataview rebuilds these from its in-memory index on every query; gardend assembles them from the
SQLite index with a handful of bulk queries per batch of notes and caches them by the note's
content hash and the index generation, so repeated queries do not pay for it again.

Link values (in fields, ``file.outlinks``) are resolved like Dataview does: to the full vault
path when the target exists, else kept as written.
"""

from __future__ import annotations

import gc
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ..index import Index
from ..links import file_lookup_name, resolve
from ..tags import tag_with_parents
from ..values import DVDate, Link, Value, canonical_key, from_storage, get_file_title, js_truthy

_DATE_DASHED = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_DATE_PLAIN = re.compile(r"(\d{4})(\d{2})(\d{2})")


class LazyObject(dict):  # type: ignore[type-arg]
    """A dict whose expensive values are computed on first access.

    ``file.lists`` / ``file.tasks`` are most of the cost of a page object and most queries never
    read them. Every way of reading the dict — item access, ``get``, ``in``, iteration, ``len`` —
    sees the full object (iteration and ``len`` compute the pending values first, in the
    declared key order), so to the evaluator it is an ordinary object.
    """

    __slots__ = ("_order", "_pending")

    def __init__(self, data: dict[str, Any], pending: dict[str, Any], order: tuple[str, ...]) -> None:
        super().__init__(data)
        self._pending = pending
        self._order = order

    def _force(self, key: str) -> None:
        loader = self._pending.pop(key, None)
        if loader is not None:
            dict.__setitem__(self, key, loader())

    def _force_all(self) -> None:
        if not self._pending:
            return
        for key in list(self._pending):
            self._force(key)
        ordered = [(k, dict.__getitem__(self, k)) for k in self._order if dict.__contains__(self, k)]
        rest = [(k, v) for k, v in dict.items(self) if k not in self._order]
        dict.clear(self)
        dict.update(self, ordered + rest)

    def __getitem__(self, key: str) -> Any:
        if key in self._pending:
            self._force(key)
        return dict.__getitem__(self, key)

    def get(self, key: str, default: Any = None) -> Any:
        if key in self._pending:
            self._force(key)
        return dict.get(self, key, default)

    def __contains__(self, key: object) -> bool:
        return dict.__contains__(self, key) or key in self._pending

    def __iter__(self):  # type: ignore[no-untyped-def]
        self._force_all()
        return dict.__iter__(self)

    def __len__(self) -> int:
        return dict.__len__(self) + len(self._pending)

    def keys(self):  # type: ignore[no-untyped-def]
        self._force_all()
        return dict.keys(self)

    def items(self):  # type: ignore[no-untyped-def]
        self._force_all()
        return dict.items(self)

    def values(self):  # type: ignore[no-untyped-def]
        self._force_all()
        return dict.values(self)

    def copy(self) -> dict[str, Any]:
        self._force_all()
        return dict(dict.items(self))

    def __eq__(self, other: object) -> bool:
        self._force_all()
        return dict.__eq__(self, other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        self._force_all()
        return dict.__repr__(self)

    def __reduce__(self) -> tuple[Any, ...]:
        self._force_all()
        return (dict, (dict(dict.items(self)),))


FILE_KEYS = (
    "path", "folder", "name", "link", "outlinks", "inlinks", "etags", "tags", "aliases", "lists", "tasks",
    "ctime", "cday", "mtime", "mday", "size", "ext", "starred", "frontmatter", "day",
)


@dataclass
class NameTable:
    """Lower-cased file name -> vault paths: what link resolution looks up."""

    names: dict[str, list[str]] = field(default_factory=dict)
    _cache: dict[tuple[str, str], str | None] = field(default_factory=dict)

    @classmethod
    def load(cls, index: Index) -> NameTable:
        table = cls()
        for path, name in index.conn.execute("SELECT path, name_lower FROM files"):
            table.names.setdefault(name, []).append(path)
        return table

    def resolve_path(self, linkpath: str, source: str) -> str | None:
        slash = source.rfind("/")
        key = (linkpath, source[:slash] if slash >= 0 else "")
        if key in self._cache and linkpath:
            return self._cache[key]
        result = resolve(linkpath, source, self.names).path
        if linkpath:
            self._cache[key] = result
        return result


def resolve_link_value(link: Link, source: str, names: NameTable) -> Link:
    """A link as Dataview stores it in page data: full vault path when it resolves."""
    if not link.path:
        return link.with_path(source)
    target = names.resolve_path(link.path, source)
    return link.with_path(target) if target is not None else link


def _resolve_values(value: Value, source: str, names: NameTable) -> Value:
    if isinstance(value, Link):
        return resolve_link_value(value, source, names)
    if isinstance(value, list):
        return [_resolve_values(v, source, names) for v in value]
    if isinstance(value, dict):
        return {k: _resolve_values(v, source, names) for k, v in value.items()}
    return value


def _local_date(ns: int) -> DVDate:
    return DVDate.from_millis(ns // 1_000_000)


def _extract_date(text: str) -> DVDate | None:
    """Dataview's ``extractDate`` on a file title: ``yyyy-mm-dd`` anywhere, else ``yyyymmdd``."""
    m = _DATE_DASHED.search(text) or _DATE_PLAIN.search(text)
    if not m:
        return None
    year, month, day = (int(g) for g in m.groups())
    return DVDate.from_fields(year, month, day)


def _finalize_fields(raw: dict[str, list[Value]]) -> dict[str, Value]:
    """dataview.md §1.5 finalisation: canonical keys merged in, single values unwrapped."""
    merged: dict[str, list[Value]] = {k: list(v) for k, v in raw.items()}
    for key, values in raw.items():
        canon = canonical_key(key)
        if not canon or canon in raw:
            continue
        merged.setdefault(canon, []).extend(values)
    return {k: (v[0] if len(v) == 1 else v) for k, v in merged.items()}


def _find_day(raw: dict[str, list[Value]], name: str) -> DVDate | None:
    for key, values in raw.items():
        if key.lower() in ("date", "day") and values and isinstance(values[0], DVDate):
            return values[0]
    return _extract_date(name)


class PageStore:
    """Builds and caches page objects for one index."""

    def __init__(self, index: Index) -> None:
        self.index = index
        self.names = NameTable.load(index)
        self._paths: dict[int, str] | None = None
        self._cache: dict[int, dict[str, Any]] = {}
        self._starred_raw: str | None = None
        self._starred: frozenset[str] = frozenset()

    # -- ids and paths ---------------------------------------------------------------------------
    def all_note_ids(self) -> list[int]:
        return [r[0] for r in self.index.conn.execute("SELECT file_id FROM notes ORDER BY file_id")]

    def paths(self) -> dict[int, str]:
        if self._paths is None:
            self._paths = dict(
                self.index.conn.execute("SELECT f.id, f.path FROM files f JOIN notes n ON n.file_id = f.id")
            )
        return self._paths

    def id_for_path(self, path: str) -> int | None:
        row = self.index.conn.execute(
            "SELECT f.id FROM files f JOIN notes n ON n.file_id = f.id WHERE f.path = ?", (path,)
        ).fetchone()
        return int(row[0]) if row else None

    # -- invalidation ----------------------------------------------------------------------------
    def invalidate(self, changed_paths: Iterable[str]) -> int:
        """Forget the page objects a change to these vault paths can affect; returns how many.

        Affected are: the changed notes themselves; the notes they linked to before and link to
        now (their ``file.inlinks``); and, when files appeared or disappeared, every note with a
        link that looks up one of those file names (its resolved link values may change).
        """
        changed = set(changed_paths)
        if not changed:
            return 0
        conn = self.index.conn
        # Without a remembered path list we cannot tell which files came or went: assume they did.
        had_paths = self._paths is not None
        old_paths = self._paths or {}
        self._paths = None
        new_paths = self.paths()
        by_path_old = {p: i for i, p in old_paths.items()}
        by_path_new = {p: i for i, p in new_paths.items()}
        evict: set[int] = set()
        for path in changed:
            for note_id in (by_path_old.get(path), by_path_new.get(path)):
                if note_id is None:
                    continue
                evict.add(note_id)
                cached = self._cache.get(note_id)
                if cached is not None:  # old link targets lose an inlink
                    for link in cached["file"]["outlinks"]:
                        target = by_path_new.get(link.path)
                        if target is not None:
                            evict.add(target)
            note_id = by_path_new.get(path)
            if note_id is not None:  # new link targets gain an inlink
                evict.update(
                    r[0] for r in conn.execute(
                        "SELECT t.id FROM links l JOIN files t ON t.path = l.target_path WHERE l.note_id = ?",
                        (note_id,),
                    )
                )
        names = {file_lookup_name(p) for p in changed}
        file_set_changed = (
            not had_paths
            or any((p in by_path_old) != (p in by_path_new) for p in changed)
            or any(not p.lower().endswith(".md") for p in changed)
        )
        if file_set_changed:
            self.names = NameTable.load(self.index)
            lookups = set(names) | {n[:-3] for n in names if n.endswith(".md")}
            for name in lookups:
                evict.update(r[0] for r in conn.execute("SELECT note_id FROM links WHERE lookup_name = ?", (name,)))
            # Field values hold links too; they are resolved from the same names.
            evict.update(i for i, page in self._cache.items() if _mentions_names(page, lookups))
        for note_id in evict:
            self._cache.pop(note_id, None)
        return len(evict)

    # -- pages -----------------------------------------------------------------------------------
    def page(self, note_id: int) -> dict[str, Any] | None:
        pages = self.pages([note_id])
        return pages[0] if pages else None

    def page_for_path(self, path: str) -> dict[str, Any] | None:
        note_id = self.id_for_path(path)
        return None if note_id is None else self.page(note_id)

    def _refresh_starred(self) -> None:
        """``file.starred`` comes from the bookmarks list the synchroniser keeps in the index."""
        raw = self.index.get_setting("starred")
        if raw != self._starred_raw:
            self._starred_raw = raw
            self._starred = frozenset(json.loads(raw)) if raw else frozenset()
            self._cache.clear()

    def pages(self, note_ids: Iterable[int]) -> list[dict[str, Any]]:
        """Page objects for the ids, in the given order (missing ids are skipped)."""
        self._refresh_starred()
        ids = list(note_ids)
        missing = [i for i in ids if i not in self._cache]
        for chunk_start in range(0, len(missing), 500):
            self._load(missing[chunk_start : chunk_start + 500])
        if len(missing) >= 1000:
            # Thousands of long-lived page objects make every full cyclic-GC pass walk them all
            # (hundreds of ms, at random moments of later queries). They hold no reference
            # cycles, so reference counting frees them; move them out of the collector's view.
            gc.freeze()
        return [self._cache[i] for i in ids if i in self._cache]

    def _load(self, ids: list[int]) -> None:
        conn = self.index.conn
        marks = ",".join("?" * len(ids))
        base = {
            r[0]: r
            for r in conn.execute(
                "SELECT f.id, f.path, f.size, f.mtime_ns, f.ctime_ns, n.frontmatter FROM files f"
                f" JOIN notes n ON n.file_id = f.id WHERE f.id IN ({marks})",
                ids,
            )
        }
        fields: dict[int, list[tuple[str, str]]] = {}
        for note_id, key, value in conn.execute(
            f"SELECT note_id, key, value FROM fields WHERE note_id IN ({marks}) ORDER BY note_id, seq", ids
        ):
            fields.setdefault(note_id, []).append((key, value))
        tags: dict[int, list[str]] = {}
        for note_id, tag in conn.execute(
            f"SELECT note_id, tag FROM tags WHERE note_id IN ({marks}) ORDER BY note_id, seq", ids
        ):
            tags.setdefault(note_id, []).append(tag)
        aliases: dict[int, list[str]] = {}
        for note_id, alias in conn.execute(
            f"SELECT note_id, alias FROM aliases WHERE note_id IN ({marks}) ORDER BY note_id, seq", ids
        ):
            aliases.setdefault(note_id, []).append(alias)
        links: dict[int, list[tuple]] = {}
        for row in conn.execute(
            "SELECT note_id, embed, linkpath, subpath, display, target_path, line FROM links"
            f" WHERE note_id IN ({marks}) ORDER BY note_id, seq",
            ids,
        ):
            links.setdefault(row[0], []).append(row[1:])
        items: dict[int, list[tuple]] = {}
        for row in conn.execute(
            "SELECT note_id, line, line_count, list_line, parent_line, symbol, status, text, block_id, fields,"
            f" tags, section FROM list_items WHERE note_id IN ({marks}) ORDER BY note_id, line",
            ids,
        ):
            items.setdefault(row[0], []).append(row[1:])
        paths = {i: base[i][1] for i in base}
        inlinks: dict[str, list[str]] = {p: [] for p in paths.values()}
        target_marks = ",".join("?" * len(paths))
        for target, source in conn.execute(
            "SELECT DISTINCT l.target_path, f.path FROM links l JOIN files f ON f.id = l.note_id"
            f" WHERE l.target_path IN ({target_marks}) ORDER BY f.path",
            list(paths.values()),
        ):
            inlinks[target].append(source)
        for note_id, (_, path, size, mtime_ns, ctime_ns, frontmatter) in base.items():
            self._cache[note_id] = self._build(
                path,
                size,
                mtime_ns,
                ctime_ns,
                json.loads(frontmatter) if frontmatter else None,
                fields.get(note_id, []),
                tags.get(note_id, []),
                aliases.get(note_id, []),
                links.get(note_id, []),
                items.get(note_id, []),
                inlinks.get(path, []),
            )

    def _build(
        self,
        path: str,
        size: int,
        mtime_ns: int,
        ctime_ns: int,
        frontmatter: dict[str, Any] | None,
        field_rows: list[tuple[str, str]],
        tags: list[str],
        aliases: list[str],
        link_rows: list[tuple],
        item_rows: list[tuple],
        inlink_paths: list[str],
    ) -> dict[str, Any]:
        names = self.names
        raw: dict[str, list[Value]] = {}
        for key, stored in field_rows:
            raw.setdefault(key, []).append(_resolve_values(from_storage(json.loads(stored)), path, names))
        name = get_file_title(path)
        if name.endswith(".md"):
            name = name[:-3]
        slash = path.rfind("/")
        dot = path.rfind(".")
        etags = tags
        all_tags: list[str] = []
        seen: set[str] = set()
        for tag in etags:
            for t in tag_with_parents(tag, strip_trailing_slash=False):
                if t not in seen:
                    seen.add(t)
                    all_tags.append(t)
        outlinks = [
            Link.infer(
                (target if target is not None else linkpath) + (subpath or ""),
                embed=bool(embed),
                display=display,
            )
            if linkpath or subpath
            else Link.file(path, embed=bool(embed), display=display)
            for embed, linkpath, subpath, display, target, _line in link_rows
        ]
        ctime = _local_date(ctime_ns)
        mtime = _local_date(mtime_ns)
        file_data: dict[str, Any] = {
            "path": path,
            "folder": path[:slash] if slash >= 0 else "",
            "name": name,
            "link": Link.file(path),
            "outlinks": outlinks,
            "inlinks": [Link.file(p) for p in inlink_paths],
            "etags": list(etags),
            "tags": all_tags,
            "aliases": list(aliases),
            "ctime": ctime,
            "cday": ctime.strip_time(),
            "mtime": mtime,
            "mday": mtime.strip_time(),
            "size": size,
            "ext": path[dot + 1 :] if dot > slash else "",
            "starred": path in self._starred,
            "frontmatter": dict(frontmatter or {}),
        }
        lists_cell: list[list[dict[str, Any]]] = []

        def lists() -> list[dict[str, Any]]:
            if not lists_cell:
                lists_cell.append(_build_list_items(path, item_rows, link_rows, names))
            return lists_cell[0]

        def tasks() -> list[dict[str, Any]]:
            return [item for item in lists() if item.get("task")]

        file_obj = LazyObject(file_data, {"lists": lists, "tasks": tasks}, FILE_KEYS)
        day = _find_day(raw, name)
        if day is not None:
            dict.__setitem__(file_obj, "day", day)
        page: dict[str, Any] = {"file": file_obj}
        for key, value in _finalize_fields(raw).items():
            if key == "file":
                continue  # the implicit object cannot be overridden
            page[key] = value
        return page


def _mentions_names(page: dict[str, Any], names: set[str]) -> bool:
    """Does any link value in the page's fields look up one of these file names?"""
    stack: list[Any] = [v for k, v in page.items() if k != "file"]
    while stack:
        value = stack.pop()
        if isinstance(value, Link):
            name = value.path.rsplit("/", 1)[-1].lower()
            if name in names or name.removesuffix(".md") in names:
                return True
        elif isinstance(value, list):
            stack.extend(value)
        elif isinstance(value, dict):
            stack.extend(value.values())
    return False


def _build_list_items(
    path: str, rows: list[tuple], link_rows: list[tuple], names: NameTable
) -> list[dict[str, Any]]:
    """``file.lists`` (dataview.md §1.7): every list item as Dataview serialises it."""
    links_by_line: dict[int, list[Link]] = {}
    for embed, linkpath, subpath, display, target, line in link_rows:
        if linkpath or subpath:
            link = Link.infer((target if target is not None else linkpath) + (subpath or ""), bool(embed), display)
        else:
            link = Link.file(path, bool(embed), display)
        links_by_line.setdefault(line, []).append(link)
    items: dict[int, dict[str, Any]] = {}
    order: list[int] = []
    section_links: dict[str | None, Link] = {None: Link.file(path)}
    for line, line_count, list_line, parent, symbol, status, text, block_id, fields_json, tags_json, section in rows:
        section_link = section_links.get(section)
        if section_link is None:
            section_link = section_links[section] = Link.header(path, section) if section else Link.file(path)
        item: dict[str, Any] = {
            "symbol": symbol,
            "link": Link.block(path, block_id) if block_id else section_link,
            "section": section_link,
            "text": text,
            "tags": json.loads(tags_json) if tags_json else [],
            "line": line,
            "lineCount": line_count,
            "list": list_line,
            "outlinks": (
                [lk for ln in range(line, line + line_count) for lk in links_by_line.get(ln, ())]
                if links_by_line
                else []
            ),
            "path": path,
            "children": [],
            "task": status is not None,
            "annotated": bool(fields_json),
            "position": {
                "start": {"line": line, "col": 0, "offset": 0},
                "end": {"line": line + line_count - 1, "col": 0, "offset": 0},
            },
            "subtasks": [],
            "real": status is not None,
            "header": section_link,
        }
        if parent is not None:
            item["parent"] = parent
        if block_id:
            item["blockId"] = block_id
        raw: dict[str, list[Value]] = {}
        if fields_json:
            for key, stored in json.loads(fields_json):
                raw.setdefault(key, []).append(_resolve_values(from_storage(stored), path, names))
        for key, values in raw.items():
            if key not in item:
                item[key] = values[0] if len(values) == 1 else values
        if status is not None:
            item["status"] = status
            item["checked"] = status not in ("", " ")
            item["completed"] = status in ("x", "X")
            item["fullyCompleted"] = item["completed"]
            for target, keys in (
                ("created", ("created", "ctime", "cday")),
                ("due", ("due", "duetime", "dueday")),
                ("completion", ("completed", "completion", "comptime", "compday")),
                ("start", ("start",)),
                ("scheduled", ("scheduled",)),
            ):
                for key in keys:
                    values = raw.get(key)
                    if values and js_truthy(values[0]):
                        item[target] = values[0]
                        break
        items[line] = item
        order.append(line)
    for line in order:
        item = items[line]
        parent = item.get("parent")
        if parent is not None and parent in items:
            items[parent]["children"].append(item)
    # fullyCompleted: a task and every task below it (through non-task items) are completed.
    for line in order:
        item = items[line]
        if item["task"]:
            item["fullyCompleted"] = _fully_completed(item)
    for item in items.values():
        item["subtasks"] = item["children"]
    return [items[line] for line in order]


def _fully_completed(item: dict[str, Any]) -> bool:
    if item.get("task") and not item.get("completed"):
        return False
    return all(_fully_completed(child) for child in item["children"])


