"""The static site: the published view of the preview site, written to a folder any static host
can serve (``gardend publish --site DIR``).

What is written (all paths relative to the output folder):

* every published note at ``<permalink>/index.html`` (``index.html`` for the ``dg-home`` note;
  without one, ``index.html`` lists every note), rendered by the same renderer and templates as
  the preview server's published view, without live reload and without anything from ``/api``;
* ``tags/index.html`` and ``tags/<tag, lower-cased>/index.html`` (a nested tag is a nested
  folder), ``search/index.html`` (searches ``searchIndex.json`` in the browser with
  ``_static/search.js``), ``_tree/index.html`` (every note), ``404.html``;
* ``_static/*`` (stylesheet and scripts, never ``live.js``; the Mermaid bundle only when a page
  has a diagram), ``_assets/<vault path>`` for the attachments the published pages actually
  link or embed (found in their HTML, so an image that only an unpublished note embeds is never
  copied), ``graph.json``, ``searchIndex.json``;
* ``sitemap.xml`` and ``feed.xml`` (Atom) only with a base URL: both need absolute URLs;
* ``.nojekyll`` (GitHub Pages would otherwise drop the ``_static``/``_assets`` folders) and the
  manifest ``.gardend-site.json``.

Pages follow ``publish.mode`` as the preview server's published view does: in ``"safe"`` mode
Dataview queries read published notes only (``published_only`` with page objects whose
``file.inlinks``/``file.outlinks`` name no unpublished note, as the safe-mode compile) and
embeds of unpublished notes are a placeholder; in ``"plugin"`` mode both show what the plugin
publishes. ``searchIndex.json`` is made from the rendered pages' text rather than the Markdown
source (no link destinations, no ``%%comments%%``). See the leak audit (``gardend check --leaks``).

Links are absolute paths (``/notes/x/``), as on the Digital Garden site, so the site must be
served at the root of its host: a base URL with a path (``https://host/garden/``) is refused
rather than producing a site whose every link is broken.

Re-runs and ownership. The manifest lists every file the build wrote, with its SHA-256 and size,
and a fingerprint of everything the output is made from (every vault file's hash and times as
indexed, the Obsidian settings files, templates, static files, options, gardend's version). When
the fingerprint matches and every listed file is still there at its size, nothing is rendered
and nothing written; otherwise every page is rendered and a file is written only when its bytes
differ from the file on disk, so editing a note rewrites its page and the pages that show it
(backlinks, tags, tree, graph, search index). Files listed by the previous manifest that the
build no longer produces are deleted; nothing the manifest does not list is ever deleted, and a
non-empty folder without a manifest is refused unless ``force`` (then foreign files are kept,
only the build's own paths are overwritten).

The fingerprint covers this module's source and gardend's version but not the rest of the
code: after changing the renderer in a development install, build with ``force``.

Determinism: every list is sorted, the only times written are the notes' own (frontmatter
``created``/``updated`` or the file times the index recorded), so one index gives identical
bytes in any folder. Exception, as in Obsidian: a Dataview query that reads the clock.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from html import unescape as html_unescape
from pathlib import Path
from typing import Any, cast
from urllib.parse import quote, unquote, urlsplit
from xml.sax.saxutils import escape as xml_escape

from markupsafe import Markup

from .. import __version__
from ..canvas import is_canvas_path
from ..effective_settings import settings_fingerprint
from ..index import Index
from ..query.engine import QueryEngine
from ..render import NoteNotFound
from ..server.paths import UnsafePathError, safe_vault_path
from ..server.state import ServerState
from .model import ASSET_PREFIX, Site, SiteNote, TreeNode
from .routes import STATIC, TEMPLATES, _env
from .service import SiteService

__all__ = ["MANIFEST_NAME", "BuildReport", "SiteBuildError", "build_static_site"]

log = logging.getLogger("gardend.site.static")

MANIFEST_NAME = ".gardend-site.json"
FORMAT = 1
STATIC_FILES = ("search.js", "site.css", "site.js", "theme.js", "LICENSE-lucide.txt")
"""Copied into every site; the Lucide licence because every page may draw its icons (callouts,
fileClass links)."""
"""Copied to ``_static/``; ``live.js`` is left out (it needs the server's event stream)."""
DIAGRAM_FILES = ("mermaid.min.js", "mermaid-init.js", "LICENSE-mermaid.txt")
"""Copied to ``_static/`` only when a written page has a Mermaid diagram: the bundle is 3 MB,
which a site without diagrams should not carry."""
TREE_INLINE_LIMIT = 1500
"""Up to this many notes every page carries the whole file tree (as the preview server does).
Beyond it a page carries its own folder's notes and a link to ``/_tree/``: a full tree in each of
thousands of pages would make the site grow with the square of its size (4k notes: ~2 GB)."""
FEED_LIMIT = 50
"""Atom entries: the most recently updated published notes (feed readers keep their history)."""
_BUILDER_HASH = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()
"""This module as imported (read once: the running code, not whatever is on disk later)."""
SEARCH_URL = "/search/"
TREE_URL = "/_tree/"
_ASSET_REF = re.compile(r'(?:href|src)="' + re.escape(ASSET_PREFIX) + r'([^"#?]+)')
_TAG_SEGMENT = re.compile(r"^[^/\\\x00]+$")


class SiteBuildError(Exception):
    """The site cannot be built as asked (unsafe output folder, bad base URL)."""


@dataclass
class BuildReport:
    """What a build did, as output-relative paths (sorted)."""

    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    rendered: bool = True
    """False when the fingerprint matched and nothing was rendered."""

    def summary(self) -> str:
        return f"{len(self.written)} written, {len(self.unchanged)} unchanged, {len(self.removed)} removed"


@dataclass
class _BuildState:
    """The part of :class:`ServerState` that :class:`SiteService` uses, without a server."""

    root: Path
    index: Index
    engine: QueryEngine
    config_dir: str = ".obsidian"
    publish_mode: str = "safe"
    change_listeners: list[Any] = field(default_factory=list)
    settings_listeners: list[Any] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------
# entry point


def build_static_site(
    index: Index,
    root: Path,
    out_dir: Path,
    *,
    base_url: str | None = None,
    config_dir: str = ".obsidian",
    force: bool = False,
    progress: Callable[[int, int], None] | None = None,
    mode: str = "safe",
) -> BuildReport:
    """Build the published site of ``index`` (vault ``root``) into ``out_dir``.

    ``mode`` is ``publish.mode``: ``"safe"`` shows nothing of an unpublished note; ``"plugin"``
    shows what the Digital Garden plugin's own site would (transclusions of unpublished notes in
    full, queries over every note), as its compiled notes carry them.

    ``force`` allows a first build into a non-empty folder that has no manifest, and renders
    everything even when the fingerprint says nothing changed. ``progress(done, total)`` is
    called as note pages are rendered (the long part; ``gardend publish`` draws its bar).
    """
    base = normalise_base_url(base_url)
    out_dir = Path(out_dir)
    vault, target = Path(root).resolve(), out_dir.resolve()
    if target == vault or vault in target.parents or target in vault.parents:
        # Inside the vault the pages would be indexed as attachments (and change every build's
        # fingerprint); around it, the vault's files would sit among the site's.
        raise SiteBuildError(f"{out_dir}: the site folder must be outside the vault {root}")
    old = _read_manifest(out_dir, force)
    fingerprint = _fingerprint(index, root, config_dir, base, mode)
    report = BuildReport()
    if not force and old is not None and old.get("fingerprint") == fingerprint and _intact(out_dir, old["files"]):
        report.unchanged = sorted(old["files"])
        report.rendered = False
        return report
    outputs = _Outputs(report)
    _produce(outputs, index, root, config_dir, base, progress, mode)
    old_files: dict[str, Any] = old["files"] if old is not None else {}
    if set(outputs.files) - set(old_files):
        # Claim the new paths before writing them: a build that stops half-way still leaves
        # every file it wrote listed, so the next build can update or remove it.
        claimed = {**old_files, **{rel: ["", -1] for rel in outputs.files if rel not in old_files}}
        _write_if_changed(out_dir / MANIFEST_NAME, _manifest_bytes("", claimed))
    _write_all(out_dir, outputs.files, report)
    for rel in sorted(set(old_files) - set(outputs.files)):
        _remove_owned(out_dir, rel)
        report.removed.append(rel)
    files = {rel: [hashlib.sha256(data).hexdigest(), len(data)] for rel, data in outputs.files.items()}
    _write_if_changed(out_dir / MANIFEST_NAME, _manifest_bytes(fingerprint, files))
    report.written.sort()
    report.unchanged.sort()
    return report


def normalise_base_url(base_url: str | None) -> str | None:
    """``https://host`` without the final ``/``; ``None`` stays ``None``. A path is refused:
    the site's links are absolute paths from ``/`` (see the module docstring)."""
    if base_url is None or not base_url.strip():
        return None
    parts = urlsplit(base_url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise SiteBuildError(f"base URL {base_url!r}: expected http(s)://host")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise SiteBuildError(
            f"base URL {base_url!r}: the site must be served at the root of its host (links are absolute"
            " paths from '/'); use a host or subdomain of its own"
        )
    return f"{parts.scheme}://{parts.netloc}"


# ---------------------------------------------------------------------------------------------
# what the build produces


class _Outputs:
    """The files of one build: output-relative path -> bytes. The first producer of a path wins;
    paths equal but for case, or a file where another output needs a folder, count as taken
    (case-insensitive hosts and file systems would merge or refuse them)."""

    def __init__(self, report: BuildReport) -> None:
        self.files: dict[str, bytes] = {}
        self.report = report
        self._folded: set[str] = set()
        self._folders: set[str] = set()

    def add(self, rel: str, data: bytes, what: str) -> bool:
        if not _safe_rel(rel):
            self.report.warnings.append(f"{what}: output path {rel!r} is not a safe relative path; skipped")
            return False
        key = rel.lower()
        parents = ["/".join(key.split("/")[:i]) for i in range(1, key.count("/") + 1)]
        if key in self._folded or key in self._folders or any(p in self._folded for p in parents):
            self.report.warnings.append(f"{what}: {rel} is already taken by another output; skipped")
            return False
        self.files[rel] = data
        self._folded.add(key)
        self._folders.update(parents)
        return True


def _safe_rel(rel: str) -> bool:
    if not rel or rel.startswith("/") or "\\" in rel or "\x00" in rel:
        return False
    parts = rel.split("/")
    return all(p not in ("", ".", "..") for p in parts) and parts[0] != MANIFEST_NAME


def page_file(url: str) -> str:
    """The output file of a page URL path (decoded): ``/a/b/`` -> ``a/b/index.html``."""
    rel = url.strip("/")
    return "index.html" if not rel else rel + "/index.html"


def _tag_href(tag: str) -> str:
    return "/tags/" + quote(str(tag).lower(), safe="/") + "/"


def _tag_file(tag: str) -> str | None:
    segments = tag.lower().split("/")
    if not all(_TAG_SEGMENT.match(s) and s not in (".", "..") for s in segments):
        return None
    return "tags/" + "/".join(segments) + "/index.html"


def _produce(
    outputs: _Outputs, index: Index, root: Path, config_dir: str, base: str | None,
    progress: Callable[[int, int], None] | None = None,
    mode: str = "safe",
) -> None:
    from ..dataview_settings import load_dataview_settings
    from ..publish.queries import PublishedPageStore

    settings = load_dataview_settings(root, config_dir).query_settings()  # as the server's engine
    if mode == "plugin":  # queries over every note, as the plugin's compiled notes have them
        engine = QueryEngine(index, settings, share_results=True)
    else:
        engine = QueryEngine(index, settings, published_only=True, share_results=True)
        engine.pages = PublishedPageStore(index)  # no private notes in file.inlinks / outlinks either
    service = SiteService(cast(ServerState, _BuildState(root, index, engine, config_dir, mode)), preview=False)
    site = service.site()
    env = _env()
    env.filters["taghref"] = _tag_href
    common: dict[str, Any] = {"static_site": True, "search_url": SEARCH_URL, "preview_mode": False}

    def html(template: str, **data: Any) -> bytes:
        return env.get_template(template).render(**common, **data).encode("utf-8")

    # Fixed files first: a note whose permalink collides with one of them loses (with a warning).
    outputs.add(".nojekyll", b"", "static host")
    for name in STATIC_FILES:
        outputs.add(f"_static/{name}", (STATIC / name).read_bytes(), "static file")
    full_tree = site.file_tree(False)
    render_tree = env.get_template("_tree.html").module.render_tree  # type: ignore[attr-defined]
    trees = _TreeHtml(full_tree, render_tree, sum(1 for n in site.by_url.values() if not n.hidden))
    outputs.add("404.html", html("404.html", path="this address", tree_html=trees.top(), title="Not found"), "404 page")
    outputs.add(page_file(SEARCH_URL), html("search_static.html", tree_html=trees.top(), title="Search"), "search page")
    notes_page = html("notes_index.html", all_tree=full_tree, tree_html=trees.top(), title="All notes")
    outputs.add(page_file(TREE_URL), notes_page, "note list")

    tags = site.all_tags(index)
    outputs.add("tags/index.html", html("tags.html", tags=[(t.lstrip("#"), n) for t, n in tags], tree_html=trees.top(),
                                        title="Tags"), "tag list")
    for tag, _count in tags:
        name = tag.lstrip("#")
        rel = _tag_file(name)
        if rel is None:
            outputs.report.warnings.append(f"tag #{name}: no safe folder name; its page is skipped")
            continue
        items = [(n.title, n.url(False)) for n in site.notes_tagged(index, name)]
        outputs.add(rel, html("tag.html", tag=name, items=items, tree_html=trees.top(), title=f"#{name}"), f"tag #{name}")

    pages = _render_pages(service, site, index, progress)
    if any(view.has_mermaid for view in pages.values()):
        for name in DIAGRAM_FILES:  # before the pages, like the other fixed files
            outputs.add(f"_static/{name}", (STATIC / name).read_bytes(), "static file")
    assets: set[str] = set()
    live: set[str] = set()  # URLs whose page was written: data files list only those
    for note in sorted(site.by_url.values(), key=lambda n: n.path):
        view = pages.get(note.path)
        if view is None:
            continue
        assets.update(_ASSET_REF.findall(view.content))
        body = html("note.html", page=view, title=note.title, tree_html=trees.for_url(view.url))
        if outputs.add(page_file(unquote(view.url)), body, note.path):
            live.add(view.url)
    if site.note_at("/") is None:
        outputs.add("index.html", notes_page, "note list (no dg-home note)")

    for ref in sorted(assets):
        _add_asset(outputs, index, root, unquote(ref))

    outputs.add("graph.json", _json(site.graph(index)), "graph")
    search_index = _search_index(site, pages, live)
    outputs.add("searchIndex.json", _json(search_index), "search index")
    if base is not None:
        listed = sorted((n for n in site.by_url.values() if not n.hidden and n.url(False) in live),
                        key=lambda n: n.url(False) or "/")
        outputs.add("sitemap.xml", _sitemap(base, listed), "sitemap")
        outputs.add("feed.xml", _feed(base, listed, {e["url"]: e["content"] for e in search_index}), "feed")


def _render_pages(
    service: SiteService, site: Site, index: Index, progress: Callable[[int, int], None] | None = None
) -> dict[str, Any]:
    """Every served note's page view. Links to ``#Heading`` land on the heading's real id only
    once the target has been rendered (its outline is remembered then), so notes with such
    links are rendered again after the first pass: the result does not depend on the order."""
    served = sorted({n.path for n in site.by_url.values()})
    views: dict[str, Any] = {}
    total = 2 * len(served)  # two passes
    for done, path in enumerate(served, 1):
        if progress is not None:
            progress(done, total)
        try:
            service.renderer.render(path, service.published_options())
        except NoteNotFound:
            continue
    again = {r[0] for r in index.conn.execute(
        "SELECT DISTINCT f.path FROM links l JOIN files f ON f.id = l.note_id"
        " WHERE l.subpath IS NOT NULL AND l.subpath NOT LIKE '#^%' AND l.target_path IS NOT NULL"
    )}
    service.renderer.invalidate(sorted(again.intersection(served)))
    for done, path in enumerate(served, len(served) + 1):
        if progress is not None:
            progress(done, total)
        try:
            views[path] = service.page(site.notes[path], False)
        except NoteNotFound:
            continue
    return views


def _search_index(site: Site, pages: dict[str, Any], live: set[str]) -> list[dict[str, Any]]:
    """``searchIndex.json`` from the pages as rendered (§8.6: "content (rendered, links
    converted, tags stripped to text)"), not from the Markdown source: the index then holds
    exactly the words the pages show, never a link destination or comment the page hides."""
    out = []
    for note in sorted(site.by_url.values(), key=lambda n: n.path):
        view = pages.get(note.path)
        if note.hidden or view is None or view.url not in live:
            continue
        out.append({"title": note.title, "url": view.url, "date": note.updated,
                    "content": _text_of(view.content), "tags": list(view.tags)})
    return out


_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"[ \t\r\f\v]+")
_LINES = re.compile(r"\s*\n\s*")


def _text_of(fragment: str) -> str:
    """Visible text of rendered note HTML: tags dropped, entities decoded, whitespace folded."""
    text = html_unescape(_TAG.sub(" ", fragment))
    return _LINES.sub("\n", _SPACE.sub(" ", text)).strip()


class _TreeHtml:
    """The sidebar file tree, rendered once per distinct shape instead of once per page."""

    def __init__(self, tree: list[TreeNode], render: Any, notes: int) -> None:
        self.tree = tree
        self.render = render
        self.inline = notes <= TREE_INLINE_LIMIT
        self._full: Markup | None = None
        self._branches: dict[tuple[int, ...], Markup] = {}
        self._chain: dict[str, tuple[TreeNode, ...]] = {}
        if not self.inline:
            self._index(tree, ())

    def _index(self, nodes: list[TreeNode], chain: tuple[TreeNode, ...]) -> None:
        for node in nodes:
            if node.is_folder:
                self._index(node.children, (*chain, node))
            elif node.url is not None:
                self._chain.setdefault(node.url, chain)

    def top(self) -> Markup:
        return self.for_url(None)

    def for_url(self, url: str | None) -> Markup:
        if self.inline:
            if self._full is None:
                self._full = Markup(self.render(self.tree))
            return self._full
        chain = self._chain.get(url or "", ())
        key = tuple(id(f) for f in chain)
        cached = self._branches.get(key)
        if cached is None:
            cached = Markup(f'<p class="tree-all"><a href="{TREE_URL}">All notes</a></p>') + Markup(
                self.render(_branch(self.tree, chain)))
            self._branches[key] = cached
        return cached


def _branch(tree: list[TreeNode], chain: tuple[TreeNode, ...]) -> list[TreeNode]:
    """The folders leading to a note, and the notes of its folder (large sites' sidebar)."""
    notes = [n for n in (chain[-1].children if chain else tree) if not n.is_folder]
    for folder in reversed(chain):
        notes = [TreeNode(name=folder.name, pinned=folder.pinned, children=notes)]
    return notes


def _add_asset(outputs: _Outputs, index: Index, root: Path, vault_path: str) -> None:
    """Copy an attachment a published page links, if it is a real non-note file of the vault."""
    try:
        checked = safe_vault_path(root, vault_path)
    except UnsafePathError:
        return
    row = index.conn.execute("SELECT is_note FROM files WHERE path = ?", (checked,)).fetchone()
    if row is None or row[0] or is_canvas_path(checked):
        return  # a note, or a canvas (a page of its own; its raw JSON is never copied)
    try:
        data = (root / checked).read_bytes()
    except OSError as exc:
        outputs.report.warnings.append(f"asset {checked}: cannot be read ({exc.strerror or exc})")
        return
    outputs.add(ASSET_PREFIX.lstrip("/") + checked, data, f"asset {checked}")


def _json(data: Any) -> bytes:
    return (json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=False) + "\n").encode("utf-8")


