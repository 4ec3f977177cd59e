"""The static site (``gardend publish --site``) built from a copy of the research vault: pages at
permalinks, nothing of an unpublished note anywhere, minimal rewrites, owned-file removal, the
manifest's protection of foreign files, sitemap/feed, determinism."""

from __future__ import annotations

import functools
import json
import os
import shutil
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner
from gardend.daemon.cli import main
from gardend.daemon.index import Index
from gardend.daemon.site.static_build import (
    MANIFEST_NAME,
    BuildReport,
    SiteBuildError,
    build_static_site,
    parse_time,
)
from gardend.daemon.sync import Synchronizer

from .conftest import EXAMPLE_VAULT, INSIGHT_URL
from .test_browser import _skip_reason as _browser_skip_reason
from .test_browser import browser  # noqa: F401  (the fixture, for test_static_search_runs_in_the_browser)

BASE = "https://garden.example.org"
INSIGHT_PAGE = INSIGHT_URL.strip("/") + "/index.html"
L4L5_PAGE = "research/tags/l4-l5/index.html"
L5S1_PAGE = "research/tags/l5-s1/index.html"
FIGURE_PAGE = "research/source-content/orozco-intervertebral-disc-repair2011-figure-2-a/index.html"

#: Titles, paths and body text of the research vault's unpublished notes and its private image.
PRIVATE_MARKERS = [
    "Journal", "2025-02-03", "Bad morning, better after a walk", "pain-am", "Ask the physio",
    "Don't publish this note", "my own health details",
    "Reading Notes", "reading notes", "reading/notes", "Orozco 2011 — private", "First impressions",
    "Very small sample", "Questions I still have",
    "pain-diary", "pain-diary-2025-02.png",
]


@dataclass
class Garden:
    root: Path
    index: Index
    sync: Synchronizer

    def build(self, out: Path, **kwargs: object) -> BuildReport:
        self.sync.full_sync()
        return build_static_site(self.index, self.root, out, **kwargs)  # type: ignore[arg-type]

    def edit(self, rel: str, text: str) -> None:
        file = self.root / rel
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(text, encoding="utf-8")
        stat = file.stat()  # a later mtime even on coarse clocks: the page's date changes visibly
        os.utime(file, ns=(stat.st_atime_ns, stat.st_mtime_ns + 2_000_000_000))


@pytest.fixture
def garden(tmp_path: Path) -> Iterator[Garden]:
    root = tmp_path / "vault"
    shutil.copytree(EXAMPLE_VAULT, root, ignore=shutil.ignore_patterns(".gardend*"))
    index = Index(tmp_path / "index.sqlite")
    try:
        yield Garden(root, index, Synchronizer(index, root, workers=1))
    finally:
        index.close()


