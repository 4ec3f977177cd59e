"""Note bytes -> :class:`NoteRecord`. Pure: no file system, no database, no globals mutated.

The scanner reproduces what Obsidian's metadata cache and Dataview's importer see, without
rendering Markdown: a line-oriented block pass (frontmatter, fenced and indented code, math,
``%%`` comments, HTML blocks, headings, lists, paragraphs, block ids) followed by an inline pass
over the lines that hold Markdown text (links, embeds, tags, inline queries). Code, math, HTML
blocks, inline code and comments never yield links or tags (gardend must not publish what a
comment hides). Dataview's inline fields follow Dataview's own rule instead: every line outside
list items is scanned, code blocks included (dataview.md §1.5, §7 quirk 1), so query results
match the plugin's.

Speed matters (thousands of notes per second per core), so the block pass is a single loop with
precompiled regexes and cheap character tests before any regex runs.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass

from . import frontmatter as fm
from .inline_fields import extract_line_fields, extract_list_item_fields
from .links import (
    MalformedURI,
    clean_link_text,
    decode_uri,
    is_internal_destination,
    split_linktext,
)
from .records import (
    BlockRecord,
    Diagnostic,
    FieldRecord,
    HeadingRecord,
    LinkRecord,
    ListItemRecord,
    NoteRecord,
    QueryBlock,
    TagRecord,
)
from .tags import (
    find_list_item_tags,
    find_obsidian_tags,
    split_frontmatter_aliases_dataview,
    split_frontmatter_tags_dataview,
)
from .values import js_truthy, parse_inline_value, type_frontmatter_value

DEFAULT_MAX_BYTES = 50_000_000

SCANNER_VERSION = 2
"""Bumped whenever a rule change makes the scanner extract something different from the same
bytes; an index scanned by another version re-scans every note once (the synchroniser checks).
2: indented code right under a heading or thematic break; queries inside code blocks."""
_BINARY_SAMPLE = 8192

_FENCE_OPEN = re.compile(r"^([ \t]*)(`{3,}|~{3,})(.*)$")
_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_LIST_ITEM = re.compile(r"^([ \t]*)([-*+]|\d{1,9}[.)])([ \t]+|$)(.*)$")
_TASK_BOX = re.compile(r"^\[(.)\](?:[ \t]+|$)")
_THEMATIC = re.compile(r"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_BQ_PREFIX = re.compile(r"^(?: {0,3}>[ ]?)+")
_BLOCK_ID_END = re.compile(r"(?:^|[ \t])\^([A-Za-z0-9-]+)[ \t]*$")
_STANDALONE_BLOCK_ID = re.compile(r"^[ \t]*\^([A-Za-z0-9-]+)[ \t]*$")
_HTML_BLOCK_1 = re.compile(r"^ {0,3}<(script|pre|style|textarea)(?:\s|>|$)", re.IGNORECASE)
_HTML_BLOCK_6 = re.compile(
    r"^ {0,3}</?(address|article|aside|base|basefont|blockquote|body|caption|center|col|colgroup|dd|"
    r"details|dialog|dir|div|dl|dt|fieldset|figcaption|figure|footer|form|frame|frameset|h1|h2|h3|"
    r"h4|h5|h6|head|header|hr|html|iframe|legend|li|link|main|menu|menuitem|nav|noframes|ol|"
    r"optgroup|option|p|param|search|section|summary|table|tbody|td|tfoot|th|thead|title|tr|track|"
    r"ul)(?:\s|/?>|$)",
    re.IGNORECASE,
)
_HTML_BLOCK_7 = re.compile(
    r"^ {0,3}(?:<[A-Za-z][A-Za-z0-9-]*(?:\s+[A-Za-z_:][\w.:-]*(?:\s*=\s*(?:[^\s\"'=<>`]+|'[^']*'|\"[^\"]*\"))?)*\s*/?>"
    r"|</[A-Za-z][A-Za-z0-9-]*\s*>)[ \t]*$"
)
_WIKILINK = re.compile(r"(!?)\[\[([^\n]+?)\]\]")
_ESCAPED = re.compile(r"\\[\[#`$%!]")
_INLINE_MATH = re.compile(r"(?<![\\$])\$(?=[^\s$])((?:[^$\\\n]|\\.)+?)(?<=[^\s\\])\$(?![0-9$])")

_INLINE_HINT = re.compile(r"[\[#`%$]|\]\(")

_EMBED_SIZE = re.compile(r"^\s*([0-9]+)\s*(?:x\s*([0-9]+)\s*)?$")


@dataclass(frozen=True, slots=True)
class QuerySyntax:
    """What Dataview treats as a query in a note: its settings (dataview.md §6) as the scanner needs them.

    The ``queries`` rows drive dependency tracking (render cache, live reload, ``gardend check``,
    the compile cache), so they must follow the vault's Dataview settings, not its defaults.
    Checked against obsidian-dataview 0.5.70 ``src/main.ts``: ``dataviewInline`` looks at every
    ``<code>`` element (``querySelectorAll("code")``), skips those whose parent is a ``<pre>``
    unless ``inlineQueriesInCodeblocks``, trims the text, tests ``inlineJsQueryPrefix`` first and
    ``inlineQueryPrefix`` second (an empty prefix never matches; an empty query after the prefix
    is skipped, and a JS-prefixed one is never retried as DQL); the whole post-processor is off
    when ``enableInlineDataview`` is false. The code-block processor is registered for
    ``dataviewJsKeyword``. Whether JavaScript may *run* (``enableDataviewJs``) does not change
    what is a query, so it is not part of this key.
    """

    inline_prefix: str = "="
    inline_js_prefix: str = "$="
    js_keyword: str = "dataviewjs"
    inline_enabled: bool = True
    in_codeblocks: bool = True

    def key(self) -> str:
        """Stable text form, stored in the index (``query_syntax``) to notice a change."""
        return json.dumps(asdict(self), sort_keys=True, ensure_ascii=False)

    @classmethod
    def from_key(cls, key: str | None) -> QuerySyntax:
        """The syntax of :meth:`key`; Dataview's defaults for a missing or unreadable key."""
        try:
            data = json.loads(key) if key else {}
            return cls(**data) if isinstance(data, dict) else cls()
        except (ValueError, TypeError):
            return cls()

    def inline_kind(self, code: str) -> tuple[str, str] | None:
        """``("inline" | "inline-js", trimmed code)`` when the text of a ``<code>`` element is an
        inline query under these settings (Dataview's ``dataviewInline``), else ``None``."""
        if not self.inline_enabled:
            return None
        text = code.strip()
        js = self.inline_js_prefix
        if js and text.startswith(js):
            return ("inline-js", text) if text[len(js):].strip() else None
        prefix = self.inline_prefix
        if prefix and text.startswith(prefix):
            return ("inline", text) if text[len(prefix):].strip() else None
        return None


