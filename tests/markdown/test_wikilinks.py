from __future__ import annotations

import re

from gardend.renderers.dataview import FileClass
from gardend.renderers.markdown.wikilinks import parse_wikilink

from .helpers import render

FILES = {"Target.md": "# Sec\n", "Folder/Other Note.md": "x", "pic.png": ""}


def test_parse_rules() -> None:
    assert parse_wikilink("[[a|b|c]]", 0).display == "b|c"  # type: ignore[union-attr]
    assert parse_wikilink("[[|x]]", 0).linktext == "|x"  # type: ignore[union-attr]
    assert parse_wikilink("[[a [[b]]", 0) is None
    assert parse_wikilink("[[a\nb]]", 0) is None
    assert parse_wikilink("[[ a\\|b ]]", 0).linktext == "a"  # type: ignore[union-attr]
    assert parse_wikilink("[[Caf\u0065\u0301]]", 0).linktext == "Caf\u00e9"  # type: ignore[union-attr]


def test_resolved_link_golden() -> None:
    assert render("[[Target]]", FILES) == (
        '<p><a data-href="Target" href="/Target.md" class="internal-link" target="_blank" '
        'rel="noopener nofollow">Target</a></p>\n'
    )


def test_heading_link_display_and_alias() -> None:
    html = render("[[Target#Sec]] [[Target#Sec|see]]", FILES)
    assert ">Target &gt; Sec</a>" in html
    assert 'aria-label="Target &gt; Sec" data-href="Target#Sec" href="/Target.md#Sec"' in html
    assert ">see</a>" in html


def test_same_note_heading_and_block() -> None:
    html = render("[[#Intro]] [[#^abc]]", FILES)
    assert 'data-href="#Intro" href="/Note.md#Intro"' in html
    assert ">Intro</a>" in html and ">^abc</a>" in html


def test_unresolved() -> None:
    html = render("[[Nowhere]]", FILES)
    assert 'class="internal-link is-unresolved"' in html and 'href="Nowhere"' in html


def test_table_escaped_pipe() -> None:
    html = render("| a |\n|---|\n| [[Target\\|shown]] |", FILES)
    assert ">shown</a></td>" in html and 'data-href="Target"' in html


def test_markdown_link_to_note_with_percent20() -> None:
    html = render("[x](Folder/Other%20Note.md) [y](<Folder/Other Note.md#Part>)", FILES)
    assert 'data-href="Folder/Other Note.md" href="/Folder/Other Note.md"' in html
    assert 'href="/Folder/Other Note.md#Part"' in html and ">y</a>" in html


def test_external_link_markup() -> None:
    html = render("[ex](https://example.com/p) <https://a.org>", FILES)
    assert (
        '<a aria-label="https://example.com/p" data-tooltip-position="top" '
        'href="https://example.com/p" class="external-link" target="_blank" '
        'rel="noopener nofollow">ex</a>'
    ) in html
    assert '<a href="https://a.org" class="external-link"' in html


def test_published_view_unpublished_target_is_unresolved() -> None:
    html = render("[[Target]]", FILES, published=lambda p: p != "Target.md", published_view=True)
    assert "is-unresolved" in html and "/Target.md" not in html


def test_fileclass_decoration() -> None:
    html = render("[[Target]]", FILES, fileclasses={"Target.md": FileClass("Book")})
    assert 'fileclass-name="Book">Target</a><a class="metadata-menu fileclass-icon"><svg' in html


def test_not_in_code() -> None:
    assert "internal-link" not in render("`[[Target]]`\n\n    [[Target]]", FILES)


def test_published_view_hides_unpublished_names() -> None:
    html = render(
        "[[Target|a project]] [[Ghost]] [y](Target.md)",
        FILES,
        published=lambda p: p != "Target.md",
        published_view=True,
    )
    assert "Target" not in html and "Ghost</a>" in html and "a project</a>" in html
    assert html.count('class="internal-link is-unresolved"') == 3


def test_no_nested_anchors_in_markdown_link_text() -> None:
    assert render("[see #tag](https://e.org)", FILES).count("<a ") == 1
    for source in ("[see [[Target]] #tag](https://e.org)", "[a [[Target]]](Target.md)"):
        depth = 0
        for m in re.finditer(r"<(/?)a[ >]", render(source, FILES)):
            depth += -1 if m.group(1) else 1
            assert depth <= 1


def test_published_view_markdown_link_to_unpublished_note_keeps_its_text() -> None:
    from gardend.renderers.markdown import RenderContext, render_markdown

    ctx = RenderContext(
        resolve=lambda linkpath, source: "Private/Secret.md" if "Secret" in linkpath else None,
        is_published=lambda path: False,
        published_view=True,
    )
    html = render_markdown("See [my notes](Private/Secret.md) and [[Private/Secret#Plans]].", ctx, path="Pub.md").html
    assert ">my notes</a>" in html and ">Secret</a>" in html
    assert "Private/" not in html and "Plans" not in html
