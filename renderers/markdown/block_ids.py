"""Block identifiers ``^id`` (obsidian.md §3.6): removed from the text, set as the element id.

* ``text ^id`` at the end of a paragraph or list item: the id goes on the list item when the
  block is a list, otherwise on the enclosing top-level block (an id inside a blockquote or
  callout identifies the whole quote, as in Obsidian).
* A paragraph that is only ``^id`` gives its id to the preceding top-level block and disappears.

The element id is ``^id`` itself, so a ``#^id`` URL fragment (what ``[[Note#^id]]`` produces)
lands on it without any mapping.
"""

from __future__ import annotations

from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from ._state import fragment
from .sections import BLOCK_ID_AT_END, STANDALONE_BLOCK_ID

__all__ = ["block_ids_plugin"]


def _strip_trailing_id(inline: Token) -> str | None:
    """Remove ``^id`` from the end of an inline token's last text child; return the id."""
    m = BLOCK_ID_AT_END.search(inline.content)
    children = inline.children or []
    if m is None or not children:
        return None
    last = children[-1]
    if last.type != "text":
        return None
    tail = BLOCK_ID_AT_END.search(last.content)
    if tail is None or tail.group(1) != m.group(1):
        # ``^id`` right after a line break: the text child is just ``^id``.
        if last.content.strip() == "^" + m.group(1) and len(children) >= 2:
            children.pop()
            while children and children[-1].type in ("softbreak", "hardbreak"):
                children.pop()
            return m.group(1)
        return None
    last.content = last.content[: tail.start()].rstrip()
    if not last.content:
        children.pop()
        while children and children[-1].type in ("softbreak", "hardbreak"):
            children.pop()
    inline.content = inline.content[: m.start()].rstrip()
    return m.group(1)


def _assign(state: StateCore) -> None:
    frag = fragment(state.env)
    # Embedded fragments strip ``^id`` but emit no ids: the same block embedded twice (or next
    # to its own note) must not produce duplicate element ids.  Parsing without a fragment
    # (section extraction) keeps them, since that is how blocks are found.
    emit = frag is None or frag.depth == 0
    tokens = state.tokens
    stack: list[Token] = []
    previous_top: Token | None = None
    drop: set[int] = set()
    for i, tok in enumerate(tokens):
        if tok.nesting == 1:
            stack.append(tok)
            continue
        if tok.nesting == -1:
            opened = stack.pop() if stack else None
            if not stack and opened is not None and i not in drop:
                previous_top = opened
            continue
        if tok.type != "inline":
            if not stack:
                previous_top = tok
            continue
        if not stack:
            continue
        top = stack[0]
        standalone = STANDALONE_BLOCK_ID.match(tok.content)
        if standalone and len(stack) == 1 and top.type == "paragraph_open":
            if previous_top is not None and not previous_top.attrGet("id"):
                if emit:
                    previous_top.attrSet("id", "^" + standalone.group(1))
                drop.update((i - 1, i, i + 1))
            continue
        if stack[-1].type not in ("paragraph_open", "heading_open"):
            continue
        block_id = _strip_trailing_id(tok)
        if block_id is None:
            continue
        if top.type in ("bullet_list_open", "ordered_list_open"):
            items = [t for t in stack if t.type == "list_item_open"]
            holder = items[-1] if items else top
        else:
            holder = top
        if emit and not holder.attrGet("id"):
            holder.attrSet("id", "^" + block_id)
    if drop:
        state.tokens = [t for i, t in enumerate(tokens) if i not in drop]


def block_ids_plugin(md: MarkdownIt) -> None:
    """Install the block-id rule (after inline parsing, before heading ids)."""
    md.core.ruler.after("inline", "block_ids", _assign)
