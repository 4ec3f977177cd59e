"""Obsidian-flavoured Markdown → HTML, the way Obsidian's Reading view renders it.

``render_markdown(text, ctx, path=…)`` renders one note body; the host supplies a
:class:`RenderContext` (link resolution, note sources for embeds, URLs, publish policy, fileClasses,
Dataview) and gets a :class:`RenderedNote` back.  Each Obsidian feature is one markdown-it plugin
module in this package; :mod:`.pipeline` wires them together.
"""

from __future__ import annotations

from ._state import PageState
from .context import Heading, QueryResult, RenderContext, RenderedNote
from .headings import heading_slug, subpath_fragment
from .pipeline import render_fragment
from .sections import strip_frontmatter

__all__ = [
    "Heading",
    "QueryResult",
    "RenderContext",
    "RenderedNote",
    "heading_slug",
    "render_markdown",
    "subpath_fragment",
]


def render_markdown(text: str, ctx: RenderContext, *, path: str) -> RenderedNote:
    """Render the note at vault path ``path`` whose source is ``text``.

    A leading frontmatter block is skipped (Obsidian never shows it in Reading view), so hosts may
    pass either the whole file or just the body.
    """
    body, _ = strip_frontmatter(text)
    page = PageState(ctx=ctx, render=lambda t, p, d: render_fragment(page, t, p, d))
    # The note itself is on the embed stack: A → B → A stops at the first return to A.
    page.stack.append((path, ""))
    html = render_fragment(page, body, path, 0)
    return RenderedNote(
        html=html,
        dependencies=list(page.dependencies),
        headings=page.headings,
        footnotes=page.footnotes,
        has_mermaid=page.has_mermaid,
    )
