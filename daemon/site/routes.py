"""The site's HTTP routes, added to the server's app by :func:`site_setup`.

Routes (all GET): ``/`` and every permalink (a catch-all, so unknown URLs get the HTML 404
page), ``/_preview/`` and ``/_preview/{vault path}`` (preview mode only), ``/tags/`` and
``/tags/{tag}``, ``/search?q=``, ``/graph.json`` (``?note=<url>`` for one note's
neighbourhood), ``/searchIndex.json``, ``/_assets/{vault path}``, ``/_static/{file}`` and
``/_live/events?url=`` (live reload: a stream that says "reload" when a change concerns that
page) and ``/_live/check`` (the same question asked once, for scripts and tests).

Unknown ``/api/…`` paths keep the API's JSON 404. Search runs on the server over the same
published-only data as ``/searchIndex.json``, so it needs no script and cannot reach
unpublished text. ``/_live/check`` answers a yes/no and never lists paths, so a published
page cannot be used to learn the names of the notes it depends on.
"""

from __future__ import annotations

import mimetypes
import re
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

from aiohttp import web
from jinja2 import Environment, FileSystemLoader, select_autoescape

from ... import renderers
from ..canvas import is_canvas_path
from ..server.events import OVERFLOW, stream_events
from ..server.paths import UnsafePathError, safe_vault_path
from ..server.security import CONTENT_SECURITY_POLICY, DIAGRAM_CONTENT_SECURITY_POLICY, STATE_KEY
from ..server.state import ReadContext
from .model import PREVIEW_PREFIX
from .service import SiteService

__all__ = ["SITE_KEY", "search_entries", "site_setup"]

SITE_KEY: web.AppKey[SiteService] = web.AppKey("gardend_site", SiteService)
PACKAGE_DIR = Path(renderers.__file__).resolve().parent
TEMPLATES = PACKAGE_DIR / "templates"
STATIC = PACKAGE_DIR / "static"
_STATIC_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*\.(css|js|svg|txt)$")
_STATIC_TYPES = {"css": "text/css", "js": "text/javascript", "svg": "image/svg+xml", "txt": "text/plain"}
SEARCH_LIMIT = 50
HTML = "text/html"

# An asset is served under our origin: a hostile SVG opened directly must run nothing either.
ASSET_CSP = CONTENT_SECURITY_POLICY + "; sandbox"


def _env() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html"]),
        trim_blocks=True, lstrip_blocks=True,
    )
    env.filters["urlquote"] = lambda s: quote(str(s), safe="")
    # Where a tag's page is; the static build swaps in its own (a folder per tag).
    env.filters["taghref"] = lambda tag: "/tags/" + quote(str(tag), safe="")
    return env


def site_setup(preview: bool = True) -> Callable[[web.Application], None]:
    """A ``create_app`` setup hook that adds the site; ``preview`` enables ``/_preview/``."""

    def setup(app: web.Application) -> None:
        state = app[STATE_KEY]
        service = SiteService(state, preview=preview)
        app[SITE_KEY] = service
        env = _env()
        handlers = _Handlers(service, env)
        app.router.add_get("/_static/{name}", handlers.static)
        app.router.add_get("/_assets/{path:.+}", handlers.asset)
        app.router.add_get("/_live/check", handlers.live_check)
        app.router.add_get("/_live/events", handlers.live_events)
        app.router.add_get("/graph.json", handlers.graph)
        app.router.add_get("/searchIndex.json", handlers.search_index)
        app.router.add_get("/search", handlers.search)
        app.router.add_get("/tags/", handlers.tags)
        app.router.add_get("/tags/{tag:.+}", handlers.tag)
        app.router.add_get("/_preview/", handlers.preview_index)
        app.router.add_get("/_preview/{path:.+}", handlers.preview_page)
        app.router.add_get("/{tail:.*}", handlers.page)

    return setup


_RELOAD_EVENT = b'data: {"type": "reload"}\n\n'
"""The only message of ``/_live/events``."""

PAGE_CACHE_SIZE = 2000
"""Note pages kept rendered (whole HTML), least recently used dropped first."""


