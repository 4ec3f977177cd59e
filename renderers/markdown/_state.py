"""Per-render state shared by the plugins through markdown-it's ``env``.

One *page* render may render several *fragments* (the note itself and every embedded note); they
share the dependency list, the heading-id counter (so ids stay unique on the page) and the embed
stack (for cycle breaking), but each has its own source path and depth.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .context import Heading, RenderContext

ENV_KEY = "gardend"


@dataclass
class PageState:
    """State of one call to ``render_markdown``."""

    ctx: RenderContext
    render: Callable[[str, str, int], str]
    dependencies: dict[str, None] = field(default_factory=dict)
    slugs: dict[str, int] = field(default_factory=dict)
    headings: list[Heading] = field(default_factory=list)
    stack: list[tuple[str, str]] = field(default_factory=list)
    fragments: int = 0
    footnotes: dict[str, str] = field(default_factory=dict)
    has_mermaid: bool = False

    def next_uid(self) -> int:
        """A page-unique number per fragment (keeps footnote ids of embeds apart)."""
        self.fragments += 1
        return self.fragments

    def depend(self, path: str) -> None:
        """Record ``path`` as a dependency (ordered, de-duplicated)."""
        self.dependencies.setdefault(path, None)


@dataclass
class Fragment:
    """One note (or note section) being rendered within a page."""

    page: PageState
    path: str
    depth: int = 0
    uid: int = 0

    @property
    def ctx(self) -> RenderContext:
        return self.page.ctx

    @property
    def top(self) -> bool:
        """True for the page's own note (its headings form the outline)."""
        return self.depth == 0


def fragment(env: Any) -> Fragment | None:
    """The fragment of a render ``env``; ``None`` when parsing outside a render (section
    extraction parses notes without rendering them)."""
    if isinstance(env, dict):
        frag = env.get(ENV_KEY)
        if isinstance(frag, Fragment):
            return frag
    return None