def _files(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def test_research_vault_builds_pages_at_permalinks(garden: Garden, tmp_path: Path) -> None:
    out = tmp_path / "site"
    report = garden.build(out)
    files = _files(out)
    assert not report.warnings and not report.removed
    assert set(report.written) == set(files) - {MANIFEST_NAME}
    for rel in ("index.html", INSIGHT_PAGE, L4L5_PAGE, "404.html", "search/index.html", "tags/index.html",
                "tags/insight/index.html", "_tree/index.html", "graph.json", "searchIndex.json", ".nojekyll",
                "_static/site.css", "_static/search.js", "_assets/Attachments/orozco2011-figure-2a-sketch.png"):
        assert rel in files, rel
    insight = files[INSIGHT_PAGE].decode()
    assert insight.count('<table class="dataview table-view-table"') == 2  # both seed tables
    assert "orozcoIntervertebralDiscRepair2011 - Table 1" in insight
    assert 'href="/research/tags/back-pain/"' in insight and 'href="/tags/insight/"' in insight
    home = files["index.html"].decode()
    assert "Research garden" in home and f'href="{INSIGHT_URL}"' in home
    # published view only: no live reload, no preview, no API, no server-only search
    assert "_static/live.js" not in files
    for rel, data in files.items():
        if rel.endswith(".html"):
            text = data.decode()
            assert "live.js" not in text and "data-live-url" not in text and "/_preview" not in text, rel
            assert "/api/" not in text and 'action="/search"' not in text, rel
    assert '<script src="/_static/search.js" defer>' in files["search/index.html"].decode()
    search = json.loads(files["searchIndex.json"])
    assert INSIGHT_URL in {e["url"] for e in search}
    graph = json.loads(files["graph.json"])
    assert "/" in graph["nodes"] and INSIGHT_URL in graph["nodes"]
    # no base URL: no sitemap, no feed
    assert "sitemap.xml" not in files and "feed.xml" not in files


def test_nothing_of_unpublished_notes_anywhere(garden: Garden, tmp_path: Path) -> None:
    out = tmp_path / "site"
    garden.build(out, base_url=BASE)
    files = _files(out)
    assert "feed.xml" in files
    for rel, data in files.items():
        for marker in PRIVATE_MARKERS:
            assert marker.encode() not in data and marker.lower() not in rel.lower(), (rel, marker)
    # the private image is not copied, and the published one's bytes are the vault's
    assert not any("pain-diary" in rel for rel in files)
    sketch = "Attachments/orozco2011-figure-2a-sketch.png"
    assert files["_assets/" + sketch] == (garden.root / sketch).read_bytes()


def test_rerun_with_nothing_changed_writes_nothing(garden: Garden, tmp_path: Path) -> None:
    out = tmp_path / "site"
    garden.build(out, base_url=BASE)
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}
    again = garden.build(out, base_url=BASE)
    assert again.written == [] and again.removed == [] and not again.rendered
    forced = garden.build(out, base_url=BASE, force=True)  # renders everything, still writes nothing
    assert forced.rendered and forced.written == [] and forced.removed == []
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()} == before


def test_a_deleted_output_file_is_restored(garden: Garden, tmp_path: Path) -> None:
    out = tmp_path / "site"
    garden.build(out)
    (out / L4L5_PAGE).unlink()
    report = garden.build(out)
    assert report.written == [L4L5_PAGE]


def test_editing_a_note_rewrites_its_page_and_the_pages_that_show_it(garden: Garden, tmp_path: Path) -> None:
    out = tmp_path / "site"
    garden.build(out, base_url=BASE)
    rel = "Research/Tags/L4-L5.md"
    text = (garden.root / rel).read_text(encoding="utf-8")
    garden.edit(rel, text + "\nA new sentence, edited-marker-4455.\n")
    report = garden.build(out, base_url=BASE)
    assert L4L5_PAGE in report.written and "edited-marker-4455" in (out / L4L5_PAGE).read_text()
    assert "searchIndex.json" in report.written  # its text
    assert "sitemap.xml" in report.written and "feed.xml" in report.written  # its date
    for unrelated in (INSIGHT_PAGE, FIGURE_PAGE, L5S1_PAGE, "404.html", "_static/site.css", "graph.json"):
        assert unrelated not in report.written, unrelated
    assert len(report.written) <= 6, report.written

    # a new link: the target's page now lists the note in its backlinks, the graph gains an edge
    garden.edit(rel, text + "\nSee also [[orozcoIntervertebralDiscRepair2011 - Figure 2A]].\n")
    report = garden.build(out, base_url=BASE)
    assert {L4L5_PAGE, FIGURE_PAGE, "graph.json"} <= set(report.written)
    backlinks = (out / FIGURE_PAGE).read_text().split('class="backlinks"')[1]
    assert 'href="/research/tags/l4-l5/"' in backlinks
    assert INSIGHT_PAGE not in report.written


