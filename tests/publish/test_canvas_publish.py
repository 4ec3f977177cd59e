"""Publishing canvases flagged ``dg-publish`` in their JSON ``metadata.frontmatter`` (plugin 2.66+).

Selection (which canvases are published, and what the index records), the compiled file byte for
byte against the plugin's CanvasCompiler, safe mode's rules for canvases, links to canvases, the
status/publish round trip into a git repository, and canvas JSON of any shape never crashing
the scanner or the compiler.
"""

from __future__ import annotations

import base64
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from gardend.daemon.canvas import scan_canvas
from gardend.daemon.check import collect_findings
from gardend.daemon.cli import main
from gardend.daemon.index import Index
from gardend.daemon.publish.canvas import (
    PRIVATE_NODE_TEXT,
    CanvasError,
    compile_canvas,
    compile_canvas_text,
)
from gardend.daemon.publish.compile import GardenCompiler, NotPublishable
from gardend.daemon.publish.frontmatter import FileTimes
from gardend.daemon.publish.gitsync import compile_files
from gardend.daemon.publish.settings import GardenSettings
from gardend.daemon.publish.transclusion import PRIVATE_PLACEHOLDER
from gardend.daemon.sync import Synchronizer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ..conftest import VaultMaker, write
from .helpers import GIT_ENV, indexed, make_garden, run_git

PUB = "---\ndg-publish: true\n---\n"


def canvas(nodes: list[dict[str, Any]], edges: list[dict[str, Any]] | None = None,
           frontmatter: dict[str, Any] | None = None) -> str:
    data: dict[str, Any] = {"nodes": nodes, "edges": edges or []}
    data["metadata"] = {"version": "1.0-1.0", "frontmatter": {"dg-publish": True} if frontmatter is None else frontmatter}
    return json.dumps(data, indent="\t")


def flags(index: Index) -> dict[str, tuple[int, int]]:
    return {r[0]: (r[1], r[2]) for r in index.conn.execute(
        "SELECT f.path, c.valid, c.publish FROM files f JOIN canvases c ON c.file_id = f.id")}


# -- selection ------------------------------------------------------------------------------------


def test_canvas_selection_reads_the_flag_from_metadata_frontmatter(make_vault: VaultMaker, tmp_path: Path) -> None:
    root = make_vault({
        "True.canvas": canvas([], frontmatter={"dg-publish": True}),
        "False.canvas": canvas([], frontmatter={"dg-publish": False}),
        "Missing.canvas": canvas([], frontmatter={"title": "no flag"}),
        "NoMetadata.canvas": '{"nodes":[],"edges":[]}',
        "StringFalse.canvas": canvas([], frontmatter={"dg-publish": "false"}),
        "NotAnObject.canvas": '{"metadata":{"frontmatter":["dg-publish"]}}',
        "Invalid.canvas": '{"nodes":[], "metadata":{"frontmatter":{"dg-publish":true}}',
        "NaN.canvas": '{"x": NaN, "metadata":{"frontmatter":{"dg-publish":true}}}',
        "Upper.CANVAS": canvas([]),  # the plugin tests `extension === "canvas"`
    })
    index = indexed(root, tmp_path)
    assert flags(index) == {
        "True.canvas": (1, 1), "False.canvas": (1, 0), "Missing.canvas": (1, 0), "NoMetadata.canvas": (1, 0),
        "StringFalse.canvas": (1, 0), "NotAnObject.canvas": (1, 0), "Invalid.canvas": (0, 0), "NaN.canvas": (0, 0),
    }
    findings = {(f.path, f.kind): f.message for f in collect_findings(index)}
    assert "Invalid.canvas is not valid JSON" in findings[("Invalid.canvas", "canvas")]
    assert ("NaN.canvas", "canvas") in findings
    assert ("True.canvas", "canvas") not in findings
    # Canvases stay attachments (no notes row), now with a content hash.
    assert index.conn.execute("SELECT COUNT(*) FROM notes").fetchone()[0] == 0
    assert index.conn.execute("SELECT COUNT(*) FROM files WHERE path = 'True.canvas' AND content_hash IS NOT NULL"
                              ).fetchone()[0] == 1
    files = compile_files(index, root, None, "safe")
    assert sorted(files) == ["src/site/notes/True.canvas"]


