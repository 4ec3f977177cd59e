"""Heading ids and ``data-heading`` (obsidian.md §6.11, §7.4).

Obsidian itself navigates by cache positions, not ids; a static site needs ids, so gardend's slug
rule is: plain heading text, lower-cased, punctuation and symbols removed (``-`` and ``_`` kept),
whitespace runs → ``-``; repeated slugs on one page get ``-1``, ``-2``…  Hosts map
``[[Note#Heading]]`` to a URL fragment with :func:`heading_slug` (the first heading of that name).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from gardend.daemon.links import heading_matches
from gardend.renderers.dataview import escape_attr
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from ._state import fragment
from .context import Heading
from .sections import footnote_label

__all__ = ["heading_slug", "headings_plugin", "subpath_fragment"]

_WS = re.compile(r"\s+")


def heading_slug(text: str) -> str:
    """The slug of a heading's plain text (``"Why? (FAQ)"`` → ``"why-faq"``)."""
    kept = []
    for ch in text.lower():
        if ch in "-_" or ch.isspace():
            kept.append(ch)
        elif unicodedata.category(ch)[0] in "PSC":
            continue
        else:
            kept.append(ch)
    slug = _WS.sub("-", "".join(kept).strip())
    return slug or "heading"


def subpath_fragment(
    subpath: str | None,
    headings: list[Heading] | None = None,
    footnotes: dict[str, str] | None = None,
) -> str:
    """The URL fragment (with ``#``) that lands on ``subpath`` in a note rendered by us.

    ``#^id`` → ``#^id`` (block ids are element ids as written); ``#[^label]`` → the id of that
    footnote in ``footnotes`` (the target's :attr:`RenderedNote.footnotes`; footnotes are
    numbered by first reference, so only the rendered target knows it), or, before the target
    was rendered, ``#fn-<label>`` for a numeric label (right when footnotes are referenced in
    order); ``#A#B`` → the id of the heading Obsidian's chain matching picks in ``headings``
    (the target's :attr:`RenderedNote.headings`), or, without an outline, the slug of the last
    part (right unless headings repeat).  A footnote the target does not list falls through to
    heading matching, as an unmatched block id does in Obsidian (obsidian.md §3.5).
    """
    if not subpath:
        return ""
    parts = [p for p in subpath.split("#") if p]
    if not parts:
        return ""
    if len(parts) == 1 and parts[0].startswith("^"):
        return "#" + parts[0]
    label = footnote_label(parts[0]) if len(parts) == 1 else None
    if label is not None:
        if footnotes is not None and label in footnotes:
            return "#" + footnotes[label]
        if footnotes is None and label.isdigit():
            return f"#fn-{label}"
    if headings:
        index = heading_matches(subpath, [(h.level, h.text) for h in headings])
        if index is not None:
            return "#" + headings[index].id
    return "#" + heading_slug(parts[-1])


def _assign(state: StateCore) -> None:
    frag = fragment(state.env)
    if frag is None:
        return
    page = frag.page
    tokens = state.tokens
    for i, tok in enumerate(tokens):
        if tok.type != "heading_open":
            continue
        inline = tokens[i + 1]
        raw = inline.content.strip()
        parts = []
        for c in inline.children or []:
            if c.type in ("text", "code_inline", "tag"):
                parts.append(c.content)
            elif c.type == "wikilink":
                parts.append(c.meta.get("display") or c.meta["linktext"].replace("#", " "))
        base = heading_slug("".join(parts))
        count = page.slugs.get(base)
        slug = base if count is None else f"{base}-{count}"
        page.slugs[base] = (count or 0) + 1
        tok.meta["heading_id"] = slug
        tok.meta["raw"] = raw
        if frag.top and tok.level == 0:
            page.headings.append(Heading(int(tok.tag[1]), raw, slug))


def _render_heading_open(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    tok = tokens[idx]
    attrs = []
    if "raw" in tok.meta:
        attrs.append(("data-heading", tok.meta["raw"]))
    attrs.append(("dir", "auto"))
    # The slug wins over a ``^id`` on the heading line: the outline and heading links use it.
    attrs.append(("id", tok.meta.get("heading_id") or str(tok.attrGet("id") or "")))
    return f"<{tok.tag}" + "".join(f' {k}="{escape_attr(v)}"' for k, v in attrs if v) + ">"


def headings_plugin(md: MarkdownIt) -> None:
    """Install heading ids (after block ids, which may claim a heading's id)."""
    md.core.ruler.after("block_ids", "heading_ids", _assign)
    md.add_render_rule("heading_open", _render_heading_open)
