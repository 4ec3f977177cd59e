"""Dataview blocks and inline queries, delegated to the host (``ctx.render_query``).

```` ```dataview ```` blocks and inline code starting with ``=`` go to the host, which returns
trusted HTML.  DataviewJS (```` ```dataviewjs ```` and inline ``$=``) would mean running the
note's JavaScript: it is never executed and renders a fixed notice that quotes nothing from the
note.
"""

from __future__ import annotations

from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token

from ._state import Fragment, fragment
from .code import fence_language
from .context import notice

__all__ = ["DATAVIEWJS_NOTICE", "queries_plugin"]

DATAVIEWJS_NOTICE = notice("DataviewJS is not supported here.", "gardend-dataviewjs")
_INLINE_JS_NOTICE = (
    '<span class="gardend-notice gardend-dataviewjs">DataviewJS is not supported here.</span>'
)


def _query(frag: Fragment, kind: str, source: str) -> str:
    try:
        result = frag.ctx.render_query(kind, source, frag.path)
    except Exception:
        # A failing query must not take the whole note down; the message stays generic because
        # exception text may quote paths or values from other notes.
        tag = "span" if kind == "inline" else "div"
        return f'<{tag} class="gardend-notice gardend-query-error">This query could not be run.</{tag}>'

    if isinstance(result, tuple):
        html, paths = result
        for path in paths:
            frag.page.depend(path)
        return html
    return result


def queries_plugin(md: MarkdownIt) -> None:
    """Wrap ``fence`` and ``code_inline`` renderers for the Dataview languages."""
    previous_fence = md.renderer.rules["fence"]
    previous_inline = md.renderer.rules["code_inline"]

    def fence(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
        tok = tokens[idx]
        lang = fence_language(tok.info).lower()
        frag = fragment(env)
        if lang == (frag.ctx.dataviewjs_keyword.lower() if frag is not None else "dataviewjs"):
            return DATAVIEWJS_NOTICE + "\n"
        if lang == "dataview" and frag is not None:
            return _query(frag, "dataview", tok.content) + "\n"
        return previous_fence(tokens, idx, options, env)

    def code_inline(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
        content = tokens[idx].content
        frag = fragment(env)
        ctx = frag.ctx if frag is not None else None
        js_prefix = ctx.inline_js_query_prefix if ctx is not None else "$="
        if js_prefix and content.startswith(js_prefix):
            return _INLINE_JS_NOTICE
        prefix = ctx.inline_query_prefix if ctx is not None else "="
        if frag is not None and frag.ctx.inline_queries and prefix and content.startswith(prefix):
            return _query(frag, "inline", content[len(prefix):].strip())
        return previous_inline(tokens, idx, options, env)

    md.add_render_rule("fence", fence)
    md.add_render_rule("code_inline", code_inline)