def test_canvas_flag_follows_edits_and_deletes(make_vault: VaultMaker, tmp_path: Path) -> None:
    root = make_vault({"Board.canvas": canvas([], frontmatter={})})
    index = Index(tmp_path / "i.sqlite")
    sync = Synchronizer(index, root, workers=1)
    sync.full_sync()
    assert flags(index) == {"Board.canvas": (1, 0)}
    write(root, "Board.canvas", canvas([]))
    sync.sync_paths(["Board.canvas"])
    assert flags(index) == {"Board.canvas": (1, 1)}
    write(root, "Board.canvas", "{oops")
    sync.sync_paths(["Board.canvas"])
    assert flags(index) == {"Board.canvas": (0, 0)}
    assert [f.kind for f in collect_findings(index) if f.path == "Board.canvas"] == ["canvas"]
    (root / "Board.canvas").unlink()
    sync.sync_paths(["Board.canvas"])
    assert flags(index) == {}
    assert collect_findings(index) == []


def test_canvas_indexed_before_the_canvases_table_is_read_once(make_vault: VaultMaker, tmp_path: Path) -> None:
    """An index made before schema 5 lists canvases as plain attachments, unchanged on disk:
    the next sync still reads them."""
    root = make_vault({"Board.canvas": canvas([])})
    index = indexed(root, tmp_path)
    index.conn.execute("DELETE FROM canvases")
    Synchronizer(index, root, workers=1).full_sync()
    assert flags(index) == {"Board.canvas": (1, 1)}


def test_scan_canvas_follows_json_parse() -> None:
    assert scan_canvas("a.canvas", b'{"metadata":{"frontmatter":{"dg-publish":1}}}').publish
    assert scan_canvas("a.canvas", b'{"metadata":{"frontmatter":{"dg-publish":0}}}').valid
    assert not scan_canvas("a.canvas", b'{"metadata":{"frontmatter":{"dg-publish":0}}}').publish
    assert not scan_canvas("a.canvas", b'{"a": Infinity}').valid  # JSON.parse refuses it; Python's json would not
    big = scan_canvas("a.canvas", b'{"n": 1' + b"0" * 5000 + b', "metadata":{"frontmatter":{"dg-publish":true}}}')
    assert big.valid and big.publish  # a 5000-digit number is a double (Infinity), not an error
    assert scan_canvas("a.canvas", b"[" * 100_000).diagnostics  # too deep: reported, never raised


# -- the compiled file ----------------------------------------------------------------------------

IDEA = PUB + "An idea.\n"
PLAN = canvas(
    [
        {"id": "a1", "type": "text", "text": "See [[Idea]]", "x": 0, "y": 0, "width": 200, "height": 100, "color": "1"},
        {"id": "b2", "type": "file", "file": "Idea.md", "x": 300, "y": 0, "width": 200, "height": 100},
    ],
    [{"id": "e", "fromNode": "a1", "fromSide": "right", "toNode": "b2", "toSide": "left", "toEnd": "arrow",
      "label": "leads to"}],
    {"dg-publish": True, "dg-content-classes": "wide"},
)


IDEA_LINK = "See [[Idea\\|Idea]]"


