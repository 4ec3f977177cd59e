"""Publishing from the running daemon: status on request, and auto-publish after a quiet period.

``gardend serve`` answers ``GET /api/publish/status`` and ``POST /api/publish`` and, with
``publish.auto``, publishes by itself once the vault has been quiet for ``publish.auto_quiet_s``
seconds after a change. All of it runs here, on one worker thread with its own *writable*
connection to the index: the server's shared connection is read-only, and the compile cache
(:mod:`.cache`) must be able to save what it compiled, or every status would compile the whole
garden again. SQLite serialises this connection's short cache writes with the watcher's.

Progress and errors go to the API's event stream as ``{"type": "publish", "state": ...}`` with
``state`` one of ``started``, ``done`` (with ``commit`` and ``summary``), ``nothing`` and
``failed`` (with ``error``). Nothing is ever published silently or half: the same all-or-nothing
:func:`~.gitsync.apply_plan` and safe-mode leak gate as ``gardend publish`` run here.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..index import Index
from .credentials import CredentialError, push_auth
from .gitsync import PublishError, PublishPlan, apply_plan, commit_message, plan_publish
from .leaks import cut_in_background, publish_gate
from .settings import GardenSettings, load_garden_settings

log = logging.getLogger("gardend.publish")

__all__ = ["PublishRunner", "PublishTarget"]


@dataclass(frozen=True)
class PublishTarget:
    """Where and how the daemon publishes (from gardend.toml's ``[publish]``)."""

    repo: Path | None
    mode: str = "safe"
    push: bool = True
    remote: str = "origin"
    branch: str | None = None
    auto: bool = False
    auto_quiet_s: float = 30.0
    use_plugin_token: bool = False


class PublishRunner:
    """Publication status and publishing on a worker thread of their own."""

    def __init__(
        self,
        root: Path,
        db_path: Path,
        target: PublishTarget,
        *,
        config_dir: str = ".obsidian",
        emit: Callable[[dict[str, Any]], None] | None = None,
        settings: Callable[[], GardenSettings] | None = None,
    ) -> None:
        self.root = root
        self.db_path = db_path
        self.target = target
        self.config_dir = config_dir
        self.emit = emit or (lambda event: None)
        self._settings = settings or (lambda: load_garden_settings(root, config_dir))
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="gardend-publish")
        self._index: Index | None = None
        self._timer: threading.Timer | None = None
        self._timer_lock = threading.Lock()
        self._closed = False

    # -- the worker thread ----------------------------------------------------------------------
    def _open(self) -> Index:
        if self._index is None:
            self._index = Index(self.db_path)
        return self._index

    def _plan(self) -> PublishPlan:
        if self.target.repo is None:
            raise PublishError("no garden repository: set publish.repo in gardend.toml")
        return plan_publish(
            self._open(), self.root, self.target.repo, self._settings(), self.target.mode,  # type: ignore[arg-type]
            self.config_dir,
        )

    def _status(self) -> dict[str, Any]:
        plan = self._plan()
        return {"mode": self.target.mode, "summary": plan.summary(), **plan.as_json()}

    def _publish(self) -> dict[str, Any]:
        self.emit({"type": "publish", "state": "started"})
        try:
            # Markers of unpublished notes are cut in a child process while the plan compiles.
            with cut_in_background(self._open(), self.root) as cutting:
                plan = self._plan()
                if plan.errors:
                    raise PublishError("nothing was published: " + "; ".join(plan.errors))
                if plan.empty:
                    self.emit({"type": "publish", "state": "nothing", "summary": plan.summary()})
                    return {"published": False, "summary": plan.summary(), "commit": None}
                gate = publish_gate(self._open(), self.root, plan, self.target.mode, cutting)
            for line in gate.lines:
                log.warning("%s", line)  # local log only: it names unpublished notes on purpose
            if not gate.ok:
                raise PublishError(
                    f"nothing was published: the output would expose unpublished notes ({len(gate.leaks)} "
                    "findings; run `gardend check --leaks` for where)"
                )
            assert self.target.repo is not None
            t = self.target
            with push_auth(t.repo, t.remote, root=self.root, enabled=t.push and t.use_plugin_token,
                           config_dir=self.config_dir) as auth:
                report = apply_plan(t.repo, plan, push=t.push, remote=t.remote, branch=t.branch, auth=auth)
        except CredentialError as exc:
            log.error("publish failed: %s", exc)
            self.emit({"type": "publish", "state": "failed", "error": f"nothing was published: {exc}"})
            raise PublishError(f"nothing was published: {exc}") from None
        except PublishError as exc:
            log.error("publish failed: %s", exc)
            self.emit({"type": "publish", "state": "failed", "error": str(exc)})
            raise
        except Exception as exc:  # the daemon keeps running; the client hears what happened
            log.exception("publish failed")
            self.emit({"type": "publish", "state": "failed", "error": f"{type(exc).__name__}: {exc}"})
            raise
        result = {
            "published": report.commit is not None,
            "pushed": report.pushed,
            "commit": report.commit,
            "summary": plan.summary(),
            "message": commit_message(plan),
        }
        log.info("published %s: %s", (report.commit or "")[:12], plan.summary())
        self.emit({"type": "publish", "state": "done", "commit": report.commit, "summary": plan.summary()})
        return result

    # -- API ------------------------------------------------------------------------------------
    def status(self) -> Future[dict[str, Any]]:
        """The plan as ``gardend status --json`` prints it (plus ``mode`` and ``summary``)."""
        return self._executor.submit(self._status)

    def publish(self) -> Future[dict[str, Any]]:
        """Publish now (queued behind any running status or publish)."""
        return self._executor.submit(self._publish)

    def notify_changes(self, paths: list[str]) -> None:
        """Watcher thread, after each index batch: with auto-publish on, (re)start the quiet
        period; the publish runs when it ends with no further change."""
        if not self.target.auto or not paths or self._closed or self.target.repo is None:
            return
        with self._timer_lock:
            if self._timer is not None:
                self._timer.cancel()
            self._timer = threading.Timer(self.target.auto_quiet_s, self._auto)
            self._timer.daemon = True
            self._timer.start()

    def _auto(self) -> None:
        with self._timer_lock:
            self._timer = None
        if self._closed:
            return
        future = self.publish()
        future.add_done_callback(lambda f: f.exception())  # failures are logged and emitted already

    def close(self) -> None:
        self._closed = True
        with self._timer_lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
        self._executor.shutdown(wait=True, cancel_futures=True)
        if self._index is not None:
            self._index.close()
            self._index = None
