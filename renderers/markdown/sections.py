"""Cutting the embedded part out of a note (obsidian.md §4.3).

Sections are found on markdown-it's block tokens (their ``map`` line ranges), so what counts as a
heading, a block or a footnote definition is exactly what the renderer itself sees: a ``#``
inside a code fence is not a heading, a ``^id`` in code is not a block id, a ``[^1]:`` in code
is not a footnote.

Which part a subpath names follows Obsidian's ``resolveSubpath`` (obsidian.md §3.5): split on
``#`` dropping empty parts; a single ``^id`` part is a block, a single ``[^label]`` part a
footnote; when that block or footnote does not exist the subpath is tried as a heading chain.
"""

from __future__ import annotations

import re

from gardend.daemon.links import heading_matches
from markdown_it import MarkdownIt
from markdown_it.token import Token

__all__ = [
    "BLOCK_ID_AT_END",
    "STANDALONE_BLOCK_ID",
    "extract_section",
    "footnote_label",
    "strip_frontmatter",
]

#: ``text ^id`` at the end of a paragraph / list item (obsidian.md §3.6).
BLOCK_ID_AT_END = re.compile(r"(?:^|[ \t\n])\^([A-Za-z0-9-]+)[ \t]*$")
#: A paragraph that is only ``^id``.
STANDALONE_BLOCK_ID = re.compile(r"^\^([A-Za-z0-9-]+)[ \t]*$")
_FRONTMATTER_END = re.compile(r"^(?:---|\.\.\.)[ \t]*$")
#: The ``[^label]:`` marker opening a footnote definition (up to three spaces before it).
_FOOTNOTE_MARKER = re.compile(r"^ {0,3}\[\^[^\]]+\]:[ \t]*")


def strip_frontmatter(text: str) -> tuple[str, int]:
    """Drop a leading YAML block; returns (body, number of lines removed)."""
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != "---":
        return text, 0
    for i in range(1, len(lines)):
        if _FRONTMATTER_END.match(lines[i]):
            return "\n".join(lines[i + 1 :]), i + 1
    return text, 0


def _outline(tokens: list[Token]) -> list[tuple[int, str, int]]:
    """Top-level headings: (level, raw text, first line)."""
    out = []
    for i, tok in enumerate(tokens):
        if tok.type == "heading_open" and tok.level == 0 and tok.map:
            out.append((int(tok.tag[1]), tokens[i + 1].content, tok.map[0]))
    return out


def _heading_section(tokens: list[Token], subpath: str, n_lines: int) -> tuple[int, int] | None:
    outline = _outline(tokens)
    index = heading_matches(subpath, [(lvl, text) for lvl, text, _ in outline])
    if index is None:
        return None
    level, _, start = outline[index]
    end = n_lines
    for lvl, _, line in outline[index + 1 :]:
        if lvl <= level:
            end = line
            break
    return start, end


def _columns(line: str) -> int:
    col = 0
    for ch in line:
        if ch == " ":
            col += 1
        elif ch == "\t":
            col += 4
        else:
            break
    return col


def _dedent(lines: list[str], cols: int) -> list[str]:
    out = []
    for line in lines:
        removed = 0
        i = 0
        while i < len(line) and removed < cols and line[i] in " \t":
            removed += 4 if line[i] == "\t" else 1
            i += 1
        out.append(line[i:])
    return out


def _block_section(tokens: list[Token], block_id: str) -> tuple[int, int, bool] | None:
    """Line span of the block carrying ``^block_id`` (case-insensitive); the flag says whether
    it is a list item (to be de-indented).  The ids were placed on the block tokens by the
    block-id rule during parsing; the last occurrence wins, like Obsidian's ``blocks`` record."""
    wanted = "^" + block_id.lower()
    found: tuple[int, int, bool] | None = None
    for tok in tokens:
        ident = tok.attrGet("id")
        if ident and str(ident).lower() == wanted and tok.map:
            found = (tok.map[0], tok.map[1], tok.type == "list_item_open")
    return found


def footnote_label(part: str) -> str | None:
    """The label of a ``[^label]`` subpath part, or ``None`` for any other part.

    The closing ``]`` is optional: by the first-``]]``-closes rule a link written
    ``[[Note#[^1]]]`` may reach us as ``Note#[^1`` (the index records it so).
    """
    if not part.startswith("[^"):
        return None
    label = part[2:]
    if label.endswith("]"):
        label = label[:-1]
    return label or None


def _footnote_section(md: MarkdownIt, body: str, lines: list[str], label: str) -> str | None:
    """The text of the top-level definition ``[^label]:`` without its marker, continuation
    lines de-indented by one level (a tab or up to four spaces), or ``None`` when the note has
    no such definition.

    Found on block tokens only: the full parse's footnote rule drops the definitions' own
    tokens (and unreferenced definitions altogether) when it moves footnotes to the end. Labels
    match as written, as references do; with two definitions of a label the last one counts,
    as in the rendered note (whose list shows the last one's text).
    """
    tokens: list[Token] = []
    md.block.parse(body, md, {}, tokens)
    span: list[int] | None = None
    for tok in tokens:
        if tok.type == "footnote_reference_open" and tok.level == 0 and tok.meta.get("label") == label and tok.map:
            span = tok.map
    if span is None:
        return None
    chunk = lines[span[0] : span[1]]
    chunk[0] = _FOOTNOTE_MARKER.sub("", chunk[0], count=1)
    chunk[1:] = _dedent(chunk[1:], 4)
    while chunk and not chunk[-1].strip():
        chunk.pop()
    return "\n".join(chunk)


def extract_section(md: MarkdownIt, body: str, subpath: str | None) -> str | None:
    """The Markdown of ``subpath`` (``#Heading#Sub``, ``#^block`` or ``#[^footnote]``) within
    ``body``; the whole body for no subpath; ``None`` when nothing matches."""
    if not subpath or not subpath.strip("#"):
        return body
    lines = body.split("\n")
    parts = [p for p in subpath.split("#") if p]
    label = footnote_label(parts[0]) if len(parts) == 1 else None
    if label is not None:
        text = _footnote_section(md, body, lines, label)
        if text is not None:
            return text
    tokens = md.parse(body, {})
    if len(parts) == 1 and parts[0].startswith("^"):
        span = _block_section(tokens, parts[0][1:])
        if span is not None:
            start, end, is_item = span
            chunk = lines[start:end]
            if is_item and chunk:
                chunk = _dedent(chunk, _columns(chunk[0]))
            return "\n".join(chunk)
    heading = _heading_section(tokens, subpath, len(lines))
    if heading is None:
        return None
    return "\n".join(lines[heading[0] : heading[1]])
