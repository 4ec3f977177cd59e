"""Heading ids, ``data-heading`` and the outline (obsidian.md §6.11, §7.4)."""

from __future__ import annotations

from gardend.renderers.markdown import heading_slug, subpath_fragment

from .helpers import render_note


def test_heading_ids_and_outline() -> None:
    result = render_note("# Why? (FAQ)\n## Why? (FAQ)\n> # inner\n## Über *x*")
    assert '<h1 data-heading="Why? (FAQ)" dir="auto" id="why-faq">Why? (FAQ)</h1>' in result.html
    assert 'id="why-faq-1"' in result.html and 'id="inner"' in result.html
    assert [h.id for h in result.headings] == ["why-faq", "why-faq-1", "über-x"]
    assert [h.text for h in result.headings][-1] == "Über *x*"
    assert heading_slug("C++ & C#") == "c-c"


def test_subpath_fragment_matches_rendered_ids() -> None:
    result = render_note("# A\n## Dup\n# B\n## Dup\ntext ^blk")
    assert subpath_fragment("#B#Dup", result.headings) == "#dup-1"
    assert subpath_fragment("#dup", result.headings) == "#dup"
    assert subpath_fragment("#^blk") == "#^blk"
    assert subpath_fragment("#Why? (FAQ)") == "#why-faq"
    assert subpath_fragment(None) == ""
