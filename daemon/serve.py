"""`gardend serve`: index the vault, then watch it and serve the API from one process.

:func:`run_server` is what the CLI command calls. The order of events:

1. open the index for writing and bring it up to date (full sync, progress bar on a terminal);
2. open a second, read-only connection for the server and build the query engine on it
   (see :mod:`gardend.daemon.server.state` for why one reader connection and one read thread);
3. start the watcher: each batch it commits invalidates the engine's page cache and the site's
   render cache (``state.change_listeners``) and is published to event-stream clients as
   ``{"type": "changed", "paths": [...]}`` — which the site's live reload listens to;
4. serve HTTP until SIGINT or SIGTERM, then: event streams closed, server stopped, watcher
   stopped, both connections closed — in that order, so no handler runs on a closed database.

Binding beyond loopback is allowed but warned about: every ``/api/`` request then needs the
token, and the Host names the server answers for must be configured (``allowed_hosts``).
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import signal
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

from aiohttp import web

from .config import Config, ConfigError, load_config
from .dataview_settings import load_dataview_settings
from .effective_settings import bind_config, replace_config_dir
from .index import Index
from .progress import run_full_sync
from .publish.runner import PublishRunner, PublishTarget
from .query.engine import QueryEngine
from .server import EventHub, ServerState, create_app
from .server.security import load_or_create_token, token_path
from .settings_sources import CONFIG_EVENT_NAME
from .site import site_setup
from .sync import Synchronizer, SyncResult
from .watcher import VaultWatcher, WatchOptions

__all__ = ["DEFAULT_HOST", "DEFAULT_PORT", "ServeError", "is_loopback", "run_server"]

log = logging.getLogger("gardend.serve")

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765


class ServeError(Exception):
    """The server cannot start (e.g. the port is taken); the message is for the user."""


def is_loopback(host: str) -> bool:
    """Whether binding to ``host`` keeps the server reachable from this machine only."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name other than localhost may resolve to anything


def _watch_options(config: Config, polling: bool) -> WatchOptions:
    cfg = config.watch
    return WatchOptions(
        debounce_ms=cfg.debounce_ms,
        max_batch_ms=cfg.max_batch_ms,
        polling=polling or cfg.polling,
        poll_interval_s=cfg.poll_interval_s,
        settle_s=cfg.settle_ms / 1000,
        reconcile_interval_s=cfg.reconcile_interval_s,
    )


def run_server(
    root: Path,
    db_path: Path,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    config: Config | None = None,
    *,
    allowed_hosts: Iterable[str] = (),
    polling: bool = False,
    show_progress: bool | None = None,
    ready: Callable[[int], None] | None = None,
    preview: bool = True,
) -> None:
    """Index ``root`` into ``db_path``, then watch and serve on ``host:port`` until a signal.

    ``allowed_hosts`` are extra Host names to answer for (``name`` or ``name:port``: a LAN name,
    a reverse proxy's name); the bound address itself is added when it is not a wildcard.
    ``ready(port)`` is called once the socket listens (``port=0`` picks a free port; tests use
    this). ``preview`` serves every unpublished note under ``/_preview/`` (marked "not
    published"); the permalink pages are the published view either way. Blocks; returns after a clean shutdown. Must run on the main thread (signal handlers).
    Raises :class:`ServeError` when the address cannot be bound, ``IndexOpenError`` when the
    database cannot be opened, ``VaultError`` when the vault cannot be read (the CLI turns each
    into a one-line message).
    """
    config = config or Config()
    root = Path(root).resolve()
    if show_progress is None:
        show_progress = sys.stderr.isatty()
    bind_config(root, config)  # gardend.toml's overrides of the plugins' settings, for every loader
    with Index(db_path) as writer:
        sync = Synchronizer(
            writer, root, workers=config.index.workers, max_bytes=config.index.max_note_bytes,
            config_dir=config.obsidian.config_dir,
        )
        for problem in sync.reload_settings():
            log.warning(problem)
        result = run_full_sync(sync, show_progress)
        log.info("indexed %d notes (%d scanned)", result.notes_total, result.scanned)
        with Index(db_path, readonly=True) as reader:
            state = _make_state(root, reader, host, allowed_hosts, config)
            publisher = PublishRunner(
                root, Path(db_path), publish_target(config), config_dir=config.obsidian.config_dir,
                emit=state.hub.publish,
            )
            state.publisher = publisher  # answers 409 while no repository is configured
            if publisher.target.auto and publisher.target.repo is not None:
                log.info("auto-publish on: to %s after %g s without changes", publisher.target.repo,
                         publisher.target.auto_quiet_s)

            def on_batch(batch: SyncResult) -> None:
                state.apply_changes(batch.changed_paths)
                publisher.notify_changes(batch.changed_paths)

            reloader = SettingsReloader(state, root, config, publisher)
            watcher = VaultWatcher(
                sync, _watch_options(config, polling),
                on_batch=on_batch,
                ignore_paths=(Path(db_path).resolve(),),
                on_settings=reloader,
                settings_files=(Path(config.source),) if config.source else (),
            )
            watcher.start()
            try:
                asyncio.run(_serve(state, host, port, ready, preview))
            finally:
                watcher.stop()
                publisher.close()
                state.shutdown_executor()
    log.info("stopped")


