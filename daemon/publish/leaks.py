"""The leak audit: does anything of an unpublished note appear in what gardend publishes?

gardend promises that nothing of an unpublished note reaches published output. The compile steps
are written to keep that promise; this module *checks* it, independently of how the output was
made, by searching the output for text that exists only in unpublished notes.

**Private markers** are built from the index, for every note without ``dg-publish``:

=================  ==========================================================================
kind               what (and the threshold that keeps common words out)
=================  ==========================================================================
``body``           body text split at Markdown syntax (links, emphasis, code ticks, inline-field
                   ``::``…); a segment counts when it has ≥ 3 words and ≥ 16 characters; long
                   segments also give every window of 5 words, so a partial copy is caught
``token``          any single word of ≥ 10 characters mixing letters and digits (ids, codes,
                   ``PRIVATE-MARKER-7f3a``-like strings), anywhere in the note
``heading``        heading text with ≥ 2 words and ≥ 12 characters
``block-id``       ``^id`` of a block (≥ 6 characters), as ``^id``
``property``       string values of frontmatter and inline fields: ≥ 10 characters, or ≥ 6 with
                   a digit, space or punctuation (so ``status: private`` is *not* a marker)
``alias``          aliases, same threshold as property values
``tag``            tags carried only by unpublished notes (≥ 4 characters), as ``#tag``,
                   ``tags/tag`` and ``"tag"``
``path``           the vault path (with and without ``.md``) of a note in a folder
``file-name``      the file name without ``.md`` when ≥ 8 characters, or ≥ 6 with a space
``folder``         folders holding no published note, as ``folder/``
``asset-name``     attachments linked only from unpublished notes: vault path and file name
``asset-bytes``    … and their bytes (blob SHA-1), found whatever name they are published under
=================  ==========================================================================

Anything that also occurs in a published note is *not* private (case-insensitive comparison, per
searched form): a phrase the author wrote in both places, a note name typed in a published note,
a tag used by published notes too, the slug of a published note's path. The published text used
for that comparison is what its readers see: links to unpublished notes (from the index's link
table) reduced to their display text or the bare name typed, their embeds removed — so a *path*
typed in a published link stays private — plus the same text with every link reduced that way.
Private bodies are reduced the same way before markers are cut, so a link target is never a
marker of the note that links (the target's own path is the target's marker).

Every marker is searched in these **forms**: as written, HTML-escaped, JSON-escaped (ASCII and
UTF-8), percent-encoded (``encodeURIComponent``-like and ``encodeURI``), and slugified (per path
segment for paths); matching is case-sensitive per form, the slug form covers lower case.

**How the search is done.** :func:`build_markers` + :func:`audit` is the reference: every form of
every marker in one Aho–Corasick automaton. It is exact but costs about a minute on a 10k-note
vault whatever the size of the audited text. The publish gate and ``gardend check --leaks`` use
:class:`LeakStore`, which gives the same findings (a property test compares them) at a cost
proportional to what changed and to what is audited:

* each unpublished note's marker candidates ("cuts": kind, text, and for tags and folders the key
  of the vault-wide rule that can drop them) are kept in the index (``leak_notes``, each
  distinct text once in ``leak_texts``) with the content hash they were cut from, and only
  notes that changed are cut again (all of them when gardend or how the index scans changed);
* every form is reachable by a **key**, its last 16 characters (``leak_keys``), or, when
  shorter, by the whole form (``leak_short``). A form can only occur in a text if its key does,
  so a small audit looks up the text's 16-character windows in the index, a large one scans for
  all keys with one automaton; either way only the markers behind a key that occurs are
  expanded into their forms and searched for exactly;
* "does a published note show this too" is asked only of what was found: per published note,
  the casefolded text it shows is kept in ``leak_public`` and refreshed when it changes, and
  the answers are remembered until a published note that could change them changes.

Limits (honest ones): short private text (a 2-word line, a 5-letter tag, a file named ``Ideas``)
is not a marker, so its leak is not detected; text is found only verbatim or in the forms above
(no paraphrase, no other encodings such as base64, no text split by inserted markup); a private
phrase that happens to also occur in a published note is considered public; binary assets are
matched by exact bytes only (a resized image is not found).
"""

from __future__ import annotations

import array
import base64
import binascii
import contextlib
import functools
import hashlib
import html
import json
import logging
import operator
import os
import pickle
import re
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import quote

import ahocorasick

from .. import __version__
from ..index import QUERY_SYNTAX_SETTING, SCANNER_VERSION_SETTING, Index
from .jsfmt import encode_uri
from .queries import DATAVIEWJS_NOTICE, INLINE_JS_NOTICE
from .slug import slugify
from .transclusion import PRIVATE_PLACEHOLDER

if TYPE_CHECKING:
    from .gitsync import PublishPlan

__all__ = [
    "BackgroundCut",
    "Leak",
    "LeakStore",
    "Marker",
    "PrivateMarkers",
    "audit",
    "build_markers",
    "cut_in_background",
    "exposure",
    "repo_outputs",
    "site_dir_outputs",
    "variants",
]

log = logging.getLogger(__name__)

MIN_PHRASE_CHARS = 16
MIN_PHRASE_WORDS = 3
WINDOW_WORDS = 5
MIN_TOKEN_CHARS = 10
MIN_HEADING_CHARS = 12
MIN_VALUE_CHARS = 6
MIN_PLAIN_VALUE_CHARS = 10
MIN_BLOCK_ID_CHARS = 6
MIN_TAG_CHARS = 4
MIN_NAME_CHARS = 8

#: Where a body line is cut: wikilink/embed brackets, Markdown link syntax, emphasis, code ticks,
#: highlights, table pipes, HTML brackets, inline-field separators, block ids.
_SPLIT = re.compile(r"\[\[|\]\]|!?\[|\]\(|[`*_=~|<>()\[\]{}]|::|\s\^[\w-]+\s*$")
_LINE_PREFIX = re.compile(r"^\s*(?:>\s*)*(?:#{1,6}\s+|[-*+]\s+(?:\[.\]\s+)?|\d+[.)]\s+(?:\[.\]\s+)?)?")
_TOKEN = re.compile(r"\w[\w.-]{" + str(MIN_TOKEN_CHARS - 2) + r",}\w")
_WIKILINK = re.compile(r"(!?)\[\[([^\]|]*)(?:\\?\|([^\]]*))?\]\]")
_MD_LINK = re.compile(r"(!?)\[([^\]]*)\]\(([^)]*)\)")
_WORDS = re.compile(r"\S+")

#: Text that every published page may show (safe mode's placeholders): never private.
_ALWAYS_PUBLIC = (PRIVATE_PLACEHOLDER, DATAVIEWJS_NOTICE, INLINE_JS_NOTICE)


@dataclass(frozen=True)
class Marker:
    """One piece of private text: what it is, which unpublished note it comes from."""

    text: str
    kind: str
    source: str


@dataclass(frozen=True)
class Leak:
    """Private text found in an output: ``where`` is the output's name (a repository path, a
    site file or URL), ``excerpt`` the form of the marker that was found there."""

    marker_kind: str
    source_note: str
    where: str
    excerpt: str

    def as_text(self) -> str:
        return f'{self.where}: private text from {self.source_note} ({self.marker_kind}): "{self.excerpt}"'


@dataclass
class PrivateMarkers:
    markers: list[Marker] = field(default_factory=list)
    blobs: dict[str, Marker] = field(default_factory=dict)
    """Blob SHA-1 of private-only attachments → their marker (kind ``asset-bytes``)."""
    public: _Substrings | None = None
    """What published notes show (casefolded): a *form* found there is not private either (the
    slug of a private phrase can equal a published note's permalink)."""
    _needles: dict[str, Marker] | None = None

    def needles(self) -> dict[str, Marker]:
        """Every searched string (all forms of all markers) → the marker it stands for."""
        if self._needles is None:
            out: dict[str, Marker] = {}
            forms = [(marker, _forms(marker)) for marker in self.markers]
            if self.public is not None:
                self.public.prefetch(f.casefold() for _, fs in forms for f in fs)
            for marker, marker_forms in forms:
                for form in marker_forms:
                    if self.public is not None and self.public.contains(form.casefold()):
                        continue
                    out.setdefault(form, marker)
            self._needles = out
        return self._needles


# -- variants ------------------------------------------------------------------------------------

def _ascii_table(encode: Callable[[str], str]) -> dict[int, str]:
    """``str.translate`` table doing what ``encode`` does to printable ASCII, built by asking
    ``encode`` itself one character at a time (each of the escapes below maps a printable ASCII
    character on its own, so the table is exact). Only characters it changes are listed."""
    table: dict[int, str] = {}
    for code in range(0x20, 0x7F):
        encoded = encode(chr(code))
        if encoded != chr(code):
            table[code] = encoded
    return table


#: The escapes of :func:`variants` other than the slug, as tables for printable ASCII text: a
#: translate is a single C call where ``quote`` and ``encode_uri`` loop in Python (a 10k-note
#: vault has about a million forms to make).
_HTML_JSON_TABLES = (
    _ascii_table(html.escape),
    _ascii_table(lambda c: html.escape(c, quote=False)),
    _ascii_table(lambda c: json.dumps(c)[1:-1]),
    _ascii_table(lambda c: json.dumps(c, ensure_ascii=False)[1:-1]),
)
_QUOTE_ALL = _ascii_table(lambda c: quote(c, safe=""))
_QUOTE_PATH = _ascii_table(lambda c: quote(c, safe="/"))
_ENCODE_URI = _ascii_table(encode_uri)
_ASCII_TABLES = (*_HTML_JSON_TABLES, _QUOTE_ALL, _QUOTE_PATH, _ENCODE_URI)

_HTML_JSON_SPECIAL = re.compile("[" + re.escape("".join(sorted({chr(c) for t in _HTML_JSON_TABLES for c in t}))) + "]")
"""The characters HTML and JSON escaping change in printable ASCII (``&<>"'\\``): text without
them is its own HTML and JSON form."""
assert {c for c in _QUOTE_ALL if _QUOTE_ALL[c] != _QUOTE_PATH.get(c, chr(c))} == {ord("/")}

_PLAIN = re.compile(r"[A-Za-z0-9 _.~-]*\Z")
"""Text every escape above leaves alone but for ``%20`` for a space (most body text): checked
below against the tables themselves, so the short cut cannot drift from the escapes."""
_PLAIN_CHARS = "".join(map(chr, [*range(48, 58), *range(65, 91), *range(97, 123)])) + " _.~-"
assert all(_PLAIN.match(c) for c in _PLAIN_CHARS) and any(t.get(32) == "%20" for t in _ASCII_TABLES)
assert all(t.get(ord(c), c) in (c, "%20" if c == " " else c) for c in _PLAIN_CHARS for t in _ASCII_TABLES)

_word_slug = functools.lru_cache(maxsize=1 << 16)(slugify)
"""``slugify`` of one word, memoised: the body windows of a vault reuse few words many times."""


def _slug_segment(text: str) -> str:
    """``slugify(text)``. For ASCII text it is the slugs of its space-separated words joined by
    ``-`` (empty ones left out), which is exact: ASCII transliteration only replaces ``&``,
    decamelize's patterns never match a space, and the last step joins the ``[a-z0-9]`` runs
    with ``-`` — so a space separates runs whatever surrounds it. Words repeat, so their slugs
    come from a memo."""
    if text.isascii():
        return "-".join([s for s in map(_word_slug, text.split(" ")) if s])
    return slugify(text)


