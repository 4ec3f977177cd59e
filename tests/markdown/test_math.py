"""Math markup (obsidian.md §6.6)."""

from __future__ import annotations

from .helpers import render


def test_math() -> None:
    assert render("$e^{i\\pi}<1$") == (
        '<p><span class="math math-inline">e^{i\\pi}&lt;1</span></p>\n'
    )
    assert "math" not in render("$5 and $6")
    assert "math" not in render("$ x$")
    assert render("$$\na<b\n$$") == '<div class="math math-block">a&lt;b</div>\n'
    assert '<div class="math math-block">x</div>' in render("inline $$x$$ display")
