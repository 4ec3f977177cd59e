"""Site pages on a copy of the research vault: permalinks, home, preview, the published view's
privacy, tags, search, data files, assets, static files and the 404 page."""

from __future__ import annotations

import json
import re

from gardend.daemon.server.security import CONTENT_SECURITY_POLICY

from .conftest import INSIGHT_URL, SECRET_TEXT, SECRET_TITLE, SiteWorld

SECRET_PATH = f"/_preview/Private/{SECRET_TITLE.replace(' ', '%20')}.md"


def _tables(html: str) -> int:
    return len(re.findall(r"<table class=\"dataview table-view-table\"", html))


def test_home_is_the_dg_home_note(preview_world: SiteWorld) -> None:
    status, ctype, html = preview_world.one("/")
    assert status == 200 and ctype == "text/html"
    assert "<title>Home · gardend</title>" in html and "Research garden" in html
    assert _tables(html) == 1  # the Insights table; the Sources query is a LIST
    assert f'href="{INSIGHT_URL}"' in html  # query results link to permalinks


def test_insight_page_shows_both_tables_title_tags_dates_toc(preview_world: SiteWorld) -> None:
    status, _, html = preview_world.one(INSIGHT_URL)
    assert status == 200
    assert _tables(html) == 2
    assert "orozcoIntervertebralDiscRepair2011 - Table 1" in html
    assert '<h1 class="note-title">2025-01-30 12.13.47</h1>' in html
    assert 'href="/tags/insight"' in html
    assert '<time datetime="2025-06-14T23:55:14.802-04:00">2025-06-14</time>' in html
    assert 'class="toc"' in html and 'href="#references"' in html
    # wikilinks point at permalinks and stay in the same tab
    assert '<a data-href="Back Pain" href="/research/tags/back-pain/" class="internal-link">' in html
    assert 'data-live-url="/research/insights/2025-01-30-12-13-47/"' in html
    assert '<script src="/_static/live.js" defer></script>' in html


def test_no_inline_scripts_or_styles_from_us(preview_world: SiteWorld) -> None:
    for status, _, html in preview_world.get("/", INSIGHT_URL, "/tags/", "/search?q=disc", "/nope"):
        assert status in (200, 404)
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), "inline script"
        assert "<style" not in html
        assert re.search(r"<link rel=\"stylesheet\" href=\"/_static/site.css\">", html)


def test_backlinks_file_tree_and_local_graph(preview_world: SiteWorld) -> None:
    _, _, html = preview_world.one("/research/tags/back-pain/")
    backlinks = html.split('class="backlinks"')[1]
    assert f'href="{INSIGHT_URL}"' in backlinks and 'href="/"' in backlinks
    assert 'class="local-graph"' in html and "<circle" in html
    tree = html.split('id="page-nav"')[1].split("</nav>")[0]
    # pinned first; hidden notes left out
    assert tree.index("Embedder") < tree.index("Research")
    assert "Hidden" not in tree


def test_custom_permalink_and_heading_fragments(preview_world: SiteWorld) -> None:
    status, _, html = preview_world.one("/custom%20place/here/")
    assert status == 200 and "custom-text" in html
    _, _, hostile = preview_world.one("/garden/hostile/")
    assert 'href="/custom%20place/here/#part-two"' in hostile


def test_trailing_slash_redirect(preview_world: SiteWorld) -> None:
    status, _, _ = preview_world.one(INSIGHT_URL.rstrip("/"))
    assert status == 301


def test_preview_prefix_shows_unpublished_notes_marked(preview_world: SiteWorld) -> None:
    status, _, html = preview_world.one(SECRET_PATH)
    assert status == 200
    assert SECRET_TEXT in html and "not-published-banner" in html and "Not published." in html
    # from preview pages, published notes are linked at their permalinks
    assert 'href="/"' in html
    # the preview file tree lists unpublished notes, marked
    assert "not published</span>" in html.split('id="page-nav"')[1]
    # a preview URL of a published note goes to its permalink
    status, _, _ = preview_world.one("/_preview/Home.md")
    assert status == 302
    status, _, listing = preview_world.one("/_preview/")
    assert status == 200 and SECRET_TITLE in listing


def test_published_view_never_shows_unpublished_notes(preview_world: SiteWorld) -> None:
    """Every published-view page and data file, in preview mode too (the permalinks are always
    the published view): no title, no text, no path of an unpublished note."""
    urls = ["/", INSIGHT_URL, "/garden/embedder/", "/research/tags/back-pain/", "/tags/", "/tags/insight",
            "/tags/secret", "/search?q=quokka", "/search?q=zanzibar", "/graph.json", "/searchIndex.json", "/nope"]
    results = preview_world.get(*urls)
    for url, (_status, _, text) in zip(urls, results, strict=True):
        assert SECRET_TEXT not in text, url
        assert "Zanzibar" not in text, url
        assert "Private/" not in text, url
        assert "Reading Notes" not in text and "Orozco 2011 - reading notes" not in text, url
    by_url = dict(zip(urls, results, strict=True))
    embedder = by_url["/garden/embedder/"][2]
    assert "embedded-part-text" in embedder
    assert "This embedded content is not available." in embedder
    assert "an alias" in embedder  # the author's own words stay; the target is not linked
    assert by_url["/tags/secret"][0] == 404
    assert "0 results" in by_url["/search?q=quokka"][2]
    graph = json.loads(by_url["/graph.json"][2])
    assert "/" in graph["nodes"] and INSIGHT_URL in graph["nodes"]
    assert all(not url.startswith("/_preview") for url in graph["nodes"])
    index = json.loads(by_url["/searchIndex.json"][2])
    titles = {e["title"] for e in index}
    assert "Home" in titles and "Hidden" not in titles
    home = next(e for e in index if e["title"] == "Home")
    assert home["url"] == "/" and "dg-home" not in home["content"] and "home" in home["tags"]


