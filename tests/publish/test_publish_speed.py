"""What makes a first publish and a republish fast, and must not change what they do.

* markers of unpublished notes are cut in a child process while the notes compile
  (``cut_in_background``), and the gate's findings are the same whoever cut, or if the child
  is stopped half-way;
* the leak store follows note *content*: a sync that only confirms a "racily clean" note is
  unchanged cuts nothing again, while a change of how the index scans (scanner version, query
  syntax) cuts everything again;
* outputs are searched by distinct line (``_Lines``): the same needles are found as by a plain
  search, separators and multi-line needles included;
* compiled notes found in the compile cache are read only when written, and must be the text
  the plan's SHA was taken from;
* a publish does not import what it does not use (the static site, the compiler when nothing is
  compiled, sqlite-utils when the schema is current).
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from gardend.daemon import index as index_mod
from gardend.daemon.cli import main
from gardend.daemon.index import QUERY_SYNTAX_SETTING, Index
from gardend.daemon.publish import cache as cache_mod
from gardend.daemon.publish import leaks as leaks_mod
from gardend.daemon.publish.gitsync import PlannedFile, PublishError, PublishPlan, compile_files
from gardend.daemon.publish.leaks import (
    LeakStore,
    audit,
    build_markers,
    cut_in_background,
    publish_gate,
)
from gardend.daemon.sync import Synchronizer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ..conftest import VaultMaker
from .helpers import GIT_ENV, make_garden, run_git
from .test_leak_store import outputs_for, vaults

SECRET = "The sealed envelope is under the blue staircase"


def _vault(make_vault: VaultMaker, private: int = 12) -> Path:
    notes: dict[str, str | bytes] = {
        "Pub/Home.md": "---\ndg-publish: true\n---\nA public home page with its own words.\n",
        "Pub/Leaky.md": f"---\ndg-publish: true\n---\nOops: {SECRET.lower()} again.\n",
    }
    for i in range(private):
        notes[f"Priv/Diary {i:02}.md"] = f"Entry number {i} of a diary kept private.\n{SECRET} {i}.\n"
    return make_vault(notes)


def _sync(root: Path, db: Path) -> Index:
    index = Index(db)
    Synchronizer(index, root, workers=1).full_sync()
    return index


OUTPUTS = [("src/site/notes/Pub/Home.md", f"A public home page. {SECRET} 3.".encode()),
           ("src/site/notes/Pub/Other.md", b"Entry number 7 of a diary kept private.")]


# -- cutting in a child process -------------------------------------------------------------------

def test_cut_in_background_stores_the_cuts_the_gate_would(tmp_path: Path, make_vault: VaultMaker,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    root = _vault(make_vault)
    index = _sync(root, tmp_path / "i.sqlite")
    expected = audit(build_markers(index, root), OUTPUTS)
    assert expected
    monkeypatch.setattr(leaks_mod, "BACKGROUND_CUT_MIN", 5)
    assert LeakStore(index, root).pending() == 12
    with cut_in_background(index, root) as cutting:
        assert cutting.proc is not None
        assert cutting.wait(timeout=120) and cutting.ready
        assert LeakStore(index, root).pending() == 0  # stored before it said so
    assert not cutting.running  # nothing to audit: the child is gone with the block
    store = LeakStore(index, root)
    assert store.audit(OUTPUTS) == expected
    assert store.timings["markers"] < 5  # nothing left to cut
    # A second publish has nothing to cut: no child is started.
    with cut_in_background(index, root) as again:
        assert again.proc is None and not again.wait()
    index.close()


@pytest.mark.parametrize("strategy", ["small", "large"])
def test_the_child_audits_as_the_gate_would(tmp_path: Path, make_vault: VaultMaker, monkeypatch: pytest.MonkeyPatch,
                                            strategy: str) -> None:
    root = _vault(make_vault)
    index = _sync(root, tmp_path / "i.sqlite")
    expected = audit(build_markers(index, root), OUTPUTS)
    monkeypatch.setattr(leaks_mod, "BACKGROUND_CUT_MIN", 1)
    with cut_in_background(index, root) as cutting:
        assert cutting.audit(OUTPUTS, strategy) == expected
        assert "search" in cutting.timings
        assert cutting.audit(OUTPUTS, strategy) is None  # one audit per child
    index.close()


def test_the_child_sees_edits_made_after_it_cut(tmp_path: Path, make_vault: VaultMaker,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """The child audits the index as it is then: a private note edited (and synced) after the
    child cut is cut again, as the gate here would."""
    root = _vault(make_vault)
    index = _sync(root, tmp_path / "i.sqlite")
    monkeypatch.setattr(leaks_mod, "BACKGROUND_CUT_MIN", 1)
    outputs = [*OUTPUTS, ("src/site/notes/Pub/New.md", b"A brand new confidential sentence appears today")]
    with cut_in_background(index, root) as cutting:
        assert cutting.wait(timeout=120)
        diary = root / "Priv/Diary 05.md"
        diary.write_text(diary.read_text() + "A brand new confidential sentence appears today.\n")
        Synchronizer(index, root, workers=1).full_sync()
        expected = audit(build_markers(index, root), outputs)
        assert "src/site/notes/Pub/New.md" in {leak.where for leak in expected}
        assert cutting.audit(outputs, "large") == expected
    index.close()


def test_the_gate_audits_itself_when_the_child_cannot(tmp_path: Path, make_vault: VaultMaker,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    root = _vault(make_vault)
    index = _sync(root, tmp_path / "i.sqlite")
    expected = audit(build_markers(index, root), OUTPUTS)
    monkeypatch.setattr(leaks_mod, "BACKGROUND_CUT_MIN", 1)
    # A child that says it is ready and then dies instead of auditing.
    monkeypatch.setattr(leaks_mod, "_CHILD", "import sys; sys.stdout.buffer.write(b'ready\\n'); sys.exit(2)")
    with cut_in_background(index, root) as cutting:
        assert cutting.audit(OUTPUTS) is None
        plan = PublishPlan(new=[PlannedFile(name, data, "", name) for name, data in OUTPUTS])
        monkeypatch.setattr(leaks_mod, "plan_outputs", lambda plan, **_kw: list(OUTPUTS))
        gate = publish_gate(index, root, plan, "safe", cutting)
    assert gate.leaks == expected and not gate.ok
    index.close()


def test_few_notes_to_cut_are_cut_by_the_gate_itself(tmp_path: Path, make_vault: VaultMaker) -> None:
    root = _vault(make_vault, private=3)
    index = _sync(root, tmp_path / "i.sqlite")
    with cut_in_background(index, root) as cutting:
        assert cutting.proc is None  # under BACKGROUND_CUT_MIN
    assert LeakStore(index, root).audit(OUTPUTS) == audit(build_markers(index, root), OUTPUTS)
    index.close()


def test_a_child_stopped_half_way_changes_no_finding(tmp_path: Path, make_vault: VaultMaker,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    root = _vault(make_vault)
    index = _sync(root, tmp_path / "i.sqlite")
    monkeypatch.setattr(leaks_mod, "BACKGROUND_CUT_MIN", 1)
    cutting = cut_in_background(index, root)
    assert cutting.proc is not None
    cutting.stop()  # e.g. the compile failed: the child goes, whatever it had done
    assert not cutting.running
    assert LeakStore(index, root).audit(OUTPUTS) == audit(build_markers(index, root), OUTPUTS)
    assert LeakStore(index, root).pending() == 0
    index.close()


def test_a_failing_child_only_costs_time(tmp_path: Path, make_vault: VaultMaker,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    root = _vault(make_vault)
    index = _sync(root, tmp_path / "i.sqlite")
    monkeypatch.setattr(leaks_mod, "BACKGROUND_CUT_MIN", 1)
    monkeypatch.setattr(leaks_mod, "_CHILD", "raise SystemExit(3)")
    with cut_in_background(index, root) as cutting:
        assert cutting.proc is not None and not cutting.wait(timeout=60)
        assert cutting.audit(OUTPUTS) is None
    assert LeakStore(index, root).pending() == 12
    assert LeakStore(index, root).audit(OUTPUTS) == audit(build_markers(index, root), OUTPUTS)
    index.close()


def test_a_prepared_large_audit_is_used_when_nothing_changed(tmp_path: Path, make_vault: VaultMaker,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    root = _vault(make_vault)
    index = _sync(root, tmp_path / "i.sqlite")
    expected = audit(build_markers(index, root), OUTPUTS)
    store = LeakStore(index, root)
    store.prepare(large=True)
    assert store._large is not None

    def unprepared(*_args: object) -> None:
        raise AssertionError("made again")

    monkeypatch.setattr(LeakStore, "_whole_forms", unprepared)
    assert store.audit(OUTPUTS, strategy="large") == expected
    assert store._large is None  # used once
    index.close()


@given(vaults(), st.data())
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
def test_what_a_large_audit_prepared_still_holds_after_an_edit(notes: dict[str, str], data: st.DataObject) -> None:
    """:meth:`LeakStore.prepare` makes what a large audit searches for ahead of the outputs (the
    child of ``cut_in_background`` does, while the notes compile); an edit synced before the
    audit (a note changed, published, unpublished or deleted) must make the audit find what
    the reference finds, not what was prepared."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "vault"
        for rel, text in notes.items():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_text(text, encoding="utf-8")
        index = _sync(root, Path(tmp) / "i.sqlite")
        try:
            store = LeakStore(index, root)
            store.keep_forms = True
            store.prepare(large=True)
            if data.draw(st.booleans()):
                path = data.draw(st.sampled_from(sorted(notes)))
                change = data.draw(st.sampled_from(["append", "flip", "delete"]))
                if change == "delete":
                    (root / path).unlink()
                    del notes[path]
                else:
                    text = notes[path]
                    notes[path] = (text + "India juliet appended private words here now\n" if change == "append" else
                                   text.replace("dg-publish: true\n", "") if "dg-publish" in text else
                                   text.replace("---\n", "---\ndg-publish: true\n", 1))
                    (root / path).write_text(notes[path], encoding="utf-8")
                Synchronizer(index, root, workers=1).full_sync()
            outputs = data.draw(outputs_for(notes))
            assert store.audit(outputs, strategy="large") == audit(build_markers(index, root), outputs)
        finally:
            index.close()


