"""Lucide icon shapes, wrapped the way Obsidian's ``setIcon()`` serialises them.

Metadata Menu decorates links with the icon of the target's fileClass (obsidian.md §8.4); the
markup has to match what Obsidian writes, so the wrapper attributes are fixed here and only the
shapes (the SVG children) vary per icon.  Shapes depend on the Lucide version bundled with Obsidian;
the ones below are those seen in the seed page.  Lucide is ISC-licensed: see
``static/LICENSE-lucide.txt``.  Add icons as vaults need them (keyed by Lucide id).
"""

from __future__ import annotations

__all__ = ["LUCIDE_ICONS", "lucide_svg"]

#: Lucide id -> SVG children, exactly as Obsidian serialises them (explicit closing tags).
LUCIDE_ICONS: dict[str, str] = {
    "package": (
        '<path d="M11 21.73a2 2 0 0 0 2 0l7-4A2 2 0 0 0 21 16V8a2 2 0 0 0-1-1.73l-7-4a2 2 0 0 0-2 0'
        'l-7 4A2 2 0 0 0 3 8v8a2 2 0 0 0 1 1.73z"></path>'
        '<path d="M12 22V12"></path>'
        '<polyline points="3.29 7 12 12 20.71 7"></polyline>'
        '<path d="m7.5 4.27 9 5.15"></path>'
    ),
}

_SVG_OPEN = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="24" height="24" viewBox="0 0 24 24" '
    'fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" '
    'stroke-linejoin="round" class="svg-icon lucide-{id}">'
)


def lucide_svg(icon_id: str) -> str | None:
    """The ``<svg>`` Obsidian renders for ``icon_id``, or ``None`` for an icon we do not ship.

    Obsidian's ``setIcon`` leaves the element empty for an unknown id, so callers should render
    nothing rather than guess a different icon.
    """
    body = LUCIDE_ICONS.get(icon_id)
    if body is None:
        return None
    return _SVG_OPEN.format(id=icon_id) + body + "</svg>"
