"""Datasette metadata for the gardend index: what each table and column means, useful facets and
canned queries, so the index can be explored in Datasette without reading the migrations.

Why a module of data rather than a metadata file: the descriptions sit next to the code that
knows the schema, the tests compare them with the schema a fresh index really has (a new column
without a description fails the suite), and ``gardend datasette`` can hand Datasette a metadata
dict keyed by whatever name Datasette gives the database file.

The format is Datasette 0.64/0.65's ``metadata.json``: per-table ``description``, ``columns``,
``facets``, ``sort``, ``label_column``, ``hidden``, ``fts_table``/``fts_pk`` and per-database
``queries``. Datasette 1.0 moves facets, sort, label columns and canned queries to a separate
``datasette.yaml`` configuration, hence the ``<1`` pin of the ``datasette`` extra.

Lines stored in the index are 0-based (Obsidian's convention); the canned queries add 1 so the
numbers match an editor's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "CANNED_QUERIES",
    "DEFAULT_DATABASE_NAME",
    "TABLES",
    "CannedQuery",
    "TableDoc",
    "build_metadata",
]

#: Datasette names a database after its file's stem; the default index file is ``index.sqlite``.
DEFAULT_DATABASE_NAME = "index"

Facet = str | dict[str, str]


@dataclass(frozen=True)
class TableDoc:
    """What Datasette should know about one table of the index."""

    description: str
    columns: dict[str, str]
    facets: tuple[Facet, ...] = ()
    sort: str | None = None
    sort_desc: str | None = None
    label_column: str | None = None
    hidden: bool = False
    fts_table: str | None = None
    fts_pk: str | None = None

    def as_metadata(self) -> dict[str, Any]:
        """The table's entry under ``databases.<db>.tables`` (unset options left out, so
        Datasette's own defaults apply)."""
        out: dict[str, Any] = {"description": self.description, "columns": dict(self.columns)}
        if self.facets:
            out["facets"] = [dict(f) if isinstance(f, dict) else f for f in self.facets]
        optional = {
            "sort": self.sort,
            "sort_desc": self.sort_desc,
            "label_column": self.label_column,
            "fts_table": self.fts_table,
            "fts_pk": self.fts_pk,
        }
        out.update({key: value for key, value in optional.items() if value is not None})
        if self.hidden:
            out["hidden"] = True
        return out


_PARAM = re.compile(r"(?<!:):([A-Za-z_][A-Za-z0-9_]*)")


@dataclass(frozen=True)
class CannedQuery:
    """A named, read-only SQL query shown on the database page; ``:name`` marks a parameter."""

    title: str
    description: str
    sql: str
    params: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        # Datasette derives parameters from the SQL itself; keeping the explicit list in step
        # makes the form order deliberate and catches a renamed parameter at import time.
        found = tuple(dict.fromkeys(_PARAM.findall(self.sql)))
        if set(found) != set(self.params):
            raise ValueError(f"canned query {self.title!r}: params {self.params} but SQL uses {found}")

    def as_metadata(self) -> dict[str, Any]:
        out: dict[str, Any] = {"title": self.title, "description": self.description, "sql": self.sql}
        if self.params:
            out["params"] = list(self.params)
        return out


_NOTE_ID = "files.id of the note this row belongs to"
_SEQ = "position of the row within its note (0-based), in the order gardend extracted it"
_LINE_0 = "0-based line in the note (add 1 for an editor's line number)"