def _slug_path(text: str) -> str:
    return "/".join(_slug_segment(part) for part in text.split("/"))


def variants(text: str, slugs: bool = True) -> set[str]:
    """The forms in which ``text`` can reach an output: as written, HTML-escaped (both quote
    modes), JSON-escaped (ASCII and UTF-8), percent-encoded (component and ``encodeURI``) and
    slugified (each ``/``-separated part). Forms that would be too short to be distinctive
    (a slug that lost most of its letters) are dropped. ``slugs=False`` leaves the slug out
    (the costliest form, and one that can only be wanted through a key of its own alphabet:
    see :data:`_SLUG_KEY`)."""
    if _PLAIN.match(text):
        forms = {text, text.replace(" ", "%20")}
    elif text.isascii() and text.isprintable():
        quoted = text.translate(_QUOTE_ALL)
        forms = {text, quoted, text.translate(_QUOTE_PATH) if "/" in text else quoted, text.translate(_ENCODE_URI)}
        if _HTML_JSON_SPECIAL.search(text):
            forms.update(text.translate(table) for table in _HTML_JSON_TABLES)
    else:
        forms = {
            text,
            html.escape(text),
            html.escape(text, quote=False),
            json.dumps(text)[1:-1],
            json.dumps(text, ensure_ascii=False)[1:-1],
            quote(text, safe=""),
            quote(text, safe="/"),
            encode_uri(text),
        }
    slug = _slug_path(text) if slugs else ""
    if len(slug) >= MIN_NAME_CHARS:
        kept = len(slug) - slug.count("-") - slug.count("/")  # a slug is [a-z0-9] joined by - and /
        if kept >= 0.7 * sum(map(str.isalnum, text)):
            forms.add(slug)  # a slug that lost most of the text ("日本語 editor" → "editor") is not distinctive
    forms.discard("")
    return forms


def _forms_of(kind: str, text: str, slugs: bool = True) -> set[str]:
    """Every searched form of the marker ``(kind, text)`` (without slugs: see :func:`variants`)."""
    if kind == "tag":
        bare = text.lstrip("#")
        out: set[str] = set()
        for form in (text, text.lower(), f"tags/{bare}", f"tags/{bare.lower()}", f'"{bare}"'):
            out |= variants(form, slugs)
        return out
    if kind == "folder":
        return variants(text + "/", slugs)
    if kind == "block-id":
        return variants("^" + text, slugs)
    return variants(text, slugs)


_SLUG_KEY = re.compile(r"[a-z0-9/-]*").fullmatch
"""Whether a key can be the end of a slug form: slugs are ``[a-z0-9]`` runs joined by ``-`` and
``/``, so a key with any other character is never a slug's."""


def _forms(marker: Marker) -> set[str]:
    return _forms_of(marker.kind, marker.text)


def _probe(kind: str, text: str) -> str:
    """What must not occur in published text for ``(kind, text)`` to be private (casefolded)."""
    probe = {"tag": text.lstrip("#"), "folder": text + "/", "block-id": "^" + text}.get(kind, text)
    return probe.casefold()


# -- building markers ----------------------------------------------------------------------------

def _words(text: str) -> list[str]:
    return _WORDS.findall(text)


def _phrase(text: str) -> bool:
    return len(text) >= MIN_PHRASE_CHARS and len(_words(text)) >= MIN_PHRASE_WORDS


def _token(word: str) -> bool:
    return len(word) >= MIN_TOKEN_CHARS and any(c.isdigit() for c in word) and any(c.isalpha() for c in word)


def _value(text: str) -> bool:
    text = text.strip()
    if len(text) >= MIN_PLAIN_VALUE_CHARS:
        return True
    return len(text) >= MIN_VALUE_CHARS and any(not c.isalpha() for c in text)


def _body_segments(body: str) -> Iterable[tuple[str, str]]:
    """(kind, text) of every distinctive piece of a note body."""
    for line in body.split("\n"):
        for word in _TOKEN.findall(line):
            if _token(word):
                yield "token", word
        line = _LINE_PREFIX.sub("", line, count=1)
        for segment in _SPLIT.split(line):
            segment = segment.strip(" \t:,.;!?\"'-")
            if not _phrase(segment):
                continue
            yield "body", segment
            words = _words(segment)
            if len(words) > WINDOW_WORDS + 2:
                for i in range(len(words) - WINDOW_WORDS + 1):
                    window = " ".join(words[i:i + WINDOW_WORDS])
                    if len(window) >= MIN_PHRASE_CHARS:
                        yield "body", window


