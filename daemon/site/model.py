"""The site's view of the index: which notes are pages, at which URL, and what links them.

A :class:`Site` is a snapshot built from the index in one pass (a few ms for a personal vault)
and rebuilt whenever the index generation changes, so every request sees permalinks, the file
tree, backlinks and tags consistent with one committed state of the vault. It runs on the
server's read thread, like every other use of the read connection.

Two views share the snapshot:

* the **published view** (``preview=False``) shows exactly what the Digital Garden site would:
  published notes at their permalinks (digital-garden.md §3.4), the ``dg-home`` note at ``/``
  (§1.3); nothing it returns names an unpublished note;
* the **preview view** (``preview=True``) adds every other note under ``/_preview/<vault path>``
  so the author can read the whole vault; those pages are marked "not published".
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from ...renderers.markdown import Heading, subpath_fragment
from ..canvas import canvas_text_of
from ..index import Index
from ..publish.paths import RewriteRule, garden_path, permalink_for
from ..values import js_truthy

__all__ = ["ASSET_PREFIX", "PREVIEW_PREFIX", "Site", "SiteNote", "TreeNode"]

log = logging.getLogger("gardend.site")

#: ``![[embed]]`` (dropped), ``[[target|display]]`` (display kept), ``[[target]]`` (kept).
_WIKILINK = re.compile(r"(!?)\[\[([^\]|]*)(?:\|([^\]]*))?\]\]")
#: Obsidian comments (``%%…%%``, inline or across lines): never rendered, so never searchable.
_COMMENT = re.compile(r"%%.*?%%", re.DOTALL)
PREVIEW_PREFIX = "/_preview/"
ASSET_PREFIX = "/_assets/"


@dataclass(frozen=True)
class SiteNote:
    """One note as the site sees it."""

    path: str
    title: str
    frontmatter: dict[str, Any]
    published: bool
    permalink: str | None
    """The URL path of a published note (``/`` for the home note); ``None`` when unpublished."""
    created: str | None
    updated: str | None
    kind: str = "note"
    """``"note"``, or ``"canvas"`` for an Obsidian canvas (page drawn by :mod:`.canvas`)."""

    @property
    def is_canvas(self) -> bool:
        return self.kind == "canvas"

    @property
    def home(self) -> bool:
        return self.permalink == "/"

    @property
    def hidden(self) -> bool:
        """``dg-hide``: kept out of the file tree, the search index and the graph's visible nodes."""
        return js_truthy(self.frontmatter.get("dg-hide"))

    @property
    def pinned(self) -> bool:
        return js_truthy(self.frontmatter.get("dg-pinned"))

    @property
    def preview_url(self) -> str:
        return PREVIEW_PREFIX + quote(self.path, safe="/")

    def url(self, preview: bool) -> str | None:
        """Where this note is shown: its permalink, else (preview only) its preview URL."""
        if self.permalink is not None:
            return quote(self.permalink, safe="/")
        return self.preview_url if preview else None


@dataclass
class TreeNode:
    """A folder or note of the file tree (folders have ``children``, notes a ``url``)."""

    name: str
    url: str | None = None
    published: bool = True
    pinned: bool = False
    children: list[TreeNode] = field(default_factory=list)

    @property
    def is_folder(self) -> bool:
        return self.url is None


