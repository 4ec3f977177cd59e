"""CommonMark/GFM core: tables, strikethrough, line breaks (obsidian.md §6.9, §6.13)."""

from __future__ import annotations

from .helpers import render


def test_table_and_strikethrough() -> None:
    html = render("| a | b |\n|:--|--:|\n| ~~x~~ | 2 |")
    assert "<del>x</del>" in html and 'style="text-align:left"' in html


def test_line_breaks_setting() -> None:
    assert render("a\nb") == "<p>a<br>\nb</p>\n"
    assert render("a\nb", strict=True) == "<p>a\nb</p>\n"


def test_linkify_bare_urls_and_emails() -> None:
    html = render("see https://example.com/a. and www.example.org or me@example.com")
    assert '<a href="https://example.com/a" class="external-link" target="_blank"' in html
    assert 'href="http://www.example.org"' in html and 'href="mailto:me@example.com"' in html


def test_no_xhtml_and_raw_newlines() -> None:
    assert render("a  \nb\n\n---") == "<p>a<br>\nb</p>\n<hr>\n"
