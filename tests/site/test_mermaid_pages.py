"""Mermaid on the site: only pages with a diagram load the shipped bundle and get the diagram
policy; the preview server serves the bundle (revalidated, not re-sent); the static site copies
it only when a page needs it. Drawing itself is checked in a browser (test_browser.py)."""

from __future__ import annotations

from pathlib import Path

from aiohttp.test_utils import TestClient, TestServer
from gardend.daemon.index import Index
from gardend.daemon.server.security import CONTENT_SECURITY_POLICY, DIAGRAM_CONTENT_SECURITY_POLICY
from gardend.daemon.site.routes import STATIC
from gardend.daemon.site.static_build import DIAGRAM_FILES, build_static_site
from gardend.daemon.sync import Synchronizer

from .conftest import SiteWorld, run

FLOWCHART = "```mermaid\nflowchart LR\n  A --> B\n```\n"
NOTES = {
    "Garden/Diagram.md": "---\ndg-publish: true\n---\n# Diagram\n\n" + FLOWCHART,
    "Garden/Embeds Diagram.md": "---\ndg-publish: true\n---\nBefore.\n\n![[Diagram]]\n",
    "Garden/Plain.md": "---\ndg-publish: true\n---\nNo diagram, only `mermaid` in code.\n\n```js\nmermaid.run()\n```\n",
}
SCRIPTS = ('<script src="/_static/mermaid.min.js" defer></script>',
           '<script src="/_static/mermaid-init.js" defer></script>')


def _add_notes(root: Path) -> list[str]:
    for rel, text in NOTES.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return list(NOTES)


def _add_to_world(world: SiteWorld) -> None:
    """Add the notes, index them and run the server's change hook, as the watcher would."""
    changed = world.sync.sync_paths(_add_notes(world.root)).changed_paths
    world.state.apply_changes(changed)


def _page(world: SiteWorld, url: str) -> tuple[str, str]:
    """(Content-Security-Policy, HTML) of a page, asked twice: the second answer comes from the
    page cache, which must keep the page's policy too."""

    async def go() -> list[tuple[str, str]]:
        async with TestClient(TestServer(world.app())) as client:
            out = []
            for _ in range(2):
                async with client.get(url) as resp:
                    assert resp.status == 200, url
                    out.append((resp.headers["Content-Security-Policy"], await resp.text()))
            return out

    first, cached = run(go())
    assert first == cached
    return first


def test_vendored_files_are_there() -> None:
    bundle = (STATIC / "mermaid.min.js").read_bytes()
    assert len(bundle) > 1_000_000 and b"mermaid" in bundle[:2000]
    assert b"import(" not in bundle  # one self-contained file: no module chunks to fetch
    licence = (STATIC / "LICENSE-mermaid.txt").read_text(encoding="utf-8")
    assert "MIT License" in licence and "Knut Sveidqvist" in licence
    init = (STATIC / "mermaid-init.js").read_text(encoding="utf-8")
    assert 'securityLevel: "strict"' in init and "startOnLoad: false" in init


def test_only_diagram_pages_load_mermaid_and_relax_styles(preview_world: SiteWorld) -> None:
    _add_to_world(preview_world)
    for url in ("/garden/diagram/", "/garden/embeds-diagram/", "/_preview/Garden/Diagram.md"):
        policy, html = _page(preview_world, url)
        assert all(script in html for script in SCRIPTS), url
        assert '<pre class="mermaid">flowchart LR' in html
        assert policy == DIAGRAM_CONTENT_SECURITY_POLICY, url
    for url in ("/garden/plain/", "/", "/garden/embedder/"):
        policy, html = _page(preview_world, url)
        assert "mermaid.min.js" not in html and "mermaid-init.js" not in html, url
        assert policy == CONTENT_SECURITY_POLICY, url


def test_diagram_policy_relaxes_styles_only() -> None:
    """The diagram policy is the default one with inline styles allowed: script-src is
    untouched (no inline script, no eval)."""
    expected = CONTENT_SECURITY_POLICY.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
    assert expected == DIAGRAM_CONTENT_SECURITY_POLICY
    directives = dict(d.strip().split(" ", 1) for d in DIAGRAM_CONTENT_SECURITY_POLICY.split(";"))
    assert directives["script-src"] == "'self'"
    assert "unsafe-eval" not in DIAGRAM_CONTENT_SECURITY_POLICY


def test_bundle_is_served_and_revalidated(preview_world: SiteWorld) -> None:
    async def go() -> tuple[int, str, int, int, int]:
        async with TestClient(TestServer(preview_world.app())) as client:
            async with client.get("/_static/mermaid.min.js") as resp:
                body = await resp.read()
                etag = resp.headers.get("ETag")
                status, ctype = resp.status, resp.content_type
            assert etag, "no validator: every diagram page would download the bundle again"
            async with client.get("/_static/mermaid.min.js", headers={"If-None-Match": etag}) as again:
                revalidated = again.status
            async with client.get("/_static/mermaid-init.js") as init, \
                    client.get("/_static/LICENSE-mermaid.txt") as licence:
                return status, ctype, len(body), revalidated, init.status + licence.status

    status, ctype, size, revalidated, others = run(go())
    assert status == 200 and ctype == "text/javascript" and size == (STATIC / "mermaid.min.js").stat().st_size
    assert revalidated == 304
    assert others == 400


def test_static_site_copies_the_bundle_only_when_needed(tmp_path: Path) -> None:
    root = tmp_path / "vault"
    root.mkdir()
    (root / "Plain.md").write_text("---\ndg-publish: true\n---\nplain text\n", encoding="utf-8")
    index = Index(tmp_path / "index.sqlite")
    try:
        sync = Synchronizer(index, root, workers=1)
        sync.full_sync()
        out = tmp_path / "site"
        build_static_site(index, root, out)
        assert not any((out / "_static" / name).exists() for name in DIAGRAM_FILES)
        assert "mermaid" not in (out / "plain/index.html").read_text(encoding="utf-8")

        _add_notes(root)
        sync.full_sync()
        report = build_static_site(index, root, out)
        for name in DIAGRAM_FILES:
            assert (out / "_static" / name).read_bytes() == (STATIC / name).read_bytes(), name
            assert f"_static/{name}" in report.written
        diagram = (out / "garden/diagram/index.html").read_text(encoding="utf-8")
        assert all(script in diagram for script in SCRIPTS)
        assert all(script in (out / "garden/embeds-diagram/index.html").read_text(encoding="utf-8")
                   for script in SCRIPTS)
        for page in ("plain/index.html", "garden/plain/index.html", "404.html", "search/index.html"):
            html = (out / page).read_text(encoding="utf-8")
            assert "mermaid.min.js" not in html and "mermaid-init.js" not in html, page

        # The last diagram goes: so does the bundle (the manifest owns it).
        for rel in ("Garden/Diagram.md", "Garden/Embeds Diagram.md"):
            (root / rel).unlink()
        sync.full_sync()
        report = build_static_site(index, root, out)
        assert sorted(f"_static/{name}" for name in DIAGRAM_FILES) == sorted(
            r for r in report.removed if r.startswith("_static/"))
        assert not (out / "_static/mermaid.min.js").exists()
    finally:
        index.close()
