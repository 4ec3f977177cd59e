"""Footnote subpaths ``#[^label]`` (obsidian.md §3.5, §4.3, §6.5): ``![[Note#[^1]]]`` embeds
the footnote's text without its ``[^1]:`` marker and with the continuation indentation removed;
``[[Note#[^1]]]`` links to the footnote's element; a footnote that is not there falls through to
heading matching."""

from __future__ import annotations

from gardend.renderers.markdown import subpath_fragment
from gardend.renderers.markdown.pipeline import parser
from gardend.renderers.markdown.sections import extract_section, footnote_label
from gardend.renderers.markdown.wikilinks import parse_wikilink

from .helpers import render, render_note

SOURCE = """---
title: Sources
---
A claim[^1] and a named one[^note], inline ^[not linkable].

[^note]: The named footnote.
[^1]: First line of the footnote.
    Continued with *four spaces*.
\tContinued with a tab.

    A second paragraph of it.

[^unref]: Defined but never referenced.

# 7
Heading seven text.

```
[^code]: not a footnote, only code
```
"""
FILES = {"Sources.md": SOURCE}
LINK_ICON_START = '<a class="markdown-embed-link"'


def _embedded(html: str) -> str:
    """The embedded content of the single embed in ``html``."""
    inner = html.split('<div class="markdown-preview-sizer markdown-preview-section">', 1)[1]
    return inner.split("</div></div>" + LINK_ICON_START, 1)[0]


def _section(subpath: str) -> str | None:
    body = SOURCE.split("---\n", 2)[2]
    return extract_section(parser(False), body, subpath)


def test_footnote_label() -> None:
    assert footnote_label("[^1]") == "1"
    assert footnote_label("[^note]") == "note"
    assert footnote_label("[^1") == "1"  # as "first ]] closes" leaves it in the index
    assert footnote_label("[^]") is None
    assert footnote_label("^1") is None
    assert footnote_label("Heading") is None


def test_extract_footnote_text() -> None:
    assert _section("#[^1]") == (
        "First line of the footnote.\n"
        "Continued with *four spaces*.\n"
        "Continued with a tab.\n"
        "\n"
        "A second paragraph of it."
    )
    assert _section("#[^note]") == "The named footnote."
    # Unreferenced definitions are not listed in the note, but they are there to embed.
    assert _section("#[^unref]") == "Defined but never referenced."


def test_missing_footnote_falls_through_to_headings() -> None:
    # No footnote "7": the part is tried as a heading (stripHeading("[^7]") == "7").
    assert _section("#[^7]") == "# 7\nHeading seven text.\n\n```\n[^code]: not a footnote, only code\n```\n"
    assert _section("#[^code]") is None  # in a code block: not a footnote, and no such heading
    assert _section("#[^nothing]") is None
    # Only a single part is a footnote: "#[^1]#x" is a heading chain.
    assert _section("#[^1]#x") is None


def test_footnote_embed_golden() -> None:
    html = render("![[Sources#[^note]]]", FILES)
    assert html.startswith(
        '<span class="internal-embed markdown-embed inline-embed is-loaded" src="Sources#[^note]"'
        ' alt="Sources &gt; [^note]"><div class="markdown-embed-title"></div>'
    )
    assert _embedded(html) == "<p>The named footnote.</p>\n"
    assert '<a class="markdown-embed-link" href="/Sources.md#[^note]" aria-label="Open link">' in html


def test_footnote_embed_with_continuation_lines() -> None:
    result = render_note("See:\n\n![[Sources#[^1]]]\n", FILES)
    assert _embedded(result.html) == (
        "<p>First line of the footnote.<br>\n"
        "Continued with <em>four spaces</em>.<br>\n"
        "Continued with a tab.</p>\n"
        "<p>A second paragraph of it.</p>\n"
    )
    assert "[^1]:" not in result.html and "footnotes" not in result.html
    assert result.dependencies == ["Sources.md"]


def test_footnote_embed_of_missing_footnote_is_empty() -> None:
    assert _embedded(render("![[Sources#[^nothing]]]", FILES)) == ""


def test_same_note_footnote_embed() -> None:
    html = render("Claim[^a].\n\n![[#[^a]]]\n\n[^a]: The note's own footnote.\n")
    assert _embedded(html) == "<p>The note's own footnote.</p>\n"
    assert '<li data-footnote-id="fn-1" id="fn-1"><p>The note\'s own footnote.' in html


def test_parse_footnote_link_takes_the_third_bracket() -> None:
    link = parse_wikilink("[[Sources#[^1]]] after", 0)
    assert link is not None and link.linktext == "Sources#[^1]" and link.end == len("[[Sources#[^1]]]")
    embed = parse_wikilink("![[#[^note]]]", 0)
    assert embed is not None and embed.embed and embed.linktext == "#[^note]"
    # Only for an open footnote part: other links still close at the first "]]".
    plain = parse_wikilink("[[Sources]]]", 0)
    assert plain is not None and plain.linktext == "Sources" and plain.end == len("[[Sources]]")
    aliased = parse_wikilink("[[Sources#[^1]|see]]]", 0)
    assert aliased is not None and aliased.linktext == "Sources#[^1]" and aliased.display == "see"
    assert aliased.end == len("[[Sources#[^1]|see]]")
    shown = parse_wikilink("[[Sources|x #[^1]]]", 0)  # in the display part: no exception
    assert shown is not None and shown.display == "x #[^1"


def test_footnote_link_golden() -> None:
    assert render("[[Sources#[^1]]]", FILES) == (
        '<p><a data-tooltip-position="top" aria-label="Sources &gt; [^1]" data-href="Sources#[^1]"'
        ' href="/Sources.md#[^1]" class="internal-link" target="_blank" rel="noopener nofollow">'
        "Sources &gt; [^1]</a></p>\n"
    )
    assert render("[[Sources#[^1]|the source]]", FILES).count(">the source</a>") == 1


def test_rendered_note_lists_footnote_ids_by_label() -> None:
    result = render_note(SOURCE)
    # Numbered by first reference; the inline footnote takes number 3 but has no label.
    assert result.footnotes == {"1": "fn-1", "note": "fn-2"}
    assert '<li data-footnote-id="fn-2" id="fn-2"><p>The named footnote.' in result.html
    # An embedded note's footnotes are not the page's own.
    assert render_note("![[Sources]]", FILES).footnotes == {}


def test_subpath_fragment_for_footnotes() -> None:
    result = render_note(SOURCE)
    ids = result.footnotes
    assert subpath_fragment("#[^note]", result.headings, ids) == "#fn-2"
    assert subpath_fragment("#[^1", result.headings, ids) == "#fn-1"
    # Not listed in the rendered note (unreferenced or absent): tried as a heading.
    assert subpath_fragment("#[^7]", result.headings, ids) == "#7"
    # Before the target was rendered: a numeric label is its number when referenced in order.
    assert subpath_fragment("#[^3]") == "#fn-3"
    assert subpath_fragment("#^blk", result.headings, ids) == "#^blk"
