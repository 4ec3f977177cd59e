"""Block ids ``^id`` (obsidian.md §3.6)."""

from __future__ import annotations

from .helpers import render


def test_block_id_paragraph_and_list_item() -> None:
    assert render("text ^abc") == '<p id="^abc">text</p>\n'
    html = render("- one ^i1\n- two")
    assert '<li id="^i1">one</li>' in html
    assert "^i1" not in html.replace('id="^i1"', "")


def test_block_id_on_next_line_and_standalone() -> None:
    assert render("line\n^abc") == '<p id="^abc">line</p>\n'
    html = render("> quote\n\n^q1\n")
    assert html == '<blockquote id="^q1">\n<p>quote</p>\n</blockquote>\n'


def test_block_id_glued_is_text() -> None:
    assert render("text^abc") == "<p>text^abc</p>\n"


def test_block_id_in_blockquote_goes_to_quote() -> None:
    assert render("> a ^z9").startswith('<blockquote id="^z9">')
