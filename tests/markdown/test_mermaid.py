"""Mermaid blocks (obsidian.md §6.7)."""

from __future__ import annotations

from .helpers import render, render_note

DIAGRAM = "```mermaid\ngraph TD; A-->B\n```\n"


def test_mermaid() -> None:
    assert render("```mermaid\ngraph TD; A-->B<script>\n```") == (
        '<pre class="mermaid">graph TD; A--&gt;B&lt;script&gt;\n</pre>\n'
    )


def test_page_is_marked_when_it_has_a_diagram() -> None:
    """The host loads the Mermaid bundle only for marked pages: a diagram of the note itself
    or of an embedded note marks it; code that merely mentions mermaid does not."""
    assert render_note(DIAGRAM).has_mermaid
    assert render_note("~~~ Mermaid\ngraph LR; X-->Y\n~~~\n").has_mermaid
    assert render_note("Intro\n\n![[Chart]]\n", {"Chart.md": DIAGRAM}).has_mermaid
    assert render_note("![[Chart#Part]]\n", {"Chart.md": "# Part\n" + DIAGRAM}).has_mermaid
    assert not render_note("```js\nmermaid.run()\n```\n\n`mermaid` and <pre class=\"x\">x</pre>\n").has_mermaid
    # An embed of a section without the diagram, or of a missing note, brings none.
    assert not render_note("![[Chart#Other]]\n", {"Chart.md": "# Other\ntext\n# Part\n" + DIAGRAM}).has_mermaid
    assert not render_note("![[Missing]]\n").has_mermaid
