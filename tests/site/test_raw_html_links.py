"""Raw HTML anchors in notes (``<a href="Folder/Note.md">``) on the published site: vault paths are
no address there, and a private note's path must not reach a page."""

from __future__ import annotations

from pathlib import Path

from gardend.daemon.index import Index
from gardend.daemon.site.static_build import build_static_site
from gardend.daemon.sync import Synchronizer

from ..conftest import VaultMaker

PUB = "---\ndg-publish: true\n---\n"


def test_raw_anchors_point_at_permalinks_or_nowhere(make_vault: VaultMaker, tmp_path: Path) -> None:
    root = make_vault({
        "Pub.md": PUB + (
            '<a href="Hidden%20Place/Secret%20plan.md">one</a> '
            '<a href="Other public.md#Part">two</a> '
            '<a href="Nowhere yet">three</a> <a href="https://example.com/x">four</a>\n'
        ),
        "Hidden Place/Secret plan.md": "secret\n",
        "Other public.md": PUB + "# Part\n",
    })
    index = Index(tmp_path / "i.sqlite")
    Synchronizer(index, root, workers=1).full_sync()
    for mode in ("safe", "plugin"):
        out = tmp_path / mode
        build_static_site(index, root, out, mode=mode)
        page = (out / "pub" / "index.html").read_text()
        assert "Hidden Place" not in page and "Secret" not in page
        assert '<a rel="noopener nofollow">one</a>' in page
        assert '<a href="/other-public/#part" rel="noopener nofollow">two</a>' in page
        assert 'href="Nowhere yet"' in page  # an unresolved name as typed: nothing to hide
        assert 'href="https://example.com/x"' in page
    index.close()
