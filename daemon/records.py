"""What the scanner extracts from one note: plain dataclasses, picklable, no behaviour.

Line numbers are 0-based like Obsidian's cache (obsidian.md §3.3); anything shown to a user
adds 1. Values of fields are Dataview values (see :mod:`gardend.daemon.values`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class Diagnostic:
    """A problem found while scanning, located in the note; never stops indexing."""

    kind: str  # yaml | encoding | binary | size | io | duplicate-block | duplicate-key | tags
    message: str
    line: int | None = None  # 0-based
    severity: str = "error"  # error | warning


@dataclass(slots=True)
class LinkRecord:
    """One link as written: body wikilink, Markdown link, embed or frontmatter link."""

    kind: str  # wiki | markdown | frontmatter
    embed: bool
    original: str  # exact source text, e.g. "[[Note#H|x]]"
    linkpath: str  # cleaned text before the first '#': what resolution uses
    subpath: str | None  # from the first '#', including it
    display: str | None  # explicit display text (after '|' or a Markdown link's text)
    line: int
    col: int
    key: str | None = None  # frontmatter key path ("related.0") for frontmatter links


@dataclass(slots=True)
class HeadingRecord:
    level: int
    text: str  # raw Markdown of the heading content, trimmed
    line: int


@dataclass(slots=True)
class BlockRecord:
    """A ``^block-id``: the id as written and the span of the block it labels."""

    block_id: str
    line: int  # first line of the labelled block
    end_line: int
    kind: str  # paragraph | list-item | heading | table | blockquote | code | list | other


@dataclass(slots=True)
class FieldRecord:
    """A page-level Dataview field; ``key`` is the raw key, the index adds canonical keys."""

    key: str
    value: Any
    source: str  # frontmatter | inline | list
    line: int | None


@dataclass(slots=True)
class ListItemRecord:
    """A list item or task (dataview.md §1.7)."""

    line: int
    line_count: int
    list_line: int  # first line of the enclosing list (-1 if none)
    parent: int | None  # line of the parent item, None for top-level items
    symbol: str
    status: str | None  # task status character, None for plain items
    text: str
    block_id: str | None
    fields: list[tuple[str, Any]] = field(default_factory=list)  # raw key, typed value
    tags: list[str] = field(default_factory=list)
    section: str | None = None  # text of the nearest preceding heading
    col: int = 0


@dataclass(slots=True)
class TagRecord:
    tag: str  # with '#', case as written
    source: str  # frontmatter | inline
    line: int | None


@dataclass(slots=True)
class QueryBlock:
    """A ```dataview / ```dataviewjs block or an inline `= expr` / `$= js` query."""

    kind: str  # dataview | dataviewjs | inline | inline-js
    source: str
    line: int


@dataclass(slots=True)
class NoteRecord:
    """Everything the index stores for one note, produced by a pure scan of its bytes."""

    path: str
    size: int
    content_hash: str
    text: str  # decoded content (replacement characters where the bytes were not UTF-8)
    body_start_line: int = 0
    frontmatter: dict[str, Any] | None = None
    title: str = ""
    aliases: list[str] = field(default_factory=list)
    tags: list[TagRecord] = field(default_factory=list)
    links: list[LinkRecord] = field(default_factory=list)
    headings: list[HeadingRecord] = field(default_factory=list)
    blocks: list[BlockRecord] = field(default_factory=list)
    fields: list[FieldRecord] = field(default_factory=list)
    list_items: list[ListItemRecord] = field(default_factory=list)
    queries: list[QueryBlock] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    publish: bool = False
