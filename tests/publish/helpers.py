"""Building an index, and a garden git repository, for publish tests."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from gardend.daemon.index import Index
from gardend.daemon.publish.compile import GardenCompiler
from gardend.daemon.publish.context import Mode
from gardend.daemon.publish.settings import GardenSettings
from gardend.daemon.sync import Synchronizer


def indexed(root: Path, tmp_path: Path) -> Index:
    index = Index(tmp_path / "publish.sqlite")
    Synchronizer(index, root, workers=1).full_sync()
    return index


def compiler(root: Path, tmp_path: Path, settings: GardenSettings | None = None, mode: Mode = "plugin") -> GardenCompiler:
    return GardenCompiler(indexed(root, tmp_path), root, settings, mode)


GIT_ENV = {
    "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid",
    "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid",
}


def run_git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True,
                          env={**os.environ, **GIT_ENV}).stdout


def make_garden(tmp_path: Path, files: dict[str, str] | None = None) -> tuple[Path, Path]:
    """A bare 'remote' holding a minimal site template (plus ``files``) and a clone of it."""
    bare = tmp_path / "remote.git"
    run_git(tmp_path, "init", "-q", "--bare", "-b", "main", str(bare))
    seed = tmp_path / "seed"
    run_git(tmp_path, "clone", "-q", str(bare), str(seed))
    for rel, text in {"package.json": '{"name": "digital-garden"}\n', **(files or {})}.items():
        target = seed / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    run_git(seed, "add", "-A")
    run_git(seed, "commit", "-q", "-m", "template")
    run_git(seed, "push", "-q", "origin", "HEAD:main")
    clone = tmp_path / "clone"
    run_git(tmp_path, "clone", "-q", str(bare), str(clone))
    return bare, clone
