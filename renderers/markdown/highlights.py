"""``==highlight==`` → ``<mark>`` (obsidian.md §6.2).

Obsidian's rule: the opener is ``==`` not followed by whitespace and not part of ``====``; the
closer is the next ``==`` not preceded by whitespace; the content is inline Markdown.  The content
is tokenised in place (like markdown-it's link labels), bounded by ``maxNesting``.
"""

from __future__ import annotations

from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline

__all__ = ["highlights_plugin"]


def _find_closer(state: StateInline, start: int) -> int | None:
    """The first valid closer after ``start``.  A failed search is remembered: a search from
    any later position fails too, which keeps ``==a ==a ==a …`` linear instead of quadratic."""
    src, limit = state.src, state.posMax
    failed: dict[tuple[int, int], int] = state.env.setdefault("gardend_mark_fail", {})
    key = (id(src), limit)
    if key in failed and start >= failed[key]:
        return None
    pos = start
    while True:
        pos = src.find("==", pos, limit)
        if pos < 0:
            failed[key] = min(start, failed.get(key, start))
            return None
        if pos > start and not src[pos - 1].isspace():
            return pos
        pos += 1


def _highlight(state: StateInline, silent: bool) -> bool:
    src, start = state.src, state.pos
    if not src.startswith("==", start) or start + 2 >= state.posMax:
        return False
    nxt = src[start + 2]
    if nxt.isspace() or nxt == "=" or (start > 0 and src[start - 1] == "="):
        return False
    if state.level >= state.md.options["maxNesting"]:
        return False
    close = _find_closer(state, start + 2)
    if close is None:
        return False
    if not silent:
        old_max = state.posMax
        state.push("mark_open", "mark", 1).markup = "=="
        state.pos = start + 2
        state.posMax = close
        state.md.inline.tokenize(state)
        state.posMax = old_max
        state.push("mark_close", "mark", -1).markup = "=="
    state.pos = close + 2
    return True


def highlights_plugin(md: MarkdownIt) -> None:
    """Install the ``==`` rule (before emphasis so ``==*a*==`` nests properly)."""
    md.inline.ruler.before("emphasis", "highlight", _highlight)
