"""Math ``$…$`` and ``$$…$$`` (obsidian.md §6.6).

Parsed with mdit-py-plugins' dollarmath configured to Obsidian's rules (no space after the
opening ``$`` or before the closing one, no digit right after the closing ``$`` so ``$5 and $6``
stays text).  Output is the pre-MathJax markup Obsidian produces: escaped TeX in
``span.math.math-inline`` / ``div.math.math-block``, typeset client-side by a script we ship.
"""

from __future__ import annotations

from typing import Any

from gardend.renderers.dataview import escape_text
from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.dollarmath import dollarmath_plugin

__all__ = ["math_plugin"]


def _inline(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    return f'<span class="math math-inline">{escape_text(tokens[idx].content.strip())}</span>'


def _block(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    return f'<div class="math math-block">{escape_text(tokens[idx].content.strip())}</div>\n'


def math_plugin(md: MarkdownIt) -> None:
    """Install dollar math with Obsidian's delimiters and markup."""
    dollarmath_plugin(
        md,
        allow_labels=False,
        allow_space=False,
        allow_digits=False,
        allow_blank_lines=True,
        double_inline=True,
    )
    md.add_render_rule("math_inline", _inline)
    md.add_render_rule("math_inline_double", _block)
    md.add_render_rule("math_block", _block)
