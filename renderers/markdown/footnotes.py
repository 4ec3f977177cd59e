"""Footnotes ``[^1]``, ``[^note]`` and inline ``^[…]`` with Obsidian's markup (obsidian.md §6.5).

Parsing and numbering (by first reference, repeated references counted) come from
mdit-py-plugins' footnote plugin; only the markup is Obsidian's.  Footnotes of embedded notes get a
fragment prefix in their ids so two notes' ``fn-1`` never collide on one page.

The note's own labelled footnotes are recorded (label → element id) in the render result, so a
host can point ``[[Note#[^label]]]`` at the right ``fn-<n>`` (obsidian.md §3.5).
"""

from __future__ import annotations

from typing import Any

from gardend.renderers.dataview import escape_attr
from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.footnote import footnote_plugin

from ._state import fragment

__all__ = ["footnotes_plugin"]


def _prefix(env: Any) -> str:
    frag = fragment(env)
    return f"{frag.uid}-" if frag is not None and frag.depth > 0 else ""


def _number(tok: Token) -> str:
    return str(tok.meta["id"] + 1)


def _ref(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    tok = tokens[idx]
    n = _number(tok)
    sub = tok.meta.get("subId", 0)
    suffix = f"-{sub}" if sub > 0 else ""
    pre = _prefix(env)
    label = tok.meta.get("label")
    footref = label if label is not None else f"[inline{tok.meta['id']}"
    return (
        f'<sup class="footnote-ref" data-footnote-id="fnref-{pre}{n}{suffix}" '
        f'id="fnref-{pre}{n}{suffix}"><a class="footnote-link" href="#fn-{pre}{n}" '
        f'data-footref="{escape_attr(footref)}">[{n}{suffix}]</a></sup>'
    )


def _block_open(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    return '<section class="footnotes"><hr><ol>\n'


def _block_close(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    return "</ol></section>\n"


def _open(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    tok = tokens[idx]
    ident = f"fn-{_prefix(env)}{_number(tok)}"
    frag = fragment(env)
    label = tok.meta.get("label")
    if frag is not None and frag.top and label is not None:
        frag.page.footnotes.setdefault(label, ident)
    return f'<li data-footnote-id="{ident}" id="{ident}">'


def _close(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    return "</li>\n"


def _anchor(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    tok = tokens[idx]
    sub = tok.meta.get("subId", 0)
    suffix = f"-{sub}" if sub > 0 else ""
    return (
        f'<a class="footnote-backref footnote-link" href="#fnref-{_prefix(env)}{_number(tok)}'
        f'{suffix}">\u21a9\ufe0e</a>'
    )


def footnotes_plugin(md: MarkdownIt) -> None:
    """Install footnote parsing with Obsidian's markup."""
    footnote_plugin(md, inline=True)
    md.add_render_rule("footnote_ref", _ref)
    md.add_render_rule("footnote_block_open", _block_open)
    md.add_render_rule("footnote_block_close", _block_close)
    md.add_render_rule("footnote_open", _open)
    md.add_render_rule("footnote_close", _close)
    md.add_render_rule("footnote_anchor", _anchor)
