from __future__ import annotations

import pytest
from gardend.renderers.markdown.callout_icons import icon_svg
from gardend.renderers.markdown.callouts import ALIASES, ICONS, default_title

from .helpers import render


def test_golden_simple_callout() -> None:
    assert render("> [!note]\n> Body") == (
        '<div data-callout-metadata="" data-callout-fold="" data-callout="note" class="callout">\n'
        f'<div class="callout-title"><div class="callout-icon">{icon_svg("pencil")}</div>'
        '<div class="callout-title-inner">Note</div></div>\n'
        '<div class="callout-content">\n<p>Body</p>\n</div>\n</div>\n'
    )


def test_collapsed_with_markdown_title() -> None:
    html = render("> [!FAQ]- Are **callouts** [[X]]?\n> Yes")
    assert (
        'data-callout-fold="-" data-callout="faq" class="callout is-collapsible is-collapsed"'
        in html
    )
    assert "<strong>callouts</strong>" in html and "internal-link" in html
    assert '<div class="callout-fold is-collapsed">' in html
    assert '<div class="callout-content" style="display: none;">' in html
    assert "lucide-help-circle" in html


def test_expanded_fold_and_title_only() -> None:
    html = render("> [!tip]+ Title only")
    assert 'class="callout is-collapsible"' in html and "callout-content" not in html
    assert '<div class="callout-fold">' in html


@pytest.mark.parametrize("alias", sorted(ALIASES))
def test_aliases_keep_name_and_get_icon(alias: str) -> None:
    html = render(f"> [!{alias}]\n> x")
    assert f'data-callout="{alias}"' in html
    assert f">{default_title(alias)}</div>" in html
    assert f"lucide-{ICONS[ALIASES[alias]]}" in html


@pytest.mark.parametrize("ctype", sorted(ICONS))
def test_every_type_has_an_icon(ctype: str) -> None:
    assert icon_svg(ICONS[ctype]).startswith("<svg")
    assert f"lucide-{ICONS[ctype]}" in render(f"> [!{ctype}]\n> x")


def test_unknown_type_and_default_title() -> None:
    html = render("> [!my-type]\n> x")
    assert 'data-callout="my-type"' in html and ">My type</div>" in html
    assert "lucide-pencil" in html
    assert default_title("FAQ") == "Faq"


def test_metadata_and_nesting() -> None:
    html = render("> [!question|wide] Outer\n> > [!todo] Inner\n> > body")
    assert 'data-callout-metadata="wide"' in html
    assert html.count('class="callout"') == 2 and 'data-callout="todo"' in html


def test_plain_blockquote_untouched() -> None:
    assert render("> quote") == "<blockquote>\n<p>quote</p>\n</blockquote>\n"


def test_type_is_escaped() -> None:
    html = render('> [!x"onmouseover=alert(1)]\n> y')
    assert " onmouseover=" not in html and 'data-callout="x&quot;onmouseover=alert(1)"' in html
