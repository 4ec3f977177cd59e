"""Publishing from the daemon: ``/api/publish/status``, ``POST /api/publish`` and auto-publish."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path
from typing import Any

from gardend.daemon.publish.runner import PublishRunner, PublishTarget

from tests.publish.helpers import make_garden, run_git

from .conftest import AUTH, EXAMPLE_VAULT, call, indexed, make_state


def _setup(tmp_path: Path, **target: Any) -> tuple[Path, Path, Path, Path]:
    vault = tmp_path / "vault"
    shutil.copytree(EXAMPLE_VAULT, vault)
    bare, clone = make_garden(tmp_path)
    return vault, bare, clone, tmp_path / "index.sqlite"


def test_status_and_publish_over_the_api(tmp_path: Path) -> None:
    vault, bare, clone, db = _setup(tmp_path)
    events: list[dict[str, Any]] = []
    with indexed(vault, db) as (_, _, reader):
        runner = PublishRunner(vault, db, PublishTarget(repo=clone, branch="main"), emit=events.append)
        state = make_state(vault, reader, publisher=runner)
        try:
            status, _, body = call(state, "GET", "/api/publish/status")
            assert status == 200
            assert body["mode"] == "safe"
            new = set(body["new"])
            assert "src/site/notes/Research/Insights/2025-01-30 12.13.47.md" in new
            assert body["changed"] == body["deleted"] == body["errors"] == []

            # Publishing changes the repository: the token is required.
            status, _, _ = call(state, "POST", "/api/publish")
            assert status == 401
            status, _, body = call(state, "POST", "/api/publish", headers=AUTH)
            assert status == 200 and body["published"] and body["pushed"]
            assert [e["state"] for e in events] == ["started", "done"]
            remote_files = run_git(tmp_path, "--git-dir", str(bare), "ls-tree", "-r", "--name-only", "main")
            assert new <= set(remote_files.splitlines())

            status, _, body = call(state, "GET", "/api/publish/status")
            assert body["new"] == [] and sorted(body["published"]) == sorted(new)
        finally:
            runner.close()
            state.shutdown_executor()


def test_publish_failure_is_a_409_with_the_reason_and_an_event(tmp_path: Path) -> None:
    vault, bare, clone, db = _setup(tmp_path)
    hook = bare / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'refused by policy' >&2\nexit 1\n")
    hook.chmod(0o755)
    events: list[dict[str, Any]] = []
    with indexed(vault, db) as (_, _, reader):
        runner = PublishRunner(vault, db, PublishTarget(repo=clone, branch="main"), emit=events.append)
        state = make_state(vault, reader, publisher=runner)
        try:
            status, _, body = call(state, "POST", "/api/publish", headers=AUTH)
            assert status == 409
            assert "nothing was published" in body["error"]["message"]
            assert events[-1]["state"] == "failed" and "nothing was published" in events[-1]["error"]
        finally:
            runner.close()
            state.shutdown_executor()


def test_without_a_repository_the_publish_api_says_how_to_configure_it(tmp_path: Path) -> None:
    with indexed(EXAMPLE_VAULT, tmp_path / "i.sqlite") as (_, _, reader):
        runner = PublishRunner(EXAMPLE_VAULT, tmp_path / "i.sqlite", PublishTarget(repo=None))
        state = make_state(EXAMPLE_VAULT, reader, publisher=runner)
        try:
            status, _, body = call(state, "GET", "/api/publish/status")
            assert status == 409 and "publish.repo" in body["error"]["message"]
        finally:
            runner.close()
            state.shutdown_executor()


def test_auto_publish_runs_once_after_the_quiet_period(tmp_path: Path) -> None:
    vault, _bare, clone, db = _setup(tmp_path)
    done = threading.Event()
    events: list[dict[str, Any]] = []

    def emit(event: dict[str, Any]) -> None:
        events.append(event)
        if event["state"] in ("done", "failed", "nothing"):
            done.set()

    target = PublishTarget(repo=clone, branch="main", auto=True, auto_quiet_s=0.05)
    with indexed(vault, db):
        runner = PublishRunner(vault, db, target, emit=emit)
        try:
            for _ in range(5):  # a burst of saves: one publish, after the burst
                runner.notify_changes(["Home.md"])
            assert done.wait(60), events
            assert [e["state"] for e in events] == ["started", "done"]
            assert run_git(clone, "log", "--oneline").count("Publish from gardend") == 1
        finally:
            runner.close()


def test_auto_publish_is_off_by_default(tmp_path: Path) -> None:
    vault, _, clone, db = _setup(tmp_path)
    events: list[dict[str, Any]] = []
    with indexed(vault, db):
        runner = PublishRunner(vault, db, PublishTarget(repo=clone, auto_quiet_s=0.0), emit=events.append)
        runner.notify_changes(["Home.md"])
        runner.close()
    assert events == []