def _strings(value: Any) -> Iterable[str]:
    """The strings of a stored field value (:func:`gardend.daemon.values.to_storage`). A link's
    ``#subpath`` is left out: it names a heading or block of the target — a marker of that note
    when it is private — and the index keeps it normalised (``What's next?`` → ``What s next``),
    a form no reader sees, whose slug can equal a published heading's id."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        is_link = value.get("$t") == "link"
        for k, v in value.items():
            if not (is_link and k == "s"):
                yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def _reader_text(text: str) -> str:
    """What a reader of a published note sees of its links: display text or the bare name typed
    (never a typed path); embeds dropped."""

    def wiki(m: re.Match[str]) -> str:
        if m.group(1):
            return " "
        if m.group(3) is not None:
            return m.group(3)
        return m.group(2).split("#")[0].rsplit("/", 1)[-1]

    def md(m: re.Match[str]) -> str:
        if m.group(1):
            return " "
        return m.group(2) if "://" not in m.group(3) else m.group(0)

    return _MD_LINK.sub(md, _WIKILINK.sub(wiki, text))


PrivateLink = tuple[str, str | None, str, int]
"""A link of a published note to an unpublished one: (original, display, linkpath, embed)."""


def _published_text(text: str, private_links: list[PrivateLink]) -> str:
    """A published note's text as its readers see it: each link to an unpublished note reduced
    to its display text or the bare name typed, embeds of one removed (safe mode's rules).
    Other links stay as typed: the author published them."""
    for original, display, linkpath, embed in sorted(private_links, key=lambda link: -len(link[0])):
        shown = "" if embed else (display if display is not None else linkpath.rsplit("/", 1)[-1])
        text = text.replace(original, shown)
    return text


@dataclass
class _NoteInputs:
    """What markers and public text are made of, for one note (rows of the index)."""

    title: str = ""
    text: str = ""
    start: int = 0
    headings: list[str] = field(default_factory=list)
    blocks: list[str] = field(default_factory=list)
    fields: list[str] = field(default_factory=list)
    """Stored JSON values of frontmatter and inline fields."""
    aliases: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)


_INPUT_QUERIES = (
    ("headings", "SELECT note_id, text FROM headings{where} ORDER BY note_id, seq"),
    ("blocks", "SELECT note_id, block_id FROM blocks{where} ORDER BY note_id, id_lower"),
    ("fields", "SELECT note_id, value FROM fields{where} ORDER BY note_id, seq"),
    ("aliases", "SELECT note_id, alias FROM aliases{where} ORDER BY note_id, seq"),
    ("tags", "SELECT note_id, tag FROM tags{where} ORDER BY note_id, seq"),
)


def _note_inputs(conn: sqlite3.Connection, ids: Iterable[int] | None = None) -> dict[int, _NoteInputs]:
    """file id → inputs, for ``ids`` (every note when None: a few table scans, no per-note query)."""
    out: dict[int, _NoteInputs] = {}
    wanted = None if ids is None else sorted(set(ids))
    chunks: list[list[int] | None] = [None] if wanted is None else [
        wanted[i:i + 500] for i in range(0, len(wanted), 500)
    ]
    for chunk in chunks:
        if chunk is not None and not chunk:
            continue
        where = "" if chunk is None else f" WHERE {{col}} IN ({','.join('?' * len(chunk))})"
        params = chunk or ()
        for note_id, title, text, start in conn.execute(
            "SELECT file_id, title, text, body_start_line FROM notes" + where.format(col="file_id"), params
        ):
            out[note_id] = _NoteInputs(title, text, start)
        for attr, sql in _INPUT_QUERIES:
            for note_id, value in conn.execute(sql.format(where=where.format(col="note_id")), params):
                note = out.get(note_id)
                if note is not None:
                    getattr(note, attr).append(value)
    return out


def _private_links(conn: sqlite3.Connection) -> dict[int, list[PrivateLink]]:
    """file id of a published note → its links to unpublished notes, in link order."""
    out: dict[int, list[PrivateLink]] = {}
    for note_id, original, display, linkpath, embed in conn.execute(
        "SELECT l.note_id, l.original, l.display, l.linkpath, l.embed FROM links l"
        " JOIN notes n ON n.file_id = l.note_id WHERE n.publish = 1 AND l.target_path IN"
        " (SELECT f.path FROM files f JOIN notes p ON p.file_id = f.id WHERE p.publish = 0)"
        " ORDER BY l.note_id, l.seq"
    ):
        out.setdefault(note_id, []).append((original, display, linkpath, embed))
    return out


def _public_parts(path: str, note: _NoteInputs, private_links: list[PrivateLink]) -> list[str]:
    """What a published note shows: its path and title, its text as readers see it (see
    :func:`_published_text`, then with every link reduced too), aliases, field values and the
    slug of its path (its permalink)."""
    shown = _published_text(note.text, private_links)
    parts = [path, note.title, shown, _reader_text(shown), *note.aliases]
    for stored in note.fields:
        parts += _strings(json.loads(stored))
    parts.append(_slug_path(path[:-3] if path.endswith(".md") else path))
    return parts


Cut = tuple[str, str, "str | None"]
"""A marker candidate of one note: (kind, text, gate). ``gate`` is set for the kinds a vault-wide
rule can drop: a tag's lower-cased form (dropped when a published note has the tag) and a
folder's path (dropped when the folder holds something published)."""


def _note_cuts(path: str, note: _NoteInputs) -> list[Cut]:
    """The marker candidates of one unpublished note, in order, from the note alone: what it
    yields depends only on its path and content, so it can be kept per note (:class:`LeakStore`)."""
    out: list[Cut] = []
    seen: set[Cut] = set()

    def add(kind: str, text: str, gate: str | None = None) -> None:
        text = text.strip()
        if not text:
            return
        cut = (kind, text, gate)
        if cut not in seen:
            seen.add(cut)
            out.append(cut)

    # Link targets are left out: a path to a published note is public, and the path of a
    # private note is that note's own marker.
    body = _reader_text("\n".join(note.text.split("\n")[note.start:]))
    for kind, segment in _body_segments(body):
        add(kind, segment)
    for heading in note.headings:
        heading = heading.strip("# ")
        if len(heading) >= MIN_HEADING_CHARS and len(_words(heading)) >= 2:
            add("heading", heading)
    for block_id in note.blocks:
        if len(block_id) >= MIN_BLOCK_ID_CHARS:
            add("block-id", block_id)
    for stored in note.fields:
        for value in _strings(json.loads(stored)):
            if _value(value):
                add("property", value)
    for alias in note.aliases:
        if _value(alias):
            add("alias", alias)
    for tag in note.tags:
        if len(tag.lstrip("#")) >= MIN_TAG_CHARS:
            add("tag", tag, tag.lower())
    stem = path[:-3] if path.endswith(".md") else path
    name = stem.rsplit("/", 1)[-1]
    if "/" in stem:
        add("path", path)
        add("path", stem)
    if len(name) >= MIN_NAME_CHARS or (len(name) >= 6 and " " in name):
        add("file-name", name)
    folder = path.rsplit("/", 1)[0] if "/" in path else ""
    parts = folder.split("/") if folder else []
    for i in range(1, len(parts) + 1):
        prefix = "/".join(parts[:i])
        add("folder", prefix, prefix)
    return out


def _published_canvas_assets(conn: sqlite3.Connection) -> set[str]:
    """Attachments a published canvas shows (file nodes, group backgrounds, embeds in its text
    nodes): public like those a published note links to. Canvases have no ``links`` rows, so
    their references are read from the canvas text and matched to attachments by vault path,
    else by a file name that only one attachment has (Obsidian's resolution for bare names)."""
    try:
        texts = [r[0] for r in conn.execute("SELECT text FROM canvases WHERE publish = 1 AND valid = 1")]
    except sqlite3.OperationalError:  # an index from before schema 5
        return set()
    if not texts:
        return set()
    from ..canvas import canvas_attachment_refs

    attachments = [r[0] for r in conn.execute("SELECT path FROM files WHERE is_note = 0")]
    by_path = set(attachments)
    by_name: dict[str, list[str]] = {}
    for path in attachments:
        by_name.setdefault(path.rsplit("/", 1)[-1].lower(), []).append(path)
    out: set[str] = set()
    for text in texts:
        for ref in canvas_attachment_refs(text):
            if ref in by_path:
                out.add(ref)
            elif len(found := by_name.get(ref.rsplit("/", 1)[-1].lower(), [])) == 1:
                out.add(found[0])
    return out


def _published_canvas_parts(conn: sqlite3.Connection) -> list[str]:
    """What published canvases show, as :func:`_public_parts` says for notes: the path, its slug
    and the author's words with links reduced to what a reader sees (display text or the bare
    name typed, never a typed path; embeds dropped). Canvases are few: made on every audit."""
    try:
        rows = conn.execute(
            "SELECT f.path, c.text FROM files f JOIN canvases c ON c.file_id = f.id"
            " WHERE c.publish = 1 AND c.valid = 1 ORDER BY f.path"
        ).fetchall()
    except sqlite3.OperationalError:  # an index from before schema 5
        return []
    from ..canvas import canvas_text_of

    parts: list[str] = []
    for path, text in rows:
        parts += [path, _slug_path(path), _reader_text(canvas_text_of(text))]
    return parts


_DATA_MARKDOWN = re.compile(r'data-markdown="([A-Za-z0-9+/=]*)"')


def _decoded_canvas_markdown(text: str) -> str:
    """The Markdown a compiled canvas carries base64-encoded in ``data-markdown`` attributes
    (the garden decodes and renders it): searched like any other output text."""
    if "data-markdown=" not in text:
        return ""
    parts = []
    for m in _DATA_MARKDOWN.finditer(text):
        try:
            parts.append(base64.b64decode(m.group(1), validate=True).decode("utf-8", "replace"))
        except (binascii.Error, ValueError):
            continue
    return "\n".join(parts)


@dataclass
class _Vault:
    """The vault-wide facts markers depend on, from a few cheap queries of the index."""

    notes: list[tuple[int, str, str | None, int, bool]]
    """(file id, path, content hash, scan stamp, published) of every note, by path. The stamp is
    always :data:`SCAN_STAMP`: see there."""
    published_tags: set[str]
    """Lower-cased tags of published notes: a tag they carry is not private."""
    public_assets: set[str]
    """Attachments a published note links to."""
    private_assets: dict[str, str]
    """Attachments only unpublished notes link to → the first of them (link order)."""
    public_folder_prefixes: set[str]
    """Folders (and their ancestors) holding a published note or a public attachment."""

    @classmethod
    def load(cls, conn: sqlite3.Connection) -> _Vault:
        notes = [
            (r[0], r[1], r[2], r[3], bool(r[4]))
            for r in conn.execute(
                "SELECT f.id, f.path, f.content_hash, ?, n.publish FROM files f"
                " JOIN notes n ON n.file_id = f.id ORDER BY f.path", (SCAN_STAMP,)
            )
        ]
        published = {r[0] for r in notes if r[4]}
        private = {r[0]: r[1] for r in notes if not r[4]}
        tags = {
            tag.lower()
            for (tag,) in conn.execute(
                "SELECT t.tag FROM tags t JOIN notes n ON n.file_id = t.note_id WHERE n.publish = 1"
            )
        }
        links = conn.execute(  # from the attachments (fewer than links): each is one index look-up
            "SELECT l.note_id, l.target_path FROM files t CROSS JOIN links l ON l.target_path = t.path"
            " WHERE t.is_note = 0 ORDER BY l.note_id, l.seq"
        ).fetchall()
        public_assets = {t for n, t in links if n in published} | _published_canvas_assets(conn)
        private_assets: dict[str, str] = {}
        for note_id, target in links:
            if note_id in private and target not in public_assets:
                private_assets.setdefault(target, private[note_id])
        folders = {
            p.rsplit("/", 1)[0] for p in [r[1] for r in notes if r[4]] + sorted(public_assets) if "/" in p
        }
        prefixes = {"/".join(f.split("/")[:i]) for f in folders for i in range(1, f.count("/") + 2)}
        return cls(notes, tags, public_assets, private_assets, prefixes)

    def passes(self, kind: str, gate: str | None) -> bool:
        """Whether a cut survives the vault-wide rules (see :data:`Cut`)."""
        if gate is None:
            return True
        if kind == "tag":
            return gate not in self.published_tags
        return gate not in self.public_folder_prefixes

    def asset_cuts(self) -> list[tuple[str, str, str]]:
        """(kind, text, source note) of the private attachments' name markers, in marker order."""
        out: list[tuple[str, str, str]] = []
        for target, source in sorted(self.private_assets.items()):
            out.append(("asset-name", target, source))
            out.append(("asset-name", target.rsplit("/", 1)[-1], source))
        return out


def build_markers(index: Index, root: Path | None = None) -> PrivateMarkers:
    """The private markers of the vault in ``index`` (``root`` is needed for asset bytes).

    This is the reference the faster :class:`LeakStore` is tested against: everything is made
    from scratch, and every marker is checked against everything published."""
    conn = index.conn
    vault = _Vault.load(conn)
    inputs = _note_inputs(conn)
    links = _private_links(conn)

    # -- what published notes show (text shared with them is not private) --
    public_parts: list[str] = [*_ALWAYS_PUBLIC, *sorted(vault.public_assets), *_published_canvas_parts(conn)]
    for note_id, path, _hash, _at, publish in vault.notes:
        if publish:
            public_parts += _public_parts(path, inputs.get(note_id) or _NoteInputs(), links.get(note_id, []))
    public = _Substrings([part.casefold() for part in public_parts])

    result = PrivateMarkers(public=public)
    seen: set[tuple[str, str]] = set()
    pending: list[tuple[Marker, str]] = []

    def add(kind: str, text: str, source: str) -> None:
        """A private marker, unless published text shows it too (checked in one batch below)."""
        text = text.strip()
        if not text or (kind, text) in seen:
            return
        seen.add((kind, text))
        pending.append((Marker(text, kind, source), _probe(kind, text)))

    for note_id, path, _hash, _at, publish in vault.notes:
        if publish:
            continue
        for kind, text, gate in _note_cuts(path, inputs.get(note_id) or _NoteInputs()):
            if vault.passes(kind, gate):
                add(kind, text, path)

    # -- attachments linked only from unpublished notes --
    public_blobs: set[str] = set()
    if root is not None:
        for target in vault.public_assets:
            data = _read(root / target)
            if data is not None:
                public_blobs.add(_blob_sha(data))
    for kind, text, source in vault.asset_cuts():
        add(kind, text, source)
    if root is not None:
        for target, source in sorted(vault.private_assets.items()):
            data = _read(root / target)
            if data is not None and data and _blob_sha(data) not in public_blobs:
                result.blobs[_blob_sha(data)] = Marker(target, "asset-bytes", source)
    public.prefetch(probe for _, probe in pending)
    result.markers = [marker for marker, probe in pending if not public.contains(probe)]
    return result


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def _blob_sha(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


_EMPTY_BLOB = _blob_sha(b"")


# -- the audit -----------------------------------------------------------------------------------

class _Substrings:
    """Which of many strings occur in a set of texts (optionally: in which texts).

    An Aho–Corasick automaton over the strings scans every text once, in C (pyahocorasick), so
    a 10k-note vault with hundreds of thousands of private markers is audited in seconds and in
    little memory; an n-gram index of the outputs, the previous approach, needed minutes and
    gigabytes. Strings are looked up in batches (:meth:`prefetch`): each batch is one automaton
    and one pass over the texts."""

    def __init__(self, texts: list[str]) -> None:
        self.texts = texts
        self.known: dict[str, bool] = {}

    def prefetch(self, needles: Iterable[str]) -> None:
        new = {n for n in needles if n and n not in self.known}
        if not new:
            return
        found: set[str] = set()
        for _i, hits in _scan(self.texts, new):
            found |= hits
        for needle in new:
            self.known[needle] = needle in found

    def contains(self, needle: str) -> bool:
        if needle not in self.known:
            self.prefetch([needle])
        return self.known.get(needle, False)


def _automaton(needles: Iterable[str]) -> Any:
    automaton = ahocorasick.Automaton()
    for needle in needles:
        if needle:
            automaton.add_word(needle, needle)
    if len(automaton) == 0:
        return None
    automaton.make_automaton()
    return automaton


def _scan(texts: list[str], needles: Iterable[str]) -> Iterable[tuple[int, set[str]]]:
    """(text number, the needles found in it) for every text holding at least one needle."""
    automaton = _automaton(needles)
    if automaton is None:
        return
    for i, text in enumerate(texts):
        hits = {needle for _end, needle in automaton.iter(text)}
        if hits:
            yield i, hits


def _scan_each(texts: list[str], needles: Iterable[str]) -> dict[int, set[str]]:
    """Text number → the needles found in it, for every text holding at least one (each
    distinct line scanned once: see :class:`_Lines`)."""
    lines = _Lines(texts)
    wanted = {n for n in needles if n}
    out = lines.per_text(lines.scan(wanted))
    for i, hits in lines.multiline(wanted).items():
        out.setdefault(i, set()).update(hits)
    return out


class _Lines:
    """Many texts, to be searched by their distinct lines.

    Published pages repeat lines by the thousand (a Dataview table or list shown on many pages,
    front matter, fences, the shown text of a note next to the same text with its links
    reduced): on the 10k-note bench vault the distinct lines of a first publish are a fifth of
    its text. A needle holding no line separator occurs in a text exactly when it occurs in one
    of the text's lines, so each distinct line is scanned once and its hits are shared by every
    text that has it; the rare needle holding a separator (a multi-line property value) is
    looked for in the whole texts (:meth:`multiline`). ``separators`` end lines: the newline,
    and whatever else the caller knows few needles hold (HTML's angle brackets, which marker
    text never holds once Markdown syntax is cut out, split generated pages much finer)."""

    def __init__(self, texts: list[str], separators: str = "\n") -> None:
        self.texts = texts
        self.separators = separators
        pattern = re.compile("[" + re.escape(separators) + "]")
        self._split = pattern.split
        self._crossing = pattern.search
        self.lines: list[str] = []
        """Each distinct line once; a line is known by its place here."""
        self.of_text: list[list[int]] = []
        """Per text, its distinct lines."""
        number: dict[str, int] = {}
        for text in texts:
            for separator in separators[1:]:
                text = text.replace(separator, separators[0])
            ids: list[int] = []
            for line in set(text.split(separators[0])):
                n = number.get(line)
                if n is None:
                    n = number[line] = len(self.lines)
                    self.lines.append(line)
                ids.append(n)
            self.of_text.append(ids)

    def crossing(self, needle: str) -> bool:
        """Whether ``needle`` holds a separator (and so may span lines)."""
        return self._crossing(needle) is not None

    def scan(self, needles: Iterable[str], only: Iterable[int] | None = None, *, automaton: Any = None) -> (
            dict[int, set[str]]):
        """Line number → the needles found in it (in the lines ``only``, or all), of the needles
        that hold no separator (``automaton``: theirs, made beforehand)."""
        if automaton is None:
            crossing = self._crossing
            automaton = _automaton(n for n in needles if crossing(n) is None)
        if automaton is None:
            return {}
        out: dict[int, set[str]] = {}
        lines = self.lines
        for number in range(len(lines)) if only is None else only:
            hits = {needle for _end, needle in automaton.iter(lines[number])}
            if hits:
                out[number] = hits
        return out

    def per_text(self, by_line: dict[int, set[str]]) -> dict[int, set[str]]:
        """Text number → the union of its lines' hits, for the texts with any."""
        out: dict[int, set[str]] = {}
        if not by_line:
            return out
        for i, numbers in enumerate(self.of_text):
            found: set[str] = set()
            for number in numbers:
                hits = by_line.get(number)
                if hits:
                    found |= hits
            if found:
                out[i] = found
        return out

    def multiline(self, needles: Iterable[str]) -> dict[int, set[str]]:
        """Text number → the needles holding a separator found in it. Each occurs only in texts
        where its longest separator-free piece occurs in a line; only those are searched whole."""
        crossing = self._crossing
        multi = sorted({n for n in needles if crossing(n) is not None})
        if not multi:
            return {}
        piece = {n: max(self._split(n), key=len) for n in multi}
        candidates = self.per_text(self.scan({p for p in piece.values() if p}))
        out: dict[int, set[str]] = {}
        for needle in multi:
            p = piece[needle]
            where = range(len(self.texts)) if not p else [i for i, hits in candidates.items() if p in hits]
            for i in where:
                if needle in self.texts[i]:
                    out.setdefault(i, set()).add(needle)
        return out


def _has_angles(needles: list[str]) -> bool:
    """Whether any needle holds ``<`` or ``>`` (one search of them all joined)."""
    joined = "\0".join(needles)
    return "<" in joined or ">" in joined


MAX_CROSSING = 64
"""A large audit splits output lines at HTML's angle brackets too, unless more keys and whole forms
than this hold one (each is then searched for in whole texts)."""


LeakKey = tuple[str, str, str]
"""(where, source note, marker kind): one finding."""


def _outputs(outputs: Iterable[tuple[str, bytes]], blobs: dict[str, Marker]) -> tuple[
        list[str], list[str], dict[LeakKey, Leak]]:
    """Names and searched texts of ``outputs`` (the name is searched too: a published file
    named after a private one leaks that name), and the findings of private attachment bytes."""
    names: list[str] = []
    texts: list[str] = []
    leaks: dict[LeakKey, Leak] = {}
    for name, data in outputs:
        names.append(name)
        decoded = data.decode("utf-8", "replace")
        texts.append(name + "\n" + decoded + "\n" + _decoded_canvas_markdown(decoded))
        blob = blobs.get(_blob_sha(data)) if data else None
        if blob is not None:
            leaks.setdefault((name, blob.source, blob.kind), Leak(blob.kind, blob.source, name, blob.text))
    return names, texts, leaks


def _findings(names: list[str], leaks: dict[LeakKey, Leak], hits: Iterable[tuple[int, str, Marker]]) -> list[Leak]:
    """One leak per output, marker source and kind; its excerpt is the longest form found (of
    equal ones the first in code-point order, so the report never depends on set order)."""
    best: dict[LeakKey, str] = {}
    for i, form, marker in hits:
        key = (names[i], marker.source, marker.kind)
        current = best.get(key)
        if current is None or len(form) > len(current) or (len(form) == len(current) and form < current):
            best[key] = form
    for key, form in best.items():
        leaks.setdefault(key, Leak(key[2], key[1], key[0], _excerpt(form)))
    return sorted(leaks.values(), key=lambda leak: (leak.where, leak.source_note, leak.marker_kind))


def audit(markers: PrivateMarkers, outputs: Iterable[tuple[str, bytes]]) -> list[Leak]:
    """Leaks in ``outputs`` ((name, bytes) pairs): one per output, marker source and kind, with the
    longest form found as the excerpt. The output's *name* is searched too (a published file
    named after a private one leaks that name)."""
    names, texts, leaks = _outputs(outputs, markers.blobs)
    needles = markers.needles()
    hits = ((i, needle, needles[needle]) for i, found in _scan(texts, needles) for needle in found)
    return _findings(names, leaks, hits)


def _excerpt(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def exposure(leaks: Iterable[Leak]) -> list[str]:
    """The unpublished notes whose content or paths the audited output exposes, sorted."""
    return sorted({leak.source_note for leak in leaks})


# -- the persistent audit ------------------------------------------------------------------------

KEY_CHARS = 16
"""A form is found through its last ``KEY_CHARS`` characters (the whole form when shorter). The
end rather than the start: private paths and phrases share beginnings (a folder, "How to ...")
far more often than endings, so a key that occurs brings fewer markers to check."""

SMALL_AUDIT_CHARS = 8_000_000
"""Up to this many characters, an audit looks up each 16-character window of the text in the
index (about a second per million characters on the 10k-note bench vault); beyond it, one
automaton of all keys scans the text (some 8 seconds, then about as fast per character)."""

_Owner = tuple[tuple[int, str, int], str, str, "str | None", str]
"""A marker a found form can stand for: (order, kind, text, gate, source note). ``order`` is the
marker's place in :func:`build_markers`' list — notes by path, each in cut order, then the
attachments — since a form shared by several markers stands for the first that is private."""


def _text_id(kind: str, text: str) -> int:
    """The id of a marker text in ``leak_texts``: a 63-bit hash of kind and text, so that the
    same phrase cut from a thousand notes is stored, expanded into forms and keyed once. A
    collision (never seen, but checked when a text is stored) makes the audit fall back to
    the reference."""
    digest = hashlib.blake2b(f"{kind}\0{text}".encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "big") >> 1


_GATED_KINDS = ("folder", "tag")
"""Kinds whose markers a vault-wide rule can drop. They are not keyed: most are dropped (a
folder holding a published note is public, and its name is in every link into it), so each
audit searches for the forms of the few that pass (see :meth:`LeakStore._whole_forms`)."""


def _text_rows(text_id: int, kind: str, text: str, forms: Iterable[str] | None = None) -> tuple[
        list[tuple[str, int]], list[tuple[str, int]]]:
    """The ``leak_keys`` and ``leak_short`` rows of one marker text: (key or whole form, id)."""
    keys: set[str] = set()
    short: list[tuple[str, int]] = []
    if kind in _GATED_KINDS:
        return [], []
    for form in _forms_of(kind, text) if forms is None else forms:
        if len(form) >= KEY_CHARS:
            keys.add(form[-KEY_CHARS:])
        else:
            short.append((form, text_id))
    return [(key, text_id) for key in keys], short


SCAN_STAMP = 0
"""What the ``indexed_at_ns`` columns of ``leak_notes`` and ``leak_public`` hold now. A note's
rows (what its cuts and its shown text are made of) are the scan of its content, so they change
with its content hash — or, for the same content, when the index scans it again because the
scanner or the query syntax changed, which :func:`_fingerprint` covers for all notes at once.
They were keyed by the index time before, but that also moves when a sync only confirms that a
"racily clean" file is unchanged (on the first sync after a vault was copied or checked out,
thousands of notes), which cut them all again for nothing."""


def _fingerprint(conn: sqlite3.Connection) -> str:
    """What every stored row depends on besides each note's content: the code
    (:func:`_store_fingerprint`) and how the index scanned the notes (the scanner version and
    the query syntax; a change of either re-scans notes whose content did not change). A new
    fingerprint empties the tables."""
    scan = dict(conn.execute(
        "SELECT key, value FROM settings WHERE key IN (?, ?)", (SCANNER_VERSION_SETTING, QUERY_SYNTAX_SETTING)
    ).fetchall())
    scan_state = f"{scan.get(SCANNER_VERSION_SETTING)}\0{scan.get(QUERY_SYNTAX_SETTING)}"
    return hashlib.sha256(f"{_store_fingerprint()}\0{scan_state}".encode("utf-8", "surrogatepass")).hexdigest()


@functools.cache
def _store_fingerprint() -> str:
    """What stored cuts and keys depend on besides the notes: this code, the slug and escape
    code, and Python (``html``, ``json`` and ``urllib`` escapes)."""
    from . import jsfmt, slug, transliteration

    h = hashlib.sha256(f"{__version__}\0{sys.version}\0{KEY_CHARS}\n".encode())
    for module_file in (__file__, slug.__file__, transliteration.__file__, jsfmt.__file__):
        h.update(Path(module_file).read_bytes())
    return h.hexdigest()


def _pack(ids: list[int]) -> bytes:
    """Text ids as 8-byte little-endian integers (a third of their size in JSON)."""
    packed = array.array("q", ids)
    if sys.byteorder != "little":
        packed.byteswap()
    return packed.tobytes()


def _unpack(data: bytes) -> list[int]:
    packed = array.array("q")
    packed.frombytes(data)
    if sys.byteorder != "little":
        packed.byteswap()
    return packed.tolist()


def _in_json(values: Iterable[Any]) -> str:
    """A JSON array for ``IN (SELECT value FROM json_each(?))``: one statement for any number of
    values, which SQLite answers with one index look-up each."""
    return json.dumps(sorted(set(values)), ensure_ascii=False)


def _occurring(text: str, needles: set[str], lines: Callable[[], _Lines] | None = None) -> set[str]:
    """The needles (none holding NUL, the separator) that occur in ``text``: one search each
    when that is cheap, else one pass of an automaton over its distinct lines (``lines``, when
    given, makes them once for several calls)."""
    needles = {n for n in needles if "\0" not in n}
    if len(needles) <= 24 or len(needles) * len(text) <= 10_000_000:  # a search is ~25x faster per character
        return {n for n in needles if n in text}
    distinct = lines() if lines is not None else _Lines([text], "\n\0")
    return set().union(*distinct.scan(needles).values(), *distinct.multiline(needles).values())


def _public_states(conn: sqlite3.Connection) -> dict[str, tuple[Any, ...]]:
    return {r[0]: r[1:] for r in conn.execute("SELECT path, content_hash, indexed_at_ns, links FROM leak_public")}


def _witnesses(rows: list[tuple[str, str]], needles: set[str], lines: Callable[[], _Lines] | None = None) -> (
        dict[str, str]):
    """Needle → the path of a row (path, text) whose text holds it, for the needles found
    (``lines``, when given, makes the rows' distinct lines once for several calls)."""
    out: dict[str, str] = {}
    needles = {n for n in needles if "\0" not in n}
    if len(needles) <= 24:  # a search is some 25 times faster per character than an automaton
        for needle in needles:
            path = next((path for path, text in rows if needle in text), None)
            if path is not None:
                out[needle] = path
        return out
    distinct = lines() if lines is not None else _Lines([text for _path, text in rows], "\n\0")
    found = distinct.per_text(distinct.scan(needles))
    for i, hits in distinct.multiline(needles).items():
        found.setdefault(i, set()).update(hits)
    for i in sorted(found):
        for needle in found[i]:
            out.setdefault(needle, rows[i][0])
    return out


class _PublicText:
    """Is a string (casefolded) part of what published notes show?

    Looked for, in this order: in ``first`` — the always-public placeholders, public
    attachments, and the notes whose shown text was just made again (most often the note being
    published, whose own text is much of what an audit finds); in ``leak_witness``, which
    remembers a published note known to show it (its row goes when that note's shown text is
    made again or it is unpublished); in ``leak_absent``, which remembers strings no published
    note showed (a row goes when a note's shown text made again shows it); and only then in
    every published note's text, whose answers are remembered. Parts are NUL-separated (note
    text never holds NUL: the scanner drops it), so a match cannot span two parts."""

    def __init__(self, store: LeakStore, always: Iterable[str], valid: set[str], made: dict[str, str]) -> None:
        self.store = store
        self.first = "\0".join([*always, *made.values()])
        self.valid = valid
        """Paths of the published notes."""
        self.made = made
        """Path → shown text of the notes whose text was made in this audit (their stored rows may
        be older, if storing failed)."""
        self.known: dict[str, bool] = {}
        self._first_lines: _Lines | None = None
        self._stored: tuple[dict[str, tuple[Any, ...]], list[tuple[str, str]]] | None = None
        """The stored shown texts last read, with the state of ``leak_public`` they were read at."""
        self._stored_lines: _Lines | None = None
        self.remember_absent = True
        """Off for large audits, whose many answers would make every later one check them."""

    def prefetch(self, needles: Iterable[str]) -> None:
        new = {n for n in needles if n and n not in self.known}
        if not new:
            return
        conn = self.store.index.conn
        read = _public_states(conn)
        witnesses: dict[str, str] = {}
        here = _occurring(self.first, new, self._lines_of_first)
        self.known.update(dict.fromkeys(here, True))
        new -= here
        if here and len(self.made) <= 64:  # remember which note (a later audit may not make it)
            for path, text in self.made.items():
                witnesses.update((n, path) for n in here if n not in witnesses and n in text)
        if new:
            self._remembered(new)
            new = {n for n in new if n not in self.known}
        if new:
            if self._stored is None or self._stored[0] != read:  # read again only if rows changed
                self._stored = (read, [(path, text) for path, text in conn.execute("SELECT path, parts FROM leak_public")
                                       if path in self.valid and path not in self.made])
                self._stored_lines = None
            found = _witnesses(self._stored[1], new, self._lines_of_stored)
            witnesses.update(found)
            self.known.update((n, n in found) for n in new)
        absent = [(n,) for n in new if not self.known[n] and "\0" not in n] if self.remember_absent else []
        if witnesses or absent:
            try:
                with self.store.index.transaction():
                    # Only if no published note's row changed since it was read (another process).
                    if _public_states(conn) == read:
                        conn.executemany("INSERT OR REPLACE INTO leak_witness VALUES (?, ?)", witnesses.items())
                        conn.executemany("INSERT OR IGNORE INTO leak_absent VALUES (?)", absent)
            except sqlite3.OperationalError as exc:  # e.g. the index is busy: only the speed-up is lost
                log.info("leak audit: answers not stored (%s)", exc)

    def _lines_of_stored(self) -> _Lines:
        if self._stored_lines is None:
            assert self._stored is not None
            self._stored_lines = _Lines([text for _path, text in self._stored[1]], "\n\0")
        return self._stored_lines

    def _lines_of_first(self) -> _Lines:
        if self._first_lines is None:
            self._first_lines = _Lines([self.first], "\n\0")
        return self._first_lines

    def _remembered(self, needles: set[str]) -> None:
        """Answers kept from earlier audits: a witness whose stored text is current (not made
        again in this audit), or a remembered absence."""
        conn = self.store.index.conn
        for needle, path in conn.execute(
            "SELECT needle, path FROM leak_witness WHERE needle IN (SELECT value FROM json_each(?))", (_in_json(needles),)
        ).fetchall():
            if path in self.valid and path not in self.made:
                self.known[needle] = True
        unknown = {n for n in needles if n not in self.known}
        for (needle,) in conn.execute(
            "SELECT needle FROM leak_absent WHERE needle IN (SELECT value FROM json_each(?))", (_in_json(unknown),)
        ).fetchall() if unknown else ():
            self.known[needle] = False

    def contains(self, needle: str) -> bool:
        if needle not in self.known:
            self.prefetch([needle])
        return self.known.get(needle, False)


@dataclass
class _Sources:
    """What each found form can stand for: the stored marker texts that have it as a form, and
    private attachments' name markers."""

    texts: dict[str, list[int]]
    assets: dict[str, list[_Owner]]


@dataclass
class _RefreshPlan:
    """The writes of one :meth:`LeakStore._refresh`."""

    reset: bool
    """The tables were made by other code: empty them first."""
    stale: list[int]
    """leak_notes ids to forget."""
    notes: list[tuple[str, str | None, int, list[tuple[int, str | None]]]] = field(default_factory=list)
    """(path, content hash, scan stamp, [(text id, gate)]) of each note to store."""
    texts: dict[int, tuple[str, str]] = field(default_factory=dict)
    """New texts: id → (kind, text)."""
    keys: list[tuple[str, int]] = field(default_factory=list)
    short: list[tuple[str, int]] = field(default_factory=list)


class _Unavailable(Exception):
    """The leak tables cannot be used for this audit (see :meth:`LeakStore.audit`)."""


_LEAK_TABLES = ("leak_notes", "leak_texts", "leak_uses", "leak_keys", "leak_short", "leak_public", "leak_witness",
                "leak_absent", "leak_meta")
MAX_ABSENT = 20_000
"""``leak_absent`` is emptied beyond this: each change to a published note is checked against it."""


def _asset_forms(vault: _Vault) -> dict[str, list[_Owner]]:
    """Every form of the private attachments' name markers → the markers it stands for."""
    assets: dict[str, list[_Owner]] = {}
    for k, (kind, text, source) in enumerate(vault.asset_cuts()):
        text = text.strip()
        if text:
            for form in _forms_of(kind, text):
                assets.setdefault(form, []).append(((1, "", k), kind, text, None, source))
    return assets


@dataclass
class _LargeSearch:
    """What a large audit searches for, before it sees any output (see
    :meth:`LeakStore._large_context`)."""

    token: str
    exact: dict[str, list[int]]
    """Whole forms (short ones, and folder and tag forms that pass the vault-wide rules) that
    published text does not show → their text ids."""
    assets: dict[str, list[_Owner]]
    needles: list[str]
    """Every key and whole form: what the first pass looks for."""
    separators: str
    """Where output lines are split (see :class:`_Lines`)."""
    automaton: Any
    """An automaton of the needles that hold no separator (None when there are none)."""


class LeakStore:
    """The leak audit of :func:`audit` with the markers kept in the index, so that its cost
    follows what changed and what is audited rather than the size of the vault.

    Tables (all derived data): ``leak_notes`` (per unpublished note, the content hash and index
    time it was cut at and its cuts as ``leak_texts`` ids), ``leak_texts`` (each distinct
    marker text once), ``leak_uses`` (which note holds which text, at which place, with the
    cut's gate), ``leak_keys`` / ``leak_short`` (the texts' forms by key, or whole when short),
    ``leak_public`` (what each published note shows) and ``leak_witness`` / ``leak_absent``
    (strings known to be shown by a published note, or by none; see :class:`_PublicText`).

    Findings are the same as ``audit(build_markers(index, root), outputs)`` (the test suite
    compares the two on random vaults and outputs). Attachment bytes are compared by the blob
    SHA-1 the publish itself uses (``publish_assets``, valid while size and mtime are)."""

    def __init__(self, index: Index, root: Path) -> None:
        self.index = index
        self.root = root
        self.timings: dict[str, float] = {}
        """Seconds spent per step of the last audit (for benchmarks and debug logs)."""
        self._texts: dict[int, tuple[str, str]] = {}
        self._paths: dict[int, str] | None = None
        self._shown: _PublicText | None = None
        self._forms: dict[int, tuple[str, ...]] = {}
        """Forms of the texts this audit stored (all of them the first time: saves making them twice)."""
        self._large: _LargeSearch | None = None
        self.keep_forms = False
        """Keep :attr:`_forms` from one audit (or :meth:`prepare`) to the next: the forms of a text
        never change (its id is a hash of kind and text), and the child of
        :func:`cut_in_background` cuts every text and then audits."""
        self._clock = 0.0

    # -- the audit -------------------------------------------------------------------------------
    def audit(self, outputs: Iterable[tuple[str, bytes]], *, strategy: str = "auto") -> list[Leak]:
        """Leaks in ``outputs``, as :func:`audit` finds them. ``strategy``: ``small`` looks up the
        text's windows in the index, ``large`` scans it with an automaton of every key, ``auto``
        picks by size. Falls back to the reference audit when the index cannot hold the leak
        tables (read-only, or made by an older gardend)."""
        outputs = list(outputs)
        self.timings = {}
        self._shown = None
        if not self.keep_forms:
            self._forms = {}
        self._clock = time.perf_counter()
        vault = _Vault.load(self.index.conn)
        try:
            self._refresh(vault)
        except (_Unavailable, sqlite3.OperationalError) as exc:
            log.info("leak audit without the index's leak tables (%s): full scan", exc)
            return audit(build_markers(self.index, self.root), outputs)
        self._tick("markers")
        names, texts, leaks = _outputs(outputs, self._blobs(vault))
        self._tick("assets")
        if strategy == "auto":
            strategy = "small" if sum(map(len, texts)) <= SMALL_AUDIT_CHARS else "large"
        found, sources = self._search(vault, texts, large=strategy == "large")
        if not self.keep_forms:
            self._forms = {}
        self._tick("search")
        hits = self._resolve(vault, found, sources)
        self._tick("resolve")
        log.debug("leak audit (%s): %s", strategy, ", ".join(f"{k} {v:.2f} s" for k, v in self.timings.items()))
        return _findings(names, leaks, hits)

    def prepare(self, large: bool = False) -> None:
        """Do the part of an audit that does not depend on what is audited: cut the unpublished
        notes that need it and make the shown text of the published notes that changed (what
        :func:`cut_in_background` runs in a child process while the publish compiles); with
        ``large``, also what a large audit searches for (kept for the next audit, which uses it
        if nothing it depends on changed meanwhile)."""
        vault = _Vault.load(self.index.conn)
        self._refresh(vault)
        self._public(vault)
        if large:
            self._large = None
            context = self._large_context(vault)
            context.token = self._large_token(vault)
            self._large = context

    def pending(self) -> int:
        """How many unpublished notes the next audit would cut: all of them when the stored
        cuts were made by other code, else those new or changed since they were cut. One query."""
        conn = self.index.conn
        row = conn.execute("SELECT value FROM leak_meta WHERE key = 'fingerprint'").fetchone()
        if row is None or row[0] != _fingerprint(conn):
            return int(conn.execute("SELECT count(*) FROM notes WHERE publish = 0").fetchone()[0])
        return int(conn.execute(
            "SELECT count(*) FROM files f JOIN notes n ON n.file_id = f.id LEFT JOIN leak_notes l ON l.path = f.path"
            " WHERE n.publish = 0 AND (l.id IS NULL OR l.content_hash IS NOT f.content_hash"
            " OR l.indexed_at_ns != ?)", (SCAN_STAMP,)
        ).fetchone()[0])

    def _tick(self, step: str) -> None:
        """Add the time since the last tick to ``step`` in :attr:`timings`."""
        now = time.perf_counter()
        self.timings[step] = self.timings.get(step, 0.0) + now - self._clock
        self._clock = now

    # -- keeping the cuts up to date ------------------------------------------------------------
    def _refresh(self, vault: _Vault) -> None:
        """Cut the unpublished notes that are new or changed since they were stored (by content
        hash; see :data:`SCAN_STAMP`), and forget notes that are gone or now published.

        The cutting happens outside the write transaction (the first time, it takes seconds);
        the transaction then checks that nobody else (the daemon, another command) changed the
        tables meanwhile, and starts again if someone did."""
        for _attempt in range(3):
            state = self._stored_state()
            plan = self._plan_refresh(vault, state)
            if plan is None:
                return
            with self.index.transaction():
                if self._stored_state() == state:
                    self._apply_refresh(plan)
                    self._texts = {}
                    self._paths = None
                    return
        raise _Unavailable("the leak tables kept changing during the audit")

    def _stored_state(self) -> tuple[str | None, list[tuple[int, str, str | None, int]]]:
        conn = self.index.conn
        row = conn.execute("SELECT value FROM leak_meta WHERE key = 'fingerprint'").fetchone()
        notes = conn.execute("SELECT id, path, content_hash, indexed_at_ns FROM leak_notes ORDER BY id").fetchall()
        return (row[0] if row else None), notes

    def _plan_refresh(self, vault: _Vault, state: tuple[str | None, list[tuple[int, str, str | None, int]]]) -> (
            _RefreshPlan | None):
        """What :meth:`_apply_refresh` writes, worked out from ``state`` (see :meth:`_stored_state`)."""
        conn = self.index.conn
        reset = state[0] != _fingerprint(conn)
        stored = {} if reset else {path: (lid, h, at) for lid, path, h, at in state[1]}
        private = {r[1]: (r[0], r[2], r[3]) for r in vault.notes if not r[4]}
        stale = [lid for path, (lid, h, at) in stored.items() if private.get(path, (0, None, None))[1:] != (h, at)]
        fresh = [path for path in private if path not in stored or stored[path][1:] != private[path][1:]]
        if not (reset or stale or fresh):
            return None
        ids = [private[path][0] for path in fresh]
        inputs = _note_inputs(conn, None if len(ids) > len(vault.notes) // 4 else ids)
        plan = _RefreshPlan(reset, stale)
        ids_of: dict[tuple[str, str], int] = {}  # phrases repeat across notes: hash each once
        for path in fresh:
            file_id, content_hash, stamp = private[path]
            cuts: list[tuple[int, str | None]] = []
            for kind, text, gate in _note_cuts(path, inputs.get(file_id) or _NoteInputs()):
                text_id = ids_of.get((kind, text))
                if text_id is None:
                    text_id = ids_of[kind, text] = _text_id(kind, text)
                    if plan.texts.setdefault(text_id, (kind, text)) != (kind, text):
                        raise _Unavailable("two marker texts with one id")
                cuts.append((text_id, gate))
            plan.notes.append((path, content_hash, stamp, cuts))
        if not reset:  # texts other notes hold are stored and keyed already
            for text_id, kind, text in conn.execute(
                "SELECT id, kind, text FROM leak_texts WHERE id IN (SELECT value FROM json_each(?))",
                (_in_json(plan.texts),),
            ).fetchall():
                if plan.texts.pop(text_id) != (kind, text):
                    raise _Unavailable("two marker texts with one id")
        for text_id, (kind, text) in plan.texts.items():
            forms = self._forms[text_id] = tuple(_forms_of(kind, text))  # the search may need them
            text_keys, text_short = _text_rows(text_id, kind, text, forms)
            plan.keys += text_keys
            plan.short += text_short
        return plan

    def _apply_refresh(self, plan: _RefreshPlan) -> None:
        conn = self.index.conn
        if plan.reset:
            for table in _LEAK_TABLES:
                conn.execute(f"DELETE FROM {table}")
            conn.execute("INSERT INTO leak_meta VALUES ('fingerprint', ?)", (_fingerprint(conn),))
        released = self._forget(plan.stale) if plan.stale else set()
        row = conn.execute("SELECT value FROM leak_meta WHERE key = 'next_id'").fetchone()
        next_id = int(row[0]) if row else 1
        notes: list[tuple[int, str, str | None, int, str]] = []
        uses: list[tuple[int, int, int, str | None]] = []
        for path, content_hash, stamp, cuts in plan.notes:
            notes.append((next_id, path, content_hash, stamp, _pack([text_id for text_id, _gate in cuts])))
            uses += ((text_id, next_id, seq, gate) for seq, (text_id, gate) in enumerate(cuts))
            next_id += 1
        # Rows go in in key order (the tables' own), which SQLite appends far faster; a sort on
        # the first column is enough (and much cheaper than on whole tuples).
        first = operator.itemgetter(0)
        conn.executemany("INSERT INTO leak_notes VALUES (?, ?, ?, ?, ?)", notes)
        conn.executemany("INSERT INTO leak_uses VALUES (?, ?, ?, ?)", sorted(uses, key=first))
        conn.executemany("INSERT INTO leak_texts VALUES (?, ?, ?)",
                         sorted(((text_id, *text) for text_id, text in plan.texts.items()), key=first))
        conn.executemany("INSERT OR IGNORE INTO leak_keys VALUES (?, ?)", sorted(plan.keys, key=first))
        conn.executemany("INSERT OR IGNORE INTO leak_short VALUES (?, ?)", sorted(plan.short, key=first))
        conn.execute("INSERT OR REPLACE INTO leak_meta VALUES ('next_id', ?)", (str(next_id),))
        if released:
            self._collect(released)

    def _forget(self, note_ids: list[int]) -> set[int]:
        """Delete notes and their uses; returns the texts they used (see :meth:`_collect`)."""
        conn = self.index.conn
        released: set[int] = set()
        for i in range(0, len(note_ids), 500):
            chunk = note_ids[i:i + 500]
            marks = ",".join("?" * len(chunk))
            for note_id, cuts in conn.execute(f"SELECT id, cuts FROM leak_notes WHERE id IN ({marks})", chunk).fetchall():
                text_ids = _unpack(cuts)
                released.update(text_ids)
                conn.executemany("DELETE FROM leak_uses WHERE text_id = ? AND note_id = ? AND seq = ?",
                                 [(text_id, note_id, seq) for seq, text_id in enumerate(text_ids)])
            conn.execute(f"DELETE FROM leak_notes WHERE id IN ({marks})", chunk)
        return released

    def _collect(self, text_ids: set[int]) -> None:
        """Delete the texts no note uses any more, with their keys (found by making the text's
        forms again, which spares the key tables a second index)."""
        conn = self.index.conn
        unused = [
            (text_id, kind, text)
            for text_id, kind, text in conn.execute(
                "SELECT id, kind, text FROM leak_texts WHERE id IN (SELECT value FROM json_each(?))"
                " AND NOT EXISTS (SELECT 1 FROM leak_uses u WHERE u.text_id = leak_texts.id)",
                (_in_json(text_ids),),
            ).fetchall()
        ]
        for text_id, kind, text in unused:
            keys, short = _text_rows(text_id, kind, text)
            conn.executemany("DELETE FROM leak_keys WHERE key = ? AND text_id = ?", keys)
            conn.executemany("DELETE FROM leak_short WHERE form = ? AND text_id = ?", short)
        conn.executemany("DELETE FROM leak_texts WHERE id = ?", [(u[0],) for u in unused])

    def _load_texts(self, text_ids: Iterable[int]) -> None:
        missing = set(text_ids) - self._texts.keys()
        if missing:
            for text_id, kind, text in self.index.conn.execute(
                "SELECT id, kind, text FROM leak_texts WHERE id IN (SELECT value FROM json_each(?))",
                (_in_json(missing),),
            ):
                self._texts[text_id] = (kind, text)

    def _first_uses(self, vault: _Vault, text_ids: Iterable[int]) -> dict[int, _Owner]:
        """For each text, its first use (in :func:`build_markers` order) that passes the
        vault-wide rules: the one marker of that text the reference keeps."""
        conn = self.index.conn
        wanted = set(text_ids)
        if not wanted:
            return {}
        self._load_texts(wanted)
        if self._paths is None:
            self._paths = dict(conn.execute("SELECT id, path FROM leak_notes"))
        out: dict[int, _Owner] = {}
        for text_id, note_id, seq, gate in conn.execute(
            "SELECT text_id, note_id, seq, gate FROM leak_uses WHERE text_id IN (SELECT value FROM json_each(?))",
            (_in_json(wanted),),
        ):
            path = self._paths.get(note_id)
            text = self._texts.get(text_id)
            if path is None or text is None or not vault.passes(text[0], gate):
                continue
            owner: _Owner = ((0, path, seq), text[0], text[1], gate, path)
            if text_id not in out or owner[0] < out[text_id][0]:
                out[text_id] = owner
        return out

    # -- attachments -----------------------------------------------------------------------------
    def _blobs(self, vault: _Vault) -> dict[str, Marker]:
        """Blob SHA-1 of attachments only unpublished notes use (and no published one shares)."""
        if not vault.private_assets:
            return {}
        from .gitsync import AssetShas

        shas = AssetShas(self.index, self.root)

        def sha(target: str) -> str | None:
            try:
                return shas.sha(target)
            except OSError:
                return None

        public = {sha(target) for target in vault.public_assets}
        out: dict[str, Marker] = {}
        for target, source in sorted(vault.private_assets.items()):
            blob = sha(target)
            if blob is not None and blob != _EMPTY_BLOB and blob not in public:
                out[blob] = Marker(target, "asset-bytes", source)
        shas.save()
        return out

    # -- searching -------------------------------------------------------------------------------
    def _search(self, vault: _Vault, texts: list[str], *, large: bool) -> tuple[dict[int, set[str]], _Sources]:
        """The forms found in each text, and what each found form can stand for.

        Two passes. The first finds the keys that occur in each text: a small audit looks its
        16-character windows up in ``leak_keys``; a large one scans for every key with one
        automaton. The second expands the marker texts behind those keys into their forms and
        scans for them (with the whole forms: short ones and attachment names). A form occurs
        only where its key does, so nothing is missed."""
        found: dict[int, set[str]] = {}
        if large:
            # The same public text is asked about afterwards, in :meth:`_resolve`, and with this
            # many answers it is not worth remembering which strings no published note shows.
            self._public(vault).remember_absent = False
            context = self._large_context(vault)
            exact, assets, whole = context.exact, context.assets, context.exact.keys() | context.assets.keys()
            lines = _Lines(texts, context.separators)
            key_lines = lines.scan(context.needles, automaton=context.automaton)
            hit_keys = lines.per_text(key_lines)
            for i, hits in lines.multiline(context.needles).items():
                hit_keys.setdefault(i, set()).update(hits)
            for i, hits in hit_keys.items():
                if not whole.isdisjoint(hits):
                    found[i] = hits & whole
            rows = self._key_rows(set().union(*hit_keys.values()) if hit_keys else set())
        else:
            exact = self._whole_forms(vault)
            assets = _asset_forms(vault)
            rows = []
            windows: set[str] = set()
            for text in texts:  # in batches, to bound the memory the windows take
                windows.update(text[p:p + KEY_CHARS] for p in range(len(text) - KEY_CHARS + 1))
                if len(windows) > 500_000:
                    rows += self._key_rows(windows)
                    windows = set()
            rows += self._key_rows(windows)
        by_form = self._key_forms(rows)
        self._tick("search: keys")
        if large:
            # A form without a newline occurs only in a line where its key does: only those
            # lines are scanned for the forms.
            live_keys = {form[-KEY_CHARS:] for form in by_form if not lines.crossing(form)}
            where = [number for number, hits in key_lines.items() if not live_keys.isdisjoint(hits)]
            form_hits = lines.per_text(lines.scan(by_form, where))
            for i, hits in lines.multiline(by_form).items():
                form_hits.setdefault(i, set()).update(hits)
        else:
            form_hits = _scan_each(texts, [*by_form, *exact, *assets])
        for i, hits in form_hits.items():
            found.setdefault(i, set()).update(hits)
        found_forms = set().union(*found.values()) if found else set()
        sources = _Sources(
            {form: by_form.get(form, []) + exact.get(form, []) for form in found_forms},
            {form: assets[form] for form in found_forms if form in assets},
        )
        return found, sources

    def _large_context(self, vault: _Vault) -> _LargeSearch:
        """What a large audit searches for, made now or taken from :meth:`prepare` when nothing
        it depends on changed since (its :meth:`_large_token`)."""
        made, self._large = self._large, None
        if made is not None and made.token == self._large_token(vault):
            return made
        # A large audit finds a lot that published notes show too (their permalinks, phrases
        # they share): whole forms published text shows, which are never private, are not
        # scanned for. (Keyed forms are not filtered so: most forms behind a key that occurs do
        # not occur themselves, and finding the few that do is cheaper than asking the
        # published text about all of them; :meth:`_resolve` asks about those.)
        exact = self._whole_forms(vault)
        public = self._public(vault)
        public.prefetch(form.casefold() for form in exact)
        exact = {form: ids for form, ids in exact.items() if not public.contains(form.casefold())}
        assets = _asset_forms(vault)
        keys = [key for (key,) in self.index.conn.execute("SELECT DISTINCT key FROM leak_keys")]
        needles = [*keys, *exact.keys(), *assets.keys()]
        angled = sum(1 for n in needles if "<" in n or ">" in n) if _has_angles(needles) else 0
        separators = "\n<>" if angled <= MAX_CROSSING else "\n"
        crossing = re.compile("[" + re.escape(separators) + "]").search
        automaton = _automaton(n for n in needles if crossing(n) is None)
        return _LargeSearch("", exact, assets, needles, separators, automaton)

    def _large_token(self, vault: _Vault) -> str:
        """What :meth:`_large_context` depends on: the stored markers, the vault-wide rules and
        public attachments, and what published notes and canvases show."""
        state = (
            self._stored_state(), sorted(vault.published_tags), sorted(vault.public_folder_prefixes),
            sorted(vault.private_assets.items()), sorted(vault.public_assets),
            sorted(_public_states(self.index.conn).items()), _published_canvas_parts(self.index.conn),
        )
        return hashlib.sha256(repr(state).encode("utf-8", "surrogatepass")).hexdigest()

    def _whole_forms(self, vault: _Vault) -> dict[str, list[int]]:
        """Form → text ids, for the forms searched whole: those shorter than a key, and the forms
        of folder and tag texts that pass the vault-wide rules in some note."""
        exact: dict[str, list[int]] = {}
        conn = self.index.conn
        for form, text_id in conn.execute("SELECT form, text_id FROM leak_short"):
            exact.setdefault(form, []).append(text_id)
        live: set[int] = set()
        for text_id, kind, text, gate in conn.execute(
            "SELECT DISTINCT t.id, t.kind, t.text, u.gate FROM leak_texts t JOIN leak_uses u ON u.text_id = t.id"
            " WHERE t.kind IN ('folder', 'tag')"
        ):
            if text_id not in live and vault.passes(kind, gate):
                live.add(text_id)
                self._texts[text_id] = (kind, text)
                for form in _forms_of(kind, text):
                    exact.setdefault(form, []).append(text_id)
        return exact

    def _key_rows(self, windows: set[str]) -> list[tuple[str, int]]:
        """The ``leak_keys`` rows of the keys among ``windows``."""
        windows = {w for w in windows if len(w) == KEY_CHARS and "\0" not in w}  # keys hold no NUL
        return self.index.conn.execute(
            "SELECT key, text_id FROM leak_keys WHERE key IN (SELECT value FROM json_each(?))",
            (_in_json(windows),),
        ).fetchall() if windows else []

    def _key_forms(self, rows: list[tuple[str, int]]) -> dict[str, list[int]]:
        """Form → text ids, for every form of the texts in ``rows`` whose key is in ``rows``."""
        keys_of: dict[int, set[str]] = {}
        for key, text_id in rows:
            keys_of.setdefault(text_id, set()).add(key)
        self._load_texts(keys_of)
        by_form: dict[str, list[int]] = {}
        for text_id, keys in keys_of.items():
            forms = self._forms.get(text_id)
            if forms is None:  # the slug only when a key found could be one's (they are costly to make)
                forms = _forms_of(*self._texts[text_id], slugs=any(_SLUG_KEY(key) for key in keys))
            for form in forms:
                if len(form) >= KEY_CHARS and form[-KEY_CHARS:] in keys:
                    by_form.setdefault(form, []).append(text_id)
        return by_form

    # -- deciding what is private ----------------------------------------------------------------
    def _resolve(self, vault: _Vault, found: dict[int, set[str]], sources: _Sources) -> list[tuple[int, str, Marker]]:
        """(text number, form, marker) of every private form found: a form is private when
        published text does not show it, and stands for the first of its markers (in
        :func:`build_markers` order) that passes the vault-wide rules and whose text published
        notes do not show either — exactly the marker :meth:`PrivateMarkers.needles` keeps.

        The markers' texts are asked about first: mostly what an audit finds is text a published
        note shares (its own, often escaped), and published notes show the marker text far more
        often than a form of it, so the form itself rarely has to be looked for."""
        forms = set().union(*found.values()) if found else set()
        if not forms:
            return []
        first = self._first_uses(vault, (text_id for form in forms for text_id in sources.texts.get(form, ())))
        owners: dict[str, list[_Owner]] = {}
        for form in forms:
            owned = [first[t] for t in set(sources.texts.get(form, ())) if t in first]
            owned += sources.assets.get(form, ())
            if owned:
                owners[form] = sorted(owned, key=lambda owner: owner[0])
        public = self._public(vault)
        public.prefetch(_probe(o[1], o[2]) for owned in owners.values() for o in owned)
        private = {form: next(o for o in owned if not public.contains(_probe(o[1], o[2])))
                   for form, owned in owners.items() if not all(public.contains(_probe(o[1], o[2])) for o in owned)}
        public.prefetch(form.casefold() for form in private)
        chosen = {form: Marker(o[2], o[1], o[4]) for form, o in private.items() if not public.contains(form.casefold())}
        return [(i, form, chosen[form]) for i, forms_i in found.items() for form in forms_i if form in chosen]

    def _public(self, vault: _Vault) -> _PublicText:
        """What published notes show, casefolded: kept per published note in ``leak_public`` and
        made again only for notes whose content or links to unpublished notes changed (those
        links decide what a reader sees). Made once per audit."""
        if self._shown is None:
            self._shown = self._make_public(vault)
        return self._shown

    def _make_public(self, vault: _Vault) -> _PublicText:
        conn = self.index.conn
        links = _private_links(conn)
        published = {r[1]: (r[0], r[2], r[3]) for r in vault.notes if r[4]}

        def signature(file_id: int) -> str:
            return hashlib.blake2b(repr(links.get(file_id, [])).encode("utf-8", "surrogatepass"),
                                   digest_size=16).hexdigest()

        stored = {
            r[0]: (r[1], r[2], r[3])
            for r in conn.execute("SELECT path, content_hash, indexed_at_ns, links FROM leak_public")
        }
        now = {path: (h, at, signature(fid)) for path, (fid, h, at) in published.items()}
        fresh = [path for path, state in now.items() if stored.get(path) != state]
        gone = [path for path in stored if path not in now]
        made: dict[str, str] = {}
        if fresh:
            ids = [published[path][0] for path in fresh]
            inputs = _note_inputs(conn, None if len(ids) > len(vault.notes) // 4 else ids)
            for path in fresh:
                file_id = published[path][0]
                parts = _public_parts(path, inputs.get(file_id) or _NoteInputs(), links.get(file_id, []))
                made[path] = "\0".join(part.casefold() for part in parts)
        if fresh or gone:
            try:
                with self.index.transaction():
                    conn.executemany("DELETE FROM leak_public WHERE path = ?", [(p,) for p in gone])
                    conn.executemany("DELETE FROM leak_witness WHERE path = ?", [(p,) for p in [*gone, *fresh]])
                    absent = {needle for (needle,) in conn.execute("SELECT needle FROM leak_absent")}
                    if len(absent) > MAX_ABSENT:
                        conn.execute("DELETE FROM leak_absent")
                    elif absent and made:
                        shown = _occurring("\0".join(made.values()), absent)
                        conn.executemany("DELETE FROM leak_absent WHERE needle = ?", [(n,) for n in shown])
                    conn.executemany(
                        "INSERT OR REPLACE INTO leak_public VALUES (?, ?, ?, ?, ?)",
                        [(path, *now[path], made[path]) for path in fresh],
                    )
            except sqlite3.OperationalError as exc:  # e.g. the index is busy: only the speed-up is lost
                log.info("leak audit: published text not stored (%s)", exc)
        always = [part.casefold() for part in (*_ALWAYS_PUBLIC, *sorted(vault.public_assets),
                                                *_published_canvas_parts(conn))]
        return _PublicText(self, always, set(now), made)


# -- outputs -------------------------------------------------------------------------------------

def plan_outputs(plan: PublishPlan, *, written_only: bool = False) -> list[tuple[str, bytes]]:
    """Every file a publish would leave in the repository (compiled notes and assets), or with
    ``written_only`` the files it adds or changes, plus the commit message it would write."""
    from .gitsync import commit_message

    files = plan.new + plan.changed if written_only else plan.files
    outputs = [(f.repo_path, f.data) for f in files]
    outputs.append(("commit message", commit_message(plan).encode("utf-8")))
    return outputs


def site_dir_outputs(site: Path) -> list[tuple[str, bytes]]:
    """The files of a built static site (``dist/`` or ``_site/``), each with its relative path."""
    return [
        (str(p.relative_to(site)), p.read_bytes()) for p in sorted(site.rglob("*")) if p.is_file()
    ]


def _git(repo: Path, *args: str, input_bytes: bytes | None = None) -> bytes:
    proc = subprocess.run(["git", "-C", str(repo), *args], input=input_bytes, capture_output=True, check=False)
    return proc.stdout if proc.returncode == 0 else b""


def repo_outputs(repo: Path, *, all_history: bool = False) -> list[tuple[str, bytes]]:
    """Blobs and commit messages of a garden repository: by default the HEAD tree plus what is
    not pushed yet (``@{upstream}..HEAD``); with ``all_history`` every reachable object."""
    if not _git(repo, "rev-parse", "--git-dir").strip():
        from .gitsync import PublishError

        raise PublishError(f"{repo}: not a git repository")
    if all_history:
        listing = _git(repo, "rev-list", "--objects", "--all")
        log = _git(repo, "log", "--all", "--format=%H%n%B")
    else:
        listing = _git(repo, "ls-tree", "-r", "HEAD").replace(b"\t", b" ")
        listing = b"\n".join(line.split(b" ", 2)[2] for line in listing.splitlines() if line.count(b" ") >= 2)
        upstream = _git(repo, "rev-parse", "--verify", "-q", "@{upstream}").strip()
        if upstream:
            listing += b"\n" + _git(repo, "rev-list", "--objects", "@{upstream}..HEAD")
            log = _git(repo, "log", "--format=%H%n%B", "@{upstream}..HEAD")
        else:
            log = _git(repo, "log", "--format=%H%n%B", "HEAD")
    names: dict[str, str] = {}
    for line in listing.decode("utf-8", "replace").splitlines():
        sha, _, path = line.partition(" ")
        if sha and sha not in names:
            names[sha] = path
    outputs: list[tuple[str, bytes]] = [(f"{repo.name}: commit messages", log)]
    if not names:
        return outputs
    batch = _git(repo, "cat-file", "--batch", input_bytes="\n".join(names).encode() + b"\n")
    at = 0
    while at < len(batch):
        header_end = batch.index(b"\n", at)
        header = batch[at:header_end].decode().split(" ")
        if len(header) < 3:  # "<sha> missing"
            at = header_end + 1
            continue
        sha, kind, size = header[0], header[1], int(header[2])
        data = batch[header_end + 1:header_end + 1 + size]
        at = header_end + 1 + size + 1
        if kind == "blob":
            outputs.append((f"{repo.name}:{names.get(sha, sha)} ({sha[:10]})", data))
        elif kind == "tree":
            # Tree entries name their children: a private file name in a tree is a leak too.
            outputs.append((f"{repo.name}: tree {names.get(sha, sha) or '/'}", _tree_names(data)))
    return outputs


def _tree_names(data: bytes) -> bytes:
    names = []
    at = 0
    while at < len(data):
        space = data.index(b" ", at)
        nul = data.index(b"\0", space)
        names.append(data[space + 1:nul])
        at = nul + 21
    return b"\n".join(names)


# -- cutting while compiling ---------------------------------------------------------------------

BACKGROUND_CUT_MIN = 200
"""Fewer unpublished notes to cut than this are cut by the gate itself: a child process costs
a few tenths of a second to start, a note a few milliseconds to cut."""

_CHILD = "import sys; from gardend.daemon.publish.leaks import _cut_child; _cut_child(sys.argv[1], sys.argv[2])"
_READY = b"ready\n"


class BackgroundCut:
    """A child process that cuts markers, then audits (see :func:`cut_in_background`); a no-op
    when none runs. Use as a context manager, so that the child never outlives what it was
    started for."""

    def __init__(self, proc: subprocess.Popen[bytes] | None = None, errors: Any = None) -> None:
        self.proc = proc
        self._errors = errors
        """The child's standard error (a temporary file: a pipe nobody reads could fill up)."""
        self.ready = False
        """The child has cut and waits for outputs to audit."""
        self.finished = False
        """The child has audited, failed or was stopped: it does nothing more."""
        self.timings: dict[str, float] = {}
        """The child audit's :attr:`LeakStore.timings`."""

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def wait(self, timeout: float = 900.0) -> bool:
        """Wait until the child has cut the markers; True when it did and waits to audit. A child
        that fails or takes longer than ``timeout`` only costs the time: the gate then audits
        here and cuts whatever the child did not store."""
        if self.proc is None or self.finished or self.ready:
            return self.ready
        assert self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        got: list[bytes] = []

        def read_line() -> None:  # a thread: waiting on a pipe with a timeout, portably
            line = b""
            with contextlib.suppress(OSError):
                while not line.endswith(b"\n") and len(line) < len(_READY):
                    chunk = os.read(fd, len(_READY) - len(line))
                    if not chunk:
                        break
                    line += chunk
            got.append(line)

        reader = threading.Thread(target=read_line, name="gardend-leak-cut", daemon=True)
        reader.start()
        reader.join(timeout)
        line = got[0] if got else b""
        self.ready = line == _READY
        if not self.ready:
            self._failed("cutting")
        return self.ready

    def audit(self, outputs: list[tuple[str, bytes]], strategy: str = "auto", timeout: float = 900.0) -> (
            list[Leak] | None):
        """Have the waiting child audit ``outputs`` (:meth:`LeakStore.audit`, with the forms it
        made while cutting still at hand, on its own connection to the same index); None when it
        cannot, and then the caller audits. The child ends after one audit."""
        if not self.wait(timeout):
            return None
        assert self.proc is not None
        self.ready = False
        self.finished = True
        try:
            out, _ = self.proc.communicate(pickle.dumps((outputs, strategy), protocol=pickle.HIGHEST_PROTOCOL),
                                           timeout=timeout)
            if self.proc.returncode != 0:
                raise ValueError(f"exit status {self.proc.returncode}")
            leaks, self.timings = pickle.loads(out)
        except Exception as exc:  # any failure: the caller audits
            log.info("leak audit in a child process failed (%s)", exc)
            self._failed("auditing")
            return None
        return cast("list[Leak]", leaks)

    def _failed(self, step: str) -> None:
        self.stop()
        detail = ""
        if self._errors is not None:
            with contextlib.suppress(OSError, ValueError):
                self._errors.seek(0)
                detail = self._errors.read().decode("utf-8", "replace").strip()[-2000:]
        log.info("leak audit: %s in a child process did not finish%s", step, f": {detail}" if detail else "")

    def stop(self) -> None:
        """End the child if it still runs (its unfinished transaction is rolled back)."""
        self.ready = False
        self.finished = True
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.communicate(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.communicate()
        if self.proc is not None:
            for stream in (self.proc.stdin, self.proc.stdout):
                with contextlib.suppress(OSError, ValueError):
                    if stream is not None:
                        stream.close()
        if self._errors is not None:
            with contextlib.suppress(OSError, ValueError):
                self._errors.close()

    def __enter__(self) -> BackgroundCut:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def cut_in_background(index: Index, root: Path) -> BackgroundCut:
    """Start :meth:`LeakStore.prepare` in a child process when many unpublished notes need
    cutting (a first publish, a new gardend), so that it runs on another core while this process
    compiles the published notes. The gate then hands the child what it audits
    (:meth:`BackgroundCut.audit`): the child still holds every marker's forms from cutting, which
    this process would have to make again.

    Nothing depends on the child: it opens its own connection to the index and stores what it
    cuts in one transaction; its audit is :meth:`LeakStore.audit` — the same code, on the same
    index, refreshing whatever changed since it cut — and if it fails, is stopped or takes too
    long, the gate audits here, cutting whatever the child did not store. A process rather than
    a thread because cutting is Python code, which holds the interpreter lock."""
    if not sys.executable:
        return BackgroundCut()
    try:
        pending = LeakStore(index, root).pending()
    except sqlite3.Error:  # no leak tables (an older index): the gate falls back to the reference
        return BackgroundCut()
    if pending < BACKGROUND_CUT_MIN:
        return BackgroundCut()
    errors = tempfile.TemporaryFile()  # noqa: SIM115 - open for the child's life; BackgroundCut.stop closes it
    try:
        proc = subprocess.Popen(
            [sys.executable, "-c", _CHILD, str(index.path), str(root)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=errors,
        )
    except OSError as exc:
        errors.close()
        log.info("leak audit: cannot start a child process to cut markers (%s)", exc)
        return BackgroundCut()
    log.debug("leak audit: cutting %d unpublished notes in process %d", pending, proc.pid)
    return BackgroundCut(proc, errors)


def _cut_child(db_path: str, root: str) -> None:
    """The child of :func:`cut_in_background`: cut, say so, then audit what arrives on standard
    input (nothing: end) and answer on standard output."""
    index = Index(db_path)
    try:
        store = LeakStore(index, Path(root))
        store.keep_forms = True
        store.prepare(large=True)
        sys.stdout.buffer.write(_READY)
        sys.stdout.buffer.flush()
        request = sys.stdin.buffer.read()
        if not request:
            return
        outputs, strategy = pickle.loads(request)
        leaks = store.audit(outputs, strategy=strategy)
        sys.stdout.buffer.write(pickle.dumps((leaks, store.timings), protocol=pickle.HIGHEST_PROTOCOL))
        sys.stdout.buffer.flush()
    finally:
        index.close()


# -- publishing gate -----------------------------------------------------------------------------

@dataclass
class Gate:
    """What ``gardend publish`` should say before it applies a plan, and whether it may."""

    ok: bool
    lines: list[str]
    leaks: list[Leak]


def publish_gate(index: Index, root: Path, plan: PublishPlan, mode: str, helper: BackgroundCut | None = None) -> (
        Gate):
    """Audit a plan before it is applied. ``safe``: any leak refuses the publish (what and where
    is printed locally). ``plugin``: the publish goes ahead, after printing which unpublished
    notes' content or paths it is about to expose (count and paths — local output only).

    Only what this publish writes is audited (added and changed files and the commit message):
    the files it leaves alone passed this gate when they were written. ``gardend check --leaks``
    audits everything, the repository's history included. The markers come from the index
    (:class:`LeakStore`): after one edit, only that edit is cut and searched for. ``helper``, a
    child process that cut them while the plan compiled (:func:`cut_in_background`), audits
    when it can."""
    if plan.empty:
        return Gate(True, [], [])
    outputs = plan_outputs(plan, written_only=True)
    found = helper.audit(outputs) if helper is not None and helper.proc is not None else None
    leaks = found if found is not None else LeakStore(index, root).audit(outputs)
    if mode == "plugin":
        exposed = exposure(leaks)
        if not exposed:
            return Gate(True, [], leaks)
        lines = [f"plugin mode: this publish exposes content or paths of {len(exposed)} unpublished notes:"]
        lines += [f"  {path}" for path in exposed]
        return Gate(True, lines, leaks)
    if not leaks:
        return Gate(True, [], leaks)
    lines = [leak.as_text() for leak in leaks]
    lines.append(f"{len(leaks)} leaks of unpublished notes found in the output (safe mode)")
    return Gate(False, lines, leaks)


def check_leaks(
    index: Index,
    root: Path,
    settings: Any = None,
    mode: str = "safe",
    config_dir: str = ".obsidian",
    *,
    repo: Path | None = None,
    site: Path | None = None,
) -> list[Leak]:
    """``gardend check --leaks``: compile every published note in ``mode`` and audit the result,
    plus a built static site folder and the garden clone's HEAD tree and unpushed commits."""
    from .gitsync import compile_files

    with cut_in_background(index, root) as cutting:  # markers are cut while the notes compile
        files = compile_files(index, root, settings, mode, config_dir)  # type: ignore[arg-type]
        outputs = [(path, planned.data) for path, planned in sorted(files.items())]
        if site is not None:
            outputs += [(f"{site.name}/{name}", data) for name, data in site_dir_outputs(site)]
        if repo is not None:
            outputs += repo_outputs(repo)
        found = cutting.audit(outputs) if cutting.proc is not None else None
    return found if found is not None else LeakStore(index, root).audit(outputs)