def test_unpublishing_a_note_removes_its_page(garden: Garden, tmp_path: Path) -> None:
    out = tmp_path / "site"
    garden.build(out, base_url=BASE)
    rel = "Research/Tags/L4-L5.md"
    text = (garden.root / rel).read_text(encoding="utf-8")
    garden.edit(rel, text.replace("dg-publish: true", "dg-publish: false"))
    report = garden.build(out, base_url=BASE)
    assert report.removed == [L4L5_PAGE]
    assert not (out / "research/tags/l4-l5").exists()  # its folder went with it
    assert (out / "research/tags").is_dir()
    for name in ("searchIndex.json", "graph.json", "sitemap.xml", "feed.xml", "index.html"):
        assert b"/research/tags/l4-l5/" not in (out / name).read_bytes(), name
    manifest = json.loads((out / MANIFEST_NAME).read_text())
    assert L4L5_PAGE not in manifest["files"]


def test_sitemap_and_feed_with_base_url(garden: Garden, tmp_path: Path) -> None:
    out = tmp_path / "site"
    garden.build(out, base_url=BASE + "/")
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "a": "http://www.w3.org/2005/Atom"}
    sitemap = ET.parse(out / "sitemap.xml").getroot()
    locs = [e.text or "" for e in sitemap.findall("s:url/s:loc", ns)]
    assert BASE + "/" in locs and BASE + INSIGHT_URL in locs
    assert all(loc.startswith(BASE + "/") for loc in locs)
    feed = ET.parse(out / "feed.xml").getroot()
    entries = feed.findall("a:entry", ns)
    ids = [e.findtext("a:id", namespaces=ns) for e in entries]
    assert entries and len(set(ids)) == len(ids) and all((i or "").startswith(BASE + "/") for i in ids)
    times = [parse_time(e.findtext("a:updated", namespaces=ns)) for e in entries]
    assert all(times) and times == sorted(times, reverse=True)  # newest first
    assert parse_time(feed.findtext("a:updated", namespaces=ns)) == times[0]
    # dropping the base URL drops both (they are owned files: removed, not left stale)
    report = garden.build(out)
    assert set(report.removed) == {"sitemap.xml", "feed.xml"}


def test_base_url_with_a_path_and_site_inside_the_vault_are_refused(garden: Garden, tmp_path: Path) -> None:
    with pytest.raises(SiteBuildError, match="root of its host"):
        garden.build(tmp_path / "site", base_url="https://host.example/garden/")
    with pytest.raises(SiteBuildError, match="outside the vault"):
        garden.build(garden.root / "_site")


def test_manifest_protects_foreign_files(garden: Garden, tmp_path: Path) -> None:
    out = tmp_path / "site"
    out.mkdir()
    (out / "CNAME").write_text("garden.example.org\n")
    with pytest.raises(SiteBuildError, match="not a gardend site"):
        garden.build(out)
    assert not (out / MANIFEST_NAME).exists()
    garden.build(out, force=True)
    # a file of the user's inside one of the site's folders, then that page goes away
    (out / "research/tags/l4-l5/notes.txt").write_text("mine\n")
    rel = "Research/Tags/L4-L5.md"
    garden.edit(rel, (garden.root / rel).read_text(encoding="utf-8").replace("dg-publish: true", "dg-publish: false"))
    report = garden.build(out)
    assert report.removed == [L4L5_PAGE]
    assert (out / "CNAME").read_text() == "garden.example.org\n"
    assert (out / "research/tags/l4-l5/notes.txt").read_text() == "mine\n"
    manifest = json.loads((out / MANIFEST_NAME).read_text())
    assert "CNAME" not in manifest["files"]


