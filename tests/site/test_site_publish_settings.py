"""The site's published view follows the publish settings: ``publish.mode`` (safe or the
plugin's exact behaviour) and the Digital Garden plugin's permalink settings (path-rewrite
rules, slugify), so a page is where the published garden puts it and shows what it shows."""

from __future__ import annotations

import json
import re
from pathlib import Path

from gardend.daemon.index import Index
from gardend.daemon.site.static_build import build_static_site
from gardend.renderers.markdown.embeds import PRIVATE_PLACEHOLDER

from .conftest import INSIGHT_URL, SECRET_TEXT, SECRET_TITLE, SiteWorld


def _table_hrefs(html: str) -> list[str]:
    tables = "".join(re.findall(r'<table class="dataview table-view-table">.*?</table>', html, re.S))
    return re.findall(r'<a [^>]*?\shref="([^"]*)"', tables)


def test_query_results_in_the_published_view_link_to_permalinks(published_world: SiteWorld) -> None:
    status, _, html = published_world.one(INSIGHT_URL)
    assert status == 200
    hrefs = _table_hrefs(html)
    assert hrefs, "the insight page's tables have links"
    # Site URLs, never vault paths (which are no address on the site).
    assert "/research/source-content/orozco-intervertebral-disc-repair2011-table-1/" in hrefs
    assert not [h for h in hrefs if ".md" in h or " " in h]
    assert all(h.startswith("/") or h.startswith("http") for h in hrefs)


def test_safe_mode_published_view_shows_nothing_of_unpublished_notes(published_world: SiteWorld) -> None:
    assert published_world.state.publish_mode == "safe"
    for url in ("/garden/embedder/", "/garden/lister/"):
        status, _, html = published_world.one(url)
        assert status == 200
        assert SECRET_TEXT not in html and SECRET_TITLE not in html
    _, _, embedder = published_world.one("/garden/embedder/")
    assert PRIVATE_PLACEHOLDER in embedder


def test_plugin_mode_published_view_shows_what_the_plugin_publishes(published_world: SiteWorld) -> None:
    published_world.state.publish_mode = "plugin"
    _, _, embedder = published_world.one("/garden/embedder/")
    # The plugin copies a transcluded unpublished note in whole.
    assert SECRET_TEXT in embedder
    # The link itself stays unresolved (the garden has no page for it) and names no path.
    assert "Private/" not in embedder
    _, _, lister = published_world.one("/garden/lister/")
    # The plugin's queries read every note: the private folder is listed by name...
    assert SECRET_TITLE in lister
    # ...with no address into the vault.
    assert "Private/" not in lister and "_preview" not in lister


def test_switching_the_mode_back_hides_again(published_world: SiteWorld) -> None:
    published_world.state.publish_mode = "plugin"
    assert SECRET_TEXT in published_world.one("/garden/embedder/")[2]
    published_world.state.publish_mode = "safe"
    assert SECRET_TEXT not in published_world.one("/garden/embedder/")[2]


def _garden_plugin(root: Path, data: dict[str, object]) -> None:
    folder = root / ".obsidian" / "plugins" / "dg-folder-name-differs"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "manifest.json").write_text(json.dumps({"id": "digitalgarden", "name": "Digital Garden"}))
    (folder / "data.json").write_text(json.dumps(data))


def test_permalinks_follow_path_rewrite_rules_and_slugify(published_world: SiteWorld) -> None:
    _garden_plugin(published_world.root, {"pathRewriteRules": "Garden:Notes", "slugifyEnabled": False})
    service_urls: dict[str, int] = {}
    for url in ("/Notes/Unrelated/", "/garden/unrelated/", "/Notes/Embedded Part/"):
        service_urls[url] = published_world.one(url)[0]
    assert service_urls == {"/Notes/Unrelated/": 200, "/garden/unrelated/": 404, "/Notes/Embedded Part/": 200}
    # dg-permalink still wins over the rules.
    assert published_world.one("/custom place/here/")[0] == 200
    # Links follow the new URLs, and the file tree shows the rewritten folder.
    _, _, html = published_world.one("/Notes/Embedder/")
    tree = html.split('id="page-nav"')[1].split("</nav>")[0]
    assert "Notes" in tree and ">Garden<" not in tree


def test_static_site_follows_the_mode(published_world: SiteWorld, tmp_path: Path) -> None:
    index: Index = published_world.writer
    safe_dir, plugin_dir = tmp_path / "safe", tmp_path / "plugin"
    build_static_site(index, published_world.root, safe_dir)
    build_static_site(index, published_world.root, plugin_dir, mode="plugin")
    safe_page = (safe_dir / "garden" / "embedder" / "index.html").read_text()
    plugin_page = (plugin_dir / "garden" / "embedder" / "index.html").read_text()
    assert SECRET_TEXT not in safe_page
    assert SECRET_TEXT in plugin_page
    # The mode is part of what the build is made from: switching it re-renders.
    again = build_static_site(index, published_world.root, safe_dir, mode="plugin")
    assert again.rendered and SECRET_TEXT in (safe_dir / "garden" / "embedder" / "index.html").read_text()


def test_static_site_tables_follow_the_dataview_settings(published_world: SiteWorld, tmp_path: Path) -> None:
    """The static build's query engine reads the vault's Dataview settings, as the server's does
    (the id column's name comes from the engine, not from the view)."""
    settings = published_world.root / ".obsidian" / "plugins" / "dataview" / "data.json"
    data = json.loads(settings.read_text(encoding="utf-8")) if settings.is_file() else {}
    settings.parent.mkdir(parents=True, exist_ok=True)
    settings.write_text(json.dumps({**data, "tableIdColumnName": "Paper"}), encoding="utf-8")
    note = published_world.root / "Garden" / "Table.md"
    note.write_text('---\ndg-publish: true\n---\n```dataview\nTABLE citation FROM "Research/Evidence Sources"\n```\n',
                    encoding="utf-8")
    published_world.sync.sync_paths(["Garden/Table.md"])
    out = tmp_path / "site"
    build_static_site(published_world.writer, published_world.root, out)
    page = (out / "garden" / "table" / "index.html").read_text(encoding="utf-8")
    assert "<span>Paper</span>" in page and "<span>File</span>" not in page
