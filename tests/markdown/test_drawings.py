"""Excalidraw drawings embedded in notes render as a picture (renderers/markdown/drawing_svg.py),
as the Excalidraw plugin shows them in reading view; a note that is not a readable drawing falls
back to the note embed. Drawing data is vault data: nothing in it may become markup."""

from __future__ import annotations

import json
import re
from pathlib import Path

from gardend.renderers.markdown.drawing_svg import DrawingLinks, drawing_svg
from hypothesis import given, settings
from hypothesis import strategies as st

from .helpers import render, render_note

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpora" / "dg-test-vault"


def drawing_note(drawing: dict, files: str = "") -> str:
    return (
        "---\nexcalidraw-plugin: parsed\n---\n# Text Elements\nhello ^t\n\n"
        + (f"# Embedded files\n{files}\n\n" if files else "")
        + "%%\n# Drawing\n```json\n" + json.dumps(drawing) + "\n```\n%%"
    )


SHAPES = {
    "type": "excalidraw",
    "elements": [
        {"id": "r", "type": "rectangle", "x": 0, "y": 0, "width": 200, "height": 100, "strokeColor": "#1e1e1e",
         "backgroundColor": "#ffc9c9", "fillStyle": "solid", "roundness": {"type": 3}, "angle": 0, "opacity": 100},
        {"id": "e", "type": "ellipse", "x": 300, "y": 0, "width": 80, "height": 40, "backgroundColor": "#a5d8ff",
         "fillStyle": "hachure", "strokeStyle": "dashed", "link": "[[Target#Part]]"},
        {"id": "a", "type": "arrow", "x": 200, "y": 50, "points": [[0, 0], [100, -30]], "endArrowhead": "arrow"},
        {"id": "t", "type": "text", "x": 10, "y": 10, "width": 180, "height": 50, "text": "two\nlines",
         "fontSize": 20, "fontFamily": 2, "textAlign": "center", "lineHeight": 1.25},
        {"id": "i", "type": "image", "x": 0, "y": 200, "width": 50, "height": 50, "fileId": "abc123"},
        {"id": "gone", "type": "text", "x": 0, "y": 0, "text": "deleted text", "isDeleted": True},
    ],
    "appState": {"viewBackgroundColor": "#ffffff"},
}
FILES = {
    "Drawings/Shapes.excalidraw.md": drawing_note(SHAPES, "abc123: [[pic.png]]"),
    "pic.png": "",
    "Target.md": "# Part\n",
}


def test_embedded_drawing_renders_as_a_picture() -> None:
    result = render_note("![[Shapes.excalidraw|300]]", FILES)
    html = result.html
    assert html.startswith('<span class="internal-embed image-embed excalidraw-svg is-loaded" src="Shapes.excalidraw"')
    assert '<svg xmlns="http://www.w3.org/2000/svg" viewBox="-10 -10 400 270" width="300"' in html
    assert '<rect x="0" y="0" width="200" height="100" rx="25" ry="25" fill="#ffc9c9"' in html  # adaptive radius
    assert "<ellipse " in html and 'stroke-dasharray="9 9"' in html and "url(#xd" in html  # hachure pattern
    assert '<a href="/Target.md#Part"><g><ellipse' in html  # element link, resolved like a wikilink
    assert 'text-anchor="middle"' in html and ">two</text>" in html and ">lines</text>" in html
    assert '<image href="/pic.png"' in html
    assert "deleted text" not in html and "hello" not in html  # no note text: the picture
    assert "pic.png" in result.dependencies  # a new image re-renders the page


def test_published_view_links_no_private_note_from_a_drawing() -> None:
    html = render("![[Shapes.excalidraw]]", FILES, published=lambda p: p != "Target.md", published_view=True)
    assert "<svg" in html and "Target" not in html


def test_heading_embed_and_unreadable_drawing_fall_back_to_the_note() -> None:
    files = {**FILES, "Broken.excalidraw.md": "# Text Elements\nhello broken\n%%\n```json\n{oops\n```\n%%"}
    assert "hello broken" in render("![[Broken.excalidraw]]", files)
    assert "excalidraw-svg" not in render("![[Shapes.excalidraw#Text Elements]]", FILES)


def test_dg_test_vault_drawings() -> None:
    text = (CORPUS / "Excalidraw" / "Drawing 2023-09-23 22.41.09.excalidraw.md").read_text(encoding="utf-8")
    html = render("![[Drawing 2023-09-23 22.41.09.excalidraw]]", {"Excalidraw/Drawing 2023-09-23 22.41.09.excalidraw.md": text})
    for word in ("beep", "boop", "bebop"):
        assert f">{word}</text>" in html
    assert html.count("<rect ") == 4  # background + three boxes


def test_compressed_drawing() -> None:
    text = (Path(__file__).resolve().parents[1] / "fixtures" / "excalidraw" / "compressed.excalidraw.md").read_text()
    html = render("![[compressed.excalidraw]]", {"compressed.excalidraw.md": text})
    assert "Grüße 🌞 &quot;q&quot;" in html


def test_hostile_values_stay_data() -> None:
    evil = {"elements": [
        {"type": "text", "x": 0, "y": 0, "width": 10, "height": 10, "text": "<script>alert(1)</script>",
         "strokeColor": "red\" onload=\"alert(1)", "fontFamily": "x", "link": "javascript:alert(1)"},
        {"type": "rectangle", "x": "1e309", "y": None, "width": float("nan"), "height": -5,
         "backgroundColor": "url(javascript:alert(1))", "fillStyle": "solid", "link": "[[Nowhere]]"},
        {"type": "arrow", "x": 0, "y": 0, "points": [[0, 0], "x", [1e400, 2]], "endArrowhead": "triangle"},
    ]}
    svg = drawing_svg(evil, DrawingLinks()) or ""
    assert "<script" not in svg and "onload" not in svg and "javascript" not in svg and "nan" not in svg.lower()


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)
_element = st.fixed_dictionaries(
    {"type": st.sampled_from(["rectangle", "ellipse", "diamond", "line", "arrow", "freedraw", "text", "image",
                              "frame", "weird"])},
    optional={k: _json for k in ("x", "y", "width", "height", "angle", "points", "text", "strokeColor",
                                 "backgroundColor", "fillStyle", "strokeStyle", "roundness", "link", "fileId",
                                 "fontSize", "fontFamily", "textAlign", "opacity", "endArrowhead", "name")},
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_element, max_size=6), _json)
def test_any_drawing_renders_safely(elements: list, state: object) -> None:
    svg = drawing_svg({"elements": elements, "appState": state},
                      DrawingLinks(lambda _i: "/img.png", lambda _l: "/note/"))
    if svg is None:
        return
    assert svg.startswith("<svg ") and svg.endswith("</svg>")
    assert "<script" not in svg.lower() and "javascript:" not in svg.lower()
    assert not re.search(r"\son\w+=", svg)
    assert "nan" not in re.sub(r">[^<]*<", "><", svg).lower()  # no NaN/inf in attributes