def _iso(ns: int | None) -> str | None:
    if not ns:
        return None
    return datetime.fromtimestamp(ns / 1e9, tz=UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _fm_date(fm: dict[str, Any], key: str) -> str | None:
    value = fm.get(key)
    return str(value) if js_truthy(value) and isinstance(value, str | int | float) else None


class Site:
    """A snapshot of the site built from the index at one generation."""

    def __init__(self, notes: list[SiteNote], generation: int) -> None:
        self.generation = generation
        self.notes: dict[str, SiteNote] = {n.path: n for n in notes}
        self.by_url: dict[str, SiteNote] = {}
        for note in notes:  # sorted by path: on a collision the first path keeps the URL
            if note.permalink is None:
                continue
            if note.permalink in self.by_url:
                log.warning("permalink %s of %s is already taken by %s; the page is not served",
                            note.permalink, note.path, self.by_url[note.permalink].path)
                continue
            self.by_url[note.permalink] = note
        self._headings: dict[str, list[Heading]] = {}
        self._footnotes: dict[str, dict[str, str]] = {}
        # Derived data memoised on the snapshot (it never changes after construction): a static
        # build asks for the tree and the local graph once per page, thousands of times.
        self._edges: list[tuple[str, str]] | None = None
        self._edges_of: dict[str, list[tuple[str, str]]] | None = None
        self._trees: dict[bool, list[TreeNode]] = {}
        self.rules: list[RewriteRule] = []
        """Path-rewrite rules: the file tree shows published notes at their garden paths."""

    # -- building --------------------------------------------------------------------------------
    @classmethod
    def load(cls, index: Index, rules: list[RewriteRule] | None = None, slugify_enabled: bool = True) -> Site:
        """Read every note's title, frontmatter and publish flag; derive permalinks as the
        compiled notes have them (the Digital Garden settings' path-rewrite rules and slugify
        switch, digital-garden.md §3.4), so a page is where the published garden puts it.

        Canvases are pages too (their flag and frontmatter from ``metadata.frontmatter``, their
        permalink ending ``.canvas/`` as the plugin writes it); their title is the frontmatter
        ``title`` or the file name without ``.canvas``."""
        rows = index.conn.execute(
            "SELECT f.path, n.title, n.frontmatter, n.publish, f.ctime_ns, f.mtime_ns, 'note'"
            " FROM files f JOIN notes n ON n.file_id = f.id"
            " UNION ALL SELECT f.path, NULL, c.frontmatter, c.publish, f.ctime_ns, f.mtime_ns, 'canvas'"
            " FROM files f JOIN canvases c ON c.file_id = f.id ORDER BY 1"
        ).fetchall()
        notes: list[SiteNote] = []
        home_taken = False
        for path, title, fm_text, publish, ctime_ns, mtime_ns, kind in rows:
            try:
                fm = json.loads(fm_text) if fm_text else {}
            except ValueError:
                fm = {}
            if not isinstance(fm, dict):
                fm = {}
            if title is None:  # a canvas
                custom = fm.get("title")
                title = str(custom) if js_truthy(custom) and isinstance(custom, str | int | float) else \
                    path.rsplit("/", 1)[-1][: -len(".canvas")]
            permalink = None
            if publish:
                permalink = permalink_for(path, fm, rules, slugify_enabled)
                if js_truthy(fm.get("dg-home")) and not home_taken:
                    permalink, home_taken = "/", True
            notes.append(SiteNote(
                path=path, title=title, frontmatter=fm, published=bool(publish), permalink=permalink,
                created=_fm_date(fm, "created") or _iso(ctime_ns),
                updated=_fm_date(fm, "updated") or _iso(mtime_ns),
                kind=kind,
            ))
        site = cls(notes, index.generation())
        site.rules = list(rules or [])
        return site

    # -- look-ups --------------------------------------------------------------------------------
    def note_at(self, url_path: str) -> SiteNote | None:
        """The published note served at ``url_path`` (decoded; with or without the final ``/``)."""
        note = self.by_url.get(url_path)
        if note is None and not url_path.endswith("/"):
            note = self.by_url.get(url_path + "/")
        return note

    def visible(self, path: str, preview: bool) -> bool:
        note = self.notes.get(path)
        return note is not None and (note.published or preview)

    def remember_headings(self, path: str, headings: list[Heading],
                          footnotes: dict[str, str] | None = None) -> None:
        """Outline (and footnote ids) of a rendered note, so later links to ``#Heading`` and
        ``#[^label]`` land on the right id."""
        self._headings[path] = headings
        if footnotes is not None:
            self._footnotes[path] = footnotes

    def href_for(self, path: str, subpath: str | None, preview: bool) -> str | None:
        """The URL of a vault path plus ``#subpath``, or ``None`` when this view cannot link it.

        Published notes → permalink + heading/block/footnote fragment; unpublished notes → the
        preview URL in preview mode, nothing in the published view; any other file (an
        attachment) → ``/_assets/<vault path>``.
        """
        note = self.notes.get(path)
        if note is None:
            return ASSET_PREFIX + quote(path, safe="/")
        url = note.url(preview)
        if url is None:
            return None
        return url + subpath_fragment(subpath, self._headings.get(path), self._footnotes.get(path))

    # -- navigation ------------------------------------------------------------------------------
    def file_tree(self, preview: bool) -> list[TreeNode]:
        """Folders and notes by garden path (``dg-path`` or vault path); pinned first, then by name.

        Hidden notes (``dg-hide``) are left out; unpublished notes appear only in preview.
        The result is shared by every caller of this snapshot: read it, never change it.
        """
        cached = self._trees.get(preview)
        if cached is not None:
            return cached
        root = TreeNode(name="")
        for note in self.notes.values():
            if note.hidden or not (note.published or preview):
                continue
            shown = garden_path(note.path, note.frontmatter, self.rules) if note.published else note.path
            parts = shown.split("/")
            node = root
            for folder in parts[:-1]:
                child = next((c for c in node.children if c.is_folder and c.name == folder), None)
                if child is None:
                    child = TreeNode(name=folder)
                    node.children.append(child)
                node = child
            node.children.append(TreeNode(
                name=note.title, url=note.url(preview), published=note.published, pinned=note.pinned,
            ))
        _sort_tree(root)
        self._trees[preview] = root.children
        return root.children

    def backlinks(self, index: Index, path: str, preview: bool) -> list[SiteNote]:
        """Notes linking to ``path``: published sources only in the published view."""
        rows = index.conn.execute(
            "SELECT DISTINCT s.path FROM links l JOIN files s ON s.id = l.note_id"
            " WHERE l.target_path = ? AND s.path <> ? ORDER BY s.path",
            (path, path),
        ).fetchall()
        return [self.notes[r[0]] for r in rows if self.visible(r[0], preview)]

    def tags_of(self, index: Index, path: str) -> list[str]:
        """The note's tags (with ``#``), first spelling of each, in Dataview order."""
        rows = index.conn.execute(
            "SELECT t.tag FROM tags t JOIN files f ON f.id = t.note_id WHERE f.path = ? ORDER BY t.seq",
            (path,),
        ).fetchall()
        return _unique_ci(r[0] for r in rows)

    def all_tags(self, index: Index) -> list[tuple[str, int]]:
        """Tags of published notes with how many published notes carry each."""
        rows = index.conn.execute(
            "SELECT t.tag, f.path FROM tags t JOIN files f ON f.id = t.note_id"
            " JOIN notes n ON n.file_id = f.id WHERE n.publish = 1"
        ).fetchall()
        counts: dict[str, tuple[str, set[str]]] = {}
        for tag, path in rows:
            if path not in self.notes or self.notes[path].permalink not in self.by_url:
                continue
            _spelled, paths = counts.setdefault(tag.lower(), (tag, set()))
            paths.add(path)
        return sorted(((t, len(p)) for t, p in counts.values()), key=lambda x: x[0].lower())

    def notes_tagged(self, index: Index, tag: str) -> list[SiteNote]:
        """Published notes carrying ``tag`` (case-insensitive, ``#`` optional)."""
        tag = tag if tag.startswith("#") else "#" + tag
        rows = index.conn.execute(
            "SELECT DISTINCT f.path FROM tags t JOIN files f ON f.id = t.note_id"
            " WHERE lower(t.tag) = lower(?) ORDER BY f.path",
            (tag,),
        ).fetchall()
        found = [self.notes[r[0]] for r in rows if r[0] in self.notes]
        return sorted((n for n in found if n.published and self.by_url.get(n.permalink or "") is n),
                      key=lambda n: n.title.lower())

    # -- data files ------------------------------------------------------------------------------
    def _published_edges(self, index: Index) -> list[tuple[str, str]]:
        if self._edges is None:
            rows = index.conn.execute(
                "SELECT DISTINCT s.path, l.target_path FROM links l JOIN files s ON s.id = l.note_id"
                " WHERE l.target_path IS NOT NULL AND l.target_path <> s.path"
            ).fetchall()
            served = {n.path for n in self.by_url.values()}
            self._edges = [(a, b) for a, b in rows if a in served and b in served]
        return self._edges

    def _edges_touching(self, index: Index, path: str) -> list[tuple[str, str]]:
        """The published edges with ``path`` at either end, in :meth:`_published_edges` order."""
        if self._edges_of is None:
            by_note: dict[str, list[tuple[str, str]]] = {}
            for edge in self._published_edges(index):
                by_note.setdefault(edge[0], []).append(edge)
                by_note.setdefault(edge[1], []).append(edge)
            self._edges_of = by_note
        return self._edges_of.get(path, [])

    def graph(self, index: Index) -> dict[str, Any]:
        """``graph.json`` as the site template builds it (§8.6), from published notes only."""
        edges = self._published_edges(index)
        nodes: dict[str, dict[str, Any]] = {}
        ids: dict[str, int] = {}
        for i, note in enumerate(sorted(self.by_url.values(), key=lambda n: n.path)):
            ids[note.path] = i
            url = note.url(False) or "/"
            nodes[url] = {
                "id": i, "title": note.title, "url": url, "group": _group(note.path),
                "home": note.home, "outBound": [], "neighbors": [], "backLinks": [],
                "hide": note.hidden, "private": note.hidden, "size": 2,
            }
        by_path = {n.path: n.url(False) or "/" for n in self.by_url.values()}
        links = []
        for source, target in edges:
            s_url, t_url = by_path[source], by_path[target]
            nodes[s_url]["outBound"].append(t_url)
            nodes[t_url]["backLinks"].append(s_url)
            for a, b in ((s_url, t_url), (t_url, s_url)):
                if b not in nodes[a]["neighbors"]:
                    nodes[a]["neighbors"].append(b)
            links.append({"source": ids[source], "target": ids[target]})
        for node in nodes.values():
            node["size"] = 2 + min(len(node["neighbors"]), 8)
        home = next((n for n in self.by_url.values() if n.home), None)
        return {"homeAlias": "/" if home is not None else None, "nodes": nodes, "links": links}

    def local_graph(self, index: Index, path: str) -> dict[str, Any]:
        """The neighbourhood of one published note: itself, what it links to, what links to it."""
        center = self.notes.get(path)
        if center is None or self.by_url.get(center.permalink or "") is not center:
            return {"nodes": [], "links": []}
        edges = self._edges_touching(index, path)
        around = sorted({b if a == path else a for a, b in edges})
        nodes = [{"url": self.notes[p].url(False), "title": self.notes[p].title, "current": p == path}
                 for p in [path, *around] if not self.notes[p].hidden or p == path]
        return {
            "nodes": nodes,
            "links": [{"source": self.notes[a].url(False), "target": self.notes[b].url(False)} for a, b in edges],
        }

    def search_index(self, index: Index) -> list[dict[str, Any]]:
        """``searchIndex.json``: published, non-hidden notes with their text without frontmatter."""
        out = []
        for note in sorted(self.by_url.values(), key=lambda n: n.path):
            if note.hidden:
                continue
            if note.is_canvas:
                row = index.conn.execute(
                    "SELECT c.text FROM canvases c JOIN files f ON f.id = c.file_id WHERE f.path = ?", (note.path,),
                ).fetchone()
                text = "" if row is None else _search_text(canvas_text_of(row[0]))
            else:
                row = index.conn.execute(
                    "SELECT n.text, n.body_start_line FROM notes n JOIN files f ON f.id = n.file_id WHERE f.path = ?",
                    (note.path,),
                ).fetchone()
                text = "" if row is None else _search_text("\n".join(row[0].split("\n")[row[1]:]))
            out.append({
                "title": note.title, "url": note.url(False), "date": note.updated,
                "content": text, "tags": [t.lstrip("#") for t in self.tags_of(index, note.path)],
            })
        return out


def _search_text(body: str) -> str:
    """The searchable text of a body: wikilinks as the words a reader sees, embeds dropped, so a
    target hidden behind an alias (or an embedded unpublished note) is not indexed by name."""

    def replace(m: re.Match[str]) -> str:
        if m.group(1):
            return ""
        return m.group(3) if m.group(3) is not None else m.group(2).split("#")[0].rsplit("/", 1)[-1]

    text = _WIKILINK.sub(replace, _COMMENT.sub("", body))
    # Markdown links and images: readers see the bracket text, never the destination (which can
    # be a private note's path); images contribute nothing.
    text = _MD_IMAGE.sub("", text)
    return _MD_LINK.sub(lambda m: m.group(1), text)


_MD_IMAGE = re.compile(r"!\[[^\]\n]*\]\([^)\n]*\)")
_MD_LINK = re.compile(r"\[([^\]\n]*)\]\((?:<[^>\n]*>|[^)\n]*)\)")


def _group(path: str) -> str:
    parts = path.split("/")
    return parts[-2] if len(parts) >= 3 else "none"


def _unique_ci(items: Any) -> list[str]:
    seen: set[str] = set()
    out = []
    for item in items:
        if item.lower() not in seen:
            seen.add(item.lower())
            out.append(item)
    return out


def _sort_tree(node: TreeNode) -> None:
    node.children.sort(key=lambda c: (not c.pinned, not c.is_folder, c.name.lower()))
    for child in node.children:
        if child.is_folder:
            child.pinned = any(c.pinned for c in child.children)
            _sort_tree(child)
    node.children.sort(key=lambda c: (not c.pinned, not c.is_folder, c.name.lower()))
