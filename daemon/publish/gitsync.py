"""Publication status and the all-or-nothing publish into a Digital Garden git repository.

Status (digital-garden.md §5) compares the git blob SHA-1 of every compiled note and asset with
the target repository's tree — the plugin's rule — but computed locally: compiled notes come
from the index, the tree from ``git ls-tree`` of the local clone, so a vault with nothing
changed answers without any network round-trip.

Publishing writes ``src/site/notes/…`` and ``src/site/img/user/…`` only (never the template's own
files), makes ONE commit holding every add, change and delete, and pushes with retries. If any
step fails, the clone is reset to where it was and the error says what and why; the remote is
only changed by a successful push. The real ``git`` binary is used so credentials, SSH and hooks
behave as users expect.
"""

from __future__ import annotations

import hashlib
import subprocess
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..index import Index
from .compile import GardenCompiler, NotPublishable
from .context import Mode
from .settings import GardenSettings

MANAGED_PREFIXES = ("src/site/notes/", "src/site/img/user/")


class PublishError(Exception):
    """Publishing failed; the message says which step and git's own words."""


def blob_sha(data: bytes) -> str:
    """``git hash-object`` of ``data``: SHA-1 over ``blob <size>\\0`` + the bytes."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


@dataclass(frozen=True)
class PlannedFile:
    repo_path: str
    data: bytes
    sha: str
    source: str  # vault path it came from


@dataclass
class PublishPlan:
    """What a publish would do: the plugin's four publication states, per repository file."""

    new: list[PlannedFile] = field(default_factory=list)
    changed: list[PlannedFile] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    files: list[PlannedFile] = field(default_factory=list)
    """Every file the repository holds after this publish (new, changed and unchanged): what the
    leak audit reads."""

    @property
    def empty(self) -> bool:
        return not (self.new or self.changed or self.deleted)

    def summary(self) -> str:
        return (
            f"{len(self.new)} new, {len(self.changed)} changed, {len(self.unchanged)} published, "
            f"{len(self.deleted)} to delete"
        )

    def as_json(self) -> dict[str, object]:
        return {
            "new": [f.repo_path for f in self.new],
            "changed": [f.repo_path for f in self.changed],
            "published": self.unchanged,
            "deleted": self.deleted,
            "errors": self.errors,
        }


def git(repo: Path, *args: str, input_bytes: bytes | None = None, check: bool = True) -> str:
    """Run git in ``repo``; raises PublishError with git's stderr on failure."""
    try:
        proc = subprocess.run(
            ["git", "-C", str(repo), *args], input=input_bytes, capture_output=True, check=False
        )
    except FileNotFoundError as exc:
        raise PublishError("git is not installed (the `git` command was not found)") from exc
    if check and proc.returncode != 0:
        message = proc.stderr.decode("utf-8", "replace").strip() or proc.stdout.decode("utf-8", "replace").strip()
        raise PublishError(f"git {' '.join(args[:2])} failed: {message}")
    return proc.stdout.decode("utf-8", "replace")


def remote_tree(repo: Path) -> dict[str, str]:
    """repo path -> blob SHA of the managed files at HEAD (empty for a repository with no commit)."""
    if not (repo / ".git").exists() and not (repo / "HEAD").exists():
        raise PublishError(f"{repo}: not a git repository (clone your garden's repository there first)")
    head = git(repo, "rev-parse", "--verify", "-q", "HEAD", check=False).strip()
    if not head:
        return {}
    out = git(repo, "ls-tree", "-r", "-z", "HEAD", "--", *[p.rstrip("/") for p in MANAGED_PREFIXES])
    tree: dict[str, str] = {}
    for entry in out.split("\0"):
        if not entry:
            continue
        meta, path = entry.split("\t", 1)
        _mode, kind, sha = meta.split(" ")
        if kind == "blob":
            tree[path] = sha
    return tree


def published_paths(index: Index) -> list[str]:
    return [
        r[0]
        for r in index.conn.execute(
            "SELECT f.path FROM files f JOIN notes n ON n.file_id = f.id WHERE n.publish = 1 ORDER BY f.path"
        )
    ]


def plan_publish(
    index: Index,
    root: Path,
    repo: Path,
    settings: GardenSettings | None = None,
    mode: Mode = "safe",
    config_dir: str = ".obsidian",
) -> PublishPlan:
    """Compile every published note (and its assets) and compare with the repository's tree."""
    plan = PublishPlan()
    wanted = compile_files(index, root, settings, mode, config_dir, plan.errors)
    tree = remote_tree(repo)
    plan.files = [wanted[p] for p in sorted(wanted)]
    for path in sorted(wanted):
        planned = wanted[path]
        if path not in tree:
            plan.new.append(planned)
        elif tree[path] != planned.sha:
            plan.changed.append(planned)
        else:
            plan.unchanged.append(path)
    plan.deleted = sorted(p for p in tree if p not in wanted)
    return plan


