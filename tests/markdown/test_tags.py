"""Inline tags (obsidian.md §5.1, §7.3)."""

from __future__ import annotations

from .helpers import render


def test_tags() -> None:
    assert render("#tag") == (
        '<p><a href="#tag" class="tag" target="_blank" rel="noopener nofollow">#tag</a></p>\n'
    )
    html = render("x #a/b-c_d. #1984 #y1984 a#b (#p) #C++ #€uro")
    assert ">#a/b-c_d</a>." in html and ">#y1984</a>" in html and ">#C</a>++" in html
    assert ">#€uro</a>" in html
    assert "#1984</a>" not in html and "#b</a>" not in html and "#p</a>" not in html


def test_tag_in_heading_and_not_in_code() -> None:
    assert 'class="tag"' in render("## Title #tag")
    assert 'class="tag"' not in render("`#tag`")
