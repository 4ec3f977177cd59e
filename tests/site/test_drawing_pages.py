"""A published Excalidraw drawing's own page shows the drawing, as Obsidian opens such a file in
the Excalidraw view; a drawing note whose JSON does not parse shows its Markdown."""

from __future__ import annotations

from pathlib import Path

from gardend.daemon.index import Index
from gardend.daemon.site.static_build import build_static_site
from gardend.daemon.sync import Synchronizer

from ..conftest import VaultMaker

DRAWING = (
    "---\ndg-publish: true\nexcalidraw-plugin: parsed\n---\n==⚠  Switch to EXCALIDRAW VIEW ⚠==\n"
    "# Text Elements\nhello there ^t1\n\n%%\n# Drawing\n```json\n"
    '{"type":"excalidraw","elements":[{"id":"t1","type":"text","x":0,"y":0,"width":90,"height":25,'
    '"text":"hello there","fontSize":20}],"appState":{}}\n```\n%%'
)


def test_drawing_page_is_the_picture(make_vault: VaultMaker, tmp_path: Path) -> None:
    root = make_vault({
        "Sketch.excalidraw.md": DRAWING,
        "Broken.excalidraw.md": "---\ndg-publish: true\n---\n# Text Elements\nstill readable\n```json\n{no\n```\n",
    })
    index = Index(tmp_path / "i.sqlite")
    Synchronizer(index, root, workers=1).full_sync()
    build_static_site(index, root, tmp_path / "site")
    page = (tmp_path / "site" / "sketch-excalidraw" / "index.html").read_text()
    assert 'class="internal-embed image-embed excalidraw-svg is-loaded"' in page
    assert ">hello there</text>" in page and "Switch to EXCALIDRAW VIEW" not in page
    broken = (tmp_path / "site" / "broken-excalidraw" / "index.html").read_text()
    assert "still readable" in broken and "excalidraw-svg" not in broken
    index.close()