def b64(text: str) -> str:
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def test_compiled_canvas_matches_the_plugin_byte_for_byte(make_vault: VaultMaker, tmp_path: Path) -> None:
    """Built by hand from obsidian-digital-garden src/compiler/CanvasCompiler.ts (2.68.1, d167ac4)."""
    root = make_vault({"Idea.md": IDEA, "Boards/Plan.canvas": PLAN})
    compiled = compile_canvas(GardenCompiler(indexed(root, tmp_path), root, GardenSettings(), "plugin"),
                              "Boards/Plan.canvas")
    assert compiled.repo_path == "src/site/notes/Boards/Plan.canvas"  # NOTE_PATH_BASE + vault path
    # compileMarkdown: `{...frontmatter, [contentClassesKey]: `${existingClasses} canvas-page`}` through
    # FrontmatterCompiler.compile; the permalink of a .canvas path ends ".canvas/" (generateUrlPath).
    frontmatter = '---\n{"dg-publish":true,"permalink":"/boards/plan.canvas/","contentClasses":"wide canvas-page"}\n---\n'
    # buildNodeHtml: baseStyle = `transform: translate(${node.x}px, ${node.y}px); width: ${node.width}px;
    # height: ${node.height}px; ${colorStyle}`; resolveColor("1") = COLOR_PRESETS["1"] = "#fb464c".
    text_node = (
        '<div class="canvas-node canvas-node-text has-color" data-node-id="a1" style="transform: translate(0px, 0px);'
        ' width: 200px; height: 100px; --canvas-color: #fb464c;">\n'
        '\t<div class="canvas-node-container">\n'
        '\t\t<div class="canvas-node-content markdown-rendered">\n'
        # buildTextNode: processTextNodeContent (convertLinksToFullPath → [[Idea\|Idea]]), then
        # `data-markdown="${Buffer.from(processedText).toString("base64")}"`.
        f'\t\t\t<div class="canvas-node-text-content" data-markdown="{b64(IDEA_LINK)}"></div>\n'
        "\t\t</div>\n\t</div>\n</div>"
    )
    # buildFileNode (not an image): `<iframe src="${gardenUrl + subpath}"` where resolveFileToGardenUrl
    # returns `/${generateUrlPath(gardenPath)}/` and generateUrlPath already ends in "/".
    file_node = (
        '<div class="canvas-node canvas-node-file " data-node-id="b2" data-file-path="Idea.md"'
        ' style="transform: translate(300px, 0px); width: 200px; height: 100px; ">\n'
        '\t<div class="canvas-node-label">Idea</div>\n'
        '\t<div class="canvas-node-container">\n'
        '\t\t<div class="canvas-node-content markdown-embed">\n'
        '\t\t\t<iframe src="/idea//" class="canvas-file-iframe" loading="lazy"></iframe>\n'
        "\t\t</div>\n\t</div>\n</div>"
    )
    # buildEdgesSvg: one marker pair per colour (none: "var(--text-muted)", id "vartextmuted"); the
    # edge from a1's right (200, 50) to b2's left (300, 50): distance 100, curvature max(40, 50) = 50,
    # so C 250 50, 250 50; the label at B(0.5) = (200 + 3·250 + 3·250 + 300) / 8 = 250.
    markers = (
        '<marker id="arrow-vartextmuted" markerWidth="6" markerHeight="6" refX="5" refY="3" orient="auto"'
        ' markerUnits="strokeWidth">\n'
        '\t\t\t<path d="M0,0.5 L5,3 L0,5.5" fill="none" stroke="var(--text-muted)" stroke-width="1.2"'
        ' stroke-linecap="round" stroke-linejoin="round" />\n'
        "\t\t</marker>\n"
        '\t\t<marker id="arrow-vartextmuted-start" markerWidth="6" markerHeight="6" refX="1" refY="3"'
        ' orient="auto-start-reverse" markerUnits="strokeWidth">\n'
        '\t\t\t<path d="M6,0.5 L1,3 L6,5.5" fill="none" stroke="var(--text-muted)" stroke-width="1.2"'
        ' stroke-linecap="round" stroke-linejoin="round" />\n'
        "\t\t</marker>"
    )
    label_filter = (
        '<filter x="-0.1" y="-0.1" width="1.2" height="1.3" id="edge-label-bg">\n'
        '\t\t\t<feFlood flood-color="var(--background-primary)" flood-opacity="1" result="bg"/>\n'
        "\t\t\t<feMerge>\n"
        '\t\t\t\t<feMergeNode in="bg"/>\n'
        '\t\t\t\t<feMergeNode in="SourceGraphic"/>\n'
        "\t\t\t</feMerge>\n"
        "\t\t</filter>"
    )
    # `${markerStart} ${markerEnd}` with no start marker: two spaces before marker-end.
    edge = (
        '<path d="M 200 50 C 250 50, 250 50, 300 50" fill="none" stroke="var(--text-muted)" stroke-width="2"'
        ' class="canvas-edge" data-edge-id="e"  marker-end="url(#arrow-vartextmuted)" />'
        '<text x="250" y="50" class="canvas-edge-label" filter="url(#edge-label-bg)" fill="var(--text-muted)">'
        "leads to</text>"
    )
    # renderCanvas: canvasId = file.name.split(" ").join("_").replace(".", "").
    body = (
        '\n<div id="Plancanvas" class="canvas-wrapper hide">\n'
        '\t<svg class="canvas-background">\n'
        "\t\t<defs>\n"
        '\t\t\t<pattern id="canvas-grid-Plancanvas" width="25" height="25" patternUnits="userSpaceOnUse">\n'
        '\t\t\t\t<circle r="1.5" cx="12.5" cy="12.5"></circle>\n'
        "\t\t\t</pattern>\n"
        "\t\t</defs>\n"
        '\t\t<rect width="100%" height="100%" fill="url(#canvas-grid-Plancanvas)"></rect>\n'
        "\t</svg>\n"
        '\t<div class="canvas">\n'
        '\t\t<svg class="canvas-edges-container" style="position:absolute;width:1px;height:1px;overflow:visible;">\n'
        f"\t\t\t<defs>{markers}{label_filter}</defs>{edge}\n"
        "\t\t</svg>\n"
        f"\t\t{text_node}\n{file_node}\n"
        "\t</div>\n"
        "</div>\n"
    )
    assert compiled.text == frontmatter + body
    assert compiled.assets == []


