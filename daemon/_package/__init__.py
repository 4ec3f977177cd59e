"""gardend: an always-running backend for an Obsidian vault (index, Dataview queries, preview
server and Digital Garden publishing).

This top-level package is deliberately tiny. The repository keeps its code in ``daemon/``,
``renderers/`` and ``migrations/`` at the top level, and the distribution installs them as
``gardend.daemon``, ``gardend.renderers`` and ``gardend.migrations`` (see ``package-dir`` in
pyproject.toml); this folder, ``daemon/_package/``, becomes ``gardend`` itself so that
``import gardend``, ``gardend.__version__`` and ``python -m gardend`` work. It imports nothing
heavy: the command line and the server load only when used.
"""

from __future__ import annotations

from gardend.daemon import __version__

__all__ = ["__version__"]