TABLES: dict[str, TableDoc] = {
    "files": TableDoc(
        description="Every file of the vault: notes (Markdown) and attachments. Other tables "
        "point here by id; a link's target is a path in this table.",
        columns={
            "id": "Stable id of the file; note_id/file_id in the other tables refer to it",
            "path": "Vault path as on disk, '/'-separated, relative to the vault root",
            "name_lower": "Lower-cased (NFC) file name with extension: the key links are resolved by",
            "folder": "Folder of the file ('' for the vault root)",
            "ext": "Lower-cased extension without the dot (md, png, pdf…)",
            "size": "Size in bytes",
            "mtime_ns": "Modification time, nanoseconds since the Unix epoch",
            "ctime_ns": "Creation (or status change) time, nanoseconds since the Unix epoch",
            "content_hash": "blake2b hash of a note's or canvas's bytes (NULL for other attachments): detects real changes",
            "indexed_at_ns": "When gardend wrote this row, nanoseconds since the epoch (racy-mtime detection)",
            "is_note": "1 for a Markdown note, 0 for an attachment",
            "excluded": "1 when Obsidian's 'Excluded files' setting matches the file (links to it still resolve)",
        },
        facets=("folder", "ext", "is_note", "excluded"),
        sort="path",
        label_column="path",
    ),
    "notes": TableDoc(
        description="One row per note: title, frontmatter, publish state and full text. "
        "Searchable (full-text index over title and text).",
        columns={
            "file_id": "files.id of the note",
            "title": "Frontmatter title, else the file name without .md",
            "frontmatter": "Frontmatter as a JSON object, as Obsidian reads it; NULL when absent or invalid",
            "body_start_line": "0-based line where the body starts (after the frontmatter block)",
            "publish": "1 when dg-publish is set (JS-truthy and not the string \"false\"): the note is published to the Digital Garden",
            "text": "The whole Markdown content of the note",
        },
        facets=("publish",),
        sort="title",
        label_column="title",
        fts_table="notes_fts",
        fts_pk="file_id",
    ),
    "canvases": TableDoc(
        description="One row per Obsidian canvas (.canvas, JSON Canvas): whether it is valid JSON and "
        "its Digital Garden flag, read from the canvas's metadata.frontmatter. A canvas is a file "
        "without a notes row.",
        columns={
            "file_id": "files.id of the canvas",
            "valid": "1 when the file is valid JSON (as JavaScript's JSON.parse reads it); an invalid canvas is never published",
            "frontmatter": "metadata.frontmatter as a JSON object; NULL when absent or not an object",
            "publish": "1 when metadata.frontmatter has dg-publish (JS-truthy and not the string \"false\"): published to the Digital Garden",
            "text": "The canvas file's JSON text ('' when too large or unreadable)",
        },
        facets=("publish", "valid"),
    ),
    "fields": TableDoc(
        description="Dataview fields of each note: frontmatter properties, list-item fields and "
        "inline key:: value fields.",
        columns={
            "note_id": _NOTE_ID,
            "seq": _SEQ,
            "key": "Field name as written (Dataview also matches it case-insensitively and sanitised)",
            "value": "Dataview value as gardend's storage JSON (dates, durations and links are tagged objects)",
            "source": "Where it was written: frontmatter, list (a list item's field) or inline",
            "line": _LINE_0 + "; NULL for frontmatter properties",
        },
        facets=("key", "source"),
    ),
    "links": TableDoc(
        description="Every link and embed in a note, with the file it resolves to "
        "(Obsidian's resolution rules); target_path NULL means a broken link.",
        columns={
            "note_id": "files.id of the note containing the link",
            "seq": "Obsidian order within the note: frontmatter links, body links, then embeds",
            "kind": "wiki ([[…]]), markdown ([…](…)) or frontmatter (a link in a property value)",
            "embed": "1 for an embed (![[…]]), 0 for a plain link",
            "original": "The link exactly as written in the note",
            "linkpath": "Link text before the first '#': the note or file linked to",
            "subpath": "Heading or block part, from the first '#' (included); NULL when absent",
            "display": "Explicit display text (after '|' or inside [ ]); NULL when absent",
            "line": _LINE_0,
            "col": "0-based column where the link starts",
            "fm_key": "Frontmatter key path for frontmatter links; NULL otherwise",
            "lookup_name": "Lower-cased last segment of linkpath: the name looked up in files.name_lower",
            "target_path": "Vault path of the file the link resolves to; NULL when it resolves to nothing (broken)",
            "ambiguous": "JSON list of equally good candidate paths when the link is ambiguous; NULL otherwise",
        },
        facets=("kind", "embed"),
    ),
    "tags": TableDoc(
        description="Tags as written in each note: inline #tags in the body, then the frontmatter tags.",
        columns={
            "note_id": _NOTE_ID,
            "seq": "Dataview order within the note: body tags, then frontmatter tags",
            "tag": "The tag with its '#', in the case it was written",
            "source": "inline (in the body) or frontmatter (the tags property)",
            "line": _LINE_0 + "; NULL for frontmatter tags",
        },
        facets=("tag", "source"),
    ),
    "tag_index": TableDoc(
        description="Each note's tags and all their parent tags, lower-cased (#a/b gives #a/b and "
        "#a): answers 'notes tagged X, including nested tags'.",
        columns={
            "tag_lower": "Lower-cased tag with '#' (a written tag or one of its parents)",
            "note_id": _NOTE_ID,
        },
        facets=("tag_lower",),
        sort="tag_lower",
    ),
    "aliases": TableDoc(
        description="Aliases of each note (the aliases frontmatter property).",
        columns={"note_id": _NOTE_ID, "seq": _SEQ, "alias": "The alias as written"},
    ),
    "headings": TableDoc(
        description="Headings of each note, in order.",
        columns={
            "note_id": _NOTE_ID,
            "seq": _SEQ,
            "level": "Heading level, 1 to 6",
            "text": "Heading text as raw Markdown",
            "line": _LINE_0,
        },
        facets=("level",),
    ),
    "blocks": TableDoc(
        description="Blocks with a ^block-id, the targets of [[note#^id]] links.",
        columns={
            "note_id": _NOTE_ID,
            "id_lower": "Lower-cased block id (links match case-insensitively)",
            "block_id": "Block id as written, without the '^'",
            "line": "0-based first line of the block",
            "end_line": "0-based last line of the block",
            "kind": "Kind of block the id is attached to (paragraph, list item, heading…)",
        },
        facets=("kind",),
    ),
    "list_items": TableDoc(
        description="List items and tasks of each note; status is set for tasks (- [ ] …).",
        columns={
            "note_id": _NOTE_ID,
            "line": "0-based line where the item starts",
            "line_count": "Number of lines the item spans",
            "list_line": "0-based line where the enclosing list starts",
            "parent_line": "0-based line of the parent item; NULL for top-level items",
            "symbol": "List marker as written (-, *, + or 1.)",
            "status": "Task status character (' ' open, 'x' done, others custom); NULL for plain items",
            "text": "Item text without marker and checkbox",
            "block_id": "^block-id of the item, if any",
            "fields": "JSON list of [key, storage value] for the item's inline fields",
            "tags": "JSON list of the tags in the item text",
            "section": "Text of the nearest preceding heading",
        },
        facets=("status", {"array": "tags"}),
    ),
    "queries": TableDoc(
        description="Dataview queries found in notes (code blocks and inline queries).",
        columns={
            "note_id": _NOTE_ID,
            "seq": _SEQ,
            "kind": "dataview, dataviewjs, inline (`= …`) or inline-js (`$= …`)",
            "source": "The query text",
            "line": _LINE_0,
        },
        facets=("kind",),
    ),
    "diagnostics": TableDoc(
        description="Problems found while indexing a file (broken YAML, unreadable or binary notes…); "
        "broken links are in the links table (target_path NULL).",
        columns={
            "file_id": "files.id of the file the problem is in",
            "seq": _SEQ,
            "kind": "Machine-readable problem kind",
            "severity": "error or warning",
            "line": _LINE_0 + "; NULL when the problem is not tied to a line",
            "message": "Description of the problem",
        },
        facets=("kind", "severity"),
    ),
    "settings": TableDoc(
        description="gardend's internal state (index generation, starred files, discovery problems).",
        columns={"key": "Setting name", "value": "Setting value (text or JSON)"},
        hidden=True,
    ),
    "publish_cache": TableDoc(
        description="Publish compile cache: each published note as last compiled for the garden, "
        "per compile mode, with what the compile depended on. Derived data.",
        columns={
            "mode": "Compile mode: safe or plugin",
            "vault_path": "Vault path of the published note",
            "garden_path": "Path of the note in the garden (after dg-path and slugging)",
            "repo_path": "Path of the compiled file in the garden repository",
            "text": "The compiled note, as written to the repository (zlib-compressed UTF-8)",
            "sha": "Git blob SHA-1 of the compiled text",
            "assets": "JSON list of [vault path, repository path] of the attachments it publishes",
            "deps": "JSON of what the compile read (notes, queries, settings), to know when to recompile",
            "blocks": "zlib-compressed JSON list of each Dataview block's output, reused when only another block is stale",
        },
        facets=("mode",),
        hidden=True,
    ),
    "publish_state": TableDoc(
        description="The vault as the publish cache of each mode last saw it: per file, the "
        "hashes, times and size that decide whether cached compiles are still valid.",
        columns={
            "mode": "Compile mode: safe or plugin",
            "path": "Vault path of the file",
            "content_hash": "Content hash of the file when cached (NULL for attachments)",
            "size": "Size in bytes when cached",
            "mtime_ns": "Modification time when cached, nanoseconds since the epoch",
            "ctime_ns": "Creation (or status change) time when cached, nanoseconds since the epoch",
            "meta_hash": "Hash of what queries can see of a note (fields, tags, tasks, links…); NULL for attachments",
        },
        hidden=True,
    ),
    "publish_cache_meta": TableDoc(
        description="Per compile mode, the fingerprint of the settings and code the cached "
        "compiles were made with (a change invalidates the whole cache).",
        columns={"mode": "Compile mode: safe or plugin", "fingerprint": "Fingerprint of settings and code"},
        hidden=True,
    ),
    "publish_assets": TableDoc(
        description="Git blob SHA-1 of attachments, reused while their size and mtime are unchanged.",
        columns={
            "path": "Vault path of the attachment",
            "size": "Size in bytes when hashed",
            "mtime_ns": "Modification time when hashed, nanoseconds since the epoch",
            "sha": "Git blob SHA-1 of the file's bytes",
        },
        hidden=True,
    ),
    "leak_notes": TableDoc(
        description="Leak audit: each unpublished note whose markers (text that must not be published) "
        "are stored, so the publish gate only cuts notes that changed. Derived data.",
        columns={
            "id": "Note id in the leak tables (never reused)",
            "path": "Vault path of the unpublished note",
            "content_hash": "Content hash of the note when its markers were cut",
            "indexed_at_ns": "When the index last wrote the note, at that time (nanoseconds since the epoch)",
            "cuts": "leak_texts ids of the note's markers, in order (8-byte little-endian integers)",
        },
        hidden=True,
    ),
    "leak_texts": TableDoc(
        description="Leak audit: each distinct marker text once (a phrase, heading, tag, path... of an "
        "unpublished note). Derived data.",
        columns={
            "id": "63-bit hash of kind and text",
            "kind": "Marker kind: body, token, heading, block-id, property, alias, tag, path, file-name, folder",
            "text": "The private text",
        },
        label_column="text",
        hidden=True,
    ),
    "leak_uses": TableDoc(
        description="Leak audit: which unpublished note holds which marker text, and where. Derived data.",
        columns={
            "text_id": "leak_texts.id",
            "note_id": "leak_notes.id",
            "seq": "Place of the marker in the note's list",
            "gate": "For tags, the lower-cased tag, for folders the folder: the marker is public once "
            "a published note has that tag or lives in that folder",
        },
        hidden=True,
    ),
    "leak_keys": TableDoc(
        description="Leak audit: the last 16 characters of every searched form (as written, escaped, "
        "encoded, slugified) of every marker text, to find markers from the text being audited. Derived data.",
        columns={"key": "Last 16 characters of a form", "text_id": "leak_texts.id"},
        hidden=True,
    ),
    "leak_short": TableDoc(
        description="Leak audit: forms of marker texts shorter than a key (16 characters), whole. Derived data.",
        columns={"form": "The form", "text_id": "leak_texts.id"},
        hidden=True,
    ),
    "leak_public": TableDoc(
        description="Leak audit: what each published note shows (path, title, text as readers see it, "
        "aliases, field values, permalink), casefolded; text found there is not private. Derived data.",
        columns={
            "path": "Vault path of the published note",
            "content_hash": "Content hash of the note when stored",
            "indexed_at_ns": "When the index last wrote the note, at that time (nanoseconds since the epoch)",
            "links": "Hash of the note's links to unpublished notes (they change what a reader sees)",
            "parts": "The shown text, casefolded, parts separated by NUL",
        },
        hidden=True,
    ),
    "leak_witness": TableDoc(
        description="Leak audit: a published note known to show a string, so that string (found in "
        "an audited output) is known to be public without searching every published note again.",
        columns={
            "needle": "The string, casefolded",
            "path": "Vault path of a published note showing it (the row goes when that note changes)",
        },
        hidden=True,
    ),
    "leak_absent": TableDoc(
        description="Leak audit: strings no published note showed when last looked for (a row goes when "
        "a changed published note shows it), so they need not be searched for again.",
        columns={"needle": "The string, casefolded"},
        hidden=True,
    ),
    "leak_meta": TableDoc(
        description="Leak audit: fingerprint of the code the leak tables were made with (a change "
        "empties them) and the next leak_notes id.",
        columns={"key": "fingerprint or next_id", "value": "Its value"},
        hidden=True,
    ),
    "_sqlite_migrations": TableDoc(
        description="Schema migrations applied to this index (sqlite-utils' migration table).",
        columns={
            "id": "Row id",
            "migration_set": "Name of the migration set ('gardend')",
            "name": "Migration name, e.g. 0001_core",
            "applied_at": "When the migration was applied (UTC)",
        },
        hidden=True,
    ),
    "notes_fts": TableDoc(
        description="Full-text index (SQLite FTS5) over notes.title and notes.text; use the search "
        "box of the notes table.",
        columns={"title": "Indexed note title", "text": "Indexed note text"},
        hidden=True,
    ),
    "notes_fts_data": TableDoc(
        description="FTS5 internal storage of notes_fts.",
        columns={"id": "FTS5 record id", "block": "FTS5 record data"},
        hidden=True,
    ),
    "notes_fts_idx": TableDoc(
        description="FTS5 internal term index of notes_fts.",
        columns={"segid": "FTS5 segment id", "term": "FTS5 term prefix", "pgno": "FTS5 page number"},
        hidden=True,
    ),
    "notes_fts_docsize": TableDoc(
        description="FTS5 internal per-note token counts of notes_fts.",
        columns={"id": "files.id of the note", "sz": "FTS5 token counts per column"},
        hidden=True,
    ),
    "notes_fts_config": TableDoc(
        description="FTS5 internal configuration of notes_fts.",
        columns={"k": "FTS5 configuration key", "v": "FTS5 configuration value"},
        hidden=True,
    ),
}

