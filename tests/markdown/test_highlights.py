"""``==highlight==`` (obsidian.md §6.2)."""

from __future__ import annotations

from .helpers import render


def test_highlight() -> None:
    assert render("==a *b*==") == "<p><mark>a <em>b</em></mark></p>\n"
    assert "<mark>" not in render("== a==")
    assert "<mark>" not in render("==a ==")
    assert "<mark>" not in render("====")
    assert render("`a==b==`") == "<p><code>a==b==</code></p>\n"