# ---------------------------------------------------------------------------------------------
# sitemap and feed


def parse_time(value: str | None) -> datetime | None:
    """A note's ``created``/``updated`` as an aware datetime (naive and date-only mean UTC)."""
    if not value:
        return None
    text = value.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        try:
            day = date.fromisoformat(text[:10])
        except ValueError:
            return None
        moment = datetime(day.year, day.month, day.day)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _rfc3339(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def _sitemap(base: str, notes: list[SiteNote]) -> bytes:
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for note in notes:
        lines.append(f"<url><loc>{xml_escape(base + (note.url(False) or '/'))}</loc>")
        moment = parse_time(note.updated)
        if moment is not None:
            lines[-1] += f"<lastmod>{_rfc3339(moment)}</lastmod>"
        lines[-1] += "</url>"
    lines.append("</urlset>")
    return ("\n".join(lines) + "\n").encode("utf-8")


def _feed(base: str, notes: list[SiteNote], texts: dict[str, str]) -> bytes:
    """Atom: the :data:`FEED_LIMIT` most recently updated notes; entry ids are the pages' URLs
    (stable as long as the permalink is), times the notes' own."""
    dated = [(parse_time(n.updated) or parse_time(n.created), n) for n in notes]
    newest = sorted(((m, n) for m, n in dated if m is not None), key=lambda x: (-x[0].timestamp(), x[1].path))
    entries = newest[:FEED_LIMIT]
    updated = _rfc3339(entries[0][0]) if entries else "1970-01-01T00:00:00Z"
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<feed xmlns="http://www.w3.org/2005/Atom">',
             "<title>Garden</title>", f'<link href="{xml_escape(base)}/"/>',
             f'<link rel="self" href="{xml_escape(base)}/feed.xml"/>', f"<id>{xml_escape(base)}/</id>",
             f"<updated>{updated}</updated>", "<generator>gardend</generator>"]
    for moment, note in entries:
        url = base + (note.url(False) or "/")
        summary = " ".join(texts.get(note.url(False) or "/", "").split())[:300]
        lines += ["<entry>", f"<title>{xml_escape(note.title)}</title>", f'<link href="{xml_escape(url)}"/>',
                  f"<id>{xml_escape(url)}</id>", f"<updated>{_rfc3339(moment)}</updated>"]
        if summary:
            lines.append(f"<summary>{xml_escape(summary)}</summary>")
        lines.append("</entry>")
    lines.append("</feed>")
    return ("\n".join(lines) + "\n").encode("utf-8")


