"""Publication status and the all-or-nothing publish into a Digital Garden git repository.

Status (digital-garden.md §5) compares the git blob SHA-1 of every compiled note and asset with
the target repository's tree — the plugin's rule — but computed locally: compiled notes come
from the index, the tree from ``git ls-tree`` of the local clone, so a vault with nothing
changed answers without any network round-trip.

Publishing writes ``src/site/notes/…`` and ``src/site/img/user/…`` only (under the plugin's
``contentBaseDir`` when one is set; never the template's own files), makes ONE commit holding every add, change and delete, and pushes with retries. If any
step fails, the clone is reset to where it was and the error says what and why; the remote is
only changed by a successful push. The real ``git`` binary is used so credentials, SSH and hooks
behave as users expect.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..drawing import DrawingError
from ..index import Index
from .cache import CachedNote, CompileCache, code_fingerprint
from .credentials import NO_AUTH, PushAuth
from .file_times import file_time_warning
from .settings import GardenSettings

if TYPE_CHECKING:
    from .compile import GardenCompiler
    from .context import Mode

# The compiler (.compile, .canvas: the Markdown renderer, the query engine's output) is imported
# only when a note must be compiled: a status check or a republish after one edit mostly finds
# every note in the compile cache, and importing the compiler is a tenth of what they cost.

MANAGED_PREFIXES = ("src/site/notes/", "src/site/img/user/")


def managed_prefixes(content_base_dir: str = "") -> tuple[str, ...]:
    """The folders a publish owns, under the plugin's ``contentBaseDir`` (digital-garden.md §2.1:
    ``Web/`` → ``Web/src/site/notes/…``); already normalised (``""`` or ending in ``/``)."""
    return tuple(content_base_dir + prefix for prefix in MANAGED_PREFIXES)


class PublishError(Exception):
    """Publishing failed; the message says which step and git's own words."""


def blob_sha(data: bytes) -> str:
    """``git hash-object`` of ``data``: SHA-1 over ``blob <size>\\0`` + the bytes."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


@dataclass(frozen=True)
class PlannedFile:
    """One repository file of a publish: compiled note text, or an attachment read lazily (a
    status check compares SHAs only and never needs the bytes of unchanged attachments)."""

    repo_path: str
    content: bytes | None
    sha: str
    source: str  # vault path it came from
    file: Path | None = None
    """Where to read the bytes from when ``content`` is None."""
    load: Callable[[], bytes] | None = None
    """Where to get the bytes from when ``content`` is None and there is no ``file``: a note
    the compile cache holds (see :class:`_CachedText`)."""

    @property
    def data(self) -> bytes:
        if self.content is not None:
            return self.content
        if self.load is not None:
            return self.load()
        assert self.file is not None
        try:
            return self.file.read_bytes()
        except OSError as exc:
            raise PublishError(f"{self.source}: cannot be read ({exc.strerror or exc})") from exc


@dataclass
class PublishPlan:
    """What a publish would do: the plugin's four publication states, per repository file."""

    new: list[PlannedFile] = field(default_factory=list)
    changed: list[PlannedFile] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    """Published notes whose output is incomplete, e.g. ``dataviewjs`` blocks, which gardend does
    not run (the compiled note shows a notice instead)."""
    files: list[PlannedFile] = field(default_factory=list)
    """Every file the repository holds after this publish (new, changed and unchanged): what the
    leak audit reads."""
    content_base_dir: str = ""
    """The plugin's ``contentBaseDir``: every repository path above starts with it."""

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
            "notices": self.notices,
        }


def git(
    repo: Path, *args: str, input_bytes: bytes | None = None, check: bool = True, env: dict[str, str] | None = None
) -> str:
    """Run git in ``repo``; raises PublishError with git's stderr on failure. ``env`` is added to
    the child's environment (push credentials: the environment, unlike argv, is private)."""
    try:
        proc = subprocess.run(
            ["git", "-C", str(repo), *args], input=input_bytes, capture_output=True, check=False,
            env={**os.environ, **env} if env else None,
        )
    except FileNotFoundError as exc:
        raise PublishError("git is not installed (the `git` command was not found)") from exc
    if check and proc.returncode != 0:
        message = proc.stderr.decode("utf-8", "replace").strip() or proc.stdout.decode("utf-8", "replace").strip()
        raise PublishError(f"git {' '.join(args[:2])} failed: {message}")
    return proc.stdout.decode("utf-8", "replace")


