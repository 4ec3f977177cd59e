"""Math ``$…$`` and ``$$…$$`` (obsidian.md §6.6).

Parsed with mdit-py-plugins' dollarmath configured to Obsidian's rules (no space after the
opening ``$`` or before the closing one, no digit right after the closing ``$`` so ``$5 and $6``
stays text).  Output keeps Obsidian's wrappers (``span.math.math-inline`` /
``div.math.math-block``) and puts MathML inside, converted on the server by ``latex2mathml``, so
formulas display in any current browser with no script and no network. The converter passes some
input through unescaped (``\text{<script>}``, ``\\href{javascript:…}``), so its output is cleaned
with an allow-list of MathML elements and presentation attributes. TeX it cannot convert (or
absurdly long TeX) is shown as escaped source text in the same wrapper, with ``data-tex`` kept.
"""

from __future__ import annotations

from typing import Any

import nh3
from gardend.renderers.dataview import escape_attr, escape_text
from latex2mathml.converter import convert
from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.dollarmath import dollarmath_plugin

__all__ = ["math_plugin"]


MAX_TEX_LENGTH = 5000
"""Longer formulas are shown as source: the converter's time grows with input size."""

_MATHML_TAGS = {
    "math", "mrow", "mi", "mo", "mn", "ms", "msup", "msub", "msubsup", "mfrac", "msqrt", "mroot", "mtext",
    "mspace", "mtable", "mtr", "mtd", "munder", "mover", "munderover", "mstyle", "mpadded", "mphantom",
    "menclose", "mmultiscripts", "mprescripts", "none", "merror",
}
_MATHML_ATTRIBUTES = {
    "*": {
        "display", "mathvariant", "stretchy", "fence", "separator", "lspace", "rspace", "columnalign",
        "rowspacing", "columnspacing", "width", "height", "depth", "accent", "accentunder", "linethickness",
        "displaystyle", "scriptlevel", "notation", "xmlns", "minsize", "maxsize", "movablelimits", "largeop",
        "symmetric", "form", "rowalign", "columnlines", "rowlines", "frame", "align",
    }
}


def tex_to_html(tex: str, display: bool) -> str:
    """MathML for ``tex`` inside Obsidian's math wrapper (escaped TeX when it cannot be converted)."""
    tag, cls = ("div", "math math-block") if display else ("span", "math math-inline")
    tex = tex.strip()
    inner: str | None = None
    if len(tex) <= MAX_TEX_LENGTH:
        try:
            converted = convert(tex, display="block" if display else "inline")
        except Exception:  # the converter raises many kinds of errors on malformed TeX
            converted = None
        if converted:
            inner = nh3.clean(converted, tags=_MATHML_TAGS, attributes=_MATHML_ATTRIBUTES, link_rel=None)
    if inner is None:
        return f'<{tag} class="{cls} math-source" data-tex="{escape_attr(tex)}">{escape_text(tex)}</{tag}>'
    return f'<{tag} class="{cls}" data-tex="{escape_attr(tex)}">{inner}</{tag}>'


def _inline(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    return tex_to_html(tokens[idx].content, display=False)


def _block(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    return tex_to_html(tokens[idx].content, display=True) + "\n"


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