# ---------------------------------------------------------------------------------------------
# fingerprint, manifest, writing


def _fingerprint(index: Index, root: Path, config_dir: str, base: str | None, mode: str = "safe") -> str:
    """A hash of everything the output is made from, so an unchanged vault skips rendering."""
    h = hashlib.sha256()
    h.update(f"gardend {__version__} format {FORMAT} base {base} mode {mode}\n".encode())
    for row in index.conn.execute("SELECT path, content_hash, size, mtime_ns, ctime_ns FROM files ORDER BY path"):
        h.update(repr(tuple(row)).encode("utf-8", "surrogatepass") + b"\n")
    # Every effective setting (Obsidian, Dataview, Metadata Menu, gardend.toml overrides), by value.
    h.update(settings_fingerprint(root, config_dir).encode() + b"\n")
    for folder in (TEMPLATES, STATIC):
        for file in sorted(folder.iterdir()):
            if file.is_file():
                h.update(file.name.encode() + b"\0" + file.read_bytes() + b"\n")
    h.update(_BUILDER_HASH.encode())
    return h.hexdigest()


def _read_manifest(out_dir: Path, force: bool) -> dict[str, Any] | None:
    """The previous build's manifest; refuses a foreign non-empty folder (unless ``force``)."""
    if out_dir.exists() and not out_dir.is_dir():
        raise SiteBuildError(f"{out_dir}: exists and is not a folder")
    file = out_dir / MANIFEST_NAME
    if file.is_file():
        try:
            data = json.loads(file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise SiteBuildError(f"{file}: unreadable manifest ({exc}); remove it and build with --force") from exc
        if not isinstance(data, dict) or data.get("generator") != "gardend" or not isinstance(data.get("files"), dict):
            raise SiteBuildError(f"{file}: not a gardend site manifest; remove it and build with --force")
        data["files"] = {k: v for k, v in data["files"].items() if isinstance(k, str) and _safe_rel(k)}
        return data
    if out_dir.is_dir() and any(out_dir.iterdir()) and not force:
        raise SiteBuildError(
            f"{out_dir}: not empty and not a gardend site (no {MANIFEST_NAME}); choose an empty folder or pass"
            " --force (files of other origin are kept, the site's own paths are overwritten)"
        )
    return None


def _manifest_bytes(fingerprint: str, files: dict[str, Any]) -> bytes:
    manifest = {"generator": "gardend", "format": FORMAT, "fingerprint": fingerprint, "files": files}
    return (json.dumps(manifest, indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


def _intact(out_dir: Path, files: dict[str, Any]) -> bool:
    """Every file of the manifest is still there with its recorded size (stat only)."""
    for rel, entry in files.items():
        try:
            if (out_dir / rel).stat().st_size != entry[1]:
                return False
        except (OSError, TypeError, IndexError):
            return False
    return True


def _write_all(out_dir: Path, files: dict[str, bytes], report: BuildReport) -> None:
    out_dir.mkdir(parents=True, exist_ok=True)
    for rel in sorted(files):
        if _write_if_changed(out_dir / rel, files[rel]):
            report.written.append(rel)
        else:
            report.unchanged.append(rel)


def _write_if_changed(target: Path, data: bytes) -> bool:
    """Write ``data`` (atomically) unless the file already holds exactly these bytes."""
    if _same_bytes(target, data):
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.gardend-tmp")
    tmp.write_bytes(data)
    os.replace(tmp, target)
    return True


def _same_bytes(target: Path, data: bytes) -> bool:
    try:
        if not target.is_file() or target.stat().st_size != len(data):
            return False
        with target.open("rb") as fh:
            return fh.read() == data
    except OSError:
        return False


def _remove_owned(out_dir: Path, rel: str) -> None:
    """Delete a file the previous build wrote, then the folders it leaves empty."""
    target = out_dir / rel
    target.unlink(missing_ok=True)
    parent = target.parent
    while parent != out_dir and out_dir in parent.parents:
        try:
            parent.rmdir()  # only succeeds when empty: foreign files keep their folder
        except OSError:
            break
        parent = parent.parent
