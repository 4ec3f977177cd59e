"""Dataview in published notes (digital-garden.md §4.7).

The plugin asks the installed Dataview for Markdown (``tryQueryMarkdown``) and, for
``dataviewjs``, serialises the rendered DOM — which is how the seed page got Dataview's HTML
tables with Metadata Menu's decoration. gardend has no JavaScript, so:

* ```` ```dataview ```` blocks: by default Dataview's HTML as the seed shows it (container
  ``<div>``, Obsidian's link anchors decorated with fileClasses); optionally (setting
  ``dataview_output="markdown"``) the plugin's Markdown + ``{ .block-language-dataview}``;
* inline ``= expr``: the HTML inline-query span (the value's text when the query is a Markdown
  link destination), or the plugin's ``toString`` text;
* ```` ```dataviewjs ```` and inline ``$=`` JavaScript: a notice instead of output (never the code)
  when Dataview's ``enableDataviewJs`` is on; when it is off, exactly what the plugin publishes
  (below).

What the plugin does with JavaScript (checked against obsidian-digital-garden
src/compiler/DataviewCompiler.ts and obsidian-dataview 0.5.70 src/api/plugin-api.ts,
src/ui/views/js-view.ts): it reads none of Dataview's switches (``enableDataviewJs``,
``enableInlineDataviewJs``, ``enableInlineDataview``, ``inlineQueriesInCodeblocks``) — its regexes
match anywhere in the text, code blocks included. A ``dataviewjs`` block goes to
``dvApi.executeJs`` into a detached ``<div>``, whose ``innerHTML`` replaces the block; with
``enableDataviewJs`` off, Dataview's ``DataviewJSRenderer.render`` writes only
``<pre class="dataview dataview-error">Dataview JS queries are disabled. You can enable them in
the Dataview settings.</pre>`` there, so that is the published text (gardend reproduces it
byte for byte). Inline ``$= code`` tries DQL first, then a direct ``eval`` of the code (which no
Dataview setting stops, and gardend cannot run), then ``executeJs`` — the same disabled error
when the switch is off; gardend writes that whenever DQL gives nothing, which is the plugin's
output whenever its ``eval`` throws or yields nothing.

In ``safe`` mode queries see published notes only (``QueryEngine(published_only=True)``) and
links to unpublished notes render as text, so a query over a private folder publishes nothing
of it. A failing query is the one plugin behaviour not reproduced in HTML mode: the plugin
replaces the *whole note* with the query text (§9 row 4); gardend shows Dataview's error in
place. In plugin + Markdown mode the bug is reproduced (:class:`NoteReplaced`).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ...renderers.dataview import (
    DataviewHtmlRenderer,
    LinkRef,
    ObsidianLinkRenderer,
    ViewSettings,
    escape_text,
    render_html,
)
from ...renderers.dataview_markdown import MarkdownExportError, to_markdown
from ..index import Index
from ..links import default_display
from ..query.engine import QueryEngine, QueryFailed, QueryReads
from ..query.pages import PageStore
from ..values import get_file_title, js_truthy, to_string
from .context import CompileContext
from .jsfmt import js_replace_first

DATAVIEWJS_NOTICE = (
    '<div class="dataview dataview-error">This dataviewjs block is not published: '
    "gardend does not run JavaScript queries.</div>"
)
INLINE_JS_NOTICE = "Unable to render query"
DATAVIEWJS_DISABLED = (
    '<pre class="dataview dataview-error">'
    "Dataview JS queries are disabled. You can enable them in the Dataview settings.</pre>"
)
"""What Dataview's ``executeJs`` renders with ``enableDataviewJs`` off (js-view.ts
``DataviewJSRenderer.render`` → ``renderErrorPre``), hence what the plugin publishes."""


class NoteReplaced(Exception):
    """The plugin's failure path: the compiled note becomes ``text`` (the failing query)."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


