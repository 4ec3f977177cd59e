"""```` ```mermaid ```` blocks → ``<pre class="mermaid">`` with the escaped diagram source
(obsidian.md §6.7), for the Mermaid script shipped with the site to draw client-side.

Rendering one also marks the page (:attr:`RenderedNote.has_mermaid`): the site loads the 3 MB
Mermaid bundle only on pages that have a diagram, and only those pages need the Content-Security-
Policy that lets Mermaid style its SVG.
"""

from __future__ import annotations

from typing import Any

from gardend.renderers.dataview import escape_text
from markdown_it import MarkdownIt
from markdown_it.token import Token

from ._state import fragment
from .code import fence_language

__all__ = ["mermaid_plugin"]


def mermaid_plugin(md: MarkdownIt) -> None:
    """Wrap the current ``fence`` renderer: mermaid fences are ours, others pass through."""
    previous = md.renderer.rules["fence"]

    def fence(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
        tok = tokens[idx]
        if fence_language(tok.info).lower() == "mermaid":
            frag = fragment(env)
            if frag is not None:
                frag.page.has_mermaid = True
            return f'<pre class="mermaid">{escape_text(tok.content)}</pre>\n'
        return previous(tokens, idx, options, env)

    md.add_render_rule("fence", fence)
