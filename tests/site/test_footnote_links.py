"""``[[Note#[^label]]]`` on the site: the link lands on the footnote's element, whose id is
its number by first reference (``fn-2`` for the second footnote referenced), not its label."""

from __future__ import annotations

from pathlib import Path

from gardend.daemon.index import Index
from gardend.daemon.site.static_build import build_static_site
from gardend.daemon.sync import Synchronizer

from .conftest import SiteWorld

NOTES = {
    "Garden/Footnoted.md": (
        "---\ndg-publish: true\n---\nFirst[^a], second[^b].\n\n[^b]: Footnote bee.\n[^a]: Footnote ay.\n"
    ),
    "Garden/A Linker.md": (
        "---\ndg-publish: true\n---\nSee [[Footnoted#[^b]]].\n\n![[Footnoted#[^b]]]\n"
    ),
}


def _write(root: Path) -> list[str]:
    for rel, text in NOTES.items():
        (root / rel).write_text(text, encoding="utf-8")
    return list(NOTES)


def test_preview_server_links_to_the_footnote(preview_world: SiteWorld) -> None:
    changed = preview_world.sync.sync_paths(_write(preview_world.root)).changed_paths
    preview_world.state.apply_changes(changed)
    target, linker = preview_world.get("/garden/footnoted/", "/garden/a-linker/")
    assert '<li data-footnote-id="fn-2" id="fn-2"><p>Footnote bee.' in target[2]
    html = linker[2]
    assert 'href="/garden/footnoted/#fn-2" class="internal-link">Footnoted &gt; [^b]</a>' in html
    assert "<p>Footnote bee.</p>" in html and "[^b]:" not in html  # the embed shows its text


def test_static_site_links_to_the_footnote(tmp_path: Path) -> None:
    root = tmp_path / "vault"
    (root / "Garden").mkdir(parents=True)
    _write(root)
    index = Index(tmp_path / "index.sqlite")
    try:
        Synchronizer(index, root, workers=1).full_sync()
        out = tmp_path / "site"
        build_static_site(index, root, out)
        html = (out / "garden/a-linker/index.html").read_text(encoding="utf-8")
    finally:
        index.close()
    # The linking note is rendered before its target (path order), then again once the target's
    # footnote numbers are known.
    assert 'href="/garden/footnoted/#fn-2"' in html
    assert '<a class="markdown-embed-link" href="/garden/footnoted/#fn-2"' in html