def private_label(ref: LinkRef) -> str:
    """What a link to an unpublished note shows in safe mode: the display text the author wrote,
    else the bare note name — never the typed folder path or the ``> heading`` / ``> ^block``
    part that Obsidian's default display adds (both would reveal private structure)."""
    name = get_file_title(ref.linkpath)
    typed = {default_display(ref.linktext), ref.linkpath, name}
    if ref.display in typed or ref.display.startswith(name + " > "):
        return escape_text(name)
    return ref.label_html


@dataclass(frozen=True)
class PublishedOnlyLinks(ObsidianLinkRenderer):
    """Obsidian's anchors, but a link to an unpublished note is only its (escaped) text."""

    is_published: Callable[[str], bool] | None = None

    def __call__(self, ref: LinkRef, source_path: str) -> str:
        target = self.target(ref, source_path)
        if target is not None and self.is_published is not None and not self.is_published(target):
            if ref.embed:
                return ""
            return private_label(ref)
        return super().__call__(ref, source_path)


class PublishedPageStore(PageStore):
    """Page objects whose link lists never name an unpublished note (safe mode).

    ``QueryEngine(published_only=True)`` keeps private notes out of the *rows*; but a published
    page's ``file.inlinks`` still lists the private notes that link to it, and its
    ``file.outlinks`` (and list items' ``outlinks``) the private notes it links to — with their
    vault paths and headings — and ``length(file.inlinks)`` counts them. Here those links are
    dropped when the page is built, so every query, group key, count and inline expression
    sees the published notes only."""

    def __init__(self, index: Index) -> None:
        super().__init__(index)
        self.unpublished = frozenset(
            r[0] for r in index.conn.execute(
                "SELECT f.path FROM files f JOIN notes n ON n.file_id = f.id WHERE n.publish = 0"
            )
        )

    def _build(self, path: str, size: int, mtime_ns: int, ctime_ns: int, frontmatter: dict | None,  # type: ignore[override]
               field_rows: list, tags: list, aliases: list, link_rows: list, item_rows: list,
               inlink_paths: list[str]) -> dict:
        inlink_paths = [p for p in inlink_paths if p not in self.unpublished]
        link_rows = [row for row in link_rows if row[4] not in self.unpublished]
        return super()._build(path, size, mtime_ns, ctime_ns, frontmatter, field_rows, tags, aliases,
                              link_rows, item_rows, inlink_paths)


@dataclass(frozen=True)
class BlockOutput:
    """One ``dataview`` block as compiled: fresh (``reads``) or reused from the cache (``record``)."""

    whole: str
    file_path: str
    output: str
    reads: QueryReads | None
    record: Any


