"""The note renderer with the site's URL policy plugged in.

:class:`~gardend.daemon.render.NoteRenderer` renders links with Obsidian's hrefs (the link text).
The site needs real URLs: permalinks for published notes, ``/_preview/…`` for the others in
preview mode, ``/_assets/…`` for attachments, and — in the published view — no URL and no
target name at all for an unpublished note, including links inside Dataview results. This
subclass swaps in that policy through the renderer's own extension points (``context`` and
``link_renderer``) instead of re-implementing rendering.
"""

from __future__ import annotations

import dataclasses
import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from ...renderers.dataview import LinkRef, ObsidianLinkRenderer
from ...renderers.markdown import RenderContext, RenderedNote, render_markdown
from ..index import Index
from ..publish.queries import private_label
from ..query.engine import QueryEngine
from ..render import NoteRenderer, RenderOptions
from .model import Site

__all__ = ["PLUGIN_PUBLISHED_OPTIONS", "PREVIEW_OPTIONS", "PUBLISHED_OPTIONS", "SiteRenderer", "published_options"]

PUBLISHED_OPTIONS = RenderOptions(published=True, container="div")
PLUGIN_PUBLISHED_OPTIONS = RenderOptions(published=True, container="div", expose_unpublished=True)
PREVIEW_OPTIONS = RenderOptions(published=False, container="div")


def published_options(mode: str) -> RenderOptions:
    """The published view's options for ``publish.mode``: ``"safe"`` (nothing of an unpublished
    note) or ``"plugin"`` (embeds and query results as the Digital Garden plugin publishes them)."""
    return PLUGIN_PUBLISHED_OPTIONS if mode == "plugin" else PUBLISHED_OPTIONS


#: ``href="…"`` of an anchor that is neither a site URL (``/…``), a fragment, nor a URL with a scheme.
_RELATIVE_HREF = re.compile(r'(<a\b[^>]*?)\s+href="(?![/#])(?![A-Za-z][A-Za-z0-9+.-]*:)([^"]+)"')

_NOWHERE = "#"
"""href for a target the view must not link (never reached: such links render unresolved)."""


@dataclass(frozen=True)
class SiteLinkRenderer(ObsidianLinkRenderer):
    """Link markup of Dataview results with site URLs; unpublished targets stay unlinked in the
    published view (no href, no path; the label the query produced is kept, as the Digital
    Garden plugin keeps it — filtering query inputs to published notes is a separate choice)."""

    site: Site | None = None
    preview: bool = False

    def href(self, ref: LinkRef, target: str | None) -> str:
        if target is None or self.site is None:
            return super().href(ref, target)
        return self.site.href_for(target, ref.subpath, self.preview) or _NOWHERE

    def target(self, ref: LinkRef, source_path: str) -> str | None:
        target = super().target(ref, source_path)
        if target is not None and self.site is not None and target in self.site.notes \
                and not self.site.visible(target, self.preview):
            return None
        return target

    def __call__(self, ref: LinkRef, source_path: str) -> str:
        if not self.preview and self.site is not None:
            target = super().target(ref, source_path)
            if target is not None and target in self.site.notes and not self.site.visible(target, False):
                if ref.embed:
                    return ""  # an embed link in a query result: nothing of the private note
                # No href, no data-href, no typed folder path: the unpublished note's vault path
                # stays out of the page (privacy rule of the safe mode, kept in both modes: the
                # published site has no page to link to).
                return f'<a class="internal-link is-unresolved">{private_label(ref)}</a>'
        html = super().__call__(ref, source_path)
        # Pages of one site open in the same tab (Obsidian's markup says target="_blank").
        return html.replace(' target="_blank" rel="noopener nofollow"', "", 1) if not ref.embed else html


class SiteRenderer(NoteRenderer):
    """A :class:`NoteRenderer` whose links point into the site of ``site()``."""

    def __init__(self, index: Index, root: Path, engine: QueryEngine, site: Callable[[], Site],
                 config_dir: str = ".obsidian") -> None:
        super().__init__(index, root, engine, config_dir)
        self._site = site
        self._preview_links = False

    def render(self, path: str, options: RenderOptions | None = None) -> RenderedNote:
        rendered = super().render(path, options)
        self._site().remember_headings(path, rendered.headings, rendered.footnotes)
        if options is not None and options.published and _RELATIVE_HREF.search(rendered.html):
            rendered = dataclasses.replace(rendered, html=self._site_hrefs(rendered.html, path))
        return rendered

    def _site_hrefs(self, page: str, path: str) -> str:
        """Raw HTML anchors in a note (``<a href="Folder/Note.md">``) carry vault paths, which are
        no address on the site — and, for an unpublished note, a private path. In the published
        view such an href becomes the target's site URL, or is dropped when the target has no
        page; hrefs that lead to no note (an unresolved link's typed name) stay as written."""
        site = self._site()
        resolve = self.engine.pages.names.resolve_path

        def fix(m: re.Match[str]) -> str:
            written = unquote(html.unescape(m.group(2)))
            linkpath, _, subpath = written.partition("#")
            target = resolve(linkpath.strip(), path) if linkpath.strip() else None
            if target is None or target not in site.notes:
                return m.group(0)
            url = site.href_for(target, subpath or None, False)
            return m.group(1) + (f' href="{html.escape(url)}"' if url else "")

        return _RELATIVE_HREF.sub(fix, page)

    def render_text(self, markdown: str, path: str, options: RenderOptions) -> RenderedNote:
        """Markdown that is not a note's body (a canvas's text node), rendered as if it were the
        body of ``path``: links resolve from there, with the view's rules. Not cached."""
        with self._lock:
            return render_markdown(markdown, self.context(options), path=path)

    def context(self, options: RenderOptions) -> RenderContext:
        site = self._site()
        preview = not options.published
        self._preview_links = preview  # read by link_renderer(), called from super().context()
        ctx = super().context(options)

        def href_for(target: str, subpath: str | None) -> str:
            return site.href_for(target, subpath, preview) or _NOWHERE

        return dataclasses.replace(ctx, href_for=href_for)

    def link_renderer(self) -> ObsidianLinkRenderer:
        return SiteLinkRenderer(
            resolve=self.engine.pages.names.resolve_path, fileclass=self._fileclass,
            site=self._site(), preview=self._preview_links,
        )

    def published_links(self, links: ObsidianLinkRenderer) -> ObsidianLinkRenderer:
        """Query results of the published view link to site URLs too (not to vault paths, which
        are no address on the site); unpublished targets render unresolved, unnamed by path."""
        return links

    def forget_pages(self) -> None:
        """Drop every cached page (permalinks changed: links in unchanged notes point elsewhere)."""
        with self._lock:
            self._cache.clear()
