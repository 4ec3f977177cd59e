"""The JSON API under ``/api/``: notes, one note, queries, full-text search, events, OpenAPI.

Handlers are thin: they validate input (every path through :func:`safe_vault_path`), run the
database work on the read thread (:meth:`ServerState.read`) and shape JSON. What a note *is*
comes from :func:`gardend.daemon.export.note_object`, so the API and ``gardend export`` agree;
query results use the same JSON and HTML renderers as ``gardend query``.
"""

from __future__ import annotations

import asyncio
import html
import json
import math
import re
import sqlite3
from collections.abc import Callable
from typing import Any

from aiohttp import hdrs, web
from multidict import MultiMapping

from ...renderers.dataview import FileClass, ObsidianLinkRenderer, render_html
from ...renderers.dataview_json import result_to_json
from .. import __version__
from ..export import note_object
from ..fileclass import FileClassIndex, load_metadata_menu_settings
from ..publish.paths import permalink_for
from ..publish.settings import load_garden_settings
from ..query.results import QueryError
from ..values import js_truthy
from .events import stream_events
from .openapi import (
    MAX_OFFSET,
    NOTES_DEFAULT_LIMIT,
    NOTES_MAX_LIMIT,
    QUERY_TEXT_PATTERN,
    SEARCH_DEFAULT_LIMIT,
    SEARCH_MAX_CHARS,
    SEARCH_MAX_LIMIT,
    SEARCH_TEXT_PATTERN,
    openapi_document,
)
from .paths import UnsafePathError, safe_vault_path
from .security import STATE_KEY
from .state import ReadContext, ServerState

__all__ = ["DEFAULT_LIMIT", "MAX_LIMIT", "add_routes"]

DEFAULT_LIMIT = NOTES_DEFAULT_LIMIT
MAX_LIMIT = NOTES_MAX_LIMIT
SNIPPET_TOKENS = 16
_MARK_OPEN, _MARK_CLOSE = "\ue000", "\ue001"  # private-use: cannot clash with note text markup
QUERY_FORMATS = ("json", "html")


def _finite(value: Any) -> Any:
    """Non-finite floats as Dataview's JSON encodes them (``{"number": "NaN"}``, §8).

    Raw frontmatter keeps YAML's ``.nan``/``.inf`` as floats; ``JSON.parse`` in a browser rejects
    ``NaN``, so the API writes them the way typed values are already written.
    """
    if isinstance(value, float) and not math.isfinite(value):
        return {"number": "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")}
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value


def _dumps(data: Any) -> str:
    try:
        return json.dumps(data, ensure_ascii=False, allow_nan=False)
    except ValueError:  # a non-finite float somewhere (rare): encode it, stay strict JSON
        return json.dumps(_finite(data), ensure_ascii=False, allow_nan=False)


def _json(data: Any, status: int = 200) -> web.Response:
    """UTF-8 as is, and strict JSON that any client's parser accepts."""
    return web.json_response(data, status=status, dumps=_dumps)


def _bad_request(message: str) -> web.HTTPBadRequest:
    return web.HTTPBadRequest(text=message)


def _state(request: web.Request) -> ServerState:
    return request.app[STATE_KEY]


_INTEGER = re.compile(r"-?[0-9]+")
_QUERY_TEXT = re.compile(QUERY_TEXT_PATTERN)
_SEARCH_TEXT = re.compile(SEARCH_TEXT_PATTERN)


def _param(query: MultiMapping[str], name: str) -> str | None:
    """A query parameter given at most once (None when absent).

    Every parameter of the API is a single value; ``?limit=5&limit=x`` is refused rather than
    answered from whichever copy happens to come first, which would let a malformed request
    through and would not say which value was used.
    """
    values = query.getall(name, [])
    if len(values) > 1:
        raise _bad_request(f"'{name}' must be given at most once")
    return values[0] if values else None


def _int_param(query: MultiMapping[str], name: str, default: int, lo: int, hi: int) -> int:
    """An integer query parameter, written as the schema says: ASCII decimal digits only.

    ``int()`` alone would also take ``" 5"``, ``"+5"``, ``"5_000"`` and non-ASCII digits such
    as ``"٥"``, and an empty value is no integer either; none of these is an integer in the
    OpenAPI sense, and accepting them would make the API looser than its contract (a client could
    come to rely on it). Only an absent parameter takes the default.
    """
    raw = _param(query, name)
    if raw is None:
        return default
    if not _INTEGER.fullmatch(raw):
        raise _bad_request(f"'{name}' must be an integer")
    try:
        value = int(raw)
    except ValueError:  # more digits than int() converts: out of range in any case
        value = hi + 1 if not raw.startswith("-") else lo - 1
    if not lo <= value <= hi:
        raise _bad_request(f"'{name}' must be between {lo} and {hi}")
    return value