class SettingsReloader:
    """While serving: settings files changed (app.json, types.json, community-plugins.json,
    bookmarks.json, a plugin's data.json or manifest, gardend.toml) — the watcher's
    ``on_settings``, called on its thread when a save changed an effective setting, before the
    synchroniser re-reads its own settings.

    gardend.toml is loaded again and re-bound (its override tables apply at once; ``[index]`` and
    ``[watch]`` need a restart, which is logged, and the config folder stays as started; a broken
    file keeps the previous settings). Under the state lock the engine gets the new Dataview
    settings and the site's renderer re-reads every setting and forgets its pages
    (:meth:`ServerState.reload_settings`). The watcher then bumps the index generation (every
    cache keyed by it is rebuilt) and adds the settings paths to the batch, which
    :meth:`ServerState.apply_changes` handles like a note edit: clients get a ``changed`` event,
    and live reload answers that every page must reload.
    """

    def __init__(self, state: ServerState, root: Path, config: Config, publisher: PublishRunner | None = None) -> None:
        self.state = state
        self.root = root
        self.config = config
        self.publisher = publisher

    def __call__(self, changed: list[str]) -> None:
        if CONFIG_EVENT_NAME in changed and self.config.source:
            try:
                fresh = load_config(self.config.source)
            except ConfigError as exc:
                log.warning("%s; the previous settings stay in force", exc)
            else:
                if (fresh.index, fresh.watch) != (self.config.index, self.config.watch):
                    log.warning("%s: changes to [index] and [watch] apply after a restart", fresh.source)
                fresh = replace_config_dir(fresh, self.config.obsidian.config_dir)
                self.config = fresh
                bind_config(self.root, fresh)
                self.state.publish_mode = fresh.publish.mode
                if self.publisher is not None:
                    self.publisher.target = publish_target(fresh)
        # Warnings about the files are logged by the watcher's own reload, which follows.
        dataview = load_dataview_settings(self.root, self.config.obsidian.config_dir)
        self.state.reload_settings(dataview.query_settings())
        log.info("settings changed (%s): reloaded", ", ".join(changed) or "?")


def publish_target(config: Config) -> PublishTarget:
    """``[publish]`` as the daemon's publisher uses it; ``repo`` relative to gardend.toml."""
    cfg = config.publish
    return PublishTarget(
        repo=config.path(cfg.repo) if cfg.repo else None, mode=cfg.mode, push=cfg.push, remote=cfg.remote, branch=cfg.branch or None,
        auto=cfg.auto, auto_quiet_s=cfg.auto_quiet_s, use_plugin_token=cfg.use_plugin_token,
    )


def _make_state(
    root: Path, reader: Index, host: str, allowed_hosts: Iterable[str], config: Config
) -> ServerState:
    names = {h.strip().lower() for h in allowed_hosts if h.strip()}
    bare = host.strip("[]")
    if bare not in ("", "0.0.0.0", "::"):
        names.add(f"[{bare}]" if ":" in bare else bare.lower())
    beyond = not is_loopback(host)
    if beyond:
        log.warning(
            "listening on %s, beyond this machine: every /api/ request needs the token in %s, and "
            "only these Host names are answered: %s",
            host, token_path(root), ", ".join(sorted(names)) or "(none configured: pass allowed_hosts)",
        )
    return ServerState(
        root=root,
        index=reader,
        engine=QueryEngine(reader, load_dataview_settings(root, config.obsidian.config_dir).query_settings()),
        token=load_or_create_token(root),
        hub=EventHub(),
        allowed_hosts=frozenset(names),
        require_token_for_reads=beyond,
        config_dir=config.obsidian.config_dir,
        publish_mode=config.publish.mode,
    )


async def _serve(
    state: ServerState, host: str, port: int, ready: Callable[[int], None] | None, preview: bool = True
) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):  # Windows; not the main thread
            loop.add_signal_handler(sig, stop.set)
    app = create_app(state, setup=[site_setup(preview=preview)])
    runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=5.0)
    await runner.setup()
    try:
        site = web.TCPSite(runner, host, port)
        try:
            await site.start()
        except OSError as exc:
            raise ServeError(f"cannot listen on {_url_host(host)}:{port}: {exc.strerror or exc}") from exc
        bound = _bound_port(runner) or port
        log.info("serving %s on http://%s:%d/ (token file: %s)", state.root, _url_host(host), bound, token_path(state.root))
        if ready is not None:
            ready(bound)
        await stop.wait()
        log.info("shutting down")
    finally:
        await runner.cleanup()  # on_shutdown closes the event streams before handlers are awaited


def _bound_port(runner: web.AppRunner) -> int | None:
    for address in runner.addresses:
        if isinstance(address, tuple) and len(address) >= 2:
            return int(address[1])
    return None


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host and not host.startswith("[") else host