def compile_files(
    index: Index,
    root: Path,
    settings: GardenSettings | None = None,
    mode: Mode = "safe",
    config_dir: str = ".obsidian",
    errors: list[str] | None = None,
) -> dict[str, PlannedFile]:
    """Repository path → file, for every published note and asset (no repository needed: the
    leak audit of ``gardend check --leaks`` uses this too). Unreadable assets go to ``errors``."""
    compiler = GardenCompiler(index, root, settings, mode, config_dir=config_dir)
    wanted: dict[str, PlannedFile] = {}
    errors = errors if errors is not None else []
    for vault_path in published_paths(index):
        try:
            compiled = compiler.compile(vault_path)
        except NotPublishable:
            continue
        data = compiled.text.encode("utf-8")
        wanted[compiled.repo_path] = PlannedFile(compiled.repo_path, data, blob_sha(data), vault_path)
        for asset in compiled.assets:
            if asset.repo_path in wanted:
                continue
            try:
                blob = (root / asset.vault_path).read_bytes()
            except OSError as exc:
                errors.append(f"{vault_path}: asset {asset.vault_path} cannot be read ({exc.strerror or exc})")
                continue
            wanted[asset.repo_path] = PlannedFile(asset.repo_path, blob, blob_sha(blob), asset.vault_path)
    return wanted


def commit_message(plan: PublishPlan) -> str:
    lines = [f"Publish from gardend: {plan.summary()}", ""]
    lines += [f"add {f.repo_path}" for f in plan.new]
    lines += [f"update {f.repo_path}" for f in plan.changed]
    lines += [f"delete {p}" for p in plan.deleted]
    return "\n".join(lines) + "\n"


@dataclass
class PublishReport:
    commit: str | None
    pushed: bool
    plan: PublishPlan


def apply_plan(
    repo: Path,
    plan: PublishPlan,
    *,
    push: bool = True,
    remote: str = "origin",
    branch: str | None = None,
    retries: int = 3,
    backoff_s: float = 1.0,
) -> PublishReport:
    """Write, commit once, push. On any failure the clone is restored and PublishError raised."""
    if plan.empty:
        return PublishReport(None, False, plan)
    dirty = git(repo, "status", "--porcelain", "--", *[p.rstrip("/") for p in MANAGED_PREFIXES]).strip()
    if dirty:
        raise PublishError(
            f"{repo}: uncommitted changes under src/site/notes or src/site/img/user; commit or discard them first"
        )
    before = git(repo, "rev-parse", "--verify", "-q", "HEAD", check=False).strip() or None
    try:
        _write(repo, plan.new + plan.changed, plan.deleted)
        git(repo, "add", "-A", "--", *_present_prefixes(repo))
        git(repo, "-c", "commit.gpgsign=false", "commit", "-q", "-F", "-", input_bytes=commit_message(plan).encode())
        commit = git(repo, "rev-parse", "HEAD").strip()
        if push:
            target = branch or git(repo, "rev-parse", "--abbrev-ref", "HEAD").strip()
            _push_with_retries(repo, remote, target, retries, backoff_s)
    except BaseException as exc:
        _restore(repo, before)
        if isinstance(exc, PublishError):
            raise PublishError(f"{exc} — nothing was published; the local clone was restored") from exc
        raise
    return PublishReport(commit, push, plan)


def _present_prefixes(repo: Path) -> list[str]:
    """Managed folders that exist on disk or are tracked (``git add`` rejects other pathspecs)."""
    out = []
    for prefix in (p.rstrip("/") for p in MANAGED_PREFIXES):
        if (repo / prefix).exists() or git(repo, "ls-files", "--", prefix).strip():
            out.append(prefix)
    return out


def _write(repo: Path, files: Iterable[PlannedFile], deleted: Iterable[str]) -> None:
    for planned in files:
        target = repo / planned.repo_path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(planned.data)
    for path in deleted:
        (repo / path).unlink(missing_ok=True)


def _push_with_retries(repo: Path, remote: str, branch: str, retries: int, backoff_s: float) -> None:
    last: PublishError | None = None
    for attempt in range(retries):
        try:
            git(repo, "push", "--porcelain", remote, f"HEAD:refs/heads/{branch}")
            return
        except PublishError as exc:
            last = exc
            text = str(exc)
            # A hook or a non-fast-forward rejection will not change by retrying.
            if "rejected" in text or "hook declined" in text or "non-fast-forward" in text:
                break
            time.sleep(backoff_s * (2**attempt))
    assert last is not None
    raise last


def _restore(repo: Path, before: str | None) -> None:
    prefixes = [p.rstrip("/") for p in MANAGED_PREFIXES]
    if before is not None:
        git(repo, "reset", "-q", "--hard", before, check=False)
    else:
        git(repo, "rm", "-r", "-q", "--cached", "--ignore-unmatch", "--", *prefixes, check=False)
        git(repo, "update-ref", "-d", "HEAD", check=False)
    git(repo, "clean", "-q", "-f", "-d", "--", *prefixes, check=False)