def test_a_child_too_slow_is_stopped(tmp_path: Path, make_vault: VaultMaker, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _vault(make_vault)
    index = _sync(root, tmp_path / "i.sqlite")
    monkeypatch.setattr(leaks_mod, "BACKGROUND_CUT_MIN", 1)
    monkeypatch.setattr(leaks_mod, "_CHILD", "import time; time.sleep(60)")
    with cut_in_background(index, root) as cutting:
        assert not cutting.wait(timeout=0.5)
        assert not cutting.running and cutting.audit(OUTPUTS) is None
    index.close()


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_a_publish_whose_child_audits_still_refuses_a_leak(tmp_path: Path, make_vault: VaultMaker,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """End to end: ``gardend publish`` with the markers cut (and the audit run) by the child
    refuses the leak as it always did, and neither the clone nor the remote changes."""
    for key, value in GIT_ENV.items():
        monkeypatch.setenv(key, value)
    bare, clone = make_garden(tmp_path)
    root = _vault(make_vault)
    monkeypatch.setattr(leaks_mod, "BACKGROUND_CUT_MIN", 1)
    started: list[object] = []
    real = leaks_mod.BackgroundCut.audit

    def audit_in_child(self: leaks_mod.BackgroundCut, *args: object, **kwargs: object) -> object:
        started.append(self.proc)
        found = real(self, *args, **kwargs)  # type: ignore[arg-type]
        assert found is not None  # the child answered
        return found

    monkeypatch.setattr(leaks_mod.BackgroundCut, "audit", audit_in_child)
    real_outputs = leaks_mod.plan_outputs
    # What a compile bug would publish: a private note's sentence in a published page.
    monkeypatch.setattr(leaks_mod, "plan_outputs", lambda plan, **kw: [
        *real_outputs(plan, **kw), ("src/site/notes/Pub/Home.md", b"Entry number 7 of a diary kept private.")])
    head = run_git(bare, "rev-parse", "HEAD")
    args = ["publish", str(root), "--repo", str(clone), "--db", str(tmp_path / "i.sqlite"), "--mode", "safe"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1, result.output
    assert started and started[0] is not None
    assert 'src/site/notes/Pub/Home.md: private text from Priv/Diary 07.md (body): "Entry number 7 of a diary' \
        ' kept private"' in result.stderr
    assert run_git(bare, "rev-parse", "HEAD") == head
    assert run_git(clone, "status", "--porcelain") == ""


# -- the store follows content, and how the index scans ------------------------------------------

def _next_id(index: Index) -> str:
    return index.conn.execute("SELECT value FROM leak_meta WHERE key = 'next_id'").fetchone()[0]


def test_a_racily_clean_sync_cuts_nothing_again(tmp_path: Path, make_vault: VaultMaker) -> None:
    root = _vault(make_vault)
    index = _sync(root, tmp_path / "i.sqlite")
    LeakStore(index, root).audit(OUTPUTS)
    cut = _next_id(index)
    # The vault was just written: every note is "racily clean", so the next sync hashes it again
    # and moves its index time without rescanning it.
    before = dict(index.conn.execute("SELECT path, indexed_at_ns FROM files"))
    Synchronizer(index, root, workers=1).full_sync()
    after = dict(index.conn.execute("SELECT path, indexed_at_ns FROM files"))
    assert any(after[p] != before[p] for p in before)
    assert LeakStore(index, root).pending() == 0
    assert LeakStore(index, root).audit(OUTPUTS) == audit(build_markers(index, root), OUTPUTS)
    assert _next_id(index) == cut
    index.close()


def test_a_new_scan_of_the_vault_cuts_everything_again(tmp_path: Path, make_vault: VaultMaker) -> None:
    root = _vault(make_vault)
    index = _sync(root, tmp_path / "i.sqlite")
    LeakStore(index, root).audit(OUTPUTS)
    assert LeakStore(index, root).pending() == 0
    with index.transaction():  # as when Dataview's query syntax changed: notes are scanned again
        index.set_setting(QUERY_SYNTAX_SETTING, "another syntax")
    assert LeakStore(index, root).pending() == 12
    assert LeakStore(index, root).audit(OUTPUTS) == audit(build_markers(index, root), OUTPUTS)
    assert LeakStore(index, root).pending() == 0
    index.close()


# -- searching by distinct line -------------------------------------------------------------------

_PIECES = st.sampled_from(["ab", "b<", ">c", "a\nb", "\n", "<", ">", "abc", "bca", "c", " ", "x\0y", "é"])
_TEXTS = st.lists(st.lists(_PIECES, max_size=12).map("".join), max_size=5)
_NEEDLES = st.lists(st.lists(_PIECES, min_size=1, max_size=4).map("".join), max_size=8)


@given(_TEXTS, _NEEDLES, st.sampled_from(["\n", "\n<>", "\n\0"]))
@settings(max_examples=300, deadline=None)
def test_lines_find_what_a_plain_search_finds(texts: list[str], needles: list[str], separators: str) -> None:
    wanted = {n for n in needles if n and "\0" not in n}
    expected = {i: {n for n in wanted if n in text} for i, text in enumerate(texts)}
    expected = {i: found for i, found in expected.items() if found}
    lines = leaks_mod._Lines(texts, separators)
    found = lines.per_text(lines.scan(wanted))
    for i, hits in lines.multiline(wanted).items():
        found.setdefault(i, set()).update(hits)
    assert found == expected
    assert leaks_mod._scan_each(texts, wanted) == expected
    assert leaks_mod._occurring("\0".join(texts), wanted) == {n for n in wanted if n in "\0".join(texts)}


@given(st.lists(st.tuples(st.sampled_from(["a.md", "b.md", "c.md"]), _TEXTS.map("\0".join)), max_size=4),
       st.lists(st.text("abc<\n", min_size=1, max_size=4), min_size=25, max_size=40, unique=True))
@settings(max_examples=100, deadline=None)
def test_witnesses_name_the_first_note_showing_each_needle(rows: list[tuple[str, str]], needles: list[str]) -> None:
    expected = {}
    for needle in set(needles):
        path = next((path for path, text in rows if needle in text), None)
        if path is not None:
            expected[needle] = path
    assert leaks_mod._witnesses(rows, set(needles)) == expected


@pytest.mark.parametrize("max_crossing", [leaks_mod.MAX_CROSSING, 0])
def test_a_large_audit_finds_markers_written_with_angle_brackets(tmp_path: Path, make_vault: VaultMaker,
                                                                 monkeypatch: pytest.MonkeyPatch,
                                                                 max_crossing: int) -> None:
    """Outputs are split at ``<`` and ``>`` unless many needles hold one: a private property
    holding them is still found, in every strategy."""
    monkeypatch.setattr(leaks_mod, "MAX_CROSSING", max_crossing)
    root = make_vault({
        "Pub/Home.md": "---\ndg-publish: true\n---\nA public home page.\n",
        "Priv/Note.md": "---\ncode: \"<b>bold</b> secret value 42\"\n---\nNothing much here.\n",
    })
    index = _sync(root, tmp_path / "i.sqlite")
    outputs = [("page.html", b"<div><b>bold</b> secret value 42</div>\n<p>x</p>")]
    expected = audit(build_markers(index, root), outputs)
    assert [leak.marker_kind for leak in expected] == ["property"]
    for strategy in ("large", "small", "large"):
        assert LeakStore(index, root).audit(outputs, strategy=strategy) == expected, strategy
    index.close()


# -- the compile cache's texts -------------------------------------------------------------------

def test_cached_notes_are_read_when_written_and_checked(tmp_path: Path, make_vault: VaultMaker) -> None:
    root = _vault(make_vault, private=1)
    index = _sync(root, tmp_path / "i.sqlite")
    first = compile_files(index, root)
    assert all(f.content is not None for f in first.values())  # compiled now: in memory
    again = compile_files(index, root)
    assert set(again) == set(first)
    assert all(f.content is None and f.load is not None for f in again.values())  # from the cache
    assert {p: f.data for p, f in again.items()} == {p: f.data for p, f in first.items()}
    # Another gardend replaced a cached text after this plan was made: refused, not published.
    stale = compile_files(index, root)
    path = "src/site/notes/Pub/Home.md"
    index.conn.execute("UPDATE publish_cache SET text = ? WHERE vault_path = 'Pub/Home.md'",
                       (cache_mod._pack("another text"),))
    with pytest.raises(PublishError, match="changed during the publish"):
        _ = stale[path].data
    index.close()


def test_cached_block_outputs_are_read_back(tmp_path: Path, make_vault: VaultMaker) -> None:
    """The Dataview blocks' outputs, stored compressed, are what a recompile reuses."""
    from gardend.daemon.publish.cache import CompileCache
    from gardend.daemon.publish.gitsync import _class_folder, compile_fingerprint
    from gardend.daemon.publish.settings import GardenSettings

    root = make_vault({
        "Pub/List.md": "---\ndg-publish: true\n---\nAll of them:\n\n```dataview\nLIST FROM \"Pub\"\n```\n",
        "Pub/Other.md": "---\ndg-publish: true\n---\nAnother public note.\n",
    })
    index = _sync(root, tmp_path / "i.sqlite")
    text = compile_files(index, root)["src/site/notes/Pub/List.md"].data.decode()
    fingerprint = compile_fingerprint(root, GardenSettings(), "safe", ".obsidian")
    memo = CompileCache(index, "safe", fingerprint, _class_folder(root, ".obsidian")).valid_blocks("Pub/List.md")
    assert len(memo) == 1
    (output, _record), = memo.values()
    assert "Other" in output and output in text
    index.close()


# -- start-up ------------------------------------------------------------------------------------

def test_a_publish_imports_only_what_it_uses() -> None:
    code = (
        "import sys\n"
        "import gardend.daemon.cli, gardend.daemon.publish.gitsync, gardend.daemon.publish.leaks\n"
        "heavy = ['gardend.daemon.site.static_build', 'aiohttp', 'jinja2', 'gardend.daemon.publish.compile',\n"
        "         'gardend.renderers.markdown', 'sqlite_utils']\n"
        "print(' '.join(m for m in heavy if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_an_index_with_every_migration_does_not_run_them(tmp_path: Path) -> None:
    from gardend import migrations

    assert index_mod._MIGRATION_SET == migrations.MIGRATION_SET
    db = tmp_path / "i.sqlite"
    Index(db).close()
    conn = sqlite3.connect(db)
    assert index_mod._schema_current(conn)
    conn.execute("DELETE FROM _sqlite_migrations WHERE name = ?", (migrations.latest_migration(),))
    assert not index_mod._schema_current(conn)
    conn.close()
    assert not index_mod._schema_current(sqlite3.connect(tmp_path / "new.sqlite"))
