"""What the server's handlers share: the read side of the index, the query engine, the token.

Concurrency model (chosen, not accidental):

* The **watcher thread** owns the *writing* :class:`~gardend.daemon.index.Index`. The server never
  writes.
* The server holds **one read-only connection** (``Index(db_path, readonly=True)``) and the one
  :class:`~gardend.daemon.query.engine.QueryEngine` built on it. SQLite in WAL mode lets this
  reader see every committed write without ever blocking the writer.
* All work on that connection runs in a **single worker thread** (:meth:`ServerState.read`), so
  slow queries never stall the event loop (SSE heartbeats, other requests keep flowing), and
  under a :class:`threading.Lock`, because the watcher thread also touches the engine: after each
  batch it calls ``engine.apply_changes`` (page-cache invalidation) under the same lock.

One connection rather than one per request keeps the engine's page cache useful (it is per
engine) and makes the lock the only synchronisation to reason about; a personal vault's server
answers one human, so serialising reads costs nothing noticeable.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeVar

from ..index import Index
from ..query.engine import QueryEngine, QuerySettings
from .events import EventHub

__all__ = ["DEFAULT_MAX_BODY", "PageRenderer", "ReadContext", "ServerState"]

T = TypeVar("T")

DEFAULT_MAX_BODY = 1024 * 1024
"""Request bodies larger than this are refused with 413 (a DQL query is a few hundred bytes)."""


@dataclass(frozen=True)
class ReadContext:
    """What a function running on the read thread may use (the lock is held while it runs)."""

    index: Index
    engine: QueryEngine
    root: Path
    config_dir: str


class PageRenderer(Protocol):
    """The pluggable note-to-HTML step of the (later) site pages.

    Called on the read thread with the lock held, with the vault path of a note already checked
    by :func:`~gardend.daemon.server.paths.safe_vault_path`; returns an HTML fragment. The
    Markdown renderer (``gardend.renderers.markdown``) will be adapted to this signature: it needs
    the index (embeds, link resolution) and the engine (query blocks), both in the context.
    """

    def __call__(self, ctx: ReadContext, path: str) -> str: ...


@dataclass
class ServerState:
    """Everything the request handlers need; built by ``run_server`` or by tests."""

    root: Path
    index: Index
    """A read-only connection, used only through :meth:`read`."""
    engine: QueryEngine
    token: str
    hub: EventHub = field(default_factory=EventHub)
    allowed_hosts: frozenset[str] = frozenset()
    """Extra names (``host`` or ``host:port``) besides localhost/127.0.0.1/[::1] at our port."""
    require_token_for_reads: bool = False
    """True when bound beyond loopback: then every ``/api/`` request needs the token."""
    config_dir: str = ".obsidian"
    publish_mode: str = "safe"
    """``publish.mode``: the published view of the site shows what that mode publishes."""
    max_body: int = DEFAULT_MAX_BODY
    heartbeat_s: float = 15.0
    """Seconds between SSE heartbeat comments (keeps proxies and idle timeouts from closing streams)."""
    page_renderer: PageRenderer | None = None
    """Not used by any route; the site pages (:mod:`gardend.daemon.site`) render through their
    own :class:`~gardend.daemon.render.NoteRenderer` subclass, which also needs the publish view."""
    change_listeners: list[Callable[[list[str]], None]] = field(default_factory=list)
    """Called by :meth:`apply_changes` on the watcher thread, with the lock held, after the engine
    refresh and before clients are told: caches built on the read connection (the site's render
    cache) are invalidated here so a client reacting to the event never sees stale output."""
    settings_listeners: list[Callable[[], None]] = field(default_factory=list)
    """Called by :meth:`reload_settings` (watcher thread, lock held) when the vault's or
    gardend's settings files changed: whatever was built from settings is rebuilt."""
    publisher: Any = None
    """The daemon's :class:`~gardend.daemon.publish.runner.PublishRunner` (``/api/publish``),
    or None when no garden repository is configured."""
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _executor: ThreadPoolExecutor | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        self.root = Path(self.root)

    @property
    def context(self) -> ReadContext:
        return ReadContext(self.index, self.engine, self.root, self.config_dir)

    async def read(self, func: Callable[[ReadContext], T]) -> T:
        """Run ``func`` on the read thread with the lock held and return its result."""
        if self._executor is None:
            self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="gardend-read")
        ctx = self.context

        def locked() -> T:
            with self.lock:
                return func(ctx)

        return await asyncio.get_running_loop().run_in_executor(self._executor, locked)

    def apply_changes(self, paths: list[str]) -> None:
        """Watcher thread, after a batch is committed: refresh caches, then tell the clients.

        The order matters: a client that reacts to the event must see the new data.
        """
        if not paths:
            return
        with self.lock:
            self.engine.apply_changes(paths)
            for listener in self.change_listeners:
                listener(paths)
        self.hub.publish_changes(paths)

    def reload_settings(self, query_settings: QuerySettings | None = None) -> None:
        """Watcher thread, when settings files changed, *before* the index generation moves on
        (see :class:`~gardend.daemon.serve.SettingsReloader`): the engine takes the new Dataview
        settings and the settings listeners rebuild, under the lock, so no request renders with
        the old settings and caches the result under the new generation. The changed files then
        reach :meth:`apply_changes` like a note edit, which tells the clients."""
        with self.lock:
            if query_settings is not None:
                self.engine.settings = query_settings
            for listener in self.settings_listeners:
                listener()

    def shutdown_executor(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None