def test_two_builds_are_byte_identical(garden: Garden, tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    garden.build(a, base_url=BASE)
    garden.build(b, base_url=BASE)
    assert _files(a) == _files(b)


def test_a_permalink_cannot_escape_the_output_folder(garden: Garden, tmp_path: Path) -> None:
    garden.edit("Escape.md", "---\ndg-publish: true\ndg-permalink: ../../escaped\n---\nescape-marker\n")
    garden.edit("Clash.md", "---\ndg-publish: true\ndg-permalink: _static/site.css\n---\nclash-marker\n")
    out = tmp_path / "deep" / "site"
    report = garden.build(out)
    assert not (tmp_path / "escaped").exists() and not (out.parent / "escaped").exists()
    assert len(report.warnings) == 2, report.warnings
    assert b"clash-marker" not in (out / "_static/site.css").read_bytes()
    assert not any(b"escape-marker" in data for data in _files(out).values())


def test_queries_and_search_index_read_published_notes_only(garden: Garden, tmp_path: Path) -> None:
    """The static site is public: its Dataview results come from published notes only, and the
    search index holds the words the pages show, not the Markdown behind them."""
    garden.edit("Private/Secret Diary.md", "---\nsecretcode: SECRET-VALUE-9911\ntags: [shared]\n---\ndiary\n")
    garden.edit("Garden/Queries.md", (
        "---\ndg-publish: true\ntags: [shared]\n---\n"
        '```dataview\nTABLE secretcode FROM "Private"\n```\n\n```dataview\nLIST FROM #shared\n```\n\n'
        "Read [my notes](Private/Secret%20Diary.md). %%a comment-marker-5521%%\n"
    ))
    out = tmp_path / "site"
    garden.build(out)
    files = _files(out)
    page = files["garden/queries/index.html"].decode()
    assert "my notes" in page and "Queries" in page  # the author's words stay
    for rel, data in files.items():
        for marker in (b"SECRET-VALUE-9911", b"Secret Diary", b"Secret%20Diary", b"Private/", b"comment-marker-5521"):
            assert marker not in data, (rel, marker)
    entry = next(e for e in json.loads(files["searchIndex.json"]) if e["url"] == "/garden/queries/")
    assert "my notes" in entry["content"] and entry["tags"] == ["shared"]

def test_cli_builds_only_the_site_without_a_repository(garden: Garden, tmp_path: Path) -> None:
    garden.index.close()
    out = tmp_path / "cli-site"
    db = str(tmp_path / "index.sqlite")
    runner = CliRunner()
    result = runner.invoke(main, ["publish", str(garden.root), "--db", db, "--site", str(out), "--base-url", BASE],
                           catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert f"site {out}:" in result.output and "0 removed" in result.output
    assert (out / INSIGHT_PAGE).is_file() and (out / "sitemap.xml").is_file()
    again = runner.invoke(main, ["publish", str(garden.root), "--db", db, "--site", str(out), "--base-url", BASE])
    assert again.exit_code == 0 and "0 written" in again.output
    refused = runner.invoke(main, ["publish", str(garden.root), "--db", db, "--site", str(garden.root / "Research")])
    assert refused.exit_code != 0 and "outside the vault" in refused.output
    garden.index = Index(tmp_path / "index.sqlite")  # for the fixture's close()



@pytest.mark.slow
def test_static_search_runs_in_the_browser(garden: Garden, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    """The built site served by a plain file server (no gardend): search.js finds notes in
    searchIndex.json and lists them; the query is shown as text, never as markup."""
    if _browser_skip_reason():
        pytest.skip(_browser_skip_reason() or "")
    driver = request.getfixturevalue("browser")  # module-scoped Chromium of test_browser.py
    out = tmp_path / "site"
    garden.build(out)

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(out)))
    threading.Thread(target=server.serve_forever, daemon=True).start()

    def results() -> list[str]:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            status = driver.execute_script("return document.querySelector('.search-status').textContent")
            if "result" in status:
                break
            time.sleep(0.05)
        return driver.execute_script(
            "return Array.from(document.querySelectorAll('.search-results a')).map(a => a.getAttribute('href'))")

    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        driver.get(base + "/search/?q=mesenchymal")
        links = results()
        assert INSIGHT_URL in links and "/" in links
        assert "results for “mesenchymal”" in driver.execute_script(
            "return document.querySelector('.search-status').textContent")
        assert driver.execute_script("return document.querySelector('.site-search').getAttribute('action')") == "/search/"
        driver.get(base + "/search/?q=%3Cb%3Ebold%3C%2Fb%3E")
        assert results() == []
        assert driver.execute_script("return document.querySelector('.search-status b')") is None
    finally:
        server.shutdown()
        server.server_close()
