"""The vendored Lucide icons: Obsidian's exact markup, every icon well formed, old ids and the
``lucide-`` prefix resolving, fileClass icons on links, and the build script on a tiny package."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from gardend.daemon.index import Index
from gardend.daemon.render import NoteRenderer
from gardend.daemon.sync import Synchronizer
from gardend.renderers.dataview import FileClass
from gardend.renderers.icons import LUCIDE_ICONS, LUCIDE_VERSION, lucide_svg
from gardend.renderers.lucide import build

from ..conftest import VaultMaker
from ..markdown.helpers import render

SVG_NS = "{http://www.w3.org/2000/svg}"
WRAPPER = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="24" height="24" viewBox="0 0 24 24" '
    'fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" '
    'stroke-linejoin="round" class="svg-icon lucide-{id}">'
)
#: The seed page's icon, as Obsidian wrote it (obsidian.md §8.4).
SEED_PACKAGE = (
    WRAPPER.format(id="package")
    + '<path d="M11 21.73a2 2 0 0 0 2 0l7-4A2 2 0 0 0 21 16V8a2 2 0 0 0-1-1.73l-7-4a2 2 0 0 0-2 0'
    'l-7 4A2 2 0 0 0 3 8v8a2 2 0 0 0 1 1.73z"></path><path d="M12 22V12"></path>'
    '<polyline points="3.29 7 12 12 20.71 7"></polyline><path d="m7.5 4.27 9 5.15"></path></svg>'
)
#: Children only: elements with double-quoted attributes and an explicit closing tag, back to back.
CHILDREN = re.compile(r'(?:<([a-z]+)(?: [a-zA-Z][a-zA-Z0-9-]*="[^"&<>]*")+></\1>)+')
DATA_FILE = Path(build.__file__).with_name("icons.json")


def children_of(svg: str, icon_id: str) -> str:
    """The markup between Obsidian's wrapper for ``icon_id`` and ``</svg>``, checked to be there."""
    head = WRAPPER.format(id=icon_id)
    assert svg.startswith(head) and svg.endswith("</svg>"), svg
    return svg[len(head) : -len("</svg>")]


def assert_well_formed(svg: str, icon_id: str) -> None:
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG_NS}svg" and root.get("class") == f"svg-icon lucide-{icon_id}"
    assert len(root) > 0 and all(len(child) == 0 for child in root)
    assert CHILDREN.fullmatch(children_of(svg, icon_id)), svg
    assert "/>" not in svg


def test_package_is_the_seed_markup_byte_for_byte() -> None:
    assert lucide_svg("package") == SEED_PACKAGE


@pytest.mark.parametrize(
    "icon_id",
    ["book", "user", "calendar", "house", "file-spreadsheet", "alert-triangle", "check-circle-2"],
)
def test_common_ids_are_well_formed(icon_id: str) -> None:
    svg = lucide_svg(icon_id)
    assert svg is not None
    assert_well_formed(svg, icon_id)


def test_old_ids_draw_the_renamed_icon_under_their_own_class() -> None:
    old = lucide_svg("alert-triangle")
    new = lucide_svg("triangle-alert")
    assert old is not None and new is not None
    assert children_of(old, "alert-triangle") == children_of(new, "triangle-alert")
    assert LUCIDE_ICONS["home"] == LUCIDE_ICONS["house"]


def test_lucide_prefix_resolves_like_the_bare_id() -> None:
    assert lucide_svg("lucide-package") == SEED_PACKAGE
    assert lucide_svg("lucide-alert-triangle") == lucide_svg("alert-triangle")
    assert "lucide-package" not in LUCIDE_ICONS  # the mapping holds Lucide's own ids only


@pytest.mark.parametrize("icon_id", ["no-such-icon", "", "lucide-", "lucide-no-such-icon"])
def test_unknown_ids_render_nothing(icon_id: str) -> None:
    assert lucide_svg(icon_id) is None
    assert icon_id not in LUCIDE_ICONS


def test_every_icon_is_well_formed_and_there_are_all_of_them() -> None:
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    assert data["version"] == LUCIDE_VERSION  # bump the constant with the data (compile cache)
    assert len(data["icons"]) > 1000
    assert set(data["aliases"].values()) <= set(data["icons"])
    assert not set(data["aliases"]) & set(data["icons"])
    assert len(LUCIDE_ICONS) == len(data["icons"]) + len(data["aliases"]) == len(set(LUCIDE_ICONS))
    for icon_id in LUCIDE_ICONS:
        svg = lucide_svg(icon_id)
        assert svg is not None
        assert CHILDREN.fullmatch(children_of(svg, icon_id)), icon_id
    assert_well_formed(lucide_svg("zap") or "", "zap")


def test_fileclass_icon_on_a_link() -> None:
    html = render(
        "[[Target]]", {"Target.md": "x"}, fileclasses={"Target.md": FileClass("Book", "book")}
    )
    book = lucide_svg("book")
    assert book is not None
    assert (
        f'fileclass-name="Book">Target</a><a class="metadata-menu fileclass-icon">{book}</a>'
        in html
    )


