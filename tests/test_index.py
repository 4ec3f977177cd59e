"""The SQLite index: migrations, writes, and link resolution that stays right as the vault changes."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

from gardend.daemon.index import Index
from gardend.daemon.sync import Synchronizer
from gardend.migrations import apply_migrations, latest_migration, migration_files
from sqlite_utils import Database

from .conftest import VaultMaker


def open_sync(root: Path, tmp_path: Path) -> tuple[Index, Synchronizer]:
    index = Index(tmp_path / "index.sqlite")
    return index, Synchronizer(index, root, workers=1)


def targets(index: Index, source: str) -> list[tuple[str, str | None]]:
    rows = index.conn.execute(
        "SELECT l.linkpath, l.target_path FROM links l JOIN files f ON f.id = l.note_id WHERE f.path = ? ORDER BY seq",
        (source,),
    )
    return [tuple(r) for r in rows]


def test_schema_is_created_by_migrations_and_recorded(tmp_path: Path) -> None:
    index = Index(tmp_path / "i.sqlite")
    names = [r[0] for r in index.conn.execute("SELECT name FROM _sqlite_migrations ORDER BY id")]
    assert names == [name for name, _ in migration_files()]
    assert index.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    index.close()
    # Re-opening applies nothing.
    assert Index(tmp_path / "i.sqlite").applied_migrations == []


def test_upgrade_from_older_schema(tmp_path: Path, make_vault: VaultMaker) -> None:
    """A database made by schema 1 (before full-text search) is upgraded in place, data kept."""
    path = tmp_path / "old.sqlite"
    db = Database(sqlite3.connect(path))
    apply_migrations(db, stop_before="0002_fulltext")
    assert "notes_fts" not in db.table_names()
    db.execute(
        "INSERT INTO files (id, path, name_lower, folder, ext, size, mtime_ns, ctime_ns, content_hash,"
        " indexed_at_ns, is_note) VALUES (1, 'Old.md', 'old.md', '', 'md', 3, 0, 0, 'h', 0, 1)"
    )
    db.execute(
        "INSERT INTO notes (file_id, title, frontmatter, body_start_line, publish, text)"
        " VALUES (1, 'Old', NULL, 0, 0, 'ancient wisdom')"
    )
    db.conn.commit()
    db.conn.close()
    index = Index(path)
    later = [name for name, _ in migration_files()][1:]
    assert index.applied_migrations == later  # every migration after schema 1, in order
    assert latest_migration() == later[-1]
    hits = index.conn.execute("SELECT rowid FROM notes_fts WHERE notes_fts MATCH 'wisdom'").fetchall()
    assert hits == [(1,)]


def test_creating_a_note_resolves_dangling_links(tmp_path: Path, make_vault: VaultMaker) -> None:
    root = make_vault({"A.md": "[[X]] and [[Sub/X]]"})
    index, sync = open_sync(root, tmp_path)
    sync.full_sync()
    assert targets(index, "A.md") == [("X", None), ("Sub/X", None)]
    (root / "Sub").mkdir()
    (root / "Sub" / "X.md").write_text("x")
    sync.sync_paths(["Sub/X.md"])
    assert targets(index, "A.md") == [("X", "Sub/X.md"), ("Sub/X", "Sub/X.md")]


def test_deleting_and_renaming_re_resolve(tmp_path: Path, make_vault: VaultMaker) -> None:
    root = make_vault({"A.md": "[[X]]", "one/X.md": "1", "two/deeper/X.md": "2"})
    index, sync = open_sync(root, tmp_path)
    sync.full_sync()
    assert targets(index, "A.md") == [("X", "one/X.md")]
    os.rename(root / "one" / "X.md", root / "one" / "Y.md")
    sync.sync_paths(["one/X.md", "one/Y.md"])
    assert targets(index, "A.md") == [("X", "two/deeper/X.md")]
    (root / "two" / "deeper" / "X.md").unlink()
    sync.sync_paths(["two/deeper/X.md"])
    assert targets(index, "A.md") == [("X", None)]


def test_new_shared_name_changes_ambiguous_link(tmp_path: Path, make_vault: VaultMaker) -> None:
    root = make_vault({"src/A.md": "[[Note]]", "far/away/Note.md": "x"})
    index, sync = open_sync(root, tmp_path)
    sync.full_sync()
    assert targets(index, "src/A.md") == [("Note", "far/away/Note.md")]
    (root / "src" / "Note.md").write_text("closer")
    sync.sync_paths(["src/Note.md"])
    assert targets(index, "src/A.md") == [("Note", "src/Note.md")]
    (root / "Note.md").write_text("root")
    sync.sync_paths(["Note.md"])
    assert targets(index, "src/A.md") == [("Note", "Note.md")]  # exact root path wins


def test_ambiguity_is_recorded(tmp_path: Path, make_vault: VaultMaker) -> None:
    root = make_vault({"x/y/A.md": "[[Only]]", "a/Only.md": "", "c/Only.md": ""})
    index, sync = open_sync(root, tmp_path)
    sync.full_sync()
    row = index.conn.execute("SELECT target_path, ambiguous FROM links").fetchone()
    assert row[0] == "a/Only.md"
    assert json.loads(row[1]) == ["a/Only.md", "c/Only.md"]


def test_folder_move_updates_everything(tmp_path: Path, make_vault: VaultMaker) -> None:
    root = make_vault({"Home.md": "[[Deep]] [[old/Deep]]", "old/Deep.md": "[[Home]]", "old/pic.png": b"\x89PNG"})
    index, sync = open_sync(root, tmp_path)
    sync.full_sync()
    os.rename(root / "old", root / "new")
    sync.sync_paths(["old", "new"])
    paths = sorted(r[0] for r in index.conn.execute("SELECT path FROM files"))
    assert paths == ["Home.md", "new/Deep.md", "new/pic.png"]
    assert targets(index, "Home.md") == [("Deep", "new/Deep.md"), ("old/Deep", None)]


def test_attachment_links(tmp_path: Path, make_vault: VaultMaker) -> None:
    root = make_vault({"n.md": "![[pic.png]] ![[pic]]"})
    index, sync = open_sync(root, tmp_path)
    sync.full_sync()
    (root / "img").mkdir()
    (root / "img" / "pic.png").write_bytes(b"\x89PNG")
    sync.sync_paths(["img"])
    assert targets(index, "n.md") == [("pic.png", "img/pic.png"), ("pic", None)]


def test_restart_with_nothing_changed_scans_nothing(tmp_path: Path, make_vault: VaultMaker) -> None:
    root = make_vault({f"n{i}.md": f"note {i} [[n{i + 1}]]" for i in range(20)})
    for i, p in enumerate(sorted(root.iterdir())):
        os.utime(p, ns=(1_600_000_000_000_000_000 + i, 1_600_000_000_000_000_000 + i))
    _index, sync = open_sync(root, tmp_path)
    first = sync.full_sync()
    assert first.scanned == 20
    second = sync.full_sync()
    assert second.scanned == 0 and second.unchanged == 20


def test_touched_file_is_not_rescanned(tmp_path: Path, make_vault: VaultMaker) -> None:
    root = make_vault({"n.md": "same"})
    os.utime(root / "n.md", ns=(1_600_000_000_000_000_000, 1_600_000_000_000_000_000))
    index, sync = open_sync(root, tmp_path)
    sync.full_sync()
    os.utime(root / "n.md", ns=(1_600_000_100_000_000_000, 1_600_000_100_000_000_000))
    result = sync.full_sync()
    assert result.scanned == 0 and result.touched == 1
    assert index.stored_file("n.md").mtime_ns == 1_600_000_100_000_000_000


def test_fts_follows_edits(tmp_path: Path, make_vault: VaultMaker) -> None:
    root = make_vault({"n.md": "alpha bravo"})
    index, sync = open_sync(root, tmp_path)
    sync.full_sync()
    (root / "n.md").write_text("charlie delta")
    sync.sync_paths(["n.md"])
    match = lambda q: index.conn.execute("SELECT rowid FROM notes_fts WHERE notes_fts MATCH ?", (q,)).fetchall()  # noqa: E731
    assert match("alpha") == []
    assert len(match("charlie")) == 1


def test_tag_index_has_parents(tmp_path: Path, make_vault: VaultMaker) -> None:
    root = make_vault({"n.md": "#Project/Alpha/one"})
    index, sync = open_sync(root, tmp_path)
    sync.full_sync()
    tags = sorted(r[0] for r in index.conn.execute("SELECT tag_lower FROM tag_index"))
    assert tags == ["#project", "#project/alpha", "#project/alpha/one"]


def test_parallel_full_index_matches_serial(tmp_path: Path, make_vault: VaultMaker) -> None:
    import io

    from gardend.daemon.export import write_export

    files = {f"f{i % 7}/n{i}.md": f"# N{i}\n[[n{(i * 3) % 150}]] #t{i % 5} [k:: {i}]\n- [ ] task {i}" for i in range(150)}
    root = make_vault(files)
    outs = []
    for workers, name in ((1, "a.sqlite"), (2, "b.sqlite")):
        index = Index(tmp_path / name)
        Synchronizer(index, root, workers=workers).full_sync()
        buf = io.StringIO()
        write_export(index, buf)
        outs.append(buf.getvalue())
        index.close()
    assert outs[0] == outs[1]
    assert outs[0].count("\n") == 150


def test_twenty_megabyte_note_is_indexed(tmp_path: Path, make_vault: VaultMaker) -> None:
    line = "Some prose with a [[Link]] and a #tag, padded out to look like a long export.\n"
    root = make_vault({"big.md": "---\nkind: dump\n---\n" + line * (20_000_000 // len(line)), "Link.md": "x"})
    index, sync = open_sync(root, tmp_path)
    sync.full_sync()
    count, target = index.conn.execute(
        "SELECT COUNT(*), MIN(target_path) FROM links l JOIN files f ON f.id = l.note_id WHERE f.path = 'big.md'"
    ).fetchone()
    assert count == 20_000_000 // len(line)
    assert target == "Link.md"
