from __future__ import annotations

from .helpers import render_note


def _query(kind: str, source: str, this: str) -> object:
    if kind == "dataview":
        return (f'<div class="dv">{kind}:{this}</div>', ["A.md", "B.md"])
    return f"<span>{source}</span>"


def test_dataview_block_and_inline_go_to_host() -> None:
    result = render_note("```dataview\nLIST\n```\n\nvalue: `= this.x`", query=_query)
    assert '<div class="dv">dataview:Note.md</div>' in result.html
    assert "<span>this.x</span>" in result.html
    assert result.dependencies == ["A.md", "B.md"]


def test_dataviewjs_not_supported_and_names_nothing() -> None:
    result = render_note(
        "```dataviewjs\ndv.page('Secret')\n```\n\n`$= dv.page('Secret2')`", query=_query
    )
    assert result.html.count("DataviewJS is not supported here.") == 2
    assert "Secret" not in result.html and "gardend-notice" in result.html


def test_plain_code_untouched() -> None:
    assert "<code>x = 1</code>" in render_note("`x = 1`", query=_query).html


def test_failing_query_is_contained() -> None:
    def boom(kind: str, source: str, this: str) -> str:
        raise RuntimeError("Secret.md exploded")

    html = render_note("```dataview\nLIST\n```\n\n`= x`", query=boom).html
    assert html.count("This query could not be run.") == 2 and "Secret" not in html