def test_fileclass_note_with_icon_decorates_links_end_to_end(
    tmp_path: Path, make_vault: VaultMaker
) -> None:
    root = make_vault(
        {
            ".obsidian/plugins/metadata-menu/manifest.json": '{"id": "metadata-menu", "version": "0.8.0"}',
            ".obsidian/plugins/metadata-menu/data.json": '{"classFilesPath": "Classes/", "enableLinks": true}',
            "Classes/Book.md": "---\nicon: book\n---\n",
            "Classes/Thing.md": "---\nicon: no-such-icon\n---\n",
            "Dune.md": "---\nfileClass: Book\n---\nA novel.\n",
            "Rock.md": "---\nfileClass: Thing\n---\n",
            "Home.md": "Reading [[Dune]], holding [[Rock]].\n",
        }
    )
    index = Index(tmp_path / "i.sqlite")
    Synchronizer(index, root, workers=1).full_sync()
    html = NoteRenderer(index, root).render("Home.md").html
    assert (
        f'fileclass-name="Book">Dune</a><a class="metadata-menu fileclass-icon">{lucide_svg("book")}</a>'
        in html
    )
    # Obsidian's setIcon leaves an unknown icon empty; the class attribute is still written.
    assert 'fileclass-name="Thing">Rock</a><a class="metadata-menu fileclass-icon"></a>' in html


# --- the build script ------------------------------------------------------------------------


def _package(root: Path, icons: dict[str, str], nodes: dict[str, list[object]]) -> Path:
    """A minimal unpacked lucide-static: ``icons`` is id -> children as written in the SVG file."""
    pkg = root / "package"
    (pkg / "icons").mkdir(parents=True)
    (pkg / "package.json").write_text('{"name": "lucide-static", "version": "9.9.9"}')
    (pkg / "icon-nodes.json").write_text(json.dumps(nodes))
    (pkg / "LICENSE").write_text("ISC License\n\nCopyright (c) Lucide\n")
    for icon_id, body in icons.items():
        (pkg / "icons" / f"{icon_id}.svg").write_text(
            f"<!-- @license lucide-static v9.9.9 - ISC -->\n"
            f'<svg class="lucide lucide-{icon_id}" xmlns="http://www.w3.org/2000/svg" width="24" '
            'height="24" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" '
            f'stroke-linecap="round" stroke-linejoin="round">\n  {body}\n</svg>\n'
        )
    return root


def test_build_serialises_in_source_order_and_finds_aliases(tmp_path: Path) -> None:
    body = '<rect width="8" height="4" x="8" y="2" rx="1" />\n  <path d="M12 11h4" />'
    nodes = {
        "clip": [
            ["rect", {"width": "8", "height": "4", "x": "8", "y": "2", "rx": "1"}],
            ["path", {"d": "M12 11h4"}],
        ]
    }
    root = _package(tmp_path, {"clip": body, "old-clip": body}, nodes)
    data_file, license_file = tmp_path / "icons.json", tmp_path / "LICENSE.txt"
    data = build.build(root, data_file, license_file)
    expected = '<rect width="8" height="4" x="8" y="2" rx="1"></rect><path d="M12 11h4"></path>'
    assert (data.version, data.icons, data.aliases) == (
        "9.9.9",
        {"clip": expected},
        {"old-clip": "clip"},
    )
    first = data_file.read_bytes()
    build.build(root / "package", data_file, license_file)
    assert data_file.read_bytes() == first  # reproducible
    assert (
        "lucide-static 9.9.9" in license_file.read_text()
        and "Copyright (c) Lucide" in license_file.read_text()
    )


@pytest.mark.parametrize(
    ("body", "nodes_attrs", "message"),
    [
        ('<path d="a &amp; b" />', {"d": "a & b"}, "escaping"),  # the DOM would write &amp;
        ('<path d="M1 1" />', {"d": "M2 2"}, "disagree"),  # icon-nodes.json vs the SVG file
        ('<g><path d="M1 1" /></g>', {"d": "M1 1"}, "unexpected element"),  # nested shapes
    ],
)
def test_build_refuses_what_it_cannot_serialise_faithfully(
    tmp_path: Path, body: str, nodes_attrs: dict[str, str], message: str
) -> None:
    root = _package(tmp_path, {"x": body}, {"x": [["path", nodes_attrs]]})
    with pytest.raises(build.BuildError, match=message):
        build.build(root, tmp_path / "icons.json", tmp_path / "LICENSE.txt")
    assert not (tmp_path / "icons.json").exists()


def test_build_refuses_a_different_wrapper(tmp_path: Path) -> None:
    root = _package(tmp_path, {"x": '<path d="M1 1" />'}, {"x": [["path", {"d": "M1 1"}]]})
    svg = root / "package" / "icons" / "x.svg"
    svg.write_text(svg.read_text().replace('fill="none"', 'fill="currentColor"'))
    with pytest.raises(build.BuildError, match="wrapper"):
        build.build(root, tmp_path / "icons.json", tmp_path / "LICENSE.txt")