def test_published_mode_has_no_preview(published_world: SiteWorld) -> None:
    status, ctype, html = published_world.one(SECRET_PATH)
    assert status == 404 and ctype == "text/html"
    assert SECRET_TEXT not in html
    assert published_world.one("/_preview/")[0] == 404
    _, _, home = published_world.one("/")
    assert "/_preview/" not in home


def test_local_graph_json(preview_world: SiteWorld) -> None:
    status, _, text = preview_world.one("/graph.json?note=/research/tags/back-pain/")
    data = json.loads(text)
    assert status == 200
    assert {n["url"] for n in data["nodes"]} >= {"/research/tags/back-pain/", "/", INSIGHT_URL}
    assert preview_world.one("/graph.json?note=/nope/")[0] == 404


def test_tags_and_search(preview_world: SiteWorld) -> None:
    _, _, tags = preview_world.one("/tags/")
    assert 'href="/tags/insight"' in tags and 'href="/tags/secret"' not in tags
    status, _, tag = preview_world.one("/tags/insight")
    assert status == 200 and f'href="{INSIGHT_URL}"' in tag
    _, _, found = preview_world.one("/search?q=mesenchymal")
    assert f'href="{INSIGHT_URL}"' in found
    _, _, escaped = preview_world.one("/search?q=%3Cscript%3Ealert(1)%3C/script%3E")
    assert "<script>alert(1)" not in escaped and "&lt;script&gt;" in escaped


def test_404_is_html_for_pages_and_json_for_the_api(preview_world: SiteWorld) -> None:
    status, ctype, html = preview_world.one("/no/such/page/")
    assert status == 404 and ctype == "text/html" and "Page not found" in html
    status, ctype, text = preview_world.one("/api/no-such-endpoint")
    assert status == 404 and ctype == "application/json" and json.loads(text)["error"]["status"] == 404


def test_security_headers_on_pages(preview_world: SiteWorld) -> None:
    async def go() -> dict[str, str]:
        from aiohttp.test_utils import TestClient, TestServer

        async with TestClient(TestServer(preview_world.app())) as client, client.get("/") as resp:
            return dict(resp.headers)

    from .conftest import run

    headers = run(go())
    assert headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert headers["X-Content-Type-Options"] == "nosniff"


def test_assets_served_and_traversal_refused(preview_world: SiteWorld, published_world: SiteWorld) -> None:
    status, ctype, _ = preview_world.one("/_assets/Attachments/pain-diary-2025-02.png")
    assert status == 200 and ctype == "image/png"
    for bad in ("/_assets/../../etc/passwd", "/_assets/%2e%2e/%2e%2e/etc/passwd", "/_assets/Attachments/..%2f..%2fetc%2fpasswd",
                "/_assets//etc/passwd", "/_assets/Home.md", "/_assets/.obsidian/app.json", "/_assets/nope.png",
                "/_static/../daemon/serve.py", "/_static/%2e%2e%2fpyproject.toml", "/_preview/../../etc/passwd"):
        status, _, text = preview_world.one(bad)
        assert status in (400, 404), bad
        assert "root:" not in text and "dg-home" not in text
    # the published view only serves attachments that a published note links
    status, _, _ = published_world.one("/_assets/Attachments/pain-diary-2025-02.png")
    assert status == 404  # only the unpublished journal embeds it


def test_static_files(preview_world: SiteWorld) -> None:
    for name, ctype in (("site.css", "text/css"), ("site.js", "text/javascript"), ("live.js", "text/javascript"),
                        ("theme.js", "text/javascript")):
        status, got, text = preview_world.one(f"/_static/{name}")
        assert status == 200 and got == ctype and text
    assert preview_world.one("/_static/nope.js")[0] == 404


def test_hostile_note_is_inert_in_html(preview_world: SiteWorld) -> None:
    _, _, html = preview_world.one("/garden/hostile/")
    content = html.split('class="note-content markdown-rendered"')[1].split("</article>")[0]
    assert "hostile-marker" in content
    for needle in ("onerror=", "onload=", "onclick=", "<script", 'href="javascript:', 'src="javascript:', "srcdoc"):
        assert needle not in content.lower(), needle


def test_query_results_do_not_link_unpublished_notes_in_the_published_view(preview_world: SiteWorld) -> None:
    _, _, published = preview_world.one("/garden/lister/")
    assert "Private/" not in published and "/_preview/" not in published.split('id="page-main"')[1]
    status, _, _ = preview_world.one("/_preview/Garden/Lister.md")
    assert status == 302  # published: its preview URL is its permalink