class _Handlers:
    def __init__(self, service: SiteService, env: Environment) -> None:
        self.service = service
        self.env = env
        # Whole note pages by URL, valid for one index generation (every index write bumps it):
        # a page is rendered once per change, not once per request. With each page, whether it
        # has a Mermaid diagram (it then needs the diagram policy, see security.py).
        self._page_cache: OrderedDict[tuple[str, str | None], tuple[str | None, str, bool]] = OrderedDict()

    # -- helpers ---------------------------------------------------------------------------------
    async def _read(self, func: Callable[[ReadContext], Any]) -> Any:
        return await self.service.state.read(func)

    def _html(self, template: str, status: int = 200, diagrams: bool = False, **data: Any) -> web.Response:
        data.setdefault("preview_mode", self.service.preview)
        text = self.env.get_template(template).render(**data)
        return _page_response(text, status, diagrams)

    async def _not_found(self, request: web.Request) -> web.Response:
        tree = await self._read(lambda ctx: self.service.site().file_tree(False))
        return self._html("404.html", status=404, path=request.path, tree=tree, title="Not found")

    # -- pages -----------------------------------------------------------------------------------
    async def page(self, request: web.Request) -> web.StreamResponse:
        path = request.path
        if path == "/api" or path.startswith("/api/"):
            raise web.HTTPNotFound(text=f"no such API endpoint: {path}")
        return await self._note_page(request, path, None)

    async def preview_page(self, request: web.Request) -> web.StreamResponse:
        if not self.service.preview:
            return await self._not_found(request)
        try:
            vault_path = safe_vault_path(self.service.state.root, request.match_info["path"])
        except UnsafePathError:
            return await self._not_found(request)
        return await self._note_page(request, request.path, vault_path)

    async def _note_page(self, request: web.Request, url_path: str, vault_path: str | None) -> web.StreamResponse:
        service = self.service

        key = (url_path, vault_path)

        def work(ctx: ReadContext) -> Any:
            generation = ctx.index.get_setting("generation")
            hit = self._page_cache.get(key)
            if hit is not None and hit[0] == generation:
                return ("cached", hit[1], hit[2])
            found = service.note_for(url_path, vault_path)
            if found is None:
                return None
            note, preview_view = found
            if preview_view and note.published and note.permalink is not None:
                return ("redirect", note.url(False))
            view = service.page(note, preview_view)
            service.remember_deps(note, preview_view)
            return ("view", generation, view)

        result = await self._read(work)
        if result is None:
            return await self._not_found(request)
        if result[0] == "redirect":
            raise web.HTTPFound(result[1])
        if result[0] == "cached":
            return _page_response(result[1], diagrams=result[2])
        _, generation, view = result
        if not view.preview and url_path != view.url and url_path + "/" == view.url:
            raise web.HTTPMovedPermanently(view.url)
        response = self._html("note.html", diagrams=view.has_mermaid, page=view, title=view.note.title,
                              tree=view.tree)
        self._page_cache[key] = (generation, response.text or "", view.has_mermaid)
        self._page_cache.move_to_end(key)
        while len(self._page_cache) > PAGE_CACHE_SIZE:
            self._page_cache.popitem(last=False)
        return response

    async def preview_index(self, request: web.Request) -> web.StreamResponse:
        if not self.service.preview:
            return await self._not_found(request)
        service = self.service

        def work(ctx: ReadContext) -> Any:
            site = service.site()
            return sorted(site.notes.values(), key=lambda n: n.path), site.file_tree(True)

        notes, tree = await self._read(work)
        return self._html("preview_index.html", notes=notes, tree=tree, title="All notes (preview)")

    async def tags(self, request: web.Request) -> web.StreamResponse:
        service = self.service

        def work(ctx: ReadContext) -> Any:
            site = service.site()
            return site.all_tags(ctx.index), site.file_tree(False)

        tags, tree = await self._read(work)
        return self._html("tags.html", tags=[(t.lstrip("#"), n) for t, n in tags], tree=tree, title="Tags")

    async def tag(self, request: web.Request) -> web.StreamResponse:
        tag = request.match_info["tag"].strip("/")
        service = self.service

        def work(ctx: ReadContext) -> Any:
            site = service.site()
            return site.notes_tagged(ctx.index, tag), site.file_tree(False)

        notes, tree = await self._read(work)
        if not notes:
            return await self._not_found(request)
        items = [(n.title, n.url(False)) for n in notes]
        return self._html("tag.html", tag=tag.lstrip("#"), items=items, tree=tree, title=f"#{tag.lstrip('#')}")

    async def search(self, request: web.Request) -> web.StreamResponse:
        query = request.query.get("q", "").strip()[:200]
        service = self.service

        def work(ctx: ReadContext) -> Any:
            site = service.site()
            return (search_entries(site.search_index(ctx.index), query) if query else []), site.file_tree(False)

        results, tree = await self._read(work)
        return self._html("search.html", q=query, results=results, tree=tree, title="Search")

    # -- data files ------------------------------------------------------------------------------
    async def graph(self, request: web.Request) -> web.StreamResponse:
        note_url = request.query.get("note")
        service = self.service

        def work(ctx: ReadContext) -> Any:
            site = service.site()
            if note_url is None:
                return site.graph(ctx.index)
            note = site.note_at(note_url)
            return None if note is None else site.local_graph(ctx.index, note.path)

        data = await self._read(work)
        if data is None:
            raise web.HTTPNotFound(text="no published note at that URL")
        return web.json_response(data, headers={"Cache-Control": "no-cache"})

    async def search_index(self, request: web.Request) -> web.StreamResponse:
        service = self.service
        data = await self._read(lambda ctx: service.site().search_index(ctx.index))
        return web.json_response(data, headers={"Cache-Control": "no-cache"})

    async def _concerns(self, url: str, changed: list[str]) -> bool:
        """Whether the page at ``url`` must reload after ``changed`` (read thread)."""
        service = self.service

        def work(ctx: ReadContext) -> bool:
            if url.startswith(PREVIEW_PREFIX):
                found = service.note_for(url, unquote(url[len(PREVIEW_PREFIX):]))
            else:
                found = service.note_for(unquote(url), None)
            if found is None:
                return True  # the page is (now) a 404: a reload shows what is there
            note, preview_view = found
            return service.should_reload(note.path, preview_view, changed)

        return bool(await self._read(work))

    async def live_check(self, request: web.Request) -> web.StreamResponse:
        """``?url=<page URL>&changed=<vault path>…`` → ``{"reload": bool}``."""
        reload = await self._concerns(request.query.get("url", ""), request.query.getall("changed", []))
        return web.json_response({"reload": reload}, headers={"Cache-Control": "no-store"})

    async def live_events(self, request: web.Request) -> web.StreamResponse:
        """``?url=<page URL>`` → Server-Sent Events: ``{"type": "reload"}`` when a change concerns
        that page, nothing otherwise (heartbeat comments only).

        This is what open pages listen to. The dependency test runs here, so no vault path ever
        reaches the browser: the stream needs no token even when the server is bound beyond
        loopback (where every ``/api/`` request, ``/api/events`` included, needs one), and a
        reader of a published page learns nothing but "reload now"."""
        url = request.query.get("url", "")
        state = self.service.state

        async def message(event: dict[str, Any]) -> bytes | None:
            if event is OVERFLOW:  # missed changes: reload (the client reconnects)
                return _RELOAD_EVENT
            if event.get("type") == "changed" and await self._concerns(url, list(event.get("paths") or [])):
                return _RELOAD_EVENT
            return None

        return await stream_events(request, state.hub, state.heartbeat_s, message)

    # -- files -----------------------------------------------------------------------------------
    async def static(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        match = _STATIC_NAME.match(name)
        file = STATIC / name
        if match is None or not file.is_file():
            return await self._not_found(request)
        # A file response answers revalidation with 304 (ETag / Last-Modified): "no-cache"
        # must not mean downloading the 3 MB Mermaid bundle again on every diagram page.
        return web.FileResponse(file, headers={
            "Content-Type": _STATIC_TYPES[match.group(1)], "Cache-Control": "no-cache",
        })

    async def asset(self, request: web.Request) -> web.StreamResponse:
        """An attachment of the vault: in preview any indexed non-note file; in the published
        view only one that a published note links or embeds, or a published canvas shows. Never a
        note, never outside; a canvas file only in preview (published canvases are pages, and
        the raw JSON of an unpublished one is private)."""
        service = self.service
        root = service.state.root
        try:
            vault_path = safe_vault_path(root, request.match_info["path"])
        except UnsafePathError:
            return await self._not_found(request)

        def work(ctx: ReadContext) -> bool:
            row = ctx.index.conn.execute(
                "SELECT is_note FROM files WHERE path = ?", (vault_path,)
            ).fetchone()
            if row is None or row[0]:
                return False
            if service.preview:
                return True
            if is_canvas_path(vault_path):
                return False
            return ctx.index.conn.execute(
                "SELECT 1 FROM links l JOIN notes n ON n.file_id = l.note_id"
                " WHERE l.target_path = ? AND n.publish = 1 LIMIT 1", (vault_path,),
            ).fetchone() is not None or vault_path in service.canvas_assets()

        if not await self._read(work):
            return await self._not_found(request)
        file = root / vault_path
        if not file.is_file():
            return await self._not_found(request)
        ctype = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        return web.FileResponse(file, headers={
            "Content-Type": ctype, "Content-Security-Policy": ASSET_CSP, "Cache-Control": "no-cache",
        })


def _page_response(text: str, status: int = 200, diagrams: bool = False) -> web.Response:
    """An HTML page; one with Mermaid diagrams carries the diagram policy (the security
    middleware adds the default policy to every response that has none)."""
    headers = {"Cache-Control": "no-cache"}
    if diagrams:
        headers["Content-Security-Policy"] = DIAGRAM_CONTENT_SECURITY_POLICY
    return web.Response(text=text, status=status, content_type=HTML, charset="utf-8", headers=headers)


def search_entries(index: list[dict[str, Any]], query: str) -> list[dict[str, Any]]:
    """Entries whose title, tags or text contain every word of ``query`` (case-insensitive),
    title hits first, each with a short snippet around the first hit."""
    words = [w for w in query.lower().split() if w]
    results = []
    for entry in index:
        title = entry["title"].lower()
        haystack = " ".join([title, " ".join(entry["tags"]).lower(), entry["content"].lower()])
        if not all(w in haystack for w in words):
            continue
        content = entry["content"]
        at = content.lower().find(words[0]) if words else -1
        start = max(0, at - 60)
        snippet = ("…" if start else "") + content[start:start + 180].replace("\n", " ") + "…" if at >= 0 else content[:180]
        results.append({**entry, "snippet": snippet, "_rank": 0 if all(w in title for w in words) else 1})
    results.sort(key=lambda e: (e["_rank"], e["title"].lower()))
    return results[:SEARCH_LIMIT]