def _vault_path(state: ServerState, raw: str | None, name: str = "path") -> str:
    if raw is None:
        raise _bad_request(f"missing '{name}' parameter")
    try:
        return safe_vault_path(state.root, raw)
    except UnsafePathError as exc:
        raise _bad_request(f"'{name}': {exc}") from None


# -- GET /api/health -----------------------------------------------------------------------------
async def health(request: web.Request) -> web.Response:
    state = _state(request)
    notes = await state.read(lambda ctx: ctx.index.note_count())
    return _json({"status": "ok", "version": __version__, "notes": notes, "subscribers": state.hub.subscriber_count})


# -- permalinks -----------------------------------------------------------------------------------
def _permalinks(ctx: ReadContext) -> Callable[[str, Any, bool], str | None]:
    """``(path, frontmatter, published) -> URL path`` as the site and the compiled notes have it:
    ``/`` for a ``dg-home`` note, else ``dg-permalink`` or the garden path after the Digital
    Garden plugin's path-rewrite rules, slugified unless ``slugifyEnabled`` is off; ``None`` for
    a note that is not published (it has no page on the garden). The settings are read once per
    request."""
    garden = load_garden_settings(ctx.root, ctx.config_dir)
    rules, slugify = garden.rewrite_rules, garden.slugify_enabled

    def permalink(path: str, frontmatter: Any, published: bool) -> str | None:
        if not published:
            return None
        fm = frontmatter if isinstance(frontmatter, dict) else {}
        if js_truthy(fm.get("dg-home")):
            return "/"
        return permalink_for(path, fm, rules, slugify)

    return permalink


# -- GET /api/notes ------------------------------------------------------------------------------
async def list_notes(request: web.Request) -> web.Response:
    offset = _int_param(request.query, "offset", 0, 0, MAX_OFFSET)
    limit = _int_param(request.query, "limit", NOTES_DEFAULT_LIMIT, 1, NOTES_MAX_LIMIT)

    def work(ctx: ReadContext) -> dict[str, Any]:
        conn = ctx.index.conn
        total = ctx.index.note_count()
        rows = conn.execute(
            "SELECT f.path, n.title, n.publish, f.excluded, n.frontmatter FROM files f"
            " JOIN notes n ON n.file_id = f.id ORDER BY f.path LIMIT ? OFFSET ?",
            (limit, offset),
        ).fetchall()
        permalink = _permalinks(ctx)
        notes = []
        for p, t, pub, exc, fm_text in rows:
            try:
                fm = json.loads(fm_text) if fm_text else None
            except ValueError:
                fm = None
            notes.append({"path": p, "title": t, "publish": bool(pub), "excluded": bool(exc),
                          "permalink": permalink(p, fm, bool(pub))})
        return {"total": total, "offset": offset, "limit": limit, "notes": notes}

    return _json(await _state(request).read(work))


# -- GET /api/note -------------------------------------------------------------------------------
def note_detail(ctx: ReadContext, path: str) -> dict[str, Any] | None:
    """The export object of a note plus what only a live index can say about it.

    ``permalink`` is the note's URL path on the garden (null when it is not published);
    ``backlinks`` are the links in other notes (and this one) that resolve to it; ``unresolved``
    are its own links that resolve to nothing.
    """
    obj = note_object(ctx.index, path)
    if obj is None:
        return None
    conn = ctx.index.conn
    ctime = conn.execute("SELECT ctime_ns FROM files WHERE path = ?", (path,)).fetchone()
    obj["ctime_ns"] = ctime[0] if ctime else None
    obj["permalink"] = _permalinks(ctx)(path, obj.get("frontmatter"), bool(obj.get("publish")))
    obj["backlinks"] = [
        {"source": src, "original": original, "embed": bool(embed), "subpath": subpath, "line": line, "col": col}
        for src, original, embed, subpath, line, col in conn.execute(
            "SELECT f.path, l.original, l.embed, l.subpath, l.line, l.col FROM links l"
            " JOIN files f ON f.id = l.note_id WHERE l.target_path = ? ORDER BY f.path, l.seq",
            (path,),
        )
    ]
    obj["unresolved"] = [link for link in obj["links"] if link["resolved"] is None]
    return obj


async def get_note(request: web.Request) -> web.Response:
    state = _state(request)
    path = _vault_path(state, _param(request.query, "path"))
    obj = await state.read(lambda ctx: note_detail(ctx, path))
    if obj is None:
        raise web.HTTPNotFound(text=f"no note at {path!r} in the index")
    return _json(obj)


