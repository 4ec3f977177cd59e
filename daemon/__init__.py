"""gardend.daemon — the backend: config, vault discovery, scanner, index, watcher, query engine, CLI."""

from __future__ import annotations

__version__ = "0.1.0"