DEFAULT_QUERY_SYNTAX = QuerySyntax()

#: Fence languages that Obsidian renders without a ``<pre><code>`` (a diagram, not code), so
#: Dataview's inline-query pass never sees their text; gardend's renderer owns the same ones.
_NOT_CODE_LANGUAGES = frozenset({"mermaid"})


@dataclass(slots=True)
class _Item:
    line: int
    indent: int  # column of the marker
    content_col: int  # column where the item's content starts
    symbol: str
    status: str | None
    first_text: str
    lines: list[str]
    end_line: int
    parent: int | None
    list_line: int
    section: str | None
    block_id: str | None
    bq_depth: int


def content_hash(data: bytes) -> str:
    """Stable content hash used for reconciliation and render caching."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def looks_binary(data: bytes) -> bool:
    """A file is binary when its start holds NUL bytes and is not mostly text.

    A single stray NUL in an otherwise valid note is text (with a warning); a PNG renamed to
    ``.md`` is binary and is recorded as such without being parsed.
    """
    sample = data[:_BINARY_SAMPLE]
    if b"\x00" not in sample:
        return False
    nuls = sample.count(b"\x00")
    if nuls * 100 > len(sample):  # more than 1% NUL bytes
        return True
    try:
        sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        # Truncation at the sample boundary is fine; an invalid sequence earlier is not.
        return exc.start < len(sample) - 4
    return False


def _expand_tabs_width(s: str) -> int:
    """Column width of leading whitespace with tabs to the next multiple of 4 (CommonMark)."""
    col = 0
    for ch in s:
        if ch == "\t":
            col += 4 - (col % 4)
        else:
            col += 1
    return col


def scan_note(
    path: str, data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES, syntax: QuerySyntax = DEFAULT_QUERY_SYNTAX
) -> NoteRecord:
    """Scan one note. Never raises on bad input: problems become diagnostics on the record.

    ``syntax`` says which code is a Dataview query (the vault's Dataview settings).
    """
    digest = content_hash(data)
    record = NoteRecord(path=path, size=len(data), content_hash=digest, text="")
    name = path.rsplit("/", 1)[-1]
    record.title = name[:-3] if name.lower().endswith(".md") else name
    if len(data) > max_bytes:
        record.diagnostics.append(
            Diagnostic(
                "size",
                f"note is {len(data):,} bytes, over the {max_bytes:,}-byte limit (index.max_note_bytes); "
                "it is listed but not scanned",
            )
        )
        return record
    if looks_binary(data):
        record.diagnostics.append(
            Diagnostic("binary", "file looks binary (NUL bytes), not Markdown text; it is listed but not scanned")
        )
        return record
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        text = data.decode("utf-8", errors="replace")
        bad_line = data.count(b"\n", 0, exc.start)
        record.diagnostics.append(
            Diagnostic(
                "encoding",
                f"invalid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
                "undecodable bytes are shown as U+FFFD",
                line=bad_line,
            )
        )
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\x00" in text:
        record.diagnostics.append(
            Diagnostic(
                "encoding",
                "note contains NUL bytes; they are ignored",
                line=text.count("\n", 0, text.index("\x00")),
                severity="warning",
            )
        )
        text = text.replace("\x00", "")
    record.text = text
    try:
        _scan_text(record, text, syntax)
    except RecursionError:
        record.diagnostics.append(Diagnostic("structure", "note is nested too deeply to scan completely"))
    return record


def _scan_text(record: NoteRecord, text: str, syntax: QuerySyntax = DEFAULT_QUERY_SYNTAX) -> None:
    block = fm.find_frontmatter(text)
    lines = text.split("\n")
    body_start = 0
    fm_data: dict | None = None
    if block is not None:
        body_start = block.end_line + 1
        record.body_start_line = body_start
        parsed = fm.parse_yaml(block.yaml_text)
        if parsed.error is not None:
            record.diagnostics.append(Diagnostic("yaml", parsed.error, line=(parsed.error_line or 2) - 1))
        for line_no, message in parsed.warnings or ():
            record.diagnostics.append(Diagnostic("duplicate-key", message, line=line_no - 1, severity="warning"))
        fm_data = parsed.data
    record.frontmatter = fm_data
    if fm_data:
        _frontmatter_metadata(record, fm_data)

    scanner = _BlockScanner(record, lines, body_start, syntax)
    # Dataview scans the frontmatter section's lines for `::` fields too (dataview.md §1.5).
    for i in range(0, body_start):
        scanner.dataview_line(i, lines[i])
    scanner.run()

    # Page-level tags: Dataview's order is body tags first, then frontmatter tags (§1.3).
    if fm_data:
        seen = {t.tag for t in record.tags}
        for key, value in fm_data.items():
            if key.lower() in ("tags", "tag"):
                for tag in split_frontmatter_tags_dataview(value):
                    if tag not in seen:
                        seen.add(tag)
                        record.tags.append(TagRecord(tag, "frontmatter", None))


def _frontmatter_metadata(record: NoteRecord, data: dict) -> None:
    """Fields, aliases, title, publish flag and frontmatter links from the properties."""
    for key, value in data.items():
        if key == "position":  # Obsidian's own key; Dataview skips it
            continue
        record.fields.append(FieldRecord(key, type_frontmatter_value(value), "frontmatter", None))
        lower = key.lower()
        if lower in ("alias", "aliases"):
            for alias in split_frontmatter_aliases_dataview(value):
                if alias not in record.aliases:
                    record.aliases.append(alias)
    title = data.get("title")
    if isinstance(title, str) and title.strip():
        record.title = title.strip()
    flag = data.get("dg-publish")
    record.publish = js_truthy(flag) and flag != "false"
    _frontmatter_links(record, data, "")


def _frontmatter_links(record: NoteRecord, value: object, key: str) -> None:
    """Obsidian's ``frontmatterLinks``: every string value that is exactly ``[[...]]`` (§2.4)."""
    if isinstance(value, dict):
        for k, v in value.items():
            _frontmatter_links(record, v, f"{key}.{k}" if key else k)
        return
    if isinstance(value, list):
        for i, v in enumerate(value):
            _frontmatter_links(record, v, f"{key}.{i}" if key else str(i))
        return
    if not isinstance(value, str) or not (value.startswith("[[") and value.endswith("]]")):
        return
    inner = value[2:-2]
    if not inner.strip():
        return
    pipe = inner.find("|")
    if pipe > 0:
        link_part, display = inner[:pipe].strip(), inner[pipe + 1 :].strip()
    else:
        link_part, display = inner.strip(), None
    if link_part.endswith("\\"):
        link_part = link_part[:-1]
    link_part = clean_link_text(link_part)
    linkpath, subpath = split_linktext(link_part)
    record.links.append(
        LinkRecord("frontmatter", False, value, linkpath, subpath, display, 0, 0, key=key)
    )


class _BlockScanner:
    """One pass over the body lines, tracking the open block and lists."""

    def __init__(
        self, record: NoteRecord, lines: list[str], start: int, syntax: QuerySyntax = DEFAULT_QUERY_SYNTAX
    ) -> None:
        self.record = record
        self.syntax = syntax
        self.js_keyword = syntax.js_keyword.lower()
        # Dataview's inline pass also reads ``<pre><code>`` (fenced and indented code blocks).
        self.code_block_queries = syntax.inline_enabled and syntax.in_codeblocks
        self.indented_until = -1  # last line of the indented code block already looked at
        self.lines = lines
        self.start = start
        self.items: list[_Item] = []
        self.open_items: list[_Item] = []  # stack of the current list's open items
        self.list_line = -1
        self.list_bq = 0
        self.section: str | None = None
        self.para_start: int | None = None  # first line of the current top-level paragraph
        self.para_kind = "paragraph"
        self.last_block: tuple[str, int, int] | None = None  # kind, start, end
        self.prev_blank = True
        self.body_links: list[LinkRecord] = []
        self.embeds: list[LinkRecord] = []
        self.inline_tags: list[TagRecord] = []
        self.block_ids: dict[str, BlockRecord] = {}

    # -- Dataview page-level fields ------------------------------------------------------------
    def dataview_line(self, index: int, line: str) -> None:
        if "::" not in line:
            return
        for f in extract_line_fields(line):
            self.record.fields.append(FieldRecord(f.key, parse_inline_value(f.value), "inline", index))

    # -- main loop -----------------------------------------------------------------------------
    def run(self) -> None:
        lines = self.lines
        n = len(lines)
        i = self.start
        fence: tuple[str, int, int, str, int] | None = None  # char, length, start line, lang, indent
        fence_bq = 0  # blockquote depth the open fence sits in
        in_math = False
        comment_open = False
        html_end: re.Pattern[str] | bool | None = None  # None: not in HTML; True: ends at blank
        code_lines: list[str] = []
        in_list_block = False  # the open fence/math/comment/HTML block sits inside a list item
        while i < n:
            raw = lines[i]
            line = raw[:-1] if raw.endswith("\r") else raw
            # Dataview reads `::` fields on every non-list line, code and comments included.
            # List-item lines are decided below; everything else is handed over here.
            if fence is not None:
                if not in_list_block:
                    self._dv(i, line)
                # Only the quote the fence opened in is a container; a `>` line of a fence
                # outside any quote is code.
                stripped = _strip_quote(line, fence_bq) if fence_bq else line
                s = stripped.strip()
                ch, length = fence[0], fence[1]
                if s and s[0] == ch and len(s) >= length and s == ch * len(s):
                    self._end_fence(fence, code_lines, i)
                    fence = None
                    code_lines = []
                else:
                    code_lines.append(stripped)
                i += 1
                continue
            if comment_open:
                if not in_list_block:
                    self._dv(i, line)
                close = line.find("%%")
                if close >= 0:
                    comment_open = False
                i += 1
                continue
            if in_math:
                if not in_list_block:
                    self._dv(i, line)
                if "$$" in line:
                    in_math = False
                i += 1
                continue
            if html_end is not None:
                if not in_list_block:
                    self._dv(i, line)
                if html_end is True:
                    if not line.strip():
                        html_end = None
                        self.prev_blank = True
                elif isinstance(html_end, re.Pattern) and html_end.search(line):
                    html_end = None
                i += 1
                continue

            # Container prefix: blockquotes / callouts.
            bq_depth = 0
            rest = line
            lstripped = line.lstrip(" ")
            if lstripped.startswith(">"):
                m = _BQ_PREFIX.match(line)
                if m:
                    bq_depth = m.group(0).count(">")
                    rest = line[m.end() :]
            if not rest.strip():
                self._blank(i)
                i += 1
                continue

            first = rest.lstrip(" \t")[:1]
            indent_width = _expand_tabs_width(rest[: len(rest) - len(rest.lstrip(" \t"))])

            # Fenced code.
            if first in ("`", "~"):
                m = _FENCE_OPEN.match(rest)
                if m and not (m.group(2)[0] == "`" and "`" in m.group(3)):
                    self._close_paragraph(i - 1)
                    in_list_block = self._opens_inside_list(indent_width, bq_depth)
                    if not in_list_block:
                        self._dv(i, line)
                    info = m.group(3).strip()
                    lang = info.split(maxsplit=1)[0].lower() if info else ""
                    fence = (m.group(2)[0], len(m.group(2)), i, lang, indent_width)
                    fence_bq = bq_depth
                    code_lines = []
                    self.prev_blank = False
                    i += 1
                    continue
            # Indented code: outside lists, where it cannot be a paragraph's continuation — after a
            # blank line, or right under an ATX/setext heading or a thematic break (CommonMark: an
            # indented code block cannot interrupt a paragraph, but those blocks end on their line).
            block_ended = self.last_block is not None and self.last_block[0] in ("heading", "hr") \
                and self.last_block[2] == i - 1
            if indent_width >= 4 and (self.prev_blank or block_ended) and not self.open_items \
                    and self.para_start is None:
                self._dv(i, line)
                if self.code_block_queries and i > self.indented_until:
                    self._indented_code_query(i, bq_depth)
                self.last_block = ("code", i, i)
                i += 1
                continue
            # Display math.
            if first == "$" and rest.lstrip().startswith("$$"):
                self._close_paragraph(i - 1)
                in_list_block = self._opens_inside_list(indent_width, bq_depth)
                if not in_list_block:
                    self._dv(i, line)
                after = rest.lstrip()[2:]
                if "$$" not in after:
                    in_math = True
                self.last_block = ("math", i, i)
                self.prev_blank = False
                i += 1
                continue
            # Block comment.
            if first == "%" and rest.lstrip().startswith("%%"):
                after = rest.lstrip()[2:]
                close = after.find("%%")
                if close < 0:
                    self._close_paragraph(i - 1)
                    in_list_block = self._opens_inside_list(indent_width, bq_depth)
                    if not in_list_block:
                        self._dv(i, line)
                    comment_open = True
                    self.prev_blank = False
                    i += 1
                    continue
            # HTML block.
            if first == "<" and indent_width < 4:
                end = self._html_block_start(rest)
                if end is not None:
                    self._close_paragraph(i - 1)
                    in_list_block = self._opens_inside_list(indent_width, bq_depth)
                    if not in_list_block:
                        self._dv(i, line)
                    if end is True or not (isinstance(end, re.Pattern) and end.search(rest, 1)):
                        html_end = end
                    self.last_block = ("html", i, i)
                    self.prev_blank = False
                    i += 1
                    continue
            # Thematic break (before list items: `- - -`, `***`).
            if first in ("-", "*", "_") and _THEMATIC.match(rest):
                # `---` under a paragraph line is a setext heading instead.
                if first == "-" and self.para_start is not None and bq_depth == 0 and not self.open_items \
                        and _SETEXT.match(rest):
                    self._setext(i, 2)
                    i += 1
                    continue
                self._close_paragraph(i - 1)
                self._end_list()
                self._dv(i, line)
                self.last_block = ("hr", i, i)
                self.prev_blank = False
                i += 1
                continue
            # ATX heading.
            if first == "#" and indent_width < 4:
                m = _ATX.match(rest)
                if m:
                    self._heading(i, line, rest, len(m.group(1)), (m.group(2) or "").strip(), bq_depth,
                                  indent_width)
                    i += 1
                    continue
            # Setext `===` underline.
            if first == "=" and self.para_start is not None and bq_depth == 0 and not self.open_items \
                    and _SETEXT.match(rest):
                self._setext(i, 1)
                i += 1
                continue
            # List item.
            if first in ("-", "*", "+") or first.isdigit():
                m = _LIST_ITEM.match(rest)
                if m and not (self.para_start is not None and not self.open_items and first.isdigit()
                              and not m.group(2).startswith("1")):
                    self._list_item(i, line, m, bq_depth)
                    i += 1
                    continue
            # Paragraph text, table row, or list continuation.
            self._text_line(i, line, rest, bq_depth, indent_width)
            i += 1

        if fence is not None:
            self._end_fence(fence, code_lines, n - 1)
        self._close_paragraph(n - 1)
        self._finish()

    # -- helpers -------------------------------------------------------------------------------
    def _dv(self, i: int, line: str) -> None:
        if "::" in line:
            self.dataview_line(i, line)

    def _opens_inside_list(self, indent: int, bq_depth: int) -> bool:
        """Does a block opening here belong to the open list? If not, the list ends.

        Dataview skips every line of a top-level list section at page level (list items carry
        their own fields), so blocks nested in list items must not yield page fields.
        """
        if self._continues_item(indent, bq_depth):
            return bq_depth == 0
        self._end_list()
        return False

    def _blank(self, i: int) -> None:
        self._close_paragraph(i - 1)
        self.prev_blank = True

    def _close_paragraph(self, end: int) -> None:
        if self.para_start is not None:
            self.last_block = (self.para_kind, self.para_start, max(end, self.para_start))
            self.para_start = None

    def _end_list(self) -> None:
        if self.open_items:
            self.last_block = ("list", self.list_line, self.open_items[-1].end_line)
        self.open_items = []
        self.list_line = -1

    def _end_fence(self, fence: tuple[str, int, int, str, int], code_lines: list[str], end: int) -> None:
        _, _, start, lang, indent = fence
        if lang == "dataview":
            self.record.queries.append(QueryBlock("dataview", "\n".join(_dedent(code_lines, indent)), start))
        elif lang == self.js_keyword:
            self.record.queries.append(QueryBlock("dataviewjs", "\n".join(_dedent(code_lines, indent)), start))
        elif self.code_block_queries and lang not in _NOT_CODE_LANGUAGES:
            self._code_block_query(_dedent(code_lines, indent), start + 1)
        self.last_block = ("code", start, end)
        self.prev_blank = False

    def _code_block_query(self, code_lines: list[str], first_line: int) -> None:
        """An ordinary code block whose whole text is an inline query (``inlineQueriesInCodeblocks``)."""
        found = self.syntax.inline_kind("\n".join(code_lines))
        if found is not None:
            skip = next((k for k, text in enumerate(code_lines) if text.strip()), 0)
            self.record.queries.append(QueryBlock(found[0], found[1], first_line + skip))

    def _indented_code_query(self, start: int, bq_depth: int) -> None:
        """The indented code block starting at ``start``: its lines run on while they are blank
        or indented by four columns (inside the same blockquote depth); trailing blanks are not
        part of it (CommonMark §4.4)."""
        lines = self.lines
        content: list[str] = []
        last = start
        for j in range(start, len(lines)):
            raw = lines[j][:-1] if lines[j].endswith("\r") else lines[j]
            rest = raw
            if bq_depth:
                m = _BQ_PREFIX.match(raw)
                if m is None or m.group(0).count(">") != bq_depth:
                    break
                rest = raw[m.end():]
            if rest.strip():
                lead = rest[: len(rest) - len(rest.lstrip(" \t"))]
                if _expand_tabs_width(lead) < 4:
                    break
                last = j
            content.append(rest)
        self.indented_until = last
        self._code_block_query(_dedent(content[: last - start + 1], 4), start)

    def _html_block_start(self, rest: str) -> re.Pattern[str] | bool | None:
        s = rest.lstrip(" ")
        if s.startswith("<!--"):
            return re.compile("-->")
        if s.startswith("<?"):
            return re.compile(r"\?>")
        if s.startswith("<![CDATA["):
            return re.compile(r"\]\]>")
        if s.startswith("<!") and len(s) > 2 and s[2].isalpha():
            return re.compile(">")
        m = _HTML_BLOCK_1.match(rest)
        if m:
            return re.compile(rf"</{m.group(1)}>", re.IGNORECASE)
        if _HTML_BLOCK_6.match(rest):
            return True
        if self.para_start is None and _HTML_BLOCK_7.match(rest):
            return True
        return None

    def _heading(self, i: int, line: str, rest: str, level: int, text: str, bq_depth: int, indent: int) -> None:
        self._close_paragraph(i - 1)
        in_item = self._continues_item(indent, bq_depth)
        if not in_item:
            self._end_list()
        self._dv(i, line)
        block_id = None
        m = _BLOCK_ID_END.search(text)
        if m:
            block_id = m.group(1)
            text = text[: m.start()].rstrip()
        if bq_depth == 0 and not in_item:
            self.record.headings.append(HeadingRecord(level, text, i))
            self.section = text
        if block_id:
            self._add_block(block_id, i, i, "heading")
        self._inline(i, line)
        self.last_block = ("heading", i, i)
        self.prev_blank = False

    def _setext(self, i: int, level: int) -> None:
        start = self.para_start if self.para_start is not None else i - 1
        text = " ".join(self.lines[j].strip() for j in range(start, i))
        self.para_start = None
        self.record.headings.append(HeadingRecord(level, text, start))
        self.section = text
        self.last_block = ("heading", start, i)
        self.prev_blank = False

    def _continues_item(self, indent: int, bq_depth: int) -> bool:
        if not self.open_items or bq_depth != self.list_bq:
            return False
        return indent >= self.open_items[0].content_col

    def _list_item(self, i: int, line: str, m: re.Match[str], bq_depth: int) -> None:
        self._close_paragraph(i - 1)
        lead, symbol, gap, content = m.group(1), m.group(2), m.group(3), m.group(4)
        indent = _expand_tabs_width(lead)
        gap_width = _expand_tabs_width(gap) if gap else 1
        if gap_width > 4:  # CommonMark: content is indented code; the content column is marker + 1
            gap_width = 1
        content_col = indent + len(symbol) + gap_width
        if self.open_items and bq_depth != self.list_bq:
            self._end_list()
        if not self.open_items:
            self.list_line = i
            self.list_bq = bq_depth
        # Find the parent: the nearest open item whose content column is <= this marker's indent.
        while self.open_items and indent < self.open_items[-1].content_col:
            self.open_items.pop()
        parent = self.open_items[-1].line if self.open_items else None
        status = None
        text = content
        tm = _TASK_BOX.match(content)
        if tm:
            status = tm.group(1)
            text = content[tm.end() :]
        item = _Item(
            line=i,
            indent=indent,
            content_col=content_col,
            symbol=symbol,
            status=status,
            first_text=text,
            lines=[text.strip()],
            end_line=i,
            parent=parent,
            list_line=self.list_line,
            section=self.section,
            block_id=None,
            bq_depth=bq_depth,
        )
        self.items.append(item)
        self.open_items.append(item)
        self._inline(i, line)
        self.prev_blank = False

    def _text_line(self, i: int, line: str, rest: str, bq_depth: int, indent: int) -> None:
        # Standalone `^id` after a block labels that block (obsidian.md §3.6).
        if "^" in rest:
            sm = _STANDALONE_BLOCK_ID.match(rest)
            if sm and self.para_start is None and self.last_block is not None and not self.open_items:
                kind, start, end = self.last_block
                self._add_block(sm.group(1), start, end, kind)
                self.prev_blank = False
                return
            if sm and self.para_start is None and self.open_items and self.prev_blank:
                kind, start, end = ("list", self.list_line, self.open_items[-1].end_line)
                self._add_block(sm.group(1), start, end, kind)
                self.open_items = []
                self.prev_blank = False
                return
        if self.open_items:
            last = self.open_items[-1]
            continuing = bq_depth == self.list_bq and (
                (not self.prev_blank and last.end_line == i - 1) or indent >= self.open_items[0].content_col
            )
            if continuing:
                # Lazy or indented continuation of the deepest item whose content column fits.
                target = last
                if self.prev_blank:
                    for item in reversed(self.open_items):
                        if indent >= item.content_col:
                            target = item
                            break
                if target.end_line == i - 1 and not self.prev_blank:
                    target.lines.append(rest.strip())
                    target.end_line = i
                self._inline(i, line)
                self.prev_blank = False
                return
            self._end_list()
        if self.para_start is None:
            self.para_start = i
            self.para_kind = "blockquote" if bq_depth else ("table" if rest.lstrip().startswith("|") else "paragraph")
        self._dv(i, line)
        if "^" in rest:
            m = _BLOCK_ID_END.search(rest)
            if m:
                # The id labels the whole top-level block (a paragraph, quote or table).
                self._add_block(m.group(1), self.para_start, i, self.para_kind)
        self._inline(i, line)
        self.prev_blank = False

    def _add_block(self, block_id: str, start: int, end: int, kind: str) -> None:
        key = block_id.lower()
        if key in self.block_ids:
            previous = self.block_ids[key]
            self.record.diagnostics.append(
                Diagnostic(
                    "duplicate-block",
                    f"block id ^{block_id} is used more than once (also line {previous.line + 1}); "
                    "links go to the last one",
                    line=start,
                    severity="warning",
                )
            )
        self.block_ids[key] = BlockRecord(block_id, start, end, kind)

    # -- inline pass ---------------------------------------------------------------------------
    def _inline(self, i: int, line: str) -> None:
        """Links, embeds, tags and inline queries of one Markdown text line."""
        if _INLINE_HINT.search(line) is None:
            return
        masked = line
        if "\\" in masked:
            masked = _ESCAPED.sub("  ", masked)
        if "%%" in masked:
            masked = _mask_inline_comments(masked)
        if "`" in masked:
            masked = self._mask_code_spans(i, masked)
        if "$" in masked:
            masked = _INLINE_MATH.sub(lambda m: " " * len(m.group(0)), masked)
        if "[[" in masked:
            masked = self._wikilinks(i, line, masked)
        if "](" in masked:
            masked = self._markdown_links(i, line, masked)
        if "#" in masked:
            for tag, _col in find_obsidian_tags(masked):
                self.inline_tags.append(TagRecord(tag, "inline", i))

    def _mask_code_spans(self, i: int, text: str) -> str:
        out = []
        pos = 0
        n = len(text)
        while pos < n:
            tick = text.find("`", pos)
            if tick < 0:
                break
            run_end = tick
            while run_end < n and text[run_end] == "`":
                run_end += 1
            run = run_end - tick
            close = text.find("`" * run, run_end)
            while close >= 0 and close + run < n and text[close + run] == "`":
                # A longer run does not close; skip past it.
                nxt = close
                while nxt < n and text[nxt] == "`":
                    nxt += 1
                close = text.find("`" * run, nxt)
            if close < 0:
                pos = run_end
                continue
            found = self.syntax.inline_kind(text[run_end:close])
            if found is not None:
                self.record.queries.append(QueryBlock(found[0], found[1], i))
            out.append(text[pos:tick])
            out.append(" " * (close + run - tick))
            pos = close + run
        out.append(text[pos:])
        return "".join(out)

    def _wikilinks(self, i: int, line: str, masked: str) -> str:
        pos = 0
        chars = list(masked)
        while True:
            m = _WIKILINK.search(masked, pos)
            if m is None:
                break
            inner = m.group(2)
            if "[[" in inner:
                pos = m.start(2) - 1  # retry from inside: `[[a [[b]]` links `b`
                continue
            embed = m.group(1) == "!"
            start = m.start()
            original = line[start : m.end()]
            raw_inner = line[m.start(2) : m.end(2)]
            self._add_wikilink(i, start, original, raw_inner, embed)
            for k in range(start, m.end()):
                chars[k] = " "
            pos = m.end()
        return "".join(chars)

    def _add_wikilink(self, i: int, col: int, original: str, inner: str, embed: bool) -> None:
        text = inner.strip()
        pipe = text.find("|")
        display: str | None
        if pipe > 0:
            link_part = text[:pipe].strip()
            display = text[pipe + 1 :].strip()
        else:
            link_part, display = text, None
        if link_part.endswith("\\"):
            link_part = link_part[:-1].rstrip()
        link_part = clean_link_text(link_part)
        linkpath, subpath = split_linktext(link_part)
        record = LinkRecord("wiki", embed, original, linkpath, subpath, display, i, col)
        (self.embeds if embed else self.body_links).append(record)

    def _markdown_links(self, i: int, line: str, masked: str) -> str:
        chars = list(masked)
        pos = 0
        n = len(masked)
        while True:
            close_bracket = masked.find("](", pos)
            if close_bracket < 0:
                break
            # Find the matching '[' for this ']' (nesting allowed).
            depth = 0
            open_at = -1
            k = close_bracket - 1
            while k >= pos:
                c = masked[k]
                if c == "]":
                    depth += 1
                elif c == "[":
                    if depth == 0:
                        open_at = k
                        break
                    depth -= 1
                k -= 1
            if open_at < 0:
                pos = close_bracket + 2
                continue
            dest_start = close_bracket + 2
            parsed = _parse_destination(masked, dest_start)
            if parsed is None:
                pos = close_bracket + 2
                continue
            dest, end = parsed
            embed = open_at > 0 and masked[open_at - 1] == "!"
            start = open_at - 1 if embed else open_at
            label = line[open_at + 1 : close_bracket]
            if is_internal_destination(dest):
                try:
                    decoded = decode_uri(dest)
                except MalformedURI:
                    decoded = None
                if decoded is not None:
                    link_text = clean_link_text(decoded)
                    linkpath, subpath = split_linktext(link_text)
                    record = LinkRecord(
                        "markdown", embed, line[start:end], linkpath, subpath, label.strip() or None, i, start
                    )
                    (self.embeds if embed else self.body_links).append(record)
            for k in range(start, end):
                chars[k] = " "
            masked = "".join(chars)
            pos = end
            if pos >= n:
                break
        return "".join(chars)

    # -- finish --------------------------------------------------------------------------------
    def _finish(self) -> None:
        record = self.record
        # Links in Obsidian's order: frontmatter links (already added), body links, then embeds.
        record.links.extend(self.body_links)
        record.links.extend(self.embeds)
        record.tags.extend(_dedupe_tags(self.inline_tags))
        # List items: block ids at the end of an item's text, fields, tags.
        for item in self.items:
            joined = " ".join(item.lines)
            if "^" in joined:
                m = _BLOCK_ID_END.search(item.lines[-1])
                if m:
                    item.block_id = m.group(1)
                    self._add_block(item.block_id, item.line, item.end_line, "list-item")
            fields = []
            if "::" in joined or any(e in joined for e in _EMOJI_HINTS):
                for f in extract_list_item_fields(joined, item.status is not None):
                    value = parse_inline_value(f.value)
                    fields.append((f.key, value))
                    if item.status is None:
                        record.fields.append(FieldRecord(f.key, value, "list", item.line))
            tags = find_list_item_tags(joined) if "#" in joined else []
            record.list_items.append(
                ListItemRecord(
                    line=item.line,
                    line_count=item.end_line - item.line + 1,
                    list_line=item.list_line,
                    parent=item.parent,
                    symbol=item.symbol,
                    status=item.status,
                    text="\n".join(item.lines),
                    block_id=item.block_id,
                    fields=fields,
                    tags=tags,
                    section=item.section,
                )
            )
        record.blocks = sorted(self.block_ids.values(), key=lambda b: b.line)
        # Field order: frontmatter, then list-item fields, then other lines (dataview.md §1.5).
        order = {"frontmatter": 0, "list": 1, "inline": 2}
        record.fields.sort(key=lambda f: (order[f.source], f.line if f.line is not None else -1))


_EMOJI_HINTS = ("\u2795", "\U0001f6eb", "\u23f3", "\u231b", "\U0001f4c5", "\U0001f4c6", "\U0001f5d3", "\u2705")


def _dedupe_tags(tags: list[TagRecord]) -> list[TagRecord]:
    """Dataview keeps each exact tag once (a JS Set); case variants stay separate."""
    seen: set[str] = set()
    out: list[TagRecord] = []
    for t in tags:
        if t.tag not in seen:
            seen.add(t.tag)
            out.append(t)
    return out


_QUOTE_MARKER = re.compile(r" {0,3}>[ ]?")


def _strip_quote(line: str, depth: int) -> str:
    """``line`` without its first ``depth`` blockquote markers (fewer if it has fewer)."""
    pos = 0
    for _ in range(depth):
        m = _QUOTE_MARKER.match(line, pos)
        if m is None:
            break
        pos = m.end()
    return line[pos:]


def _mask_inline_comments(text: str) -> str:
    out = []
    pos = 0
    while True:
        start = text.find("%%", pos)
        if start < 0:
            break
        end = text.find("%%", start + 2)
        if end < 0:
            break
        out.append(text[pos:start])
        out.append(" " * (end + 2 - start))
        pos = end + 2
    out.append(text[pos:])
    return "".join(out)


def _parse_destination(text: str, start: int) -> tuple[str, int] | None:
    """Parse ``dest [title])`` from ``start``; returns (destination, index after ')')."""
    n = len(text)
    k = start
    while k < n and text[k] in " \t":
        k += 1
    if k < n and text[k] == "<":
        close = text.find(">", k + 1)
        if close < 0:
            return None
        dest = text[k + 1 : close]
        k = close + 1
    else:
        depth = 0
        d0 = k
        while k < n:
            c = text[k]
            if c in " \t":
                break
            if c == "(":
                depth += 1
            elif c == ")":
                if depth == 0:
                    break
                depth -= 1
            k += 1
        dest = text[d0:k]
    while k < n and text[k] in " \t":
        k += 1
    if k < n and text[k] in "\"'(":
        quote = ")" if text[k] == "(" else text[k]
        close = text.find(quote, k + 1)
        if close < 0:
            return None
        k = close + 1
        while k < n and text[k] in " \t":
            k += 1
    if k >= n or text[k] != ")":
        return None
    return dest, k + 1


def _dedent(lines: list[str], indent: int) -> list[str]:
    if indent <= 0:
        return lines
    out = []
    for line in lines:
        width = 0
        k = 0
        while k < len(line) and width < indent and line[k] in " \t":
            width += 4 - (width % 4) if line[k] == "\t" else 1
            k += 1
        out.append(line[k:])
    return out


def parse_embed_size(text: str) -> tuple[int, int | None] | None:
    """``100`` / ``100x145`` (obsidian.md §4.1): width and optional height, or None."""
    m = _EMBED_SIZE.match(text)
    if not m:
        return None
    height = int(m.group(2)) if m.group(2) and int(m.group(2)) != 0 else None
    return int(m.group(1)), height
