"""What a page depends on, decided from the index (links, embeds, query sources).

A page must reload after a save to any note its output depends on, and only then. The set is:

* the note itself and everything its rendering embedded (``RenderedNote.dependencies``);
* for a note with Dataview blocks: every note its queries' ``FROM`` could read
  (:func:`~gardend.daemon.query.sources.note_ids_for_source`), plus the targets of the note's
  own links (``this.source-content.original-source`` reads linked notes' fields);
* a query without ``FROM``, a DataviewJS block, or an inline query that names other notes can
  read any note: the page then depends on every change (``any_change``).

``FROM`` sets are recomputed when a change does not hit the known set (``dynamic``): a note
created in, or moved into, a queried folder or tag must reload the page although it was not in
the set when the page was rendered.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..index import Index
from ..query.errors import DQLSyntaxError
from ..query.pages import NameTable
from ..query.parser import parse_query
from ..query.sources import SourceError, note_ids_for_source

__all__ = ["PageDeps", "page_deps"]


@dataclass(frozen=True)
class PageDeps:
    """The dependency decision data of one rendered page."""

    paths: frozenset[str]
    any_change: bool = False
    dynamic: bool = False
    """True when ``paths`` contains query ``FROM`` results, which new notes may join."""
    query_sources: tuple[str, ...] = field(default=(), repr=False)

    def hit(self, changed: list[str] | set[str]) -> bool:
        return self.any_change or not self.paths.isdisjoint(changed)


def _paths_of_ids(index: Index, ids: set[int]) -> set[str]:
    if not ids:
        return set()
    out: set[str] = set()
    id_list = list(ids)
    for start in range(0, len(id_list), 500):
        chunk = id_list[start:start + 500]
        marks = ",".join("?" * len(chunk))
        out.update(r[0] for r in index.conn.execute(f"SELECT path FROM files WHERE id IN ({marks})", chunk))
    return out


def page_deps(index: Index, names: NameTable, path: str, rendered_deps: list[str]) -> PageDeps:
    """The dependencies of the page of ``path`` whose rendering reported ``rendered_deps``."""
    paths: set[str] = {path, *rendered_deps}
    rows = index.conn.execute(
        "SELECT q.kind, q.source FROM queries q JOIN files f ON f.id = q.note_id WHERE f.path = ? ORDER BY q.seq",
        (path,),
    ).fetchall()
    if not rows:
        return PageDeps(frozenset(paths))
    any_change = False
    dynamic = False
    sources: list[str] = []
    for kind, source in rows:
        if kind == "dataview":
            try:
                query = parse_query(source)
            except DQLSyntaxError:
                continue  # renders as an error box whatever changes, except the note itself
            if not query.has_from:
                any_change = True
                continue
            try:
                ids = note_ids_for_source(index, query.source, path, names)
            except SourceError:
                continue
            paths |= _paths_of_ids(index, ids)
            dynamic = True
            sources.append(source)
        elif kind == "inline" and "[[" not in source and "dv." not in source:
            continue  # reads ``this`` (covered below) and constants
        else:  # dataviewjs, inline-js, inline queries naming other notes: anything may be read
            any_change = True
    paths |= {r[0] for r in index.conn.execute(
        "SELECT DISTINCT l.target_path FROM links l JOIN files f ON f.id = l.note_id"
        " WHERE f.path = ? AND l.target_path IS NOT NULL", (path,),
    )}
    return PageDeps(frozenset(paths), any_change, dynamic, tuple(sources))
