"""Math markup (obsidian.md §6.6): Obsidian's wrappers with MathML rendered on the server."""

from __future__ import annotations

from gardend.renderers.markdown.math import MAX_TEX_LENGTH

from .helpers import render


def test_inline_and_block_math_become_mathml() -> None:
    html = render("$e^{i\\pi}<1$")
    assert html.startswith('<p><span class="math math-inline" data-tex="e^{i\\pi}&lt;1"><math ')
    assert "<msup><mi>e</mi>" in html and "<mo>&lt;</mo>" in html
    block = render("$$\n\\frac{a}{b}\n$$")
    assert block.startswith('<div class="math math-block" data-tex="\\frac{a}{b}"><math ')
    assert 'display="block"' in block and "<mfrac>" in block
    assert 'class="math math-block"' in render("inline $$x$$ display")


def test_dollar_rules() -> None:
    assert "math" not in render("$5 and $6")
    assert "math" not in render("$ x$")


def test_hostile_tex_is_cleaned() -> None:
    html = render("$\\text{<script>alert(1)</script>}$ and $\\href{javascript:alert(1)}{x}$")
    assert "<script" not in html
    assert "href=" not in html


def test_unconvertible_or_huge_tex_is_shown_as_source() -> None:
    html = render("$" + "x" * (MAX_TEX_LENGTH + 1) + "$")
    assert 'class="math math-inline math-source"' in html and "<math" not in html
