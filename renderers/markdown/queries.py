"""Dataview blocks and inline queries, delegated to the host (``ctx.render_query``).

```` ```dataview ```` blocks and inline code starting with the inline-query prefix go to the
host, which returns trusted HTML.  DataviewJS (```` ```dataviewjs ```` and inline ``$=``) would
mean running the note's JavaScript: it is never executed.  What shows instead follows Dataview's
settings, as checked against obsidian-dataview 0.5.70:

* ``src/main.ts`` registers the ``dataviewJsKeyword`` code-block processor whatever the settings;
  with ``enableDataviewJs`` off, ``DataviewJSRenderer.render`` (``src/ui/views/js-view.ts``)
  shows ``<pre class="dataview dataview-error">Dataview JS queries are disabled. You can enable
  them in the Dataview settings.</pre>`` in the block — gardend shows exactly that; with it on,
  the JavaScript would run, and gardend shows its fixed "not supported" notice instead.
* ``dataviewInline`` (main.ts) only runs with ``enableInlineDataview``; it looks at every
  ``<code>`` element, skipping those inside ``<pre>`` unless ``inlineQueriesInCodeblocks``; the
  trimmed text is tested for ``inlineJsQueryPrefix`` first, then ``inlineQueryPrefix`` (empty
  prefixes never match, nothing after the prefix means plain code). ``$=`` code with
  ``enableDataviewJs`` or ``enableInlineDataviewJs`` off becomes
  ``<span>(disabled; enable in settings)</span>`` (``DataviewInlineJSRenderer.render``).

Neither the notice nor the "disabled" texts quote anything from the note.
"""

from __future__ import annotations

from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token

from ._state import Fragment, fragment
from .code import fence_language
from .context import RenderContext, notice

__all__ = [
    "DATAVIEWJS_DISABLED",
    "DATAVIEWJS_NOTICE",
    "INLINE_JS_DISABLED",
    "code_block_queries_plugin",
    "queries_plugin",
]

DATAVIEWJS_NOTICE = notice("DataviewJS is not supported here.", "gardend-dataviewjs")
_INLINE_JS_NOTICE = (
    '<span class="gardend-notice gardend-dataviewjs">DataviewJS is not supported here.</span>'
)
DATAVIEWJS_DISABLED = (
    '<pre class="dataview dataview-error">'
    "Dataview JS queries are disabled. You can enable them in the Dataview settings.</pre>"
)
"""Dataview's own output for a DataviewJS block while ``enableDataviewJs`` is off."""
INLINE_JS_DISABLED = "<span>(disabled; enable in settings)</span>"
"""Dataview's own output for inline ``$=`` while either JavaScript switch is off."""

_DEFAULT_CONTEXT = RenderContext()


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


def _inline_query(frag: Fragment | None, text: str) -> str | None:
    """The HTML replacing a ``<code>`` element whose text is ``text``, when Dataview's inline
    pass (``dataviewInline``) would take it; ``None`` leaves the code as it is."""
    ctx = frag.ctx if frag is not None else _DEFAULT_CONTEXT
    if not ctx.inline_queries:
        return None
    text = text.strip()
    js_prefix = ctx.inline_js_query_prefix
    if js_prefix and text.startswith(js_prefix):
        if not text[len(js_prefix):].strip():
            return None
        if ctx.dataviewjs_enabled and ctx.inline_dataviewjs_enabled:
            return _INLINE_JS_NOTICE
        return INLINE_JS_DISABLED
    prefix = ctx.inline_query_prefix
    if frag is not None and prefix and text.startswith(prefix):
        expr = text[len(prefix):].strip()
        if expr:
            return _query(frag, "inline", expr)
    return None


def _dataviewjs_block(frag: Fragment | None, lang: str) -> str:
    ctx = frag.ctx if frag is not None else _DEFAULT_CONTEXT
    if ctx.dataviewjs_enabled:
        return DATAVIEWJS_NOTICE + "\n"
    if ctx.query_container == "obsidian":
        # Obsidian's element for a processed code block, with the style Dataview sets on it (main.ts
        # ``dataviewjs``); the class follows the dataview block's (unverified, dataview.md §5.1).
        return f'<div class="block-language-{lang}" style="overflow-x: auto;">{DATAVIEWJS_DISABLED}</div>\n'
    return DATAVIEWJS_DISABLED + "\n"


def queries_plugin(md: MarkdownIt) -> None:
    """Wrap ``fence`` and ``code_inline`` renderers for the Dataview languages."""
    previous_fence = md.renderer.rules["fence"]
    previous_inline = md.renderer.rules["code_inline"]

    def fence(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
        tok = tokens[idx]
        lang = fence_language(tok.info).lower()
        frag = fragment(env)
        if lang == (frag.ctx.dataviewjs_keyword.lower() if frag is not None else "dataviewjs"):
            return _dataviewjs_block(frag, lang)
        if lang == "dataview" and frag is not None:
            return _query(frag, "dataview", tok.content) + "\n"
        return previous_fence(tokens, idx, options, env)

    def code_inline(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
        html = _inline_query(fragment(env), tokens[idx].content)
        return html if html is not None else previous_inline(tokens, idx, options, env)

    md.add_render_rule("fence", fence)
    md.add_render_rule("code_inline", code_inline)


def code_block_queries_plugin(md: MarkdownIt) -> None:
    """Inline queries in ordinary code blocks (Dataview's ``inlineQueriesInCodeblocks``).

    Installed right over the base code renderers, so only blocks that end up as ``<pre><code>``
    are looked at (mermaid and Dataview's own languages are taken by the plugins installed after
    it). The ``<code>`` element is replaced by the query's output inside the ``<pre>``, as
    Dataview's ``DataviewInlineRenderer`` does (``target.replaceWith``); an error box (a block
    ``<div>``) is added after the untouched code block instead, as Dataview appends it to the
    section rather than replacing the code.
    """
    previous_fence = md.renderer.rules["fence"]
    previous_code_block = md.renderer.rules["code_block"]

    def wrap(previous: Any, fenced: bool) -> Any:
        def rule(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
            frag = fragment(env)
            if frag is None or not frag.ctx.inline_queries_in_codeblocks:
                return previous(tokens, idx, options, env)
            tok = tokens[idx]
            html = _inline_query(frag, tok.content)
            if html is None:
                return previous(tokens, idx, options, env)
            if html.startswith("<div"):
                return previous(tokens, idx, options, env) + html + "\n"
            lang = fence_language(tok.info) if fenced else ""
            pre = f'<pre class="language-{lang}">' if lang else "<pre>"
            return f"{pre}{html}</pre>\n"

        return rule

    md.add_render_rule("fence", wrap(previous_fence, True))
    md.add_render_rule("code_block", wrap(previous_code_block, False))