def remote_tree(repo: Path, content_base_dir: str = "") -> dict[str, str]:
    """repo path -> blob SHA of the managed files at HEAD (empty for a repository with no commit)."""
    if not (repo / ".git").exists() and not (repo / "HEAD").exists():
        raise PublishError(f"{repo}: not a git repository (clone your garden's repository there first)")
    head = git(repo, "rev-parse", "--verify", "-q", "HEAD", check=False).strip()
    if not head:
        return {}
    out = git(repo, "ls-tree", "-r", "-z", "HEAD", "--", *[p.rstrip("/") for p in managed_prefixes(content_base_dir)])
    tree: dict[str, str] = {}
    for entry in out.split("\0"):
        if not entry:
            continue
        meta, path = entry.split("\t", 1)
        _mode, kind, sha = meta.split(" ")
        if kind == "blob":
            tree[path] = sha
    return tree


class _CachedText:
    """The bytes of a note the compile cache holds, read the first time they are needed (the
    leak gate and the write of a publish read the same bytes: they are kept) and checked
    against the SHA the plan was made with, so that what is audited and written is what was
    planned even if another gardend changed the cache meanwhile."""

    def __init__(self, cache: CompileCache, vault_path: str, sha: str) -> None:
        self.cache = cache
        self.vault_path = vault_path
        self.sha = sha
        self.data: bytes | None = None

    def __call__(self) -> bytes:
        if self.data is None:
            text = self.cache.text(self.vault_path)
            data = None if text is None else text.encode("utf-8")
            if data is None or blob_sha(data) != self.sha:
                raise PublishError(
                    f"{self.vault_path}: its compiled text changed during the publish (another gardend"
                    " publishing?); publish again"
                )
            self.data = data
        return self.data


def published_paths(index: Index, *, canvases: bool = False) -> list[str]:
    """Vault paths of the notes flagged ``dg-publish``; with ``canvases``, the flagged canvases
    too (all in path order)."""
    if canvases:
        from .canvas import published_canvases

        return sorted(published_paths(index) + published_canvases(index))
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
    base = (settings or GardenSettings()).content_base_dir
    plan = PublishPlan(content_base_dir=base)
    wanted = compile_files(index, root, settings, mode, config_dir, plan.errors)
    tree = remote_tree(repo, base)
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
    # With Dataview's enableDataviewJs off the plugin publishes Dataview's "disabled" error for a
    # dataviewjs block, and so does gardend: nothing to report. Inline ``$=`` code is reported
    # either way: the plugin ``eval``s it whatever Dataview's settings (DataviewCompiler.ts).
    js_kinds = "('dataviewjs', 'inline-js')" if (settings or GardenSettings()).enable_dataview_js else "('inline-js')"
    plan.notices = [
        f"{path}:{line + 1}: {kind} is not run by gardend; the published note shows a notice instead"
        for path, line, kind in index.conn.execute(
            "SELECT f.path, q.line, q.kind FROM queries q JOIN files f ON f.id = q.note_id"
            " JOIN notes n ON n.file_id = f.id WHERE n.publish = 1 AND q.kind IN " + js_kinds +
            " ORDER BY f.path, q.line"
        )
    ]
    plan.notices += [w.message() for w in file_time_warning(index, root, settings or GardenSettings())]
    return plan


