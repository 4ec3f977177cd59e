"""What the Markdown renderer needs from its host, and what it hands back.

The renderer never touches the vault: everything it needs (link resolution, note sources for
embeds, URLs, publish flags, fileClasses, query results) comes through :class:`RenderContext`, so
the preview server, the static site and the publisher can each plug in their own policy — the
publisher in particular decides what counts as published and the renderer only obeys.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from gardend.renderers.dataview import FileClass, escape_text

__all__ = ["Heading", "QueryResult", "RenderContext", "RenderedNote"]

#: ``render_query`` may return just HTML, or HTML plus the note paths the query read (so the
#: host can re-render when one of them changes).
QueryResult = str | tuple[str, Iterable[str]]


def _no_source(path: str) -> tuple[str, int] | None:
    return None


def _default_href(target_path: str, subpath: str | None) -> str:
    return target_path + (subpath or "")


def _always_published(path: str) -> bool:
    return True


def _no_fileclass(path: str) -> FileClass | None:
    return None


def _no_queries(kind: str, source: str, this_path: str) -> QueryResult:
    tag = "span" if kind == "inline" else "div"
    return f'<{tag} class="gardend-notice">Queries are not available here.</{tag}>'


def _resolve_nothing(linkpath: str, source_path: str) -> str | None:
    return None


@dataclass
class RenderContext:
    """Host callbacks and settings for one render.

    A dataclass of callables (rather than an abstract base) so hosts and tests can build one from
    closures; subclasses overriding the methods work too.

    * ``resolve(linkpath, source_path)`` → vault path or ``None`` (Obsidian's
      ``getFirstLinkpathDest``, obsidian.md §3.4). An empty linkpath means the source note itself;
      the renderer handles that case without calling ``resolve``.
    * ``note_source(path)`` → ``(full file text, line where the body starts)`` for embeds.
    * ``href_for(target_path, subpath)`` → URL of a note or asset; ``subpath`` is the raw
      ``#Heading`` / ``#^block`` part as written (map headings with :func:`heading_slug`).
    * ``is_published(path)`` and ``published_view``: in a published view, links to unpublished
      notes are rendered unresolved and embeds of them as a neutral placeholder.
    * ``fileclass(path)`` → Metadata Menu class for link decoration (obsidian.md §8.4).
    * ``render_query(kind, source, this_path)`` → HTML (or HTML and read paths) for
      ``kind`` ``"dataview"`` (a fenced block) or ``"inline"`` (an inline ``= expr``).
    """

    resolve: Callable[[str, str], str | None] = _resolve_nothing
    note_source: Callable[[str], tuple[str, int] | None] = _no_source
    href_for: Callable[[str, str | None], str] = _default_href
    is_published: Callable[[str], bool] = _always_published
    published_view: bool = False
    embed_unpublished: bool = False
    """In a published view, render embeds of unpublished notes in full instead of the placeholder:
    what the Digital Garden plugin publishes (``publish.mode = "plugin"``). Links to them stay
    unresolved either way: the published site has no page for them."""
    fileclass: Callable[[str], FileClass | None] = _no_fileclass
    render_query: Callable[[str, str, str], QueryResult] = _no_queries
    strict_line_breaks: bool = False
    max_embed_depth: int = 4
    inline_query_prefix: str = "="
    """Dataview's ``inlineQueryPrefix``: inline code starting with it is a query."""
    inline_js_query_prefix: str = "$="
    """Dataview's ``inlineJsQueryPrefix`` (checked first, as Dataview does); never run."""
    inline_queries: bool = True
    """Dataview's ``enableInlineDataview``: off, inline queries (``$=`` too) stay inline code."""
    inline_queries_in_codeblocks: bool = True
    """Dataview's ``inlineQueriesInCodeblocks``: a code block whose whole text starts with a
    prefix is an inline query too (its ``<code>`` inside ``<pre>``)."""
    dataviewjs_keyword: str = "dataviewjs"
    """Dataview's ``dataviewJsKeyword``: the code block language of DataviewJS."""
    dataviewjs_enabled: bool = False
    """Dataview's ``enableDataviewJs``: off, a DataviewJS block shows Dataview's "disabled"
    error (what Obsidian shows); on, gardend's "not supported" notice (it never runs JS)."""
    inline_dataviewjs_enabled: bool = False
    """Dataview's ``enableInlineDataviewJs`` (inline ``$=`` also needs ``dataviewjs_enabled``)."""
    query_container: str = "obsidian"
    """How a block gardend renders itself (DataviewJS's "disabled" error) is wrapped:
    ``"obsidian"`` in Obsidian's code-block ``<div>``, anything else bare (the Digital Garden
    plugin publishes the bare ``innerHTML``); the host's ``render_query`` wraps its own views."""


@dataclass(frozen=True)
class Heading:
    """One top-level heading of the rendered note: level, raw Markdown text, element id."""

    level: int
    text: str
    id: str


@dataclass
class RenderedNote:
    """The HTML body plus what the host needs to keep it fresh and navigable.

    ``dependencies`` are vault paths whose change can change this HTML (embedded notes and assets,
    paths reported by queries), in first-seen order; ``headings`` is the outline of the note's own
    top-level headings (not those of embedded notes); ``footnotes`` maps the label of each of the
    note's own listed footnotes to its element id (``"note"`` → ``"fn-2"``: ids are numbers by
    first reference, so ``[[Note#[^note]]]`` needs this to land on it).  ``has_mermaid`` says
    the HTML holds a Mermaid diagram (its own or an embedded note's), so the page must load the
    script that draws it — the only pages that need it.
    """

    html: str
    dependencies: list[str] = field(default_factory=list)
    headings: list[Heading] = field(default_factory=list)
    footnotes: dict[str, str] = field(default_factory=dict)
    has_mermaid: bool = False


def notice(text: str, *classes: str) -> str:
    """A neutral notice box; ``text`` is escaped, so callers pass plain text only."""
    cls = " ".join(("gardend-notice", *classes))
    return f'<div class="{cls}">{escape_text(text)}</div>'
