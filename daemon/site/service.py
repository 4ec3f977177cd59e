"""The site's server-side state: the current :class:`Site`, the renderer, page assembly.

Everything here that touches the index runs on the server's read thread
(:meth:`ServerState.read`), under the state lock; :meth:`SiteService.on_change` is called by the
watcher thread under the same lock (see :meth:`ServerState.apply_changes`), so the renderer's
cache and the dependency cache are never used by two threads at once.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from ..canvas import canvas_attachment_refs
from ..index import Index
from ..publish.settings import GardenSettings, load_garden_settings
from ..render import NoteNotFound, RenderOptions
from ..server.state import ServerState
from ..settings_sources import is_settings_path
from .canvas import CanvasPage, render_canvas_page
from .deps import PageDeps, page_deps
from .model import Site, SiteNote, TreeNode
from .render import PREVIEW_OPTIONS, SiteRenderer, published_options

__all__ = ["PageView", "SiteService"]

_MD_PUNCT = re.compile(r"\[\[(?:[^\]|]*\|)?([^\]]*)\]\]|[*_`=~]+")
_BLANK_TARGET = ' target="_blank" rel="noopener nofollow"'
MAX_CHANGED_FOR_CHECK = 200


@dataclass
class PageView:
    """What the note template shows: plain data, escaped by Jinja (``content`` is renderer HTML)."""

    note: SiteNote
    url: str
    preview: bool
    content: str
    tags: list[str]
    toc: list[tuple[int, str, str]]
    backlinks: list[tuple[str, str]]
    graph: dict[str, Any]
    tree: list[TreeNode] = field(default_factory=list)
    has_mermaid: bool = False
    """The content holds a Mermaid diagram: the page loads the script that draws it."""


def _plain_heading(text: str) -> str:
    return _MD_PUNCT.sub(lambda m: m.group(1) or "", text).strip()


def _graph_layout(local: dict[str, Any], size: int = 240, max_labels: int = 9) -> dict[str, Any]:
    """Positions for the local graph, drawn as a static SVG (no script needed): the note in the
    middle, its neighbours on a circle. With many neighbours only the centre is labelled (the
    others name themselves in a tooltip), so labels never pile up."""
    nodes = local["nodes"]
    if not nodes:
        return {"nodes": [], "edges": [], "size": size}
    c = size / 2
    r = size / 2 - 36
    placed: dict[str, tuple[float, float]] = {nodes[0]["url"]: (c, c)}
    around = nodes[1:]
    for i, node in enumerate(around):
        angle = 2 * math.pi * i / max(len(around), 1) - math.pi / 2
        placed[node["url"]] = (round(c + r * math.cos(angle), 1), round(c + r * math.sin(angle), 1))
    edges = [
        {"x1": placed[e["source"]][0], "y1": placed[e["source"]][1],
         "x2": placed[e["target"]][0], "y2": placed[e["target"]][1]}
        for e in local["links"] if e["source"] in placed and e["target"] in placed
    ]
    labelled = len(nodes) <= max_labels
    out_nodes = [{**n, "x": placed[n["url"]][0], "y": placed[n["url"]][1],
                  "label": (n["title"] if len(n["title"]) <= 18 else n["title"][:17] + "…")
                  if labelled or n["current"] else ""} for n in nodes]
    return {"nodes": out_nodes, "edges": edges, "size": size}


def _link_shape(site: Site) -> tuple[frozenset[str], dict[str, str]]:
    """What links in unchanged notes render from: the set of notes and the URL of each page."""
    return frozenset(site.notes), {u: n.path for u, n in site.by_url.items()}


class SiteService:
    """The site of one :class:`ServerState`; ``preview`` turns on the ``/_preview/`` pages."""

    def __init__(self, state: ServerState, preview: bool = True) -> None:
        self.state = state
        self.preview = preview
        self._site: Site | None = None
        self._garden: GardenSettings | None = None
        self.renderer = SiteRenderer(state.index, state.root, state.engine, self.site, state.config_dir)
        self._deps: dict[tuple[str, bool], tuple[int, PageDeps]] = {}
        self._canvas_assets: tuple[int, frozenset[str]] | None = None
        state.change_listeners.append(self.on_change)
        state.settings_listeners.append(self.on_settings)
        # The engine's page cache tells a created or deleted note from an edited one by comparing
        # its remembered path list with the index; until something asked for that list it has
        # none, and the first new note after start-up would not refresh link resolution. Ask now.
        state.engine.pages.paths()

    # -- snapshot --------------------------------------------------------------------------------
    def garden_settings(self) -> GardenSettings:
        """The Digital Garden settings the permalinks follow (path-rewrite rules, slugify), read
        once and again after a settings file changed."""
        if self._garden is None:
            self._garden = load_garden_settings(self.state.root, self.state.config_dir)
        return self._garden

    def published_options(self) -> RenderOptions:
        """How the published view renders, by the current ``publish.mode``."""
        return published_options(self.state.publish_mode)

    def site(self) -> Site:
        """The snapshot for the current index generation (read thread)."""
        index: Index = self.state.index
        current = self._site
        if current is None or current.generation != index.generation():
            garden = self.garden_settings()
            fresh = Site.load(index, garden.rewrite_rules, garden.slugify_enabled)
            if current is not None and _link_shape(current) != _link_shape(fresh):
                # A note appeared, went or moved, or a permalink changed: links in notes that did
                # not change now resolve or point elsewhere; their cached pages are stale.
                self.renderer.forget_pages()
            self._site = current = fresh
        return current

    def on_change(self, paths: list[str]) -> None:
        """Watcher thread, lock held: drop what the batch can have made stale. A settings file
        (app.json, a plugin's data.json, gardend.toml...) is a dependency of every page: the
        renderer re-reads the settings and forgets every page."""
        if self._settings_changed(paths):
            self.on_settings()
        self.renderer.invalidate(paths)

    def on_settings(self) -> None:
        """Watcher thread, lock held: settings changed; re-read them, forget every page (and the
        snapshot: path-rewrite rules and slugify decide every permalink)."""
        self.renderer.reload()
        self._deps.clear()
        self._garden = None
        self._site = None

    def _settings_changed(self, paths: list[str]) -> bool:
        return any(is_settings_path(p, self.state.config_dir) for p in paths)

    # -- pages -----------------------------------------------------------------------------------
    def note_for(self, url_path: str, preview_path: str | None) -> tuple[SiteNote, bool] | None:
        """(note, shown as preview) for a permalink or, with ``preview_path``, a preview URL."""
        site = self.site()
        if preview_path is not None:
            note = site.notes.get(preview_path)
            if note is None or not self.preview:
                return None
            return note, True
        note = site.note_at(url_path)
        return None if note is None else (note, False)

    def page(self, note: SiteNote, preview_view: bool) -> PageView:
        """Render ``note`` for the published view or (``preview_view``) the preview."""
        site = self.site()
        index = self.state.index
        options = PREVIEW_OPTIONS if preview_view else self.published_options()
        if note.is_canvas:
            canvas = self.canvas_page(note, options)
            html, headings, has_mermaid = canvas.html, [], canvas.has_mermaid
        else:
            rendered = self.renderer.render(note.path, options)
            html, headings, has_mermaid = rendered.html, rendered.headings, rendered.has_mermaid
        links_preview = preview_view
        url = note.preview_url if preview_view else (note.url(False) or "/")
        return PageView(
            note=note,
            url=url,
            preview=preview_view,
            content=html.replace(_BLANK_TARGET + ">", ">").replace(
                ' class="internal-link"' + _BLANK_TARGET, ' class="internal-link"'),
            tags=[t.lstrip("#") for t in site.tags_of(index, note.path)],
            toc=[(h.level, _plain_heading(h.text), h.id) for h in headings],
            backlinks=[(n.title, n.url(links_preview) or "") for n in site.backlinks(index, note.path, links_preview)],
            graph=_graph_layout(site.local_graph(index, note.path)),
            tree=site.file_tree(links_preview),
            has_mermaid=has_mermaid,
        )

    def canvas_assets(self) -> frozenset[str]:
        """Attachments the published canvases show (image file nodes, group backgrounds,
        embeds in text nodes): the published view serves them (read thread)."""
        site = self.site()
        if self._canvas_assets is not None and self._canvas_assets[0] == site.generation:
            return self._canvas_assets[1]
        names = self.state.engine.pages.names
        found: set[str] = set()
        for note in site.by_url.values():
            if not note.is_canvas:
                continue
            row = self.state.index.conn.execute(
                "SELECT c.text FROM canvases c JOIN files f ON f.id = c.file_id WHERE f.path = ?", (note.path,)
            ).fetchone()
            for linkpath in canvas_attachment_refs(row[0] if row else ""):
                target = names.resolve_path(linkpath, note.path)
                if target is not None and target not in site.notes:
                    found.add(target)
        assets = frozenset(found)
        self._canvas_assets = (site.generation, assets)
        return assets

    def canvas_page(self, note: SiteNote, options: RenderOptions) -> CanvasPage:
        """A canvas's page body (:mod:`.canvas`): text nodes rendered by the site renderer in the
        canvas's context, with the view's rules (``options``)."""
        index = self.state.index
        row = index.conn.execute(
            "SELECT c.text FROM canvases c JOIN files f ON f.id = c.file_id WHERE f.path = ?", (note.path,)
        ).fetchone()
        if row is None:
            raise NoteNotFound(note.path)
        site = self.site()
        preview = not options.published
        renderer = self.renderer
        names = self.state.engine.pages.names

        def render(markdown: str) -> tuple[str, list[str], bool]:
            rendered = renderer.render_text(markdown, note.path, options)
            return rendered.html, rendered.dependencies, rendered.has_mermaid

        def visible(path: str) -> bool:
            shown = site.notes.get(path)
            return shown is not None and (shown.published or preview)

        page = render_canvas_page(
            row[0],
            render_markdown=render,
            resolve=lambda linkpath: names.resolve_path(linkpath, note.path),
            visible=visible,
            href_for=lambda path, subpath: site.href_for(path, subpath, preview),
        )
        page.dependencies.insert(0, note.path)
        return page

    def deps_for(self, note: SiteNote, preview_view: bool) -> PageDeps:
        options = PREVIEW_OPTIONS if preview_view else self.published_options()
        if note.is_canvas:
            canvas = self.canvas_page(note, options)
            # Text nodes' queries are not in the ``queries`` table (a canvas is no note): a
            # canvas whose text may hold one reloads on every change.
            return PageDeps(frozenset(canvas.dependencies), any_change=canvas.may_query)
        rendered = self.renderer.render(note.path, options)
        return page_deps(self.state.index, self.state.engine.pages.names, note.path, rendered.dependencies)

    def should_reload(self, note_path: str, preview_view: bool, changed: list[str]) -> bool:
        """Whether a page of ``note_path`` must reload after ``changed`` (read thread).

        The set known from before the change is tested as well as the current one: a note that
        just left a queried folder is only in the old set, one that just joined only in the new.
        """
        if len(changed) > MAX_CHANGED_FOR_CHECK or self._settings_changed(changed):
            return True
        key = (note_path, preview_view)
        generation = self.state.index.generation()
        previous = self._deps.get(key)
        site = self.site()
        note = site.notes.get(note_path)
        if note is None:
            return True  # deleted or renamed: the page is gone, a reload shows that
        try:
            current = self.deps_for(note, preview_view)
        except NoteNotFound:
            return True
        self._deps[key] = (generation, current)
        if current.hit(changed):
            return True
        return previous is not None and previous[1].hit(changed)

    def remember_deps(self, note: SiteNote, preview_view: bool) -> None:
        """Record the dependency set as of now (when a page is served)."""
        try:
            deps = self.deps_for(note, preview_view)
        except NoteNotFound:
            return
        self._deps[(note.path, preview_view)] = (self.state.index.generation(), deps)
