"""Canvas pages on the preview server and the static site: a published canvas at its ``.canvas/``
permalink (map + cards, no inline styles), the published view's privacy for what a canvas shows,
unpublished canvases under ``/_preview/`` only, assets, live reload."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from gardend.daemon.site.static_build import build_static_site

from ..conftest import write
from .conftest import SiteWorld, served

PUB = "---\ndg-publish: true\n---\n"
SECRET = "quokka-canvas-secret-4471"


def canvas(nodes: list[dict[str, Any]], edges: list[dict[str, Any]] | None = None, publish: bool = True) -> str:
    return json.dumps({"nodes": nodes, "edges": edges or [],
                       "metadata": {"frontmatter": {"dg-publish": True, "title": "Plan board"} if publish else {}}})


def box(i: int) -> dict[str, int]:
    return {"x": 0 if i % 2 else 400, "y": 300 * (i // 2), "width": 250, "height": 120}


VAULT = {
    "Idea.md": PUB + "# Idea\nidea-body-text\n",
    "Links.md": PUB + "To [[Plan.canvas]] and [[Draft.canvas]].\n",
    "Private/Lawyer notes.md": f"---\nphone: 555-0199\n---\n{SECRET}\n",
    "img/pic.png": "PNG-bytes",
    "Boards/Plan.canvas": canvas(
        [
            {"id": "g", "type": "group", "label": "Ideas", "x": -50, "y": -50, "width": 800, "height": 500},
            {"id": "t", "type": "text", "text": "## Start\nSee [[Idea]] and [[Lawyer notes]].\n\n![[Lawyer notes]]",
             "color": "1", **box(0)},
            {"id": "f", "type": "file", "file": "Idea.md", **box(1)},
            {"id": "p", "type": "file", "file": "Private/Lawyer notes.md", "color": "#12ab34", **box(2)},
            {"id": "i", "type": "file", "file": "img/pic.png", **box(3)},
            {"id": "l", "type": "link", "url": "https://example.org/page", **box(4)},
            {"id": "odd", "type": "text", "text": 5, "x": "far", "y": None},
        ],
        [{"id": "e", "fromNode": "t", "toNode": "f", "label": "explains"},
         {"id": "e2", "fromNode": "t", "toNode": "missing"}],
    ),
    "Boards/Draft.canvas": canvas([{"id": "t", "type": "text", "text": f"draft {SECRET}", **box(0)}], publish=False),
}
PLAN_URL = "/boards/plan.canvas/"


@pytest.fixture
def canvas_world(tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[SiteWorld]:
    preview = getattr(request, "param", True)
    root = tmp_path / "vault"
    for rel, text in VAULT.items():
        write(root, rel, text)
    with served(root, tmp_path / "index.sqlite", preview) as world:
        yield world


def main_of(page: str) -> str:
    return page[page.index('<main id="page-main"'):page.index("</main>")]


def test_canvas_page_shows_map_and_cards_at_its_permalink(canvas_world: SiteWorld) -> None:
    status, ctype, page = canvas_world.one(PLAN_URL)
    assert status == 200 and ctype == "text/html"
    main = main_of(page)
    assert '<h1 class="note-title">Plan board</h1>' in main and 'class="note canvas-page"' in main
    # The map: geometry in SVG attributes, every node a link to its card, edges drawn.
    assert '<figure class="canvas-map"><svg viewBox=' in main
    assert main.count('<a href="#canvas-node-') == 6  # the node without a box has a card, no box
    assert '<line x1="650" y1="60" x2="0" y2="60" class="canvas-map-edge"' in main  # t (right side) → f (left)
    assert '>explains</text>' in main
    assert 'stroke="#12ab34"' in main  # a custom colour: a presentation attribute, not a style
    # Cards in reading order, inside their group; the text node rendered by the site renderer.
    cards = re.findall(r'id="(canvas-node-\d+)"', main.split('<div class="canvas-cards">')[1])
    assert cards == ["canvas-node-0", "canvas-node-2", "canvas-node-1", "canvas-node-4", "canvas-node-3",
                     "canvas-node-5", "canvas-node-6"]
    assert '<h2 class="canvas-group-label">Ideas</h2>' in main
    assert 'href="/idea/" class="internal-link">Idea</a>' in main
    assert "idea-body-text" in main  # the file node embeds the published note
    assert '<img src="/_assets/img/pic.png"' in main
    assert '<a class="external-link" href="https://example.org/page" rel="noopener nofollow">' in main
    # No inline style or script from us (the page's Content-Security-Policy forbids them).
    assert " style=" not in main and "<script" not in main


def test_canvas_page_published_view_shows_nothing_of_an_unpublished_note(canvas_world: SiteWorld) -> None:
    _, _, page = canvas_world.one(PLAN_URL)
    for private in (SECRET, "555-0199", "Private/", "Lawyer notes.md", "lawyer-notes", "Draft"):
        assert private not in page, private
    assert '<p class="canvas-private">This content is not published.</p>' in page
    assert "<title>Not published</title>" in page
    assert '<a class="internal-link is-unresolved">Lawyer notes</a>' in page  # display text only


def test_canvas_assets_and_raw_files_in_the_published_view(canvas_world: SiteWorld) -> None:
    canvas_world.preview = False
    (image, raw_plan, raw_draft, draft_page, links) = canvas_world.get(
        "/_assets/img/pic.png", "/_assets/Boards/Plan.canvas", "/_assets/Boards/Draft.canvas",
        "/boards/draft.canvas/", "/links/")
    assert image[0] == 200  # shown by a published canvas only
    assert raw_plan[0] == 404 and raw_draft[0] == 404  # a canvas is a page, never a raw asset
    assert draft_page[0] == 404 and "/_preview/" not in main_of(draft_page[2])
    assert 'href="/boards/plan.canvas/" class="internal-link">Plan.canvas</a>' in links[2]
    assert '<a class="internal-link is-unresolved">Draft.canvas</a>' in links[2]
    assert SECRET not in links[2]


def test_unpublished_canvas_only_under_the_preview_prefix(canvas_world: SiteWorld) -> None:
    status, _, page = canvas_world.one("/_preview/Boards/Draft.canvas")
    assert status == 200 and "Not published." in page and f"draft {SECRET}" in page
    assert canvas_world.one("/_preview/Boards/Plan.canvas")[0] == 302  # published: its permalink
    canvas_world.preview = False
    assert canvas_world.one("/_preview/Boards/Draft.canvas")[0] == 404


def test_canvas_page_reloads_when_what_it_shows_changes(canvas_world: SiteWorld) -> None:
    canvas_world.app()
    service = canvas_world.service
    note = service.site().notes["Boards/Plan.canvas"]
    assert service.should_reload(note.path, False, ["Idea.md"])
    assert service.should_reload(note.path, False, ["Boards/Plan.canvas"])
    assert not service.should_reload(note.path, False, ["Links.md"])


def test_static_site_writes_canvas_pages(canvas_world: SiteWorld, tmp_path: Path) -> None:
    out = tmp_path / "site"
    report = build_static_site(canvas_world.writer, canvas_world.root, out)
    assert "boards/plan.canvas/index.html" in report.written
    assert "_assets/img/pic.png" in report.written
    assert not any("draft" in p.lower() or p.endswith(".canvas") for p in report.written)
    page = (out / "boards/plan.canvas/index.html").read_text()
    assert '<figure class="canvas-map">' in page and SECRET not in page
    search = json.loads((out / "searchIndex.json").read_text())
    assert any(e["title"] == "Plan board" and "Start" in e["content"] for e in search)
    for file in out.rglob("*"):
        if file.is_file():
            assert SECRET.encode() not in file.read_bytes(), file


def test_canvas_page_renders_canvas_json_of_any_shape() -> None:
    """Whatever the file holds (any JSON shape, or no JSON at all), the page renders: bad nodes
    are skipped, never an exception."""
    from gardend.daemon.site.canvas import render_canvas_page
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from ..publish.test_canvas_publish import _canvas

    @settings(max_examples=200, deadline=None)
    @given(data=_canvas, extra=st.text(max_size=20))
    def check(data: dict[str, Any], extra: str) -> None:
        page = render_canvas_page(
            json.dumps(data),
            render_markdown=lambda text: ("<p>md</p>", [], False),
            resolve=lambda linkpath: linkpath if linkpath.endswith((".md", ".png")) else None,
            visible=lambda path: not path.startswith("Private"),
            href_for=lambda path, subpath: "/" + path,
        )
        assert page.html.count("<svg") <= 1 and "<script" not in page.html
        render_canvas_page(extra, render_markdown=lambda t: ("", [], False), resolve=lambda p: None,
                           visible=lambda p: True, href_for=lambda p, s: None)

    check()


def test_canvas_groups_nest_by_size_and_every_node_gets_a_card() -> None:
    from gardend.daemon.site.canvas import render_canvas_page

    same = {"x": 0, "y": 0, "width": 100, "height": 100}
    data = {"nodes": [
        {"id": "a", "type": "group", "label": "A", **same},
        {"id": "b", "type": "group", "label": "B", **same},  # the same box: B nests in A, not both ways
        {"id": "t", "type": "text", "text": "inside", "x": 10, "y": 10, "width": 10, "height": 10},
    ]}
    page = render_canvas_page(json.dumps(data), render_markdown=lambda text: (f"<p>{text}</p>", [], False),
                              resolve=lambda p: None, visible=lambda p: True, href_for=lambda p, s: None)
    cards = page.html.split('<div class="canvas-cards">')[1]
    assert re.findall(r'id="(canvas-node-\d)"', cards) == ["canvas-node-0", "canvas-node-1", "canvas-node-2"]
    assert cards.index(">A</h2>") < cards.index(">B</h2>") < cards.index("<p>inside</p>")
