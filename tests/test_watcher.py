"""The watcher keeps the index equal to a fresh index of the vault through edit storms.

The yardstick is `gardend export`: after any sequence of creates, edits, atomic saves, renames,
folder moves and deletes — and after a `kill -9` of the daemon followed by a restart — the
index's export must equal the export of a brand-new index of the same vault, byte for byte.
"""

from __future__ import annotations

import io
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from gardend.daemon.export import write_export
from gardend.daemon.index import Index
from gardend.daemon.sync import Synchronizer
from gardend.daemon.watcher import VaultWatcher, WatchOptions

from .conftest import VaultMaker


def export_of(index: Index) -> str:
    buf = io.StringIO()
    write_export(index, buf)
    return buf.getvalue()


def fresh_export(root: Path, tmp: Path) -> str:
    db = tmp / f"fresh-{time.monotonic_ns()}.sqlite"
    index = Index(db)
    Synchronizer(index, root, workers=1).full_sync()
    out = export_of(index)
    index.close()
    return out


class Storm:
    """Random vault operations with a fixed seed (reproducible failures)."""

    def __init__(self, root: Path, seed: int) -> None:
        self.root = root
        self.rng = random.Random(seed)
        self.counter = 0

    def notes(self) -> list[Path]:
        return [p for p in self.root.rglob("*.md") if not any(part.startswith(".") for part in p.relative_to(self.root).parts)]

    def folders(self) -> list[Path]:
        return [p for p in self.root.rglob("*") if p.is_dir() and not p.name.startswith(".")]

    def body(self) -> str:
        self.counter += 1
        names = [p.stem for p in self.notes()[:20]] + ["Missing", "Deep"]
        links = " ".join(f"[[{self.rng.choice(names)}]]" for _ in range(self.rng.randint(0, 3)))
        return f"---\nn: {self.counter}\n---\n# H{self.counter}\n{links} #t{self.rng.randint(0, 3)}\n- [ ] task {self.counter}\nk:: {self.counter}\n"

    def step(self) -> None:
        rng = self.rng
        op = rng.choice(["create", "create", "edit", "edit", "atomic", "rename", "delete", "move_folder", "mkdir"])
        notes = self.notes()
        try:
            if op == "create" or not notes:
                folder = rng.choice([self.root, *self.folders()])
                (folder / f"n{self.counter}-{rng.randint(0, 999)}.md").write_text(self.body())
            elif op == "edit":
                with open(rng.choice(notes), "a", encoding="utf-8") as fh:
                    fh.write(f"\nmore [[n{rng.randint(0, 50)}]] {self.counter}\n")
            elif op == "atomic":
                target = rng.choice(notes)
                tmp = target.with_name("." + target.name + ".swp")
                tmp.write_text(self.body())
                os.replace(tmp, target)
            elif op == "rename":
                src = rng.choice(notes)
                src.rename(src.with_name(f"r{self.counter}-{rng.randint(0, 999)}.md"))
            elif op == "delete":
                rng.choice(notes).unlink()
            elif op == "move_folder":
                folders = self.folders()
                if folders:
                    src = rng.choice(folders)
                    dest_parent = rng.choice([self.root, *[f for f in folders if src not in f.parents and f != src]])
                    dest = dest_parent / f"moved{self.counter}"
                    src.rename(dest)
            elif op == "mkdir":
                base = rng.choice([self.root, *self.folders()])
                new = base / f"dir{self.counter}"
                new.mkdir()
                (new / "Deep.md").write_text(self.body())
        except (FileNotFoundError, OSError):
            pass  # racing our own previous operations is fine
        self.counter += 1


@pytest.fixture
def seeded_vault(make_vault: VaultMaker) -> Path:
    return make_vault(
        {
            "Home.md": "[[A]] [[Deep]]",
            "one/A.md": "# A\n[[Home]]",
            "one/two/B.md": "[[A]]",
            "three/C.md": "x",
            ".obsidian/app.json": "{}",
        }
    )


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2])
def test_storm_in_process_watcher(seeded_vault: Path, tmp_path: Path, seed: int) -> None:
    index = Index(tmp_path / "live.sqlite")
    sync = Synchronizer(index, seeded_vault, workers=1)
    sync.full_sync()
    watcher = VaultWatcher(sync, WatchOptions(debounce_ms=10, max_batch_ms=100))
    watcher.start()
    try:
        storm = Storm(seeded_vault, seed)
        for i in range(400):
            storm.step()
            if i % 50 == 0:
                time.sleep(0.02)
        time.sleep(0.3)
        assert watcher.wait_idle(20)
        time.sleep(0.2)
        assert watcher.wait_idle(20)
    finally:
        watcher.stop()
    assert watcher.errors == 0
    assert export_of(index) == fresh_export(seeded_vault, tmp_path)


