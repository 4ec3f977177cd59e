"""FROM sources resolved through the index (dataview.md §2.3), never by scanning every page.

Tags use ``tag_index`` (explicit tags and their parents, lower-cased), folders a path prefix,
``[[links]]`` the resolved ``links`` table. Sets of note ids are combined with Python set
operations; the engine turns the final set into page objects.
"""

from __future__ import annotations

from ..index import Index
from . import ast
from .pages import NameTable


class SourceError(Exception):
    """A source that Dataview itself would fail on (e.g. ``outgoing([[x]])`` of a missing file)."""


def note_ids_for_source(index: Index, source: ast.Source, this_path: str | None, names: NameTable) -> set[int]:
    conn = index.conn
    if isinstance(source, ast.TagSource):
        tag = source.tag if source.tag.startswith("#") else "#" + source.tag
        return {r[0] for r in conn.execute("SELECT note_id FROM tag_index WHERE tag_lower = ?", (tag.lower(),))}
    if isinstance(source, ast.FolderSource):
        return _folder_ids(index, source.folder)
    if isinstance(source, ast.LinkSource):
        return _link_ids(index, source, this_path, names)
    if isinstance(source, ast.NegatedSource):
        return _all_ids(index) - note_ids_for_source(index, source.child, this_path, names)
    if isinstance(source, ast.BinaryOpSource):
        left = note_ids_for_source(index, source.left, this_path, names)
        right = note_ids_for_source(index, source.right, this_path, names)
        return left & right if source.op == "&" else left | right
    if isinstance(source, ast.CsvSource):
        raise SourceError("csv() sources are not supported by gardend yet")
    raise SourceError(f"Unrecognized source type '{getattr(source, 'kind', type(source).__name__)}'")


def published_note_ids(index: Index) -> set[int]:
    """Notes flagged ``dg-publish`` (the publishing hook of :class:`~.engine.QueryEngine`)."""
    return {r[0] for r in index.conn.execute("SELECT file_id FROM notes WHERE publish = 1")}


def is_published_path(index: Index, path: str) -> bool:
    row = index.conn.execute(
        "SELECT n.publish FROM files f JOIN notes n ON n.file_id = f.id WHERE f.path = ?", (path,)
    ).fetchone()
    return bool(row and row[0])


def _all_ids(index: Index) -> set[int]:
    return {r[0] for r in index.conn.execute("SELECT file_id FROM notes")}


def _folder_ids(index: Index, folder: str) -> set[int]:
    """A folder (recursively), else that exact file, else that file + ``.md`` (§2.3)."""
    conn = index.conn
    trimmed = folder.strip("/")
    if trimmed == "":
        return _all_ids(index)
    prefix = trimmed + "/"
    # Every path starting with "<folder>/" sorts in ["<folder>/", "<folder>0") ('0' follows '/'),
    # so the range reads only those rows of the path index; substr() states the match itself.
    ids = {
        r[0]
        for r in conn.execute(
            "SELECT f.id FROM files f JOIN notes n ON n.file_id = f.id"
            " WHERE f.path >= ? AND f.path < ? AND substr(f.path, 1, ?) = ?",
            (prefix, trimmed + "0", len(prefix), prefix),
        )
    }
    if ids:
        return ids
    for candidate in (trimmed, trimmed + ".md"):
        row = conn.execute(
            "SELECT f.id FROM files f JOIN notes n ON n.file_id = f.id WHERE f.path = ?", (candidate,)
        ).fetchone()
        if row:
            return {row[0]}
    return set()


def _link_ids(index: Index, source: ast.LinkSource, this_path: str | None, names: NameTable) -> set[int]:
    conn = index.conn
    linkpath = source.file
    origin = this_path or ""
    target = names.resolve_path(linkpath, origin) if linkpath else (this_path or None)
    if source.direction == "outgoing" and target is not None:
        row = conn.execute(
            "SELECT f.id FROM files f JOIN notes n ON n.file_id = f.id WHERE f.path = ?", (target,)
        ).fetchone()
        if row is None:
            raise SourceError(f'Could not find file "{linkpath}" during link lookup - does it exist?')
        return {
            r[0]
            for r in conn.execute(
                "SELECT DISTINCT t.id FROM links l JOIN files t ON t.path = l.target_path"
                " JOIN notes n ON n.file_id = t.id WHERE l.note_id = ?",
                (row[0],),
            )
        }
    # Incoming links (and the outgoing fallback for an unresolved link, a Dataview quirk).
    if target is not None:
        return {r[0] for r in conn.execute("SELECT DISTINCT note_id FROM links WHERE target_path = ?", (target,))}
    return {
        r[0]
        for r in conn.execute(
            "SELECT DISTINCT note_id FROM links WHERE target_path IS NULL AND linkpath = ?", (linkpath,)
        )
    }
