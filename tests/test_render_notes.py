"""Notes rendered from the index (`gardend render`): links, embeds, queries, fileClass decoration, cache."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from gardend.daemon.cli import main
from gardend.daemon.index import Index
from gardend.daemon.query.engine import QueryEngine
from gardend.daemon.render import NoteRenderer, RenderOptions
from gardend.daemon.sync import Synchronizer

from .conftest import REPO, VaultMaker

DEMO = REPO / "examples" / "research-vault"
INSIGHT = "Research/Insights/2025-01-30 12.13.47.md"


def test_insight_page_shows_what_the_seed_shows(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["render", str(DEMO), INSIGHT, "--db", str(tmp_path / "i.sqlite")])
    assert result.exit_code == 0, result.output
    html = result.output
    for tag in ["Back Pain", "Lumbar Spine", "Intervertebral Disc (IVD)", "L5-S1", "L4-L5"]:
        assert f">{tag}</a>" in html
    assert '<span>Source Content</span><span class="dataview small-text">5</span>' in html
    assert '<span>Original Sources</span><span class="dataview small-text">1</span>' in html
    assert html.count('fileclass-name="Research Links"') == 6
    assert 'class="external-link" href="https://doi.org/10.1097/TP.0b013e3182298a15"' in html
    assert 'id="database-fields"' in html


def test_published_view_hides_private_notes(tmp_path: Path, make_vault: VaultMaker) -> None:
    root = make_vault(
        {
            "Pub.md": "---\ndg-publish: true\n---\nSee [[Secret]] and ![[Secret]]\n",
            "Secret.md": "Divorce lawyer phone number\n",
        }
    )
    index = Index(tmp_path / "i.sqlite")
    Synchronizer(index, root, workers=1).full_sync()
    renderer = NoteRenderer(index, root)
    private = renderer.render("Pub.md").html
    assert "Divorce lawyer" in private  # the author's own view embeds it
    public = renderer.render("Pub.md", RenderOptions(published=True)).html
    assert "Divorce lawyer" not in public
    assert "Secret.md" not in public


def test_render_cache_follows_embeds_and_queries(tmp_path: Path, make_vault: VaultMaker) -> None:
    root = make_vault(
        {
            "A.md": "![[B]]\n\n```dataview\nLIST FROM \"q\"\n```\n",
            "B.md": "first version\n",
            "q/x.md": "x",
            "C.md": "plain [[B]]\n",
        }
    )
    index = Index(tmp_path / "i.sqlite")
    sync = Synchronizer(index, root, workers=1)
    sync.full_sync()
    engine = QueryEngine(index)
    renderer = NoteRenderer(index, root, engine)
    first = renderer.render("A.md").html
    assert "first version" in first and "x</a>" in first
    renderer.render("A.md")
    renderer.render("C.md")
    renderer.render("C.md")
    assert (renderer.hits, renderer.misses) == (2, 2)
    (root / "B.md").write_text("second version\n")
    renderer.invalidate(sync.sync_paths(["B.md"]).changed_paths)
    assert "second version" in renderer.render("A.md").html  # embed changed -> re-rendered
    (root / "q" / "y.md").write_text("y")
    renderer.invalidate(sync.sync_paths(["q/y.md"]).changed_paths)
    assert "y</a>" in renderer.render("A.md").html  # query result changed -> re-rendered
    hits = renderer.hits
    renderer.render("C.md")
    assert renderer.hits == hits + 1  # unrelated to the query: still cached


def test_inline_queries_and_errors(tmp_path: Path, make_vault: VaultMaker) -> None:
    root = make_vault({"n.md": "---\nrating: 4\n---\nRating `= this.rating * 2` and `= 1 +` and `$= dv.x`\n"})
    index = Index(tmp_path / "i.sqlite")
    Synchronizer(index, root, workers=1).full_sync()
    html = NoteRenderer(index, root).render("n.md").html
    assert '<span class="dataview dataview-inline-query"><span>8</span></span>' in html
    assert "Dataview (inline field &#x27;1 +&#x27;)" in html or "Dataview (inline field '1 +')" in html
    assert "dv.x" not in html


def test_links_to_notes_mapped_by_bookmark_group_and_by_query_carry_their_class(
    tmp_path: Path, make_vault: VaultMaker
) -> None:
    from gardend.renderers.icons import lucide_svg

    mm = {"classFilesPath": "Classes/", "fileClassQueries": [
        {"name": "topics", "id": "t1", "query": "dv.pages('\"Topics\" and #topic')", "fileClassName": "Topic"}]}
    root = make_vault({
        ".obsidian/plugins/metadata-menu/manifest.json": '{"id": "metadata-menu", "version": "0.8.10"}',
        ".obsidian/plugins/metadata-menu/data.json": json.dumps(mm),
        ".obsidian/plugins/dataview/manifest.json": '{"id": "dataview", "version": "0.5.68"}',
        ".obsidian/bookmarks.json": json.dumps({"items": [
            {"type": "group", "title": "Favourites", "items": [{"type": "file", "path": "Pins/Starred.md"}]}]}),
        "Classes/Pinned.md": "---\nicon: bookmark\nbookmarksGroups: [Favourites]\n---\n",
        "Classes/Topic.md": "---\nicon: search\n---\n",
        "Pins/Starred.md": "starred",
        "Topics/Physics.md": "#topic",
        "Topics/Chemistry.md": "not yet tagged",
        "Home.md": "[[Starred]] and [[Physics]] and [[Chemistry]]\n\n```dataview\nLIST FROM \"Pins\" or \"Topics\"\n```\n",
        "Plain.md": "only [[Chemistry]]\n",
    })
    index = Index(tmp_path / "i.sqlite")
    sync = Synchronizer(index, root, workers=1)
    sync.full_sync()
    renderer = NoteRenderer(index, root)
    html = renderer.render("Home.md").html
    pinned = f'fileclass-name="Pinned">Starred</a><a class="metadata-menu fileclass-icon">{lucide_svg("bookmark")}</a>'
    topic = f'fileclass-name="Topic">Physics</a><a class="metadata-menu fileclass-icon">{lucide_svg("search")}</a>'
    assert html.count(pinned) == 2 and html.count(topic) == 2  # in the text and in the query's list
    assert 'fileclass-name="Topic">Chemistry' not in html
    assert 'fileclass-name' not in renderer.render("Plain.md").html
    # Tagging Chemistry changes its class, not Plain's text: the cached page must still follow.
    (root / "Topics/Chemistry.md").write_text("now #topic\n")
    renderer.invalidate(sync.sync_paths(["Topics/Chemistry.md"]).changed_paths)
    assert 'fileclass-name="Topic">Chemistry</a>' in renderer.render("Plain.md").html
    assert renderer.render("Home.md").html.count('fileclass-name="Topic">Chemistry</a>') == 2
    # A bookmarks.json edit is a settings change: the server reloads, and the class follows.
    (root / ".obsidian/bookmarks.json").write_text(json.dumps({"items": [
        {"type": "group", "title": "Favourites", "items": [{"type": "file", "path": "Plain.md"}]}]}))
    renderer.reload()
    html = renderer.render("Home.md").html
    assert 'fileclass-name="Pinned">Starred' not in html