# -- POST /api/query -----------------------------------------------------------------------------
async def _json_body(request: web.Request) -> dict[str, Any]:
    """The request body as a JSON object, or a 400 that says why not.

    The bytes are parsed as JSON is defined (UTF-8, or UTF-16/32 detected from the first bytes,
    RFC 8259), ignoring any ``charset`` parameter: ``request.text()`` would look the charset up
    and fail with an unhandled ``LookupError`` (a 500) on a made-up one. ``RecursionError`` is a
    parse failure too: a 1 MiB body of ``[`` nests far deeper than the parser's recursion limit.
    The body cap has already been checked (413) by the middleware or by ``client_max_size``.
    """
    raw = await request.read()
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError):  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise _bad_request("request body is not valid JSON") from None
    if not isinstance(body, dict):
        raise _bad_request("request body must be a JSON object")
    return body


def _find_this(ctx: ReadContext, path: str) -> str | None:
    """``this`` as the CLI's ``--this`` takes it: exact path, path + ``.md``, or a link name."""
    store = ctx.engine.pages
    for candidate in (path, path + ".md"):
        if store.id_for_path(candidate) is not None:
            return candidate
    resolved = store.names.resolve_path(path, "")
    if resolved is not None and store.id_for_path(resolved) is not None:
        return resolved
    return None


def _link_renderer(ctx: ReadContext) -> ObsidianLinkRenderer:
    """Links resolved against the vault, decorated with Metadata Menu classes (as the CLI does)."""
    classes = FileClassIndex(ctx.index, load_metadata_menu_settings(ctx.root, ctx.config_dir))

    def fileclass(path: str) -> FileClass | None:
        info = classes.class_of(path)
        return None if info is None else FileClass(info.name, info.icon)

    return ObsidianLinkRenderer(resolve=ctx.engine.pages.names.resolve_path, fileclass=fileclass)


async def run_query(request: web.Request) -> web.Response:
    state = _state(request)
    body = await _json_body(request)
    text = body.get("query")
    if not isinstance(text, str) or not _QUERY_TEXT.search(text):
        raise _bad_request("'query' must be a non-empty string")
    fmt = body.get("format", "json")
    if fmt not in QUERY_FORMATS:
        raise _bad_request(f"'format' must be one of {', '.join(QUERY_FORMATS)}")
    this_raw = body.get("this")
    if this_raw is not None and not isinstance(this_raw, str):
        raise _bad_request("'this' must be a string (a vault path) or null")
    this_checked = _vault_path(state, this_raw, "this") if this_raw is not None else None

    def work(ctx: ReadContext) -> dict[str, Any] | None:
        this_path = None
        if this_checked is not None:
            this_path = _find_this(ctx, this_checked)
            if this_path is None:
                return None
        result = ctx.engine.run(text, this_path)
        if fmt == "json":
            return result_to_json(result)
        out: dict[str, Any] = {
            "html": render_html(result, source_path=this_path or "", link_renderer=_link_renderer(ctx))
        }
        if isinstance(result, QueryError):
            out.update(result_to_json(result))
        return out

    data = await state.read(work)
    if data is None:
        raise web.HTTPNotFound(text=f"'this': no note {this_checked!r} in the vault")
    return _json(data)


# -- GET /api/search -----------------------------------------------------------------------------
def plain_fts_query(text: str) -> str:
    """A search-box string as a safe FTS5 query: every word must occur, the last one as a prefix.

    Each word is quoted, so characters that are FTS5 syntax (``"``, ``*``, ``:``, ``-``, ``AND``)
    are just text and no input can be a syntax error.
    """
    words = re.findall(r"\w+", text)
    if not words:
        raise _bad_request("'q' contains no words to search for")
    quoted = [f'"{w}"' for w in words]
    quoted[-1] += "*"
    return " ".join(quoted)


def _snippet_html(raw: str) -> str:
    return html.escape(raw, quote=False).replace(_MARK_OPEN, "<mark>").replace(_MARK_CLOSE, "</mark>")


