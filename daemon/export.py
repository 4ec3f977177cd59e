"""`gardend export`: the index as JSON Lines, one object per note, sorted by path.

The export is deterministic: two indexes of the same vault produce identical bytes, whatever
order files were scanned or events arrived in. That makes it the yardstick for the watcher's
correctness (an index kept current through thousands of edits must export exactly like a fresh
one) and a convenient way to diff what gardend sees in a vault.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import IO, Any

from .index import Index
from .values import from_storage, to_result_json


def _rows(index: Index, sql: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
    return index.conn.execute(sql, params).fetchall()


def _value(text: str) -> Any:
    return to_result_json(from_storage(json.loads(text)))


_NOTE_SELECT = (
    "SELECT f.id, f.path, f.size, f.mtime_ns, f.content_hash, f.excluded, n.title, n.frontmatter,"
    " n.publish FROM files f JOIN notes n ON n.file_id = f.id"
)


def note_objects(index: Index) -> Iterator[dict[str, Any]]:
    """Yield one JSON-able object per note, in path order."""
    for row in index.conn.execute(_NOTE_SELECT + " ORDER BY f.path").fetchall():
        yield _note_object(index, row)


def note_object(index: Index, path: str) -> dict[str, Any] | None:
    """The export object of the note at vault path ``path`` (None: no such note).

    The preview server's note endpoint uses this so that the API and ``gardend export`` can never
    disagree about what a note is.
    """
    row = index.conn.execute(_NOTE_SELECT + " WHERE f.path = ?", (path,)).fetchone()
    return None if row is None else _note_object(index, row)


def _note_object(index: Index, row: tuple[Any, ...]) -> dict[str, Any]:
    file_id, path, size, mtime_ns, digest, excluded, title, frontmatter, publish = row
    key = (file_id,)
    obj: dict[str, Any] = {
        "path": path,
        "title": title,
        "size": size,
        "mtime_ns": mtime_ns,
        "content_hash": digest,
        "publish": bool(publish),
        "excluded": bool(excluded),
        "frontmatter": json.loads(frontmatter) if frontmatter is not None else None,
    }
    obj["fields"] = [
        {"key": k, "value": _value(v), "source": src, "line": line}
        for k, v, src, line in _rows(
            index, "SELECT key, value, source, line FROM fields WHERE note_id = ? ORDER BY seq", key
        )
    ]
    obj["tags"] = [
        {"tag": t, "source": src, "line": line}
        for t, src, line in _rows(index, "SELECT tag, source, line FROM tags WHERE note_id = ? ORDER BY seq", key)
    ]
    obj["aliases"] = [a for (a,) in _rows(index, "SELECT alias FROM aliases WHERE note_id = ? ORDER BY seq", key)]
    obj["headings"] = [
        {"level": lvl, "text": text, "line": line}
        for lvl, text, line in _rows(
            index, "SELECT level, text, line FROM headings WHERE note_id = ? ORDER BY seq", key
        )
    ]
    obj["blocks"] = [
        {"id": bid, "line": line, "end_line": end, "kind": kind}
        for bid, line, end, kind in _rows(
            index, "SELECT block_id, line, end_line, kind FROM blocks WHERE note_id = ? ORDER BY line, id_lower", key
        )
    ]
    obj["lists"] = [
        {
            "line": line,
            "line_count": count,
            "parent": parent,
            "symbol": symbol,
            "task": status is not None,
            "status": status,
            "text": text,
            "block_id": block_id,
            "fields": [{"key": k, "value": to_result_json(from_storage(v))} for k, v in json.loads(fields)]
            if fields
            else [],
            "tags": json.loads(tags) if tags else [],
            "section": section,
        }
        for line, count, parent, symbol, status, text, block_id, fields, tags, section in _rows(
            index,
            "SELECT line, line_count, parent_line, symbol, status, text, block_id, fields, tags, section"
            " FROM list_items WHERE note_id = ? ORDER BY line",
            key,
        )
    ]
    obj["links"] = [
        {
            "original": original,
            "kind": kind,
            "embed": bool(embed),
            "linkpath": linkpath,
            "subpath": subpath,
            "display": display,
            "line": line,
            "col": col,
            "key": fm_key,
            "resolved": target,
            "ambiguous": json.loads(ambiguous) if ambiguous else None,
        }
        for kind, embed, original, linkpath, subpath, display, line, col, fm_key, target, ambiguous in _rows(
            index,
            "SELECT kind, embed, original, linkpath, subpath, display, line, col, fm_key, target_path, ambiguous"
            " FROM links WHERE note_id = ? ORDER BY seq",
            key,
        )
    ]
    obj["queries"] = [
        {"kind": kind, "line": line, "source": source}
        for kind, source, line in _rows(
            index, "SELECT kind, source, line FROM queries WHERE note_id = ? ORDER BY seq", key
        )
    ]
    obj["diagnostics"] = [
        {"kind": kind, "severity": sev, "line": line, "message": msg}
        for kind, sev, line, msg in _rows(
            index, "SELECT kind, severity, line, message FROM diagnostics WHERE file_id = ? ORDER BY seq", key
        )
    ]
    return obj


def write_export(index: Index, out: IO[str]) -> int:
    """Write the JSON Lines export; returns the number of notes written."""
    count = 0
    for obj in note_objects(index):
        out.write(json.dumps(obj, ensure_ascii=False, sort_keys=False, separators=(",", ":")))
        out.write("\n")
        count += 1
    return count
