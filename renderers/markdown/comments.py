"""Obsidian comments ``%%…%%`` are removed from the output (obsidian.md §6.3).

Block form: a line starting with ``%%`` opens a comment that runs to the next ``%%`` — possibly
many lines and paragraphs later — and an unclosed one hides the rest of the note.  Inline form:
``%%…%%`` inside a paragraph; an unclosed inline ``%%`` hides the rest of that paragraph.  Links
and tags inside comments are never rendered, so nothing in a comment can leak into published
output.
"""

from __future__ import annotations

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_inline import StateInline

__all__ = ["comments_plugin"]


def _block_comment(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    if state.is_code_block(start_line):
        return False
    begin = state.bMarks[start_line] + state.tShift[start_line]
    src = state.src
    if not src.startswith("%%", begin):
        return False
    first_end = state.eMarks[start_line]
    close = src.find("%%", begin + 2)
    if 0 <= close < first_end:
        # Closed on its own line: a block comment only if nothing follows it.
        if src[close + 2 : first_end].strip():
            return False
        if not silent:
            state.push("comment_block", "", 0).hidden = True
        state.line = start_line + 1
        return True
    if silent:
        return True
    line = start_line + 1
    while line < end_line:
        # Lines of a comment are raw text: find the closer anywhere in them.
        if src.find("%%", state.bMarks[line], state.eMarks[line]) >= 0:
            break
        line += 1
    state.push("comment_block", "", 0).hidden = True
    state.line = min(line + 1, end_line)
    return True


def _inline_comment(state: StateInline, silent: bool) -> bool:
    src, pos = state.src, state.pos
    if not src.startswith("%%", pos):
        return False
    close = src.find("%%", pos + 2, state.posMax)
    if not silent:
        state.push("comment_inline", "", 0).hidden = True
    state.pos = state.posMax if close < 0 else close + 2
    return True


def _render_nothing(self: object, tokens: object, idx: int, options: object, env: object) -> str:
    return ""


def comments_plugin(md: MarkdownIt) -> None:
    """Install block and inline comment rules (before anything that could parse their inside)."""
    md.block.ruler.before(
        "code",
        "obsidian_comment",
        _block_comment,
        {"alt": ["paragraph", "reference", "blockquote", "list"]},
    )
    md.inline.ruler.before("text", "obsidian_comment", _inline_comment)
    md.add_render_rule("comment_block", _render_nothing)
    md.add_render_rule("comment_inline", _render_nothing)
