"""Publishing into a garden git repository: status by blob SHA, one commit, all or nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from gardend.daemon.cli import main
from gardend.daemon.index import Index
from gardend.daemon.publish.gitsync import PublishError, apply_plan, blob_sha, plan_publish
from gardend.daemon.sync import Synchronizer

from ..conftest import REPO, VaultMaker
from .helpers import GIT_ENV, make_garden, run_git

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

@pytest.fixture
def garden(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """A bare 'remote' made from a minimal site template with one stale note, and a clone of it."""
    for k, v in GIT_ENV.items():
        monkeypatch.setenv(k, v)
    return make_garden(tmp_path, {"src/site/notes/old.md": "stale note\n"})


def test_blob_sha_matches_git(tmp_path: Path) -> None:
    f = tmp_path / "x"
    f.write_bytes(b"hello\n")
    assert blob_sha(b"hello\n") == run_git(tmp_path, "hash-object", str(f)).strip()


def test_publish_research_vault(garden: tuple[Path, Path], tmp_path: Path) -> None:
    bare, clone = garden
    db = str(tmp_path / "i.sqlite")
    vault = str(REPO / "examples" / "research-vault")
    status = CliRunner().invoke(main, ["status", vault, "--repo", str(clone), "--db", db, "--json"])
    assert status.exit_code == 0, status.output
    assert "src/site/notes/old.md" in status.output  # to delete
    result = CliRunner().invoke(main, ["publish", vault, "--repo", str(clone), "--db", db])
    assert result.exit_code == 0, result.output
    files = run_git(bare, "ls-tree", "-r", "--name-only", "main").splitlines()
    assert "src/site/notes/Research/Insights/2025-01-30 12.13.47.md" in files
    assert "src/site/notes/old.md" not in files
    assert "package.json" in files  # the template's own files are never touched
    assert not any("Journal" in f or "Reading Notes" in f for f in files)  # unpublished notes stay home
    assert run_git(bare, "rev-list", "--count", "main").strip() == "2"  # one commit for everything
    compiled = run_git(bare, "show", "main:src/site/notes/Research/Insights/2025-01-30 12.13.47.md")
    seed = (REPO.parent / "shared" / "seed" / "000_9d8ad8b6eef5d93c.txt")
    if seed.is_file():
        first_table = seed.read_text().split("<div>")[1]
        assert "<div>" + first_table.split("</div>")[0] + "</div>" in compiled
    again = CliRunner().invoke(main, ["status", vault, "--repo", str(clone), "--db", db])
    assert "0 new, 0 changed" in again.output and "0 to delete" in again.output


def test_rejected_push_leaves_remote_unchanged_and_clone_restored(
    garden: tuple[Path, Path], tmp_path: Path, make_vault: VaultMaker
) -> None:
    bare, clone = garden
    hook = bare / "hooks" / "pre-receive"
    hook.write_text("#!/bin/sh\necho 'refusing on purpose' >&2\nexit 1\n")
    hook.chmod(0o755)
    root = make_vault({"Pub.md": "---\ndg-publish: true\n---\nhello\n"})
    index = Index(tmp_path / "i.sqlite")
    Synchronizer(index, root, workers=1).full_sync()
    before_remote = run_git(bare, "rev-parse", "main")
    before_local = run_git(clone, "rev-parse", "HEAD")
    plan = plan_publish(index, root, clone)
    with pytest.raises(PublishError, match="nothing was published"):
        apply_plan(clone, plan, retries=1, backoff_s=0)
    assert run_git(bare, "rev-parse", "main") == before_remote
    assert run_git(clone, "rev-parse", "HEAD") == before_local
    assert run_git(clone, "status", "--porcelain") == ""
    hook.unlink()
    report = apply_plan(clone, plan_publish(index, root, clone), retries=1, backoff_s=0)
    assert report.pushed and run_git(bare, "rev-parse", "main") != before_remote


def test_dry_run_changes_nothing(garden: tuple[Path, Path], tmp_path: Path, make_vault: VaultMaker) -> None:
    bare, clone = garden
    root = make_vault({"Pub.md": "---\ndg-publish: true\n---\nhello\n"})
    before = run_git(bare, "rev-parse", "main")
    result = CliRunner().invoke(main, ["publish", str(root), "--repo", str(clone), "--db", str(tmp_path / "i.sqlite"),
                                       "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "add src/site/notes/Pub.md" in result.output and "delete src/site/notes/old.md" in result.output
    assert run_git(bare, "rev-parse", "main") == before
    assert not (clone / "src" / "site" / "notes" / "Pub.md").exists()


def test_content_base_dir_puts_the_garden_under_its_folder(
    garden: tuple[Path, Path], tmp_path: Path, make_vault: VaultMaker
) -> None:
    """The plugin's ``contentBaseDir`` (2.80+, digital-garden.md §2.1) prefixes every path a
    publish writes, lists, compares and deletes; files at the root stay untouched."""
    bare, clone = garden
    root = make_vault({
        "Pub.md": "---\ndg-publish: true\n---\nhello ![[pic.png]]\n",
        "pic.png": b"\x89PNG\r\n\x1a\nfake",
        ".obsidian/plugins/digitalgarden/manifest.json": '{"id": "digitalgarden"}',
        ".obsidian/plugins/digitalgarden/data.json": '{"contentBaseDir": " /Web/ "}',
    })
    db = str(tmp_path / "i.sqlite")
    first = CliRunner().invoke(main, ["publish", str(root), "--repo", str(clone), "--db", db])
    assert first.exit_code == 0, first.output
    files = run_git(bare, "ls-tree", "-r", "--name-only", "main").splitlines()
    assert "Web/src/site/notes/Pub.md" in files and "Web/src/site/img/user/pic.png" in files
    assert "src/site/notes/old.md" in files  # outside the base folder: not the garden's any more
    assert not any(f.startswith("src/site/notes/Pub") for f in files)
    status = CliRunner().invoke(main, ["status", str(root), "--repo", str(clone), "--db", db])
    assert "0 new, 0 changed, 2 published, 0 to delete" in status.output, status.output
    (root / "Pub.md").unlink()
    gone = CliRunner().invoke(main, ["publish", str(root), "--repo", str(clone), "--db", db])
    assert gone.exit_code == 0, gone.output
    files = run_git(bare, "ls-tree", "-r", "--name-only", "main").splitlines()
    assert not any(f.startswith("Web/src/site/") for f in files) and "src/site/notes/old.md" in files