def test_canvas_images_and_group_backgrounds_are_uploaded(make_vault: VaultMaker, tmp_path: Path) -> None:
    root = make_vault({
        "Board.canvas": canvas([
            {"id": "i", "type": "file", "file": "img/a b.png", "x": 0, "y": 0, "width": 1, "height": 1},
            {"id": "g", "type": "group", "background": "img/bg.jpg", "backgroundStyle": "repeat", "label": "A & B",
             "x": 0, "y": 0, "width": 1, "height": 1},
            {"id": "m", "type": "file", "file": "img/missing.png", "x": 0, "y": 0, "width": 1, "height": 1},
        ]),
        "img/a b.png": b"\x89PNG a",
        "img/bg.jpg": b"\xff\xd8 bg",
    })
    files = compile_files(indexed(root, tmp_path), root, None, "safe")
    assert sorted(files) == ["src/site/img/user/img/a b.png", "src/site/img/user/img/bg.jpg", "src/site/notes/Board.canvas"]
    text = files["src/site/notes/Board.canvas"].data.decode()
    assert '<img src="/img/user/img/a%20b.png" alt="a b.png" loading="lazy" />' in text
    assert ("background-image: url('/img/user/img/bg.jpg'); background-size: auto; background-repeat: repeat;"
            in text)
    assert '<div class="canvas-node-label">A &amp; B</div>' in text
    assert '<img src="/img/user/img/missing.png" alt="missing.png"' in text  # unresolved: as typed, no asset


def test_canvas_the_plugin_cannot_compile_is_an_error_not_a_file(make_vault: VaultMaker, tmp_path: Path) -> None:
    root = make_vault({
        "Bad.canvas": canvas([{"id": "t", "type": "text", "x": 0, "y": 0, "width": 1, "height": 1}]),
        "Good.canvas": canvas([]),
    })
    errors: list[str] = []
    files = compile_files(indexed(root, tmp_path), root, None, "safe", errors=errors)
    assert sorted(files) == ["src/site/notes/Good.canvas"]
    assert len(errors) == 1 and errors[0].startswith("Bad.canvas: the canvas cannot be published")


def test_unflagged_canvas_is_not_publishable(make_vault: VaultMaker, tmp_path: Path) -> None:
    root = make_vault({"Board.canvas": canvas([], frontmatter={})})
    with pytest.raises(NotPublishable):
        compile_canvas(GardenCompiler(indexed(root, tmp_path), root), "Board.canvas")


# -- safe mode ------------------------------------------------------------------------------------

SECRET = "---\nphone: 555-0199\n---\nDivorce lawyer appointment\n"


def showing_a_private_note(make_vault: VaultMaker) -> Path:
    return make_vault({
        "Private/Lawyer notes.md": SECRET,
        "Idea.md": IDEA,
        "Board.canvas": canvas([
            {"id": "t", "type": "text", "x": 0, "y": 0, "width": 1, "height": 1,
             "text": "Call [[Lawyer notes]], see [[Idea]].\n\n![[Lawyer notes]]\n\n[mail](Private/Lawyer%20notes.md)"},
            {"id": "f", "type": "file", "file": "Private/Lawyer notes.md", "subpath": "#Top", "color": "2",
             "x": 10, "y": 20, "width": 300, "height": 200},
            {"id": "p", "type": "file", "file": "Idea.md", "x": 0, "y": 0, "width": 1, "height": 1},
        ]),
    })


