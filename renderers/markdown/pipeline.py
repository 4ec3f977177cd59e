"""The markdown-it pipeline: CommonMark + GFM pieces + one plugin per Obsidian feature."""

from __future__ import annotations

from functools import lru_cache

from markdown_it import MarkdownIt
from mdit_py_plugins.gfm_autolink import gfm_autolink_plugin

from ._state import ENV_KEY, Fragment, PageState
from .block_ids import block_ids_plugin
from .callouts import callouts_plugin
from .code import code_plugin
from .comments import comments_plugin
from .embeds import embeds_plugin
from .footnotes import footnotes_plugin
from .headings import headings_plugin
from .highlights import highlights_plugin
from .math import math_plugin
from .mermaid import mermaid_plugin
from .queries import code_block_queries_plugin, queries_plugin
from .sanitize import sanitize_plugin
from .tags import tags_plugin
from .tasks import tasks_plugin
from .wikilinks import wikilinks_plugin

__all__ = ["parser", "render_fragment"]

#: Block/inline nesting cap: deeper quotes/lists/emphasis render as text instead of recursing
#: (a vault note with 10 000 ``>`` must not exhaust the Python stack).
MAX_NESTING = 40


@lru_cache(maxsize=2)
def parser(strict_line_breaks: bool) -> MarkdownIt:
    """The configured parser; ``strictLineBreaks`` off (Obsidian's default) means ``breaks``."""
    md = MarkdownIt(
        "commonmark",
        {
            "breaks": not strict_line_breaks,
            "html": True,
            "xhtmlOut": False,
            "maxNesting": MAX_NESTING,
        },
    )
    md.enable(["table", "strikethrough"])
    # Obsidian (and GFM) render ``~~x~~`` as ``<del>``; markdown-it's token tag is ``s``.
    md.add_render_rule("s_open", lambda self, tokens, idx, options, env: "<del>")
    md.add_render_rule("s_close", lambda self, tokens, idx, options, env: "</del>")
    comments_plugin(md)
    math_plugin(md)
    wikilinks_plugin(md)
    embeds_plugin(md)
    highlights_plugin(md)
    tags_plugin(md)
    footnotes_plugin(md)
    callouts_plugin(md)
    tasks_plugin(md)
    block_ids_plugin(md)
    headings_plugin(md)
    code_plugin(md)
    code_block_queries_plugin(md)  # before the plugins that own a language (mermaid, dataview)
    mermaid_plugin(md)
    queries_plugin(md)
    sanitize_plugin(md)
    gfm_autolink_plugin(md)
    return md


def render_fragment(page: PageState, text: str, path: str, depth: int) -> str:
    """Render ``text`` (the note at ``path``, or a section of it) as part of ``page``."""
    frag = Fragment(page=page, path=path, depth=depth, uid=page.next_uid())
    return parser(page.ctx.strict_line_breaks).render(text, {ENV_KEY: frag})
