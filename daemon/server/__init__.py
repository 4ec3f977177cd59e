"""gardend's HTTP server: the JSON API, event stream and (later) preview pages.

See :mod:`.app` for the application, :mod:`.security` for the defences, :mod:`.state` for the
threading model, and :mod:`gardend.daemon.serve` for running it together with the watcher.
"""

from __future__ import annotations

from .app import create_app
from .events import EventHub
from .paths import UnsafePathError, safe_vault_path
from .state import PageRenderer, ReadContext, ServerState

__all__ = [
    "EventHub",
    "PageRenderer",
    "ReadContext",
    "ServerState",
    "UnsafePathError",
    "create_app",
    "safe_vault_path",
]
