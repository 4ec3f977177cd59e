"""Footnotes (obsidian.md §6.5)."""

from __future__ import annotations

from .helpers import render


def test_footnotes_obsidian_markup() -> None:
    html = render("a[^n] b[^n] c^[inline]\n\n[^n]: Note.")
    assert (
        '<sup class="footnote-ref" data-footnote-id="fnref-1" id="fnref-1">'
        '<a class="footnote-link" href="#fn-1" data-footref="n">[1]</a></sup>'
    ) in html
    assert "[1-1]</a>" in html and "[2]</a>" in html
    assert '<section class="footnotes"><hr><ol>' in html
    assert '<li data-footnote-id="fn-1" id="fn-1">' in html and 'href="#fnref-1-1"' in html
