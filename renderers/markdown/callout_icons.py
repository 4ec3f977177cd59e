"""Lucide shapes for callout icons, the fold chevron and the embed link button.

Obsidian's default theme gives each callout type a Lucide icon (obsidian.md §6.1).  The shapes are
Lucide's (ISC licence, see ``renderers/static/LICENSE-lucide.txt``), written with explicit closing
tags the way Obsidian's ``setIcon()`` serialises them.  Lucide has renamed some of these icons
(``check-circle-2`` → ``circle-check``, ``help-circle`` → ``circle-help``, ``alert-triangle`` →
``triangle-alert``); Obsidian's CSS still uses the old ids, so the old ids are the keys here and in
the ``lucide-<id>`` class.
"""

from __future__ import annotations

from gardend.renderers.icons import LUCIDE_ICONS, lucide_svg

__all__ = ["CALLOUT_ICONS", "icon_svg"]

#: Lucide id -> SVG children.
CALLOUT_ICONS: dict[str, str] = {
    "pencil": (
        '<line x1="18" y1="2" x2="22" y2="6"></line>'
        '<path d="M7.5 20.5 19 9l-4-4L3.5 16.5 2 22z"></path>'
    ),
    "clipboard-list": (
        '<rect x="8" y="2" width="8" height="4" rx="1" ry="1"></rect>'
        '<path d="M16 4h2a2 2 0 0 1 2 2v14a2 2 0 0 1-2 2H6a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2h2"></path>'
        '<path d="M12 11h4"></path><path d="M12 16h4"></path>'
        '<path d="M8 11h.01"></path><path d="M8 16h.01"></path>'
    ),
    "info": (
        '<circle cx="12" cy="12" r="10"></circle><path d="M12 8h.01"></path>'
        '<path d="M12 16v-4"></path>'
    ),
    "check-circle-2": (
        '<path d="M12 22c5.523 0 10-4.477 10-10S17.523 2 12 2 2 6.477 2 12s4.477 10 10 10z"></path>'
        '<path d="M9 12l2 2 4-4"></path>'
    ),
    "flame": (
        '<path d="M12 3q1 4 4 6.5t3 5.5a1 1 0 0 1-14 0 5 5 0 0 1 1-3 1 1 0 0 0 5 0c0-2-1.5-3-1.5-5'
        'q0-2 2.5-4"></path>'
    ),
    "check": '<path d="M20 6 9 17l-5-5"></path>',
    "help-circle": (
        '<circle cx="12" cy="12" r="10"></circle>'
        '<path d="M9.1 9a3 3 0 0 1 5.82 1c0 2-3 3-3.02 3"></path><path d="M12 17h.01"></path>'
    ),
    "alert-triangle": (
        '<path d="m21.73 18-8-14a2 2 0 0 0-3.48 0l-8 14A2 2 0 0 0 4 21h16a2 2 0 0 0 1.73-3Z"></path>'
        '<line x1="12" y1="9" x2="12" y2="13"></line>'
        '<line x1="12" y1="17" x2="12.01" y2="17"></line>'
    ),
    "x": ('<line x1="18" x2="6" y1="6" y2="18"></line><line x1="6" x2="18" y1="6" y2="18"></line>'),
    "zap": (
        '<path d="M13.926 2.377c.952-.946 2.523.07 2.05 1.327L13.603 10h5.143c1.116 0 1.672 1.35.88 '
        "2.137l-9.552 9.486c-.953.946-2.524-.07-2.05-1.327L10.394 14H5.253c-1.116 "
        '0-1.673-1.35-.881-2.137z"></path>'
    ),
    "bug": (
        '<rect width="8" height="14" x="8" y="6" rx="4"></rect>'
        '<path d="m19 7-3 2"></path><path d="m5 7 3 2"></path>'
        '<path d="m19 19-3-2"></path><path d="m5 19 3-2"></path>'
        '<path d="M20 13h-4"></path><path d="M4 13h4"></path>'
        '<path d="m10 4 1 2"></path><path d="m14 4-1 2"></path>'
    ),
    "list": (
        '<path d="M3 6h.01"></path><path d="M8 6h13"></path>'
        '<path d="M3 12h.01"></path><path d="M8 12h13"></path>'
        '<path d="M3 18h.01"></path><path d="M8 18h13"></path>'
    ),
    "quote": (
        '<path d="M16 3a2 2 0 0 0-2 1.972V11a2 2 0 0 0 2 2 1 1 0 0 1 1 1v1a2 2 0 0 1-2 2 1 1 0 0 0-1 '
        '1.031V20a1 1 0 0 0 1 1c3 0 6-1 6-8V5a2 2 0 0 0-2-2z"></path>'
        '<path d="M5 3a2 2 0 0 0-2 1.972V11a2 2 0 0 0 2 2 1 1 0 0 1 1 1v1a2 2 0 0 1-2 2 1 1 0 0 0-1 '
        '1.03V20a1 1 0 0 0 1 1c3 0 6-1 6-8V5a2 2 0 0 0-2-2z"></path>'
    ),
    "chevron-down": '<path d="m6 9 6 6 6-6"></path>',
    "link": (
        '<path d="M10 13a5 5 0 0 0 7.54.54l2.96-3.04a5 5 0 0 0-7.03-7.03l-1.72 1.71"></path>'
        '<path d="M14 11a5 5 0 0 0-7.54-.54L3.5 13.5a5 5 0 0 0 7.03 7.03l1.71-1.71"></path>'
    ),
}

_SVG_OPEN = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="24" height="24" viewBox="0 0 24 24" '
    'fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" '
    'stroke-linejoin="round" class="svg-icon lucide-{id}">'
)


def icon_svg(icon_id: str) -> str:
    """The ``<svg>`` for ``icon_id`` (our callout set first, then the shared set), or ``""``.

    An unknown id renders nothing, like Obsidian's ``setIcon`` with an id it does not know.
    """
    body = CALLOUT_ICONS.get(icon_id)
    if body is not None:
        return _SVG_OPEN.format(id=icon_id) + body + "</svg>"
    if icon_id in LUCIDE_ICONS:
        return lucide_svg(icon_id) or ""
    return ""