def decoded(text: str) -> str:
    """The canvas text with every text node's Markdown decoded next to it (what the site shows)."""
    return text + "".join(base64.b64decode(m).decode() for m in re.findall(r'data-markdown="([^"]*)"', text))


def test_canvas_safe_mode_shows_nothing_of_an_unpublished_note(make_vault: VaultMaker, tmp_path: Path) -> None:
    root = showing_a_private_note(make_vault)
    text = compile_files(indexed(root, tmp_path), root, None, "safe")["src/site/notes/Board.canvas"].data.decode()
    shown = decoded(text)
    for private in ("Lawyer notes.md", "Private/", "lawyer-notes", "Divorce", "555-0199", "#Top"):
        assert private not in shown, private
    assert "Call Lawyer notes, see [[Idea\\|Idea]]." in shown  # display text only; published links kept
    assert PRIVATE_PLACEHOLDER in shown and "[mail]" not in shown and "mail" in shown
    # The file node keeps its place and colour, not its target.
    assert (
        '<div class="canvas-node canvas-node-file has-color" data-node-id="f" style="transform: translate(10px, 20px);'
        ' width: 300px; height: 200px; --canvas-color: #e9973f;">\n\t<div class="canvas-node-container">\n'
        '\t\t<div class="canvas-node-content markdown-embed">\n'
        f'\t\t\t<p class="canvas-node-private">{PRIVATE_NODE_TEXT}</p>\n\t\t</div>\n\t</div>\n</div>'
    ) in text
    assert 'data-file-path="Idea.md"' in text and '<iframe src="/idea//"' in text


def test_canvas_plugin_mode_reproduces_the_plugins_leaks(make_vault: VaultMaker, tmp_path: Path) -> None:
    root = showing_a_private_note(make_vault)
    text = compile_files(indexed(root, tmp_path), root, None, "plugin")["src/site/notes/Board.canvas"].data.decode()
    shown = decoded(text)
    assert 'data-file-path="Private/Lawyer notes.md"' in text
    assert '<iframe src="/private/lawyer-notes//#Top"' in text
    assert "Divorce lawyer appointment" in shown and "[[Private/Lawyer notes\\|Lawyer notes]]" in shown


# -- links to canvases ----------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["safe", "plugin"])
def test_canvas_links_are_written_as_the_plugin_writes_them(make_vault: VaultMaker, tmp_path: Path, mode: str) -> None:
    root = make_vault({
        "Note.md": PUB + "[[Plan.canvas]] [[Plan.canvas|the plan]] [[Hidden.canvas]] [[Hidden.canvas|x]]\n"
                         "[md](Boards/Hidden.canvas)\n",
        "Boards/Plan.canvas": canvas([]),
        "Boards/Hidden.canvas": canvas([], frontmatter={"secret": "yes"}),
    })
    text = compile_files(indexed(root, tmp_path), root, None, mode)["src/site/notes/Note.md"].data.decode()  # type: ignore[arg-type]
    published = "[[Boards/Plan.canvas\\|Plan.canvas]] [[Boards/Plan.canvas\\|the plan]] "
    if mode == "plugin":
        assert published + "[[Boards/Hidden.canvas\\|Hidden.canvas]] [[Boards/Hidden.canvas\\|x]]\n[md](Boards/Hidden.canvas)" in text
    else:
        assert published + "Hidden.canvas x\nmd\n" in text


# -- status and publish ---------------------------------------------------------------------------

pytest_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