# A link's line is meaningless for frontmatter links (they live in a property), as in `gardend check`.
_LINK_LINE = "CASE WHEN l.kind = 'frontmatter' THEN NULL ELSE l.line + 1 END"

CANNED_QUERIES: dict[str, CannedQuery] = {
    "broken_links": CannedQuery(
        title="Broken links",
        description="Links and embeds that resolve to no file in the vault (what `gardend check` "
        "reports as broken-link). Lines are 1-based; property is the frontmatter key of a "
        "frontmatter link.",
        sql=f"""
SELECT f.path AS note, l.original AS link, l.linkpath AS target, {_LINK_LINE} AS line,
       l.fm_key AS property, l.kind, l.embed
FROM links AS l
JOIN files AS f ON f.id = l.note_id
WHERE l.target_path IS NULL
ORDER BY f.path, l.seq
""".strip(),
    ),
    "orphans": CannedQuery(
        title="Orphan notes",
        description="Notes no other note links to or embeds (links from a note to itself do "
        "not count). outgoing_links tells apart isolated notes from hubs nobody links back to.",
        sql="""
SELECT f.path AS note, n.title, n.publish AS published,
       (SELECT count(*) FROM links AS o WHERE o.note_id = f.id) AS outgoing_links
FROM notes AS n
JOIN files AS f ON f.id = n.file_id
WHERE NOT EXISTS (
    SELECT 1 FROM links AS l WHERE l.target_path = f.path AND l.note_id != f.id
)
ORDER BY f.path
""".strip(),
    ),
    "notes_by_tag": CannedQuery(
        title="Notes by tag",
        description="Notes carrying a tag or one of its nested tags (#reading also finds "
        "#reading/todo), like Dataview's FROM #tag. The '#' is optional; matching ignores ASCII "
        "case (type other letters in lower case).",
        sql="""
SELECT f.path AS note, n.title, f.folder, n.publish AS published
FROM tag_index AS t
JOIN notes AS n ON n.file_id = t.note_id
JOIN files AS f ON f.id = n.file_id
WHERE t.tag_lower = lower(CASE WHEN substr(trim(:tag), 1, 1) = '#'
                               THEN trim(:tag) ELSE '#' || trim(:tag) END)
ORDER BY f.path
""".strip(),
        params=("tag",),
    ),
    "unpublished_linked_from_published": CannedQuery(
        title="Unpublished notes linked from published ones",
        description="Links and embeds in published notes (dg-publish) whose target note is not "
        "published: dead links on the garden, or notes to publish too.",
        sql=f"""
SELECT src.path AS published_note, l.original AS link, {_LINK_LINE} AS line, l.embed,
       dst.path AS unpublished_note
FROM links AS l
JOIN notes AS sn ON sn.file_id = l.note_id AND sn.publish = 1
JOIN files AS src ON src.id = l.note_id
JOIN files AS dst ON dst.path = l.target_path
JOIN notes AS dn ON dn.file_id = dst.id AND dn.publish = 0
ORDER BY src.path, l.seq
""".strip(),
    ),
    "tag_counts": CannedQuery(
        title="Tags and how many notes carry them",
        description="Every tag (nested tags counted for their parents too) with its number of "
        "notes and of published notes.",
        sql="""
SELECT t.tag_lower AS tag, count(*) AS notes, sum(n.publish) AS published
FROM tag_index AS t
JOIN notes AS n ON n.file_id = t.note_id
GROUP BY t.tag_lower
ORDER BY notes DESC, tag
""".strip(),
    ),
    "open_tasks": CannedQuery(
        title="Open tasks",
        description="Tasks whose checkbox is empty (- [ ]), with their 1-based line and the "
        "heading they are under.",
        sql="""
SELECT f.path AS note, li.line + 1 AS line, li.text, li.section
FROM list_items AS li
JOIN files AS f ON f.id = li.note_id
WHERE li.status = ' '
ORDER BY f.path, li.line
""".strip(),
    ),
}


def build_metadata(database: str = DEFAULT_DATABASE_NAME, *, vault_name: str | None = None) -> dict[str, Any]:
    """The Datasette metadata dict for an index opened under the database name ``database``.

    ``vault_name`` only personalises the title. The license line is a reminder rather than a
    grant: the index holds the full text of unpublished notes, so it must not be published
    with ``datasette publish``.
    """
    title = f"gardend index of {vault_name}" if vault_name else "gardend index"
    return {
        "title": title,
        "description": "The SQLite index gardend keeps of an Obsidian vault: files, notes, "
        "Dataview fields, links, tags, tasks and queries. Read-only here; gardend rebuilds it "
        "from the vault.",
        "license": "Private: contains unpublished notes, do not publish",
        "databases": {
            database: {
                "description": "gardend's index of the vault. Start with notes, links or tags, "
                "or one of the queries below.",
                "tables": {name: table.as_metadata() for name, table in TABLES.items()},
                "queries": {name: query.as_metadata() for name, query in CANNED_QUERIES.items()},
            }
        },
    }
