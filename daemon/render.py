"""Rendering notes from the index: the Markdown renderer wired to links, embeds, queries and
fileClasses, with a cache keyed by what the output depends on.

The renderer (:mod:`gardend.renderers.markdown`) never touches the vault; this module gives it a
:class:`RenderContext` backed by the index (principle 1: renderers ask the index). A rendered
note is cached under its content hash and the content hashes of everything it embeds; a note
with queries also depends on the index generation (any change anywhere may change a result),
so an unchanged page is never rendered twice.
"""

from __future__ import annotations

import html
import threading
from dataclasses import dataclass
from pathlib import Path

from ..renderers.dataview import DataviewHtmlRenderer, FileClass, ObsidianLinkRenderer
from ..renderers.markdown import RenderContext, RenderedNote, render_markdown
from .dataview_settings import load_dataview_settings
from .drawing import DrawingError, is_drawing, parse_drawing
from .fileclass import FileClassIndex, load_metadata_menu_settings
from .index import Index
from .query.engine import QueryEngine, QueryFailed
from .vault import load_app_settings


class NoteNotFound(LookupError):
    """The requested note is not in the index."""


@dataclass(frozen=True)
class RenderOptions:
    """How a page is rendered: as the author sees it, or as the published site would show it."""

    published: bool = False
    """Links to unpublished notes render unresolved; embeds of them become a placeholder."""
    expose_unpublished: bool = False
    """With ``published``: show what the Digital Garden plugin publishes (``publish.mode =
    "plugin"``): embeds of unpublished notes in full and queries over every note, not only the
    published ones. Links to unpublished notes stay unresolved (the site has no page for them)."""
    container: str = "obsidian"
    """Wrapper of query results: ``"obsidian"`` (Reading view's block) or ``"div"`` (as published)."""


@dataclass
class _CacheEntry:
    key: tuple[object, ...]
    rendered: RenderedNote


