"""Inline tags ``#tag`` (obsidian.md §5.1, markup §7.3).

A tag starts at a ``#`` at the start of the inline text or after whitespace and runs over every
character except whitespace, ASCII punctuation other than ``-_/`` and the Unicode punctuation
blocks U+2000–U+206F / U+2E00–U+2E7F; all-digit tags (``#1984``) are not tags.
"""

from __future__ import annotations

import re
from typing import Any

from gardend.renderers.dataview import escape_attr, escape_text
from markdown_it import MarkdownIt
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token

__all__ = ["TAG", "tags_plugin"]

TAG = re.compile(r"#[^\u2000-\u206F\u2E00-\u2E7F'!\"#$%&()*+,.:;<=>?@^`{|}~\[\]\\\s]+")
_DIGITS = re.compile(r"#\d+")


def _tag(state: StateInline, silent: bool) -> bool:
    src, pos = state.src, state.pos
    if src[pos] != "#" or (pos > 0 and not src[pos - 1].isspace()) or state.linkLevel > 0:
        return False
    m = TAG.match(src, pos, state.posMax)
    if m is None or _DIGITS.fullmatch(m.group(0)):
        return False
    if not silent:
        state.push("tag", "a", 0).content = m.group(0)
    state.pos = m.end()
    return True


def _render_tag(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    tag = tokens[idx].content
    return (
        f'<a href="{escape_attr(tag)}" class="tag" target="_blank" rel="noopener nofollow">'
        f"{escape_text(tag)}</a>"
    )


def tags_plugin(md: MarkdownIt) -> None:
    """Install the tag rule."""
    md.inline.ruler.before("link", "obsidian_tag", _tag)
    md.add_render_rule("tag", _render_tag)
