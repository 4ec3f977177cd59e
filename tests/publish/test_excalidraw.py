"""Excalidraw drawings in the compile (digital-garden.md §4.11): published drawings, transcluded
drawings, compressed drawings, and safe mode.

The expected JSON in tests/fixtures/excalidraw/expected-json.json was made by Node's own
``JSON.parse``/``JSON.stringify`` and lz-string 1.5.0 (``generate.js`` there), which is what the
plugin runs; the viewer markup is the plugin's (``excalidraw-viewer.txt``)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from gardend.daemon.publish.compile import GardenCompiler
from gardend.daemon.publish.excalidraw import DrawingError, drawing_id, viewer_markup
from gardend.daemon.publish.settings import load_garden_settings
from gardend.daemon.publish.transclusion import PRIVATE_PLACEHOLDER

from ..conftest import corpus
from .helpers import compiler, indexed

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "excalidraw"
EXPECTED = json.loads((FIXTURES / "expected-json.json").read_text(encoding="utf-8"))
DRAWING = "Drawing 2023-09-23 22.41.09.excalidraw.md"


def viewer(name: str, element_id: str) -> str:
    return viewer_markup().fill(element_id, EXPECTED[name])


@pytest.fixture(scope="module")
def dg(tmp_path_factory: pytest.TempPathFactory) -> GardenCompiler:
    root = corpus("dg-test-vault")
    return GardenCompiler(indexed(root, tmp_path_factory.mktemp("dg")), root, load_garden_settings(root))


def test_viewer_markup_is_the_plugins() -> None:
    markup = viewer_markup()
    assert markup.bundle.startswith("<style> .container {font-family: sans-serif; text-align: center;}")
    assert markup.bundle.endswith(
        '<script type="text/javascript" src="https://cdn.jsdelivr.net/npm/@excalidraw/excalidraw@0/dist/'
        'excalidraw.production.min.js"></script>'
    )
    assert markup.viewer.count("@ID@") == 2 and markup.viewer.count("@JSON@") == 1
    assert markup.fill("a@ID@", '"@ID@"').startswith('<div id="a@ID@"></div><script>(function(){const InitialData="@ID@";')


def test_drawing_id_follows_the_plugin() -> None:
    assert drawing_id("Excalidraw/" + DRAWING, "1") == "Drawing_2023-09-23_2241.09.excalidraw.md1"
    assert drawing_id("with image.excalidraw.md", "1") == "with_imageexcalidraw.md1"


def test_transcluded_drawing_matches_the_plugin_snapshot(dg: GardenCompiler) -> None:
    """PE1 and PE2 as in the plugin's snapshot (src/test/snapshot/snapshot.md), with the zoom the
    plugin forces from 2.59.1 on."""
    pe1 = dg.compile("P Plugins/PE Excalidraw/PE1 Transcluded excalidraw.md").text
    assert pe1 == (
        '---\n{"dg-publish":true,"permalink":"/p-plugins/pe-excalidraw/pe-1-transcluded-excalidraw/"}\n---\n\n\n'
        + viewer_markup().bundle + viewer(DRAWING, "Drawing_2023-09-23_2241.09.excalidraw.md1")
    )
    pe2 = dg.compile("P Plugins/PE Excalidraw/PE2 excalidraw with image.md").text
    assert pe2 == (
        '---\n{"dg-publish":true,"permalink":"/p-plugins/pe-excalidraw/pe-2-excalidraw-with-image/"}\n---\n\n'
        "#known-issue \n\n\n" + viewer_markup().bundle
        + viewer("with image.excalidraw.md", "with_imageexcalidraw.md1") + "\n\n"
    )
    assert '"zoom":{"value":1}' in pe2  # the drawing file says 1.1500000000000001


def test_drawing_inside_a_transcluded_note_gets_its_own_bundle(dg: GardenCompiler) -> None:
    """The count is per transcluded text: PE1, embedded two levels down, starts again at 1."""
    text = dg.compile("E Embeds/Transclusions/T1 BaseFile.md").text
    assert text.count(viewer_markup().bundle) == 1
    assert viewer(DRAWING, "Drawing_2023-09-23_2241.09.excalidraw.md1") in text


def _vault(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "vault"
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    shutil.copy(FIXTURES / "compressed.excalidraw.md", root / "Drawings" / "compressed.excalidraw.md")
    return root


FILES = {
    "Drawings/.keep": "",
    "Public note.md": "---\ndg-publish: true\n---\nPublic.\n",
    "Private/Secret plan.md": "Secret.\n",
    "Two drawings.md": "---\ndg-publish: true\n---\n![[compressed.excalidraw]]\n\n![[compressed.excalidraw|again]]\n",
    "Published drawing.md": "---\ndg-publish: true\n---\n![[Shown.excalidraw]]\n",
    "Drawings/Shown.excalidraw.md": "---\ndg-publish: true\nexcalidraw-plugin: parsed\n---\n%%\n```json\n"
                                    '{"type":"excalidraw","elements":[],"appState":{"zoom":{"value":3}}}\n```\n%%\n',
    "Drawings/Broken.excalidraw.md": "---\ndg-publish: true\n---\n```json\n{not json\n```\n",
    "Embeds broken.md": "---\ndg-publish: true\n---\n![[Broken.excalidraw]]\n",
    "Mixed.md": "---\ndg-publish: true\n---\n![[compressed.excalidraw]] ![[Shown.excalidraw]]\n",
}


def test_compressed_drawing_and_numbering(tmp_path: Path) -> None:
    root = _vault(tmp_path, FILES)
    text = compiler(root, tmp_path).compile("Two drawings.md").text
    # The link step that follows the transclusion step rewrites the links inside the drawing's
    # JSON too, as the plugin's does (it reads the whole text).
    drawing = EXPECTED["compressed.excalidraw.md"].replace(
        "[[Private/Secret plan]]", "[[Private/Secret plan\\|Private/Secret plan]]"
    ).replace("[[Public note|", "[[Public note\\|")
    first = viewer_markup().bundle + viewer_markup().fill("compressedexcalidraw.md1", drawing)
    second = viewer_markup().fill("compressedexcalidraw.md2", drawing)
    assert text.split("---\n", 2)[2] == "\n" + first + "\n\n" + second + "\n"


def test_published_drawing_note_is_frontmatter_and_viewer(tmp_path: Path) -> None:
    root = _vault(tmp_path, FILES)
    note = compiler(root, tmp_path).compile("Drawings/Shown.excalidraw.md")
    assert note.repo_path == "src/site/notes/Drawings/Shown.excalidraw.md"
    head, _, body = note.text.rpartition("---\n")
    assert head.startswith('---\n{"dg-publish":true,"permalink":"/drawings/shown-excalidraw/"}')
    json_text = '{"type":"excalidraw","elements":[],"appState":{"zoom":{"value":1}}}'
    assert body == viewer_markup().bundle + viewer_markup().fill("Shownexcalidraw.md", json_text)


def test_unreadable_drawing(tmp_path: Path) -> None:
    """Transcluded: the plugin catches the error and leaves the embed (a link by the later step).
    Published on its own: the note fails with the file named."""
    dg = compiler(_vault(tmp_path, FILES), tmp_path)
    assert "![[Drawings/Broken.excalidraw\\|Broken.excalidraw]]" in dg.compile("Embeds broken.md").text
    with pytest.raises(DrawingError, match=r"Drawings/Broken\.excalidraw\.md: the drawing's JSON does not parse"):
        dg.compile("Drawings/Broken.excalidraw.md")


def test_safe_mode_redacts_private_drawings_and_links(tmp_path: Path) -> None:
    dg = compiler(_vault(tmp_path, FILES), tmp_path, mode="safe")
    mixed = dg.compile("Mixed.md").text
    # The private drawing is a placeholder and is not counted: the published one brings the bundle.
    assert mixed.split("---\n", 2)[2] == "\n" + (
        PRIVATE_PLACEHOLDER + " " + viewer_markup().bundle
        + viewer_markup().fill("Shownexcalidraw.md1", '{"type":"excalidraw","elements":[],"appState":{"zoom":{"value":1}}}')
        + "\n"
    )
    assert "Grüße" not in mixed


def test_safe_mode_published_drawing_keeps_no_private_path(tmp_path: Path) -> None:
    files = {**FILES, "Drawings/compressed.excalidraw.md": ""}
    root = _vault(tmp_path, files)
    text = (root / "Drawings" / "compressed.excalidraw.md").read_text(encoding="utf-8")
    (root / "Drawings" / "compressed.excalidraw.md").write_text(text.replace("tags:", "dg-publish: true\ntags:"))
    safe = compiler(root, tmp_path, mode="safe").compile("Drawings/compressed.excalidraw.md").text
    assert "Private/Secret plan" not in safe
    assert '"link":"Secret plan"' in safe  # the bare name the author typed, no folder
    assert "see [[Public note|the public one]]" in safe  # links to published notes stay
    plugin = compiler(root, tmp_path / "p", mode="plugin").compile("Drawings/compressed.excalidraw.md").text
    assert '"link":"[[Private/Secret plan]]"' in plugin
    assert plugin.endswith(viewer_markup().bundle + viewer("compressed.excalidraw.md", "compressedexcalidraw.md"))


def test_unreadable_published_drawing_stops_the_publish_with_its_name(tmp_path: Path) -> None:
    from gardend.daemon.publish.gitsync import compile_files

    root = _vault(tmp_path, FILES)
    errors: list[str] = []
    compile_files(indexed(root, tmp_path), root, None, "plugin", ".obsidian", errors)
    assert any(e.startswith("Drawings/Broken.excalidraw.md: the drawing's JSON does not parse") for e in errors)