async def search(request: web.Request) -> web.Response:
    q = _param(request.query, "q")
    if not q:
        raise _bad_request("missing 'q' parameter")
    if len(q) > SEARCH_MAX_CHARS:
        raise _bad_request(f"'q' is longer than {SEARCH_MAX_CHARS} characters")
    syntax = _param(request.query, "syntax")
    syntax = "plain" if syntax is None else syntax
    if syntax not in ("plain", "fts"):
        raise _bad_request("'syntax' must be 'plain' or 'fts'")
    if not _SEARCH_TEXT.search(q):  # the schema's pattern, in both syntaxes
        if syntax == "plain":
            raise _bad_request("'q' contains no words to search for")
        raise _bad_request("invalid search query: it contains no words")  # FTS5 takes `""`
    offset = _int_param(request.query, "offset", 0, 0, MAX_OFFSET)
    limit = _int_param(request.query, "limit", SEARCH_DEFAULT_LIMIT, 1, SEARCH_MAX_LIMIT)
    if syntax == "plain" and not re.search(r"\w", q):
        # Non-ASCII, but no letter or digit in it ("€", "…"): valid, and matches nothing.
        return _json({"query": q, "syntax": syntax, "offset": offset, "limit": limit, "results": []})
    match = plain_fts_query(q) if syntax == "plain" else q

    def work(ctx: ReadContext) -> list[dict[str, Any]] | str:
        try:
            rows = ctx.index.conn.execute(
                "SELECT f.path, n.title, snippet(notes_fts, -1, ?, ?, '…', ?), bm25(notes_fts, 5.0, 1.0) AS rank"
                " FROM notes_fts JOIN files f ON f.id = notes_fts.rowid JOIN notes n ON n.file_id = f.id"
                " WHERE notes_fts MATCH ? AND f.excluded = 0 ORDER BY rank, f.path LIMIT ? OFFSET ?",
                (_MARK_OPEN, _MARK_CLOSE, SNIPPET_TOKENS, match, limit, offset),
            ).fetchall()
        except sqlite3.OperationalError as exc:
            return str(exc)
        return [
            {"path": p, "title": t, "snippet": _snippet_html(s or ""), "score": -rank}
            for p, t, s, rank in rows
        ]

    results = await _state(request).read(work)
    if isinstance(results, str):
        raise _bad_request(f"invalid search query: {results}")
    return _json({"query": q, "syntax": syntax, "offset": offset, "limit": limit, "results": results})


# -- GET /api/events -----------------------------------------------------------------------------
def _sse(event: dict[str, Any]) -> bytes:
    return f"data: {json.dumps(event, ensure_ascii=False)}\n\n".encode()


async def events(request: web.Request) -> web.StreamResponse:
    """Server-Sent Events: one ``data:`` line of JSON per index change; comments as heartbeats."""
    state = _state(request)

    async def message(event: dict[str, Any]) -> bytes:
        return _sse(event)

    return await stream_events(request, state.hub, state.heartbeat_s, message)


# -- GET /api/openapi.json -----------------------------------------------------------------------
# -- /api/publish ------------------------------------------------------------------------------

def _publisher(request: web.Request) -> Any:
    publisher = _state(request).publisher
    if publisher is None:
        raise web.HTTPConflict(text="publishing is not configured: set publish.repo in gardend.toml")
    return publisher


async def _publish_call(future: Any) -> web.Response:
    from ..publish.gitsync import PublishError

    try:
        return _json(await asyncio.wrap_future(future))
    except PublishError as exc:
        raise web.HTTPConflict(text=str(exc)) from None  # the error middleware answers JSON


async def publish_status(request: web.Request) -> web.Response:
    return await _publish_call(_publisher(request).status())


async def publish_now(request: web.Request) -> web.Response:
    return await _publish_call(_publisher(request).publish())


async def openapi(request: web.Request) -> web.Response:
    return _json(openapi_document(__version__))


async def method_not_allowed(request: web.Request) -> web.Response:
    """405 for a method an API path does not have, with ``Allow`` naming exactly its methods.

    Without this fallback aiohttp would compute ``Allow`` over every resource that matches the
    path, and the site's catch-all ``GET /{tail}`` matches every ``/api/...`` path too: ``OPTIONS
    /api/query`` was answered ``Allow: GET,HEAD,POST`` and ``GET /api/query`` with a 404.
    """
    route = request.match_info.route
    allowed = {r.method for r in route.resource} - {hdrs.METH_ANY} if route.resource else set()
    raise web.HTTPMethodNotAllowed(
        request.method, allowed, text=f"{request.method} is not allowed here; allowed: {', '.join(sorted(allowed))}"
    )


_ROUTES: tuple[tuple[str, str, Any], ...] = (
    ("GET", "/api/health", health),
    ("GET", "/api/notes", list_notes),
    ("GET", "/api/note", get_note),
    ("POST", "/api/query", run_query),
    ("GET", "/api/search", search),
    ("GET", "/api/events", events),
    ("GET", "/api/publish/status", publish_status),
    ("POST", "/api/publish", publish_now),
    ("GET", "/api/openapi.json", openapi),
)


def add_routes(app: web.Application) -> None:
    """Every API route; the OpenAPI test checks this list against :mod:`.openapi`.

    Each path also gets a ``*`` route to :func:`method_not_allowed`, added last on the same
    resource so that it only catches the methods the path does not have (GET also answers HEAD).
    """
    for method, path, handler in _ROUTES:
        resource = app.router.add_resource(path)
        resource.add_route(method, handler)
        if method == hdrs.METH_GET:
            resource.add_route(hdrs.METH_HEAD, handler)
        resource.add_route(hdrs.METH_ANY, method_not_allowed)