class NoteRenderer:
    """Renders notes of one index; safe to share between threads (one render at a time)."""

    def __init__(self, index: Index, root: Path, engine: QueryEngine | None = None,
                 config_dir: str = ".obsidian") -> None:
        self.index = index
        self.root = root
        self.config_dir = config_dir
        self.dataview = load_dataview_settings(root, config_dir)
        self.engine = engine or QueryEngine(index, self.dataview.query_settings())
        self.fileclasses = FileClassIndex(index, load_metadata_menu_settings(root, config_dir))
        self.strict_line_breaks = load_app_settings(root, config_dir).strict_line_breaks
        self._cache: dict[tuple[str, RenderOptions], _CacheEntry] = {}
        self._published_engine: QueryEngine | None = None
        self._decorations = 0
        """Moves on whenever a link target's fileClass may have changed: every cached page shows
        its links' decoration, and a class can change without any change to the linking page."""
        self._lock = threading.RLock()
        self.hits = 0
        self.misses = 0

    def reload(self) -> None:
        """Forget classes, settings and cached pages (after settings files changed)."""
        with self._lock:
            self.fileclasses = FileClassIndex(self.index, load_metadata_menu_settings(self.root, self.config_dir))
            self.strict_line_breaks = load_app_settings(self.root, self.config_dir).strict_line_breaks
            self.dataview = load_dataview_settings(self.root, self.config_dir)
            self.engine.settings = self.dataview.query_settings()
            self._cache.clear()

    # -- index look-ups --------------------------------------------------------------------------
    def _note_row(self, path: str) -> tuple[str, str, int, int] | None:
        row = self.index.conn.execute(
            "SELECT f.content_hash, n.text, n.body_start_line, n.publish FROM files f"
            " JOIN notes n ON n.file_id = f.id WHERE f.path = ?",
            (path,),
        ).fetchone()
        return None if row is None else (row[0], row[1], row[2], row[3])

    def _hash_of(self, path: str) -> tuple[str | None, int | None]:
        row = self.index.conn.execute("SELECT content_hash, size FROM files WHERE path = ?", (path,)).fetchone()
        return (None, None) if row is None else (row[0], row[1])

    def _has_queries(self, path: str) -> bool:
        row = self.index.conn.execute(
            "SELECT 1 FROM queries q JOIN files f ON f.id = q.note_id WHERE f.path = ?"
            " AND q.kind IN ('dataview', 'inline') LIMIT 1",
            (path,),
        ).fetchone()
        return row is not None

    def _generation(self) -> str | None:
        return self.index.get_setting("generation")

    # -- rendering -------------------------------------------------------------------------------
    def render(self, path: str, options: RenderOptions | None = None) -> RenderedNote:
        options = options or RenderOptions()
        with self._lock:
            row = self._note_row(path)
            if row is None:
                raise NoteNotFound(path)
            content_hash, text, _body_start, _publish = row
            entry = self._cache.get((path, options))
            if entry is not None and entry.key == self._key(path, content_hash, entry.rendered):
                self.hits += 1
                return entry.rendered
            self.misses += 1
            rendered = render_markdown(_page_source(path, text), self.context(options), path=path)
            self._cache[(path, options)] = _CacheEntry(self._key(path, content_hash, rendered), rendered)
            return rendered

    def _key(self, path: str, content_hash: str, rendered: RenderedNote) -> tuple[object, ...]:
        deps = tuple((p, self._hash_of(p)) for p in rendered.dependencies)
        generation = self._generation() if self._has_queries(path) else None
        return (content_hash, deps, generation, self.strict_line_breaks, self._decorations)

    def context(self, options: RenderOptions) -> RenderContext:
        names = self.engine.pages.names
        links = self.link_renderer()

        def note_source(target: str) -> tuple[str, int] | None:
            row = self._note_row(target)
            return None if row is None else (row[1], row[2])

        safe = options.published and not options.expose_unpublished
        engine = self.published_engine() if safe else self.engine
        query_links = self.published_links(links) if options.published else links

        def render_query(kind: str, source: str, this_path: str) -> str:
            view = DataviewHtmlRenderer(
                settings=self.dataview.view_settings(), link_renderer=query_links, source_path=this_path
            )
            if kind == "inline":
                try:
                    value = engine.evaluate_inline(source, this_path)
                except QueryFailed as exc:
                    return '<div><pre class="dataview dataview-error">' + html.escape(exc.message, quote=False) + "</pre></div>"
                return view.inline_query(value)
            result = engine.run(source, this_path)
            return view.render_block(result, options.container)  # type: ignore[arg-type]

        return RenderContext(
            resolve=names.resolve_path,
            note_source=note_source,
            is_published=self._is_published,
            published_view=options.published,
            embed_unpublished=options.expose_unpublished,
            fileclass=self._fileclass,
            render_query=render_query,
            strict_line_breaks=self.strict_line_breaks,
            inline_query_prefix=self.dataview.inline_query_prefix,
            inline_js_query_prefix=self.dataview.inline_js_query_prefix,
            inline_queries=self.dataview.enable_inline_dataview,
            inline_queries_in_codeblocks=self.dataview.inline_queries_in_codeblocks,
            dataviewjs_keyword=self.dataview.dataview_js_keyword,
            dataviewjs_enabled=self.dataview.enable_dataview_js,
            inline_dataviewjs_enabled=self.dataview.enable_inline_dataview_js,
            query_container=options.container,
        )

    def published_engine(self) -> QueryEngine:
        """The engine for published views: queries read published notes only, and page objects
        never list unpublished notes (in ``file.inlinks``/``outlinks``) — privacy §9 row 3."""
        if self.engine.published_only:
            return self.engine  # a published-only host (the static site build) brought its own
        if self._published_engine is None:
            from .publish.queries import PublishedPageStore

            engine = QueryEngine(self.index, self.dataview.query_settings(), published_only=True)
            engine.pages = PublishedPageStore(self.index)
            self._published_engine = engine
        return self._published_engine

    def published_links(self, links: ObsidianLinkRenderer) -> ObsidianLinkRenderer:
        """Link markup of query results in a published view: an unpublished target is named by
        its label only (no href, no path)."""
        from .publish.queries import PublishedOnlyLinks

        return PublishedOnlyLinks(resolve=links.resolve, fileclass=links.fileclass, is_published=self._is_published)

    def _is_published(self, path: str) -> bool:
        """A note's or canvas's dg-publish flag; other attachments count as published (they
        follow their notes). A canvas is no plain attachment: its JSON holds the author's text,
        so an unpublished one is treated like an unpublished note (link unresolved, no page)."""
        row = self.index.conn.execute(
            "SELECT COALESCE(n.publish, c.publish) FROM files f LEFT JOIN notes n ON n.file_id = f.id"
            " LEFT JOIN canvases c ON c.file_id = f.id WHERE f.path = ?", (path,)
        ).fetchone()
        return row is not None and (row[0] is None or bool(row[0]))

    def link_renderer(self) -> ObsidianLinkRenderer:
        return ObsidianLinkRenderer(resolve=self.engine.pages.names.resolve_path, fileclass=self._fileclass)

    def _fileclass(self, path: str) -> FileClass | None:
        info = self.fileclasses.class_of(path)
        return None if info is None else FileClass(info.name, info.icon)

    def invalidate(self, changed_paths: list[str]) -> None:
        """Forget what a change can affect (pages are re-validated by key anyway; this frees memory
        and refreshes the engine's page cache and the fileClass table)."""
        with self._lock:
            self.engine.apply_changes(changed_paths)
            self._published_engine = None  # publish flags may have changed: rebuilt on demand
            prefix = self.fileclasses.settings.class_files_path
            if prefix and any(p.startswith(prefix) for p in changed_paths):
                self.fileclasses = FileClassIndex(self.index, self.fileclasses.settings)
                self._decorations += 1
            elif self.fileclasses.forget(changed_paths):
                self._decorations += 1
            for key in [k for k in self._cache if k[0] in changed_paths]:
                del self._cache[key]


def _page_source(path: str, text: str) -> str:
    """What a note's page shows: its Markdown — or, for an Excalidraw drawing that parses, the
    drawing itself as a picture (Obsidian opens such a file in the Excalidraw view, not as text)."""
    if not is_drawing(path):
        return text
    try:
        parse_drawing(text, path)
    except DrawingError:
        return text
    return f"![[{path[:-3]}]]"