class QueryStep:
    """Runs the dataview step on a text that belongs to one note (``file_path``)."""

    def __init__(self, ctx: CompileContext, engine: QueryEngine, links: ObsidianLinkRenderer) -> None:
        self.ctx = ctx
        self.engine = engine
        self.links = links
        self.view_settings: ViewSettings | None = None  # the vault's Dataview settings, when known
        self.memo: dict[tuple[str, str], tuple[str, Any]] = {}
        """Block outputs the compile cache still knows to be valid: ``(block, note) → (output,
        record)``; a note recompiled for one stale query reuses its other queries' output."""
        self.log: list[BlockOutput] | None = None
        """When set (by the compile cache), every block's output and what it read is appended."""
        s = ctx.settings
        self.block_re = re.compile(r"```\s*dataview\s(.+?)```", re.MULTILINE | re.DOTALL)
        self.js_re = re.compile(r"```\s*" + re.escape(s.dataviewjs_keyword) + r"\s(.+?)```", re.MULTILINE | re.DOTALL)
        self.inline_re = re.compile("`" + re.escape(s.inline_query_prefix) + "(.+?)`", re.MULTILINE | re.DOTALL)
        self.inline_js_re = re.compile("`" + re.escape(s.inline_js_query_prefix) + "(.+?)`", re.MULTILINE | re.DOTALL)

    @property
    def markdown(self) -> bool:
        return self.ctx.settings.dataview_output == "markdown"

    def _replace(self, text: str, needle: str, replacement: str) -> str:
        if self.ctx.safe:
            return text.replace(needle, replacement, 1)
        return js_replace_first(text, needle, replacement)

    def __call__(self, text: str, file_path: str) -> str:
        blocks = list(self.block_re.finditer(text))
        js_blocks = list(self.js_re.finditer(text))
        inline = list(self.inline_re.finditer(text))
        inline_js = list(self.inline_js_re.finditer(text))
        out = text
        for m in blocks:
            out = self._replace(out, m.group(0), self._block(m.group(0), m.group(1), file_path))
        js_enabled = self.ctx.settings.enable_dataview_js
        for m in js_blocks:
            out = self._replace(out, m.group(0), DATAVIEWJS_NOTICE if js_enabled else DATAVIEWJS_DISABLED)
        for m in inline:
            # A query that is a Markdown link's destination (``[x](`= this.url`)``) must stay text.
            as_text = text[max(0, m.start() - 2):m.start()] == "]("
            replacement = self._inline(m.group(0), m.group(1), file_path, as_text=as_text)
            if replacement is not None:
                out = self._replace(out, m.group(0), replacement)
        for m in inline_js:
            # ``$=``: the plugin first tries the code as DQL and writes the value's text.
            replacement = self._inline(m.group(0), m.group(1), file_path, js=True, as_text=True)
            out = self._replace(out, m.group(0), replacement or (INLINE_JS_NOTICE if js_enabled else DATAVIEWJS_DISABLED))
        return out

    def _block(self, whole: str, query: str, file_path: str) -> str:
        key = (whole, file_path)
        if key in self.memo:
            out, record = self.memo[key]
            if self.log is not None:
                self.log.append(BlockOutput(whole, file_path, out, None, record))
            return out
        if self.log is None:
            return self._run_block(whole, query, file_path)
        outer, reads = self.engine.reads, QueryReads()
        self.engine.reads = reads  # the run and the rendering of its links report here
        try:
            out = self._run_block(whole, query, file_path)
        finally:
            self.engine.reads = outer
        self.log.append(BlockOutput(whole, file_path, out, reads, None))
        return out

    def _run_block(self, whole: str, query: str, file_path: str) -> str:
        lines = query.split("\n")
        in_callout = any(line.startswith(">") for line in lines)
        if in_callout:
            query = "\n".join(line[1:].strip() if line.startswith(">") else line for line in lines)
        result = self.engine.run(query, file_path)
        if not self.markdown:
            return render_html(
                result, container="div", settings=self.view_settings, link_renderer=self.links, source_path=file_path
            )
        try:
            md = to_markdown(result, self.view_settings.value_settings) if self.view_settings else to_markdown(result)
        except MarkdownExportError as exc:
            if not self.ctx.safe:
                raise NoteReplaced(whole) from exc
            return escape_text(str(exc))
        if in_callout:
            md = " " + "\n> ".join(md.split("\n"))
        return md + "\n{ .block-language-dataview}"

    def _inline(
        self, whole: str, expr: str, file_path: str, *, js: bool = False, as_text: bool = False
    ) -> str | None:
        try:
            value = self.engine.evaluate_inline(expr.strip(), file_path)
        except QueryFailed as exc:
            if js:
                return None
            if self.markdown and not self.ctx.safe:
                raise NoteReplaced(whole) from exc
            return '<div><pre class="dataview dataview-error">' + html.escape(exc.message, quote=False) + "</pre></div>"
        if not js_truthy(value):
            # The plugin leaves a falsy query's source in the note; in safe mode that source can
            # name an unpublished note by path (``= [[Private/Note]].field``), so Dataview's own
            # rendering of the (empty) value is published instead.
            if not self.ctx.safe or js:
                return None
            if self.markdown or as_text:
                return to_string(value) if value is not None else ""
        if self.markdown or as_text:
            return to_string(value)
        view = DataviewHtmlRenderer(settings=self.view_settings, link_renderer=self.links, source_path=file_path)
        return view.inline_query(value)
