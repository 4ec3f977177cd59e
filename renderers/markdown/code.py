"""Code blocks with Pygments highlighting (obsidian.md §6.12).

Markup follows Obsidian's Prism output shape — ``<pre class="language-x"><code
class="language-x is-loaded">`` — with Pygments' short CSS class names on the token spans and
no inline styles, so themes (and a strict Content-Security-Policy) stay in control.  Other
plugins (mermaid, queries) chain in front of this renderer for the languages they own.
"""

from __future__ import annotations

import re
from typing import Any

from gardend.renderers.dataview import escape_text
from markdown_it import MarkdownIt
from markdown_it.token import Token
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

__all__ = ["code_plugin", "fence_language", "render_code"]

_LANG = re.compile(r"[A-Za-z0-9_+#.-]+")
_FORMATTER = HtmlFormatter(nowrap=True)
#: Beyond this size highlighting is skipped: lexers can be slow on pathological input.
MAX_HIGHLIGHT_CHARS = 200_000


def fence_language(info: str) -> str:
    """The first word of a fence's info string if it is a plausible language name, else ``""``
    (it ends up in a class attribute, so anything odd is dropped rather than escaped)."""
    word = info.strip().split(maxsplit=1)[0] if info.strip() else ""
    return word if _LANG.fullmatch(word) else ""


def render_code(code: str, lang: str) -> str:
    """Highlighted ``<pre><code>`` for ``code`` in ``lang`` (plain escaped text if unknown)."""
    body = None
    if lang and len(code) <= MAX_HIGHLIGHT_CHARS:
        try:
            lexer = get_lexer_by_name(lang.lower(), stripnl=False, ensurenl=False)
        except ClassNotFound:
            lexer = None
        if lexer is not None:
            body = highlight(code, lexer, _FORMATTER)
    if body is None:
        body = escape_text(code)
    if not lang:
        return f"<pre><code>{body}</code></pre>\n"
    cls = f"language-{lang}"
    return f'<pre class="{cls}"><code class="{cls} is-loaded">{body}</code></pre>\n'


def _fence(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    tok = tokens[idx]
    return render_code(tok.content, fence_language(tok.info))


def _code_block(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    return render_code(tokens[idx].content, "")


def code_plugin(md: MarkdownIt) -> None:
    """Install the base code renderers; language plugins wrap ``fence`` afterwards."""
    md.add_render_rule("fence", _fence)
    md.add_render_rule("code_block", _code_block)