@pytest_git
def test_canvas_status_and_publish_round_trip(
    make_vault: VaultMaker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for k, v in GIT_ENV.items():
        monkeypatch.setenv(k, v)
    bare, clone = make_garden(tmp_path)
    root = make_vault({
        "Idea.md": IDEA,
        "Part.md": PUB + "Transcluded words.\n",
        "Board.canvas": canvas([{"id": "t", "type": "text", "text": "![[Part]]", "x": 0, "y": 0, "width": 1, "height": 1}]),
    })
    db = str(tmp_path / "i.sqlite")
    path = "src/site/notes/Board.canvas"

    def status() -> dict[str, Any]:
        result = CliRunner().invoke(main, ["status", str(root), "--repo", str(clone), "--db", db, "--json"])
        assert result.exit_code == 0, result.output
        return json.loads(result.output)

    def publish() -> None:
        result = CliRunner().invoke(main, ["publish", str(root), "--repo", str(clone), "--db", db])
        assert result.exit_code == 0, result.output

    assert path in status()["new"]
    publish()
    assert path in run_git(bare, "ls-tree", "-r", "--name-only", "main").splitlines()
    published = run_git(bare, "show", f"main:{path}")
    assert "Transcluded words." in decoded(published)
    assert path in status()["published"]
    # An edited note the canvas shows makes the canvas "changed".
    write(root, "Part.md", PUB + "Edited words.\n")
    assert path in status()["changed"]
    publish()
    assert "Edited words." in decoded(run_git(bare, "show", f"main:{path}"))
    # So does an edit of the canvas itself.
    write(root, "Board.canvas", canvas([{"id": "t", "type": "text", "text": "New text", "x": 0, "y": 0,
                                         "width": 1, "height": 1}]))
    assert path in status()["changed"]
    publish()
    assert "New text" in decoded(run_git(bare, "show", f"main:{path}"))
    # Unflagged: deleted from the garden.
    write(root, "Board.canvas", canvas([], frontmatter={"dg-publish": False}))
    assert status()["deleted"] == [path]
    publish()
    assert path not in run_git(bare, "ls-tree", "-r", "--name-only", "main").splitlines()


# -- canvas JSON of any shape ---------------------------------------------------------------------

_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-10**30, max_value=10**30),
    st.floats(allow_nan=False, allow_infinity=False), st.sampled_from(["", "1", "4", "#abc", "10", "x", "constructor",
                                                                       "top", "left", "arrow", "none", "repeat"]),
    st.text(max_size=12),
)
_values = st.recursive(_scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
                       max_leaves=8)
_node = st.fixed_dictionaries(
    {},
    optional={
        "id": st.sampled_from(["a", "b", "c"]) | _scalars,
        "type": st.sampled_from(["text", "file", "link", "group", "weird"]) | _scalars,
        "text": st.sampled_from(["[[Note]] ![[Note]] %%c%% ^blk", "[[Missing]]", "`= this.file.name`"]) | _values,
        "file": st.sampled_from(["Note.md", "img/p.png", "Board.canvas", "nope.pdf", ""]) | _values,
        "url": st.sampled_from(["https://youtu.be/abcdefghijk", "https://ex.com/a", "not a url"]) | _values,
        "label": _values, "background": st.sampled_from(["img/p.png", "x.jpg"]) | _values,
        "backgroundStyle": _values, "subpath": _values, "color": _scalars, "styleAttributes": _values,
        "x": _scalars, "y": _scalars, "width": _scalars, "height": _scalars,
    },
)
_edge = st.fixed_dictionaries(
    {},
    optional={
        "id": _scalars, "fromNode": st.sampled_from(["a", "b", "c"]) | _scalars,
        "toNode": st.sampled_from(["a", "b", "c"]) | _scalars,
        "fromSide": st.sampled_from(["top", "right", "bottom", "left"]) | _scalars,
        "toSide": st.sampled_from(["top", "right", "bottom", "left"]) | _scalars,
        "fromEnd": _scalars, "toEnd": _scalars, "color": _scalars, "label": _values,
    },
)
_canvas = st.fixed_dictionaries(
    {"metadata": st.fixed_dictionaries({"frontmatter": st.dictionaries(st.text(max_size=8), _values, max_size=3)
                                        .map(lambda fm: {**fm, "dg-publish": True})})},
    optional={"nodes": st.lists(_node | _values, max_size=4) | _values, "edges": st.lists(_edge | _values, max_size=4) | _values},
)