def compile_files(
    index: Index,
    root: Path,
    settings: GardenSettings | None = None,
    mode: Mode = "safe",
    config_dir: str = ".obsidian",
    errors: list[str] | None = None,
    *,
    use_cache: bool = True,
) -> dict[str, PlannedFile]:
    """Repository path → file, for every published note, canvas and asset (no repository
    needed: the leak audit of ``gardend check --leaks`` uses this too). Unreadable assets and
    canvases the plugin could not compile go to ``errors``. Repository paths start with the
    settings' ``contentBaseDir`` (the cache stores them without).

    Compiled notes come from the compile cache (:mod:`.cache`) when nothing they read changed;
    only the rest are compiled, and the compiler itself is only built when one is needed.
    Canvases are always compiled (:mod:`.canvas`): they are few, and their text nodes read notes,
    queries and publish flags that a cache entry would have to track — compiling them afresh is
    what keeps an edited canvas, or an edited note one shows, from being published stale."""
    settings = settings or GardenSettings()
    errors = errors if errors is not None else []
    cache = None
    if use_cache:
        fingerprint = compile_fingerprint(root, settings, mode, config_dir)
        cache = CompileCache(index, mode, fingerprint, _class_folder(root, config_dir))
    compiler: GardenCompiler | None = None
    notes: list[CachedNote] = []
    paths = published_paths(index)
    for vault_path in paths:
        cached = cache.lookup(vault_path) if cache is not None else None
        if cached is None:
            from .compile import GardenCompiler, NotPublishable

            if compiler is None:
                compiler = GardenCompiler(index, root, settings, mode, config_dir=config_dir)
            memo = cache.valid_blocks(vault_path) if cache is not None else {}
            try:
                compiled, reads, query_reads, blocks = compiler.compile_with_reads(vault_path, memo)
            except NotPublishable:
                continue
            except DrawingError as exc:  # a published drawing whose JSON does not parse (§4.11)
                errors.append(f"{exc}: the drawing cannot be published")
                continue
            data = compiled.text.encode("utf-8")
            cached = CachedNote(
                vault_path, compiled.garden_path, compiled.repo_path, compiled.text, blob_sha(data),
                tuple((a.vault_path, a.repo_path) for a in compiled.assets),
            )
            if cache is not None:
                cache.store(cached, reads, query_reads, blocks)
        notes.append(cached)
    has_canvases = index.conn.execute("SELECT 1 FROM canvases WHERE publish = 1 LIMIT 1").fetchone() is not None
    if has_canvases:
        from .canvas import CanvasError, compile_canvas, published_canvases
        from .compile import GardenCompiler, NotPublishable
    for vault_path in published_canvases(index) if has_canvases else ():
        if compiler is None:
            compiler = GardenCompiler(index, root, settings, mode, config_dir=config_dir)
        try:
            canvas = compile_canvas(compiler, vault_path)
        except NotPublishable:
            continue
        except CanvasError as exc:
            errors.append(f"{vault_path}: the canvas cannot be published: {exc}")
            continue
        notes.append(CachedNote(
            vault_path, canvas.garden_path, canvas.repo_path, canvas.text, blob_sha(canvas.text.encode("utf-8")),
            tuple((a.vault_path, a.repo_path) for a in canvas.assets),
        ))
    wanted: dict[str, PlannedFile] = {}
    assets = AssetShas(index, root)
    base = settings.content_base_dir
    for note in notes:
        if note.text is not None:
            planned = PlannedFile(base + note.repo_path, note.text.encode("utf-8"), note.sha, note.vault_path)
        else:
            assert cache is not None  # only the cache leaves the text to be read later
            planned = PlannedFile(base + note.repo_path, None, note.sha, note.vault_path,
                                  load=_CachedText(cache, note.vault_path, note.sha))
        wanted[base + note.repo_path] = planned
        for vault_path, unprefixed in note.assets:
            repo_path = base + unprefixed
            if repo_path in wanted:
                continue
            try:
                sha = assets.sha(vault_path)
            except OSError as exc:
                errors.append(f"{note.vault_path}: asset {vault_path} cannot be read ({exc.strerror or exc})")
                continue
            wanted[repo_path] = PlannedFile(repo_path, None, sha, vault_path, root / vault_path)
    assets.save()
    if cache is not None:
        cache.finish(paths)
    return wanted


class AssetShas:
    """Git blob SHA-1 of attachments, cached in the index by size and mtime."""

    def __init__(self, index: Index, root: Path) -> None:
        self.index = index
        self.root = root
        self.known = {
            r[0]: (r[1], r[2], r[3]) for r in index.conn.execute("SELECT path, size, mtime_ns, sha FROM publish_assets")
        }
        self.fresh: list[tuple[str, int, int, str]] = []

    def sha(self, vault_path: str) -> str:
        """Raises OSError when the file cannot be read."""
        st = (self.root / vault_path).stat()
        known = self.known.get(vault_path)
        if known is not None and known[0] == st.st_size and known[1] == st.st_mtime_ns:
            return known[2]
        sha = blob_sha((self.root / vault_path).read_bytes())
        self.known[vault_path] = (st.st_size, st.st_mtime_ns, sha)
        self.fresh.append((vault_path, st.st_size, st.st_mtime_ns, sha))
        return sha

    def save(self) -> None:
        if not self.fresh:
            return
        try:
            with self.index.conn:
                self.index.conn.executemany("INSERT OR REPLACE INTO publish_assets VALUES (?, ?, ?, ?)", self.fresh)
        except sqlite3.OperationalError:
            pass  # a read-only index only loses the speed-up
        self.fresh = []


