from __future__ import annotations

from dataclasses import replace

import pytest
from gardend.renderers.markdown import render_markdown

from .helpers import render_note, vault_context


def _query(kind: str, source: str, this: str) -> object:
    if kind == "dataview":
        return (f'<div class="dv">{kind}:{this}</div>', ["A.md", "B.md"])
    return f"<span>{source}</span>"


def test_dataview_block_and_inline_go_to_host() -> None:
    result = render_note("```dataview\nLIST\n```\n\nvalue: `= this.x`", query=_query)
    assert '<div class="dv">dataview:Note.md</div>' in result.html
    assert "<span>this.x</span>" in result.html
    assert result.dependencies == ["A.md", "B.md"]


def _render(text: str, **settings: object) -> str:
    """``text`` rendered with Dataview's settings changed as given (RenderContext fields)."""
    ctx = replace(vault_context({"Note.md": text}, query=_query), **settings)  # type: ignore[arg-type]
    return render_markdown(text, ctx, path="Note.md").html


JS_NOTE = "```dataviewjs\ndv.page('Secret')\n```\n\n`$= dv.page('Secret2')`"


def test_dataviewjs_not_supported_and_names_nothing() -> None:
    html = _render(JS_NOTE, dataviewjs_enabled=True, inline_dataviewjs_enabled=True)
    assert html.count("DataviewJS is not supported here.") == 2
    assert "Secret" not in html and "gardend-notice" in html


# -- enableDataviewJs / enableInlineDataviewJs (obsidian-dataview src/ui/views/js-view.ts) -------


def test_dataviewjs_disabled_shows_dataviews_error_as_obsidian_does() -> None:
    html = _render(JS_NOTE)  # Dataview's defaults: both switches off
    assert html == (
        '<div class="block-language-dataviewjs" style="overflow-x: auto;"><pre class="dataview dataview-error">'
        "Dataview JS queries are disabled. You can enable them in the Dataview settings.</pre></div>\n"
        "<p><span>(disabled; enable in settings)</span></p>\n"
    )
    assert "Secret" not in html


def test_dataviewjs_disabled_bare_as_published() -> None:
    html = _render("```dataviewjs\nx\n```", query_container="div")
    assert html == (
        '<pre class="dataview dataview-error">'
        "Dataview JS queries are disabled. You can enable them in the Dataview settings.</pre>\n"
    )


@pytest.mark.parametrize(("blocks", "inline"), [(False, True), (True, False)])
def test_inline_js_needs_both_switches(blocks: bool, inline: bool) -> None:
    html = _render("`$= dv.current()`", dataviewjs_enabled=blocks, inline_dataviewjs_enabled=inline)
    assert html == "<p><span>(disabled; enable in settings)</span></p>\n"


def test_inline_js_is_plain_code_when_inline_queries_are_off() -> None:
    html = _render("`$= dv.current()` `= this.x`", inline_queries=False)
    assert html == "<p><code>$= dv.current()</code> <code>= this.x</code></p>\n"


def test_empty_queries_stay_code() -> None:
    # Dataview skips a prefix with nothing after it, and never retries a JS prefix as DQL.
    html = _render("`$=` `=` `$= ` `= `", inline_query_prefix="$")
    assert "<span" not in html and html.count("<code>") == 4


def test_surrounding_spaces_are_trimmed_as_dataview_does() -> None:
    assert "<span>this.x</span>" in _render("`  = this.x`")


# -- inlineQueriesInCodeblocks (obsidian-dataview src/main.ts dataviewInline) --------------------


@pytest.mark.parametrize("block", ["```\n= this.x\n```", "```python\n= this.x\n```", "~~~\n\n  = this.x\n~~~",
                                   "    = this.x"])
def test_inline_query_in_code_block(block: str) -> None:
    html = _render(block)
    assert "<span>this.x</span></pre>" in html and "<code" not in html
    assert html.startswith('<pre class="language-python">' if "python" in block else "<pre>")
    off = _render(block, inline_queries_in_codeblocks=False)
    assert "<span>this.x</span>" not in off and "<code" in off


def test_code_block_queries_respect_the_other_switches() -> None:
    assert "<span>" not in _render("```\n= this.x\n```", inline_queries=False)
    assert _render("```\n$= dv.x\n```") == "<pre><span>(disabled; enable in settings)</span></pre>\n"
    assert "<span>" not in _render("```\nx = 1\n```")


def test_code_block_query_languages_owned_elsewhere_are_untouched() -> None:
    assert _render("```mermaid\n= A\n```") == '<pre class="mermaid">= A\n</pre>\n'
    assert '<div class="dv">dataview:Note.md</div>' in _render("```dataview\n= x\n```")


def test_code_block_query_error_goes_after_the_code() -> None:
    def failing(kind: str, source: str, this: str) -> str:
        return '<div><pre class="dataview dataview-error">bad</pre></div>'

    ctx = vault_context({"Note.md": ""}, query=failing)
    html = render_markdown("```\n= nope(\n```", ctx, path="Note.md").html
    assert html == '<pre><code>= nope(\n</code></pre>\n<div><pre class="dataview dataview-error">bad</pre></div>\n'


def test_plain_code_untouched() -> None:
    assert "<code>x = 1</code>" in render_note("`x = 1`", query=_query).html


def test_failing_query_is_contained() -> None:
    def boom(kind: str, source: str, this: str) -> str:
        raise RuntimeError("Secret.md exploded")

    html = render_note("```dataview\nLIST\n```\n\n`= x`", query=boom).html
    assert html.count("This query could not be run.") == 2 and "Secret" not in html
