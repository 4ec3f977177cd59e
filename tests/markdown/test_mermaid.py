"""Mermaid blocks (obsidian.md §6.7)."""

from __future__ import annotations

from .helpers import render


def test_mermaid() -> None:
    assert render("```mermaid\ngraph TD; A-->B<script>\n```") == (
        '<pre class="mermaid">graph TD; A--&gt;B&lt;script&gt;\n</pre>\n'
    )