def compile_fingerprint(root: Path, settings: GardenSettings, mode: str, config_dir: str) -> str:
    """Everything besides the vault's notes that a compiled note depends on: the mode, the
    Digital Garden settings in effect, every effective Obsidian and plugin setting from any
    source (gardend.toml overrides included; secrets only as "set or not"), the bookmarks
    (``file.starred``), the time zone and gardend's code."""
    from ..effective_settings import settings_fingerprint

    h = hashlib.sha256()
    # File times are formatted in the local zone unless the settings name one.
    zone = f"{os.environ.get('TZ', '')}/{time.tzname}/{time.timezone}"
    h.update(f"{mode}\0{config_dir}\0{settings!r}\0{zone}\0{code_fingerprint()}\n".encode())
    h.update(settings_fingerprint(root, config_dir).encode())
    try:
        h.update((root / config_dir / "bookmarks.json").read_bytes())
    except OSError:
        h.update(b"<no bookmarks>")
    return h.hexdigest()


def _class_folder(root: Path, config_dir: str) -> str | None:
    from ..fileclass import load_metadata_menu_settings

    try:
        return load_metadata_menu_settings(root, config_dir).class_files_path
    except Exception:  # unreadable settings: no class folder (the fingerprint covers the file)
        return None


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
    auth: PushAuth = NO_AUTH,
) -> PublishReport:
    """Write, commit once, push. On any failure the clone is restored and PublishError raised.

    ``auth`` (:func:`.credentials.push_auth`) says how the push authenticates."""
    if plan.empty:
        return PublishReport(None, False, plan)
    prefixes = managed_prefixes(plan.content_base_dir)
    dirty = git(repo, "status", "--porcelain", "--", *[p.rstrip("/") for p in prefixes]).strip()
    if dirty:
        raise PublishError(
            f"{repo}: uncommitted changes under {' or '.join(p.rstrip('/') for p in prefixes)};"
            " commit or discard them first"
        )
    before = git(repo, "rev-parse", "--verify", "-q", "HEAD", check=False).strip() or None
    try:
        _write(repo, plan.new + plan.changed, plan.deleted)
        git(repo, "add", "-A", "--", *_present_prefixes(repo, prefixes))
        git(repo, "-c", "commit.gpgsign=false", "commit", "-q", "-F", "-", input_bytes=commit_message(plan).encode())
        commit = git(repo, "rev-parse", "HEAD").strip()
        if push:
            target = branch or git(repo, "rev-parse", "--abbrev-ref", "HEAD").strip()
            _push_with_retries(repo, remote, target, retries, backoff_s, auth)
    except BaseException as exc:
        _restore(repo, before, prefixes)
        if isinstance(exc, PublishError):
            raise PublishError(f"{exc} — nothing was published; the local clone was restored") from exc
        raise
    return PublishReport(commit, push, plan)


def _present_prefixes(repo: Path, prefixes: tuple[str, ...] = MANAGED_PREFIXES) -> list[str]:
    """Managed folders that exist on disk or are tracked (``git add`` rejects other pathspecs)."""
    out = []
    for prefix in (p.rstrip("/") for p in prefixes):
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


PUSH_CONFIG = ("-c", "pack.window=0")
"""No delta search when packing a push: compiled notes are already-compressed text with little
to share, so on a first publish of 4k notes the search costs seconds (half the push) for 7% of
the pack's size, and after one edit there is nothing to search. The host repacks anyway."""


def _push_with_retries(
    repo: Path, remote: str, branch: str, retries: int, backoff_s: float, auth: PushAuth = NO_AUTH
) -> None:
    last: PublishError | None = None
    for attempt in range(retries):
        try:
            git(repo, *auth.git_args, *PUSH_CONFIG, "push", "--porcelain", auth.target or remote,
                f"HEAD:refs/heads/{branch}",
                env=dict(auth.env))
            return
        except PublishError as exc:
            last = PublishError(auth.redact(str(exc)))  # git may echo credentials; never chained
            text = str(last)
            # A hook or a non-fast-forward rejection will not change by retrying.
            if "rejected" in text or "hook declined" in text or "non-fast-forward" in text:
                break
            time.sleep(backoff_s * (2**attempt))
    assert last is not None
    raise last


def _restore(repo: Path, before: str | None, managed: tuple[str, ...] = MANAGED_PREFIXES) -> None:
    prefixes = [p.rstrip("/") for p in managed]
    if before is not None:
        git(repo, "reset", "-q", "--hard", before, check=False)
    else:
        git(repo, "rm", "-r", "-q", "--cached", "--ignore-unmatch", "--", *prefixes, check=False)
        git(repo, "update-ref", "-d", "HEAD", check=False)
    git(repo, "clean", "-q", "-f", "-d", "--", *prefixes, check=False)