@pytest.mark.slow
def test_storm_with_kill_minus_nine_and_restart(seeded_vault: Path, tmp_path: Path) -> None:
    db = tmp_path / "daemon.sqlite"
    cmd = [sys.executable, "-m", "gardend.daemon.cli", "watch", str(seeded_vault), "--db", str(db)]
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    try:
        # Wait until the daemon is watching.
        deadline = time.monotonic() + 60
        assert proc.stderr is not None
        while time.monotonic() < deadline:
            line = proc.stderr.readline().decode()
            if "watching" in line:
                break
        storm = Storm(seeded_vault, 7)
        for i in range(300):
            storm.step()
            if i == 150:
                proc.send_signal(signal.SIGKILL)  # mid-burst, no chance to clean up
                proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
    # Restart: reconciliation picks up everything that happened while the daemon was down.
    index = Index(db)
    Synchronizer(index, seeded_vault, workers=1).full_sync()
    live = export_of(index)
    index.close()
    assert live == fresh_export(seeded_vault, tmp_path)


def test_inotify_limit_falls_back_to_polling(seeded_vault: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             caplog: pytest.LogCaptureFixture) -> None:
    import errno

    import gardend.daemon.watcher as watcher_mod

    class FullObserver(watcher_mod.Observer):  # type: ignore[misc,valid-type]
        def start(self) -> None:
            raise OSError(errno.ENOSPC, "inotify watch limit reached")

    monkeypatch.setattr(watcher_mod, "Observer", FullObserver)
    index = Index(tmp_path / "i.sqlite")
    sync = Synchronizer(index, seeded_vault, workers=1)
    sync.full_sync()
    watcher = VaultWatcher(sync, WatchOptions(debounce_ms=10, poll_interval_s=0.1))
    watcher.start()
    try:
        assert watcher.mode == "polling"
        assert "max_user_watches" in caplog.text
        (seeded_vault / "new.md").write_text("[[Home]]")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and index.stored_file("new.md") is None:
            time.sleep(0.05)
        assert index.stored_file("new.md") is not None
    finally:
        watcher.stop()


def test_watcher_survives_bad_files(seeded_vault: Path, tmp_path: Path) -> None:
    """Binary, unreadable, vanishing and huge files never stop the watcher."""
    index = Index(tmp_path / "i.sqlite")
    sync = Synchronizer(index, seeded_vault, workers=1, max_bytes=1_000_000)
    sync.full_sync()
    watcher = VaultWatcher(sync, WatchOptions(debounce_ms=10))
    watcher.start()
    try:
        (seeded_vault / "bin.md").write_bytes(b"\x00\x01\x02" * 1000)
        (seeded_vault / "bad.md").write_bytes(b"\xff\xfe\xfa [[Home]]")
        (seeded_vault / "huge.md").write_bytes(b"x" * 2_000_000)
        locked = seeded_vault / "locked.md"
        locked.write_text("secret")
        locked.chmod(0)
        gone = seeded_vault / "gone.md"
        gone.write_text("x")
        gone.unlink()
        (seeded_vault / "after.md").write_text("[[Home]]")
        time.sleep(0.2)
        assert watcher.wait_idle(20)
    finally:
        watcher.stop()
        (seeded_vault / "locked.md").chmod(0o644)
    assert watcher.errors == 0
    kinds = dict(index.conn.execute("SELECT f.path, d.kind FROM diagnostics d JOIN files f ON f.id = d.file_id").fetchall())
    assert kinds["bin.md"] == "binary"
    assert kinds["bad.md"] == "encoding"
    assert kinds["huge.md"] == "size"
    if os.geteuid() != 0:  # root can read anything
        assert kinds["locked.md"] == "io"
    assert index.stored_file("gone.md") is None
    assert index.stored_file("after.md") is not None


def test_symlink_loop_is_reported(make_vault: VaultMaker, tmp_path: Path) -> None:
    root = make_vault({"a/n.md": "x"})
    os.symlink(root / "a", root / "a" / "loop")
    index = Index(tmp_path / "i.sqlite")
    result = Synchronizer(index, root, workers=1).full_sync()
    assert any("loop" in p.message for p in result.problems)
    assert [r[0] for r in index.conn.execute("SELECT path FROM files")] == ["a/n.md"]
    shutil.rmtree(root)