def test_canvas_json_of_any_shape_never_crashes_the_scanner_or_the_compiler(
    make_vault: VaultMaker, tmp_path: Path
) -> None:
    root = make_vault({"Note.md": PUB + "# H\nbody ^blk\n", "img/p.png": b"png", "Board.canvas": canvas([])})
    index = indexed(root, tmp_path)
    compilers = {mode: GardenCompiler(index, root, GardenSettings(), mode) for mode in ("safe", "plugin")}  # type: ignore[arg-type]

    @settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(data=_canvas, raw=st.binary(max_size=64))
    def check(data: dict[str, Any], raw: bytes) -> None:
        text = json.dumps(data)
        record = scan_canvas("Board.canvas", text.encode())
        assert record.valid and record.publish
        scan_canvas("Board.canvas", raw)  # any bytes: a record, never an exception
        for compiler in compilers.values():
            try:
                out, _assets = compile_canvas_text(compiler, "Board.canvas", text, record.frontmatter or {},
                                                   FileTimes(0, 0))
            except CanvasError:
                continue
            assert out.startswith('---\n{"dg-publish":true,') and out.endswith("</div>\n</div>\n")

    check()


# -- the leak audit -------------------------------------------------------------------------------


def test_leak_audit_reads_the_markdown_inside_compiled_canvases(make_vault: VaultMaker, tmp_path: Path) -> None:
    """A canvas carries its text nodes base64-encoded: the audit decodes them, so plugin mode's
    transclusion of a private note is found by its text, and safe mode's output is clean."""
    from gardend.daemon.publish.leaks import LeakStore, audit, build_markers

    root = showing_a_private_note(make_vault)
    index = indexed(root, tmp_path)
    for mode, expect_leak in (("plugin", True), ("safe", False)):
        files = compile_files(index, root, None, mode)  # type: ignore[arg-type]
        outputs = [(path, f.data) for path, f in files.items()]
        reference = audit(build_markers(index, root), outputs)
        stored = LeakStore(index, root).audit(outputs)
        body_hits = [leak for leak in reference
                     if leak.marker_kind == "body" and "divorce lawyer" in leak.excerpt.lower()]
        assert bool(body_hits) is expect_leak, (mode, reference)
        assert sorted(map(str, reference)) == sorted(map(str, stored))
        if mode == "safe":
            # The bare name the canvas's author typed ("Lawyer notes") is the canvas's own
            # published text, as for a note: not a leak.
            assert reference == []


def test_an_image_a_published_canvas_shows_is_public(make_vault: VaultMaker, tmp_path: Path) -> None:
    """An attachment shown by a published canvas is published with it: embedding it in a
    private note too does not make it a private asset the gate would refuse."""
    from gardend.daemon.publish.leaks import LeakStore, audit, build_markers

    root = make_vault({
        "Images/Whiteboard photo 2024.png": b"\x89PNG\r\n\x1a\nboard-bytes",
        "Private/Diary.md": "![[Whiteboard photo 2024.png]]\n",
        "Board.canvas": canvas([{"id": "i", "type": "file", "file": "Images/Whiteboard photo 2024.png",
                                 "x": 0, "y": 0, "width": 10, "height": 10}]),
    })
    index = indexed(root, tmp_path)
    files = compile_files(index, root, None, "safe")
    assert any(p.endswith("Whiteboard photo 2024.png") for p in files)
    outputs = [(path, f.data) for path, f in files.items()]
    assert audit(build_markers(index, root), outputs) == []
    assert LeakStore(index, root).audit(outputs) == []


def test_a_path_typed_in_a_published_canvas_stays_private(make_vault: VaultMaker, tmp_path: Path) -> None:
    """A published canvas's text counts as public only as readers see it: a typed link path to
    an unpublished note shows as its bare name, so the path itself is still caught in output."""
    from gardend.daemon.publish.leaks import LeakStore, audit, build_markers

    root = make_vault({
        "Private/Lawyer notes.md": SECRET,
        "Board.canvas": canvas([{"id": "t", "type": "text", "x": 0, "y": 0, "width": 1, "height": 1,
                                 "text": "Ask [[Private/Lawyer notes]]"}]),
    })
    index = indexed(root, tmp_path)
    outputs = [("leaky.md", b"see Private/Lawyer notes here")]
    for found in (audit(build_markers(index, root), outputs), LeakStore(index, root).audit(outputs)):
        assert any(leak.excerpt == "Private/Lawyer notes" for leak in found), found
