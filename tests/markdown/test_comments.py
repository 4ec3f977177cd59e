"""``%%comments%%`` are never rendered (obsidian.md §6.3)."""

from __future__ import annotations

from .helpers import render


def test_inline_comment_removed() -> None:
    assert render("a %%hidden [[Secret]] #tag%% b") == "<p>a  b</p>\n"


def test_block_comment_spanning_paragraphs() -> None:
    html = render("before\n\n%%\nsecret\n\nstill secret\n%%\n\nafter")
    assert "secret" not in html and "before" in html and "after" in html


def test_unclosed_comment_hides_rest() -> None:
    html = render("visible\n\n%% open\n\nnever\n\n# shown?")
    assert html == "<p>visible</p>\n"


def test_unclosed_inline_comment_hides_rest_of_paragraph() -> None:
    assert render("a %% b\nc\n\nnext") == "<p>a </p>\n<p>next</p>\n"
