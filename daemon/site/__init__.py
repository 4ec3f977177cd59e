"""The preview site: every published note at its Digital Garden permalink, plus (preview mode)
every other note under ``/_preview/``, with file tree, backlinks, tags, local graph, search and
live reload.

:mod:`.model` is the index-derived site (URLs, tree, backlinks, tags, graph, search index),
:mod:`.render` the note renderer with the site's link policy, :mod:`.deps` the live-reload
dependency sets, :mod:`.service` page assembly, :mod:`.routes` the HTTP side. Templates live in
``gardend/renderers/templates``, CSS and scripts in ``gardend/renderers/static``.

Browser-side rules, all kept by the server's unchanged Content-Security-Policy
(``script-src 'self'; style-src 'self'``): pages carry no inline script or style of ours, only
``/_static/*.js|css``; everything is escaped by Jinja except the renderer's sanitised note HTML.
``style`` attributes inside notes (a collapsed callout's ``display: none``) are ignored by the
browser under that policy, so the stylesheet does their job with classes
(``.callout.is-collapsed``) rather than loosening ``style-src``. The one exception is a page
with a Mermaid diagram: only such a page loads the shipped Mermaid bundle
(``/_static/mermaid.min.js`` and our ``mermaid-init.js``) and is served with inline styles
allowed, which Mermaid's SVG needs (``DIAGRAM_CONTENT_SECURITY_POLICY`` in
:mod:`gardend.daemon.server.security`; scripts stay ``'self'`` only). Nothing is loaded from
outside: math is shown as its TeX source in monospace (``.math``); a typesetter such as MathJax,
shipped as a static file, is a later addition. Light and dark follow ``prefers-color-scheme``
unless the header's toggle chose one (remembered in ``localStorage``).
"""

from __future__ import annotations

from .deps import PageDeps, page_deps
from .model import Site, SiteNote
from .routes import SITE_KEY, site_setup
from .service import SiteService

__all__ = ["SITE_KEY", "PageDeps", "Site", "SiteNote", "SiteService", "page_deps", "site_setup"]
