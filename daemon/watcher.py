"""File-system events -> debounced, coalesced batches -> index updates.

Editors save in several steps (write a temp file, rename it over the note, touch it), and sync
tools rewrite whole folders. Events are therefore only *hints*: each names a path, the path is
held until it has been quiet for ``debounce_ms`` (or at most ``max_batch_ms`` from its first
event), and then every ready path is handed to :meth:`Synchronizer.sync_paths` in one batch,
which looks at the disk as it is *now*. Lost, duplicated or reordered events therefore cannot
leave the index wrong, and an atomic save costs one re-scan.

If the kernel's inotify watch limit is reached, we say how to raise it and fall back to polling
instead of dying.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.polling import PollingObserver

from .effective_settings import settings_state
from .settings_sources import CONFIG_EVENT_NAME, is_settings_path
from .sync import Synchronizer, SyncResult

log = logging.getLogger("gardend.watch")

INOTIFY_HELP = (
    "the inotify watch limit is reached, so gardend cannot watch every folder of this vault; "
    "falling back to polling (slower to notice changes). To fix it, raise the limit, e.g. "
    "`echo fs.inotify.max_user_watches=524288 | sudo tee /etc/sysctl.d/90-gardend.conf && "
    "sudo sysctl --system`, then restart gardend."
)


@dataclass(frozen=True)
class WatchOptions:
    debounce_ms: int = 10
    max_batch_ms: int = 250
    polling: bool = False
    poll_interval_s: float = 1.0
    settle_s: float = 1.0
    """After folder creations or moves, a full (stat-only) reconciliation runs once things are this quiet."""
    reconcile_interval_s: float = 600.0
    """A periodic full reconciliation, the safety net for events the OS never delivered (0: off)."""


class _Handler(FileSystemEventHandler):
    def __init__(self, watcher: VaultWatcher) -> None:
        self.watcher = watcher

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed_no_write"):
            return
        folder = event.is_directory and event.event_type in ("created", "moved")
        self.watcher.notice(_text(event.src_path), folder_event=folder)
        dest = getattr(event, "dest_path", "")
        if dest:
            self.watcher.notice(_text(dest), folder_event=folder)


def _text(path: str | bytes) -> str:
    return os.fsdecode(path)


class VaultWatcher:
    """Watches one vault and keeps its index current until :meth:`stop`."""

    def __init__(
        self,
        synchronizer: Synchronizer,
        options: WatchOptions | None = None,
        on_batch: Callable[[SyncResult], None] | None = None,
        ignore_paths: tuple[Path, ...] = (),
        on_settings: Callable[[list[str]], None] | None = None,
        settings_files: tuple[Path, ...] = (),
    ) -> None:
        """Settings files are watched too: the config folder's app.json, types.json,
        community-plugins.json, bookmarks.json, any plugin's data.json or manifest.json, and
        ``settings_files`` such as gardend.toml (which may live outside the vault). A save that
        changes no effective setting is ignored (other plugins rewrite their own data.json all
        the time; Obsidian rewrites files unchanged). Otherwise ``on_settings(paths)`` runs on
        the indexing thread first (the server re-binds gardend.toml and rebuilds what it made
        from settings), then the synchroniser re-reads its settings, the index generation moves
        on, and the changed paths (vault paths, or ``gardend.toml`` for that file) join the
        batch's ``changed_paths``: a settings change reaches ``on_batch`` like a note edit."""
        self.sync = synchronizer
        self.root = Path(os.path.realpath(synchronizer.root))
        self._root_text = str(synchronizer.root.resolve())
        self.options = options or WatchOptions()
        self.on_batch = on_batch
        # The index database may live inside the vault (--db); its own writes are not vault changes.
        self.ignore_paths = {f"{p}{suffix}" for p in ignore_paths for suffix in ("", "-wal", "-shm", "-journal")}
        self._busy = False
        self._settle_needed = False
        self._last_event = time.monotonic()
        self._last_reconcile = time.monotonic()
        self._pending: dict[str, tuple[float, float]] = {}
        self._settings_dirty = False
        self._settings_changed: set[str] = set()
        self.on_settings = on_settings
        self._settings_files = {os.path.realpath(p): p for p in settings_files}
        self._settings_state = settings_state(synchronizer.root, synchronizer.config_dir)
        self._cond = threading.Condition()
        self._stop = False
        self._thread: threading.Thread | None = None
        self._observer: Observer | PollingObserver | None = None
        self.mode = "polling" if self.options.polling else "native"
        self.batches = 0
        self.errors = 0

    # -- lifecycle -------------------------------------------------------------------------------
    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="gardend-indexer", daemon=True)
        self._thread.start()
        self._start_observer()

    def _start_observer(self) -> None:
        handler = _Handler(self)
        if not self.options.polling:
            observer = Observer()
            try:
                observer.schedule(handler, self._root_text, recursive=True)
                self._watch_settings_files(observer, handler)
                observer.start()
                self._observer = observer
                return
            except OSError as exc:
                with contextlib.suppress(Exception):  # best effort: it never started
                    observer.stop()
                if exc.errno in (errno.ENOSPC, errno.EMFILE):
                    log.warning(INOTIFY_HELP)
                else:
                    log.warning("native file watching failed (%s); falling back to polling", exc)
                self.mode = "polling"
        observer = PollingObserver(timeout=self.options.poll_interval_s)
        observer.schedule(handler, self._root_text, recursive=True)
        self._watch_settings_files(observer, handler)
        observer.start()
        self._observer = observer

    def _watch_settings_files(self, observer: Observer | PollingObserver, handler: _Handler) -> None:
        """Watch the folders of settings files outside the vault (gardend.toml), not recursively."""
        folders = {os.path.dirname(p) for p in self._settings_files}
        for folder in sorted(folders):
            inside = folder == str(self.root) or folder.startswith(str(self.root) + os.sep)
            if inside or not os.path.isdir(folder):
                continue
            try:
                observer.schedule(handler, folder, recursive=False)
            except OSError as exc:  # pragma: no cover - a watch limit reached on one folder
                log.warning("cannot watch %s for settings changes: %s", folder, exc)

    def stop(self) -> None:
        if self._observer is not None:
            self._observer.stop()
            self._observer.join(timeout=5)
        with self._cond:
            self._stop = True
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=30)

    # -- events ----------------------------------------------------------------------------------
    def notice(self, abs_path: str, folder_event: bool = False) -> None:
        """Record that something happened at ``abs_path`` (called from watchdog's thread).

        Folder creations and moves are where native watchers lose events (a file written into a
        new folder before its watch exists; paths of watches inside a moved folder), so they
        also schedule a full reconciliation once the vault is quiet.
        """
        if abs_path in self.ignore_paths:
            return
        if self._settings_files and os.path.realpath(abs_path) in self._settings_files:
            self._settings_event(CONFIG_EVENT_NAME)
        rel = self._relative(abs_path)
        if rel is None:
            return
        if rel.startswith("."):
            if is_settings_path(rel, self.sync.config_dir):
                self._settings_event(rel)
            return
        if any(part.startswith(".") for part in rel.split("/")):
            return
        now = time.monotonic()
        with self._cond:
            first = self._pending.get(rel, (now, now))[0]
            self._pending[rel] = (first, now)
            if folder_event:
                self._settle_needed = True
            self._last_event = now
            self._cond.notify()

    def _settings_event(self, label: str) -> None:
        with self._cond:
            self._settings_dirty = True
            self._settings_changed.add(label)
            now = time.monotonic()
            first = self._pending.get("", (now, now))[0]
            self._pending[""] = (first, now)  # debounced like a note: editors save in steps
            self._cond.notify()

    def _relative(self, abs_path: str) -> str | None:
        for base in (self._root_text, str(self.root)):
            if abs_path == base:
                return ""
            if abs_path.startswith(base + os.sep):
                return abs_path[len(base) + 1 :].replace(os.sep, "/")
        return None

    # -- indexing thread -------------------------------------------------------------------------
    def _run(self) -> None:
        debounce = self.options.debounce_ms / 1000
        max_wait = self.options.max_batch_ms / 1000
        while True:
            with self._cond:
                reconcile = False
                while not self._stop:
                    now = time.monotonic()
                    ready, wait = self._ready(now, debounce, max_wait)
                    if ready:
                        break
                    due = self._reconcile_due()
                    if due is not None and due <= now and not self._pending:
                        reconcile = True
                        break
                    if due is not None:
                        wait = max(0.001, min(wait, due - now)) if wait is not None else max(0.001, due - now)
                    self._cond.wait(timeout=wait)
                if self._stop:
                    return
                ready, _ = self._ready(time.monotonic(), debounce, max_wait)
                for path in ready:
                    self._pending.pop(path, None)
                settings_dirty = self._settings_dirty
                self._settings_dirty = False
                settings_changed = sorted(self._settings_changed)
                self._settings_changed.clear()
                if reconcile:
                    self._settle_needed = False
                self._busy = True
            try:
                if reconcile:
                    self._reconcile()
                else:
                    self._process([p for p in ready if p], settings_dirty, settings_changed)
            finally:
                with self._cond:
                    self._busy = False
                    self._cond.notify_all()

    def _reconcile_due(self) -> float | None:
        """When the next full reconciliation should run (None: not scheduled)."""
        candidates = []
        if self._settle_needed:
            candidates.append(self._last_event + self.options.settle_s)
        if self.options.reconcile_interval_s > 0:
            candidates.append(self._last_reconcile + self.options.reconcile_interval_s)
        return min(candidates) if candidates else None

    def _reconcile(self) -> None:
        self._last_reconcile = time.monotonic()
        try:
            result = self.sync.full_sync()
        except Exception:
            self.errors += 1
            log.exception("full reconciliation failed; it will be retried")
            return
        if result.changed_paths:
            log.info("reconciliation found %d change(s) the file watcher missed", len(result.changed_paths))
            if self.on_batch is not None:
                try:
                    self.on_batch(result)
                except Exception:  # pragma: no cover
                    log.exception("change listener failed")

    def _ready(self, now: float, debounce: float, max_wait: float) -> tuple[list[str], float | None]:
        ready: list[str] = []
        next_due: float | None = None
        for path, (first, last) in self._pending.items():
            due = min(last + debounce, first + max_wait)
            if due <= now:
                ready.append(path)
            elif next_due is None or due < next_due:
                next_due = due
        return ready, (None if next_due is None else max(0.001, next_due - now))

    def _process(self, paths: list[str], settings_dirty: bool, settings_changed: list[str] | None = None) -> None:
        try:
            if settings_dirty:
                settings_dirty = self._settings_really_changed(settings_changed or [])
            if settings_dirty:
                for problem in self.sync.reload_settings():
                    log.warning(problem)
                self.sync.index.set_excluded(self.sync._excluded)
                self.sync.settings_changed()
            # After a settings change too: a new Dataview query syntax re-scans the notes it affects.
            result = self.sync.sync_paths(paths) if paths or settings_dirty else SyncResult()
            if settings_dirty:
                result.changed_paths.extend(p for p in settings_changed or [] if p not in result.changed_paths)
        except Exception:  # the daemon never dies on a note: log and carry on
            self.errors += 1
            log.exception("indexing %d changed path(s) failed; they will be retried on the next change", len(paths))
            return
        self.batches += 1
        if self.on_batch is not None:
            try:
                self.on_batch(result)
            except Exception:  # pragma: no cover - a faulty listener must not stop indexing
                log.exception("change listener failed")

    def _settings_really_changed(self, changed: list[str]) -> bool:
        """Whether a settings save changed anything; if so, ``on_settings`` has run.

        A gardend.toml save always counts: its overrides only apply once ``on_settings``
        re-binds them, so it cannot be compared beforehand (and it is rare)."""
        if CONFIG_EVENT_NAME not in changed:
            current = settings_state(self.sync.root, self.sync.config_dir)
            if current == self._settings_state:
                log.debug("settings files saved (%s); no setting changed", ", ".join(changed))
                return False
        if self.on_settings is not None:
            try:
                self.on_settings(changed)
            except Exception:  # pragma: no cover - a faulty listener must not stop indexing
                log.exception("settings listener failed")
        self._settings_state = settings_state(self.sync.root, self.sync.config_dir)
        return True

    def idle(self) -> bool:
        """True when no event is waiting or being indexed (used by tests and benchmarks)."""
        with self._cond:
            return not self._pending and not self._busy and not self._settle_needed

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Block until :meth:`idle` holds or ``timeout`` passes; returns whether it is idle."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while self._pending or self._busy or self._settle_needed:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._cond.wait(timeout=min(remaining, 0.05))
        return True
