"""The vault's own Dataview settings change results and markup, with no gardend.toml (dataview.md §6)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from gardend.daemon.cli import main
from gardend.daemon.dataview_settings import load_dataview_settings
from gardend.daemon.index import Index
from gardend.daemon.sync import Synchronizer, SyncResult
from gardend.daemon.watcher import VaultWatcher

from .conftest import VaultMaker

SETTINGS = {
    "renderNullAs": "∅",
    "tableIdColumnName": "Note",
    "defaultDateFormat": "yyyy-MM-dd",
    "showResultCount": False,
    "warnOnEmptyResult": False,
}


def vault(make_vault: VaultMaker, settings: dict | None) -> Path:
    files: dict[str, str | bytes] = {
        "a.md": "---\nwhen: 2024-03-05\n---\n",
        "b.md": "---\nscore: 2\n---\n",
        ".obsidian/plugins/dv/manifest.json": json.dumps({"id": "dataview", "name": "Dataview"}),
    }
    if settings is not None:
        files[".obsidian/plugins/dv/data.json"] = json.dumps(settings)
    return make_vault(files)


def query(root: Path, tmp_path: Path, text: str, fmt: str = "html") -> str:
    result = CliRunner().invoke(main, ["query", str(root), text, "--format", fmt, "--db", str(tmp_path / "i.sqlite")])
    assert result.exit_code in (0, 1), result.output
    return result.output


def test_settings_change_tables(make_vault: VaultMaker, tmp_path: Path) -> None:
    root = vault(make_vault, SETTINGS)
    html = query(root, tmp_path, "TABLE when, score SORT file.name")
    assert "<span>Note</span>" in html  # renamed id column, found by plugin id (folder 'dv')
    assert "small-text" not in html  # no result count
    assert "2024-03-05" in html  # the vault's date format
    assert "<span>∅</span>" in html  # nulls rendered as the vault says
    assert "dataview-error-box" not in query(root, tmp_path, 'TABLE FROM "nowhere"')  # no empty warning
    assert query(root, tmp_path, 'TABLE WITHOUT ID "x" + score FROM "a"', "json").count("x∅") == 1


def test_removing_the_settings_restores_defaults(make_vault: VaultMaker, tmp_path: Path) -> None:
    root = vault(make_vault, None)
    html = query(root, tmp_path, "TABLE when, score SORT file.name")
    assert "<span>File</span>" in html and "small-text" in html and "March 05, 2024" in html and "<span>-</span>" in html


def test_broken_settings_are_a_warning(make_vault: VaultMaker, tmp_path: Path) -> None:
    root = make_vault({
        ".obsidian/plugins/dataview/manifest.json": '{"id": "dataview"}',
        ".obsidian/plugins/dataview/data.json": "{not json",
    })
    settings = load_dataview_settings(root)
    assert settings.problems and "invalid JSON" in settings.problems[0]
    assert settings.table_id_column_name == "File"


# -- the query syntax (prefixes, DataviewJS keyword, switches) drives the index's queries ----------


def set_dataview(root: Path, settings: dict) -> None:
    (root / ".obsidian/plugins/dv/data.json").write_text(json.dumps(settings), encoding="utf-8")


def stored_queries(index: Index) -> list[tuple[str, str, str]]:
    return [tuple(r) for r in index.conn.execute(
        "SELECT f.path, q.kind, q.source FROM queries q JOIN files f ON f.id = q.note_id ORDER BY f.path, q.seq"
    )]


def syntax_vault(make_vault: VaultMaker) -> Path:
    return make_vault({
        "A.md": "value `dv: this.x` and `= this.x`\n",
        "B.md": "no code at all [[A]]\n",
        "C.md": "```\n= this.y\n```\n",
        ".obsidian/plugins/dv/manifest.json": json.dumps({"id": "dataview"}),
    })


def test_query_syntax_change_rescans_the_notes_with_code(make_vault: VaultMaker, tmp_path: Path) -> None:
    root = syntax_vault(make_vault)
    with Index(tmp_path / "i.sqlite") as index:
        Synchronizer(index, root, workers=1).full_sync()
        assert stored_queries(index) == [("A.md", "inline", "= this.x"), ("C.md", "inline", "= this.y")]
        assert Synchronizer(index, root, workers=1).full_sync().scanned == 0  # nothing changed
        set_dataview(root, {"inlineQueryPrefix": "dv:", "inlineQueriesInCodeblocks": False})
        result = Synchronizer(index, root, workers=1).full_sync()
        assert result.scanned == 2 and sorted(result.changed_paths) == ["A.md", "C.md"]  # not B.md
        assert stored_queries(index) == [("A.md", "inline", "dv: this.x")]
        assert Synchronizer(index, root, workers=1).full_sync().scanned == 0


def test_a_new_scanner_version_rescans_every_note_once(make_vault: VaultMaker, tmp_path: Path) -> None:
    """An index scanned by an older gardend (another SCANNER_VERSION) is scanned again in full,
    once: the rules changed, so unchanged notes may yield different rows."""
    from gardend.daemon.index import SCANNER_VERSION_SETTING

    root = syntax_vault(make_vault)
    with Index(tmp_path / "i.sqlite") as index:
        Synchronizer(index, root, workers=1).full_sync()
        with index.transaction():
            index.set_setting(SCANNER_VERSION_SETTING, "1")
        assert Synchronizer(index, root, workers=1).full_sync().scanned == 3  # A, B and C
        assert Synchronizer(index, root, workers=1).full_sync().scanned == 0


def test_query_syntax_change_reaches_the_watcher(make_vault: VaultMaker, tmp_path: Path) -> None:
    """A data.json save with a new prefix re-scans, with no note event (VaultWatcher._process)."""
    root = syntax_vault(make_vault)
    with Index(tmp_path / "i.sqlite") as index:
        sync = Synchronizer(index, root, workers=1)
        sync.full_sync()
        batches: list[SyncResult] = []
        watcher = VaultWatcher(sync, on_batch=batches.append)
        set_dataview(root, {"enableInlineDataview": False})
        watcher._process([], True, [".obsidian/plugins/dv/data.json"])
        assert stored_queries(index) == []
        assert {"A.md", "C.md"} <= set(batches[-1].changed_paths)
        watcher._process([], True, [".obsidian/plugins/dv/data.json"])  # unchanged save: nothing
        assert batches[-1].changed_paths == [] and batches[-1].scanned == 0


def check(root: Path, tmp_path: Path) -> str:
    result = CliRunner().invoke(main, ["check", str(root), "--db", str(tmp_path / "i.sqlite")])
    return result.output


@pytest.mark.parametrize(("settings", "reported"), [
    ({}, []),  # Dataview's defaults: JavaScript off, so nothing is missing from gardend's output
    ({"enableDataviewJs": True}, ["N.md:1"]),
    ({"enableDataviewJs": True, "enableInlineDataviewJs": True}, ["N.md:1", "N.md:4"]),
    ({"enableInlineDataviewJs": True}, []),  # inline needs both switches
    ({"enableDataviewJs": True, "enableInlineDataviewJs": True, "enableInlineDataview": False}, ["N.md:1"]),
])
def test_check_reports_dataviewjs_only_when_it_would_run(
    make_vault: VaultMaker, tmp_path: Path, settings: dict, reported: list[str]
) -> None:
    root = vault(make_vault, settings)
    (root / "N.md").write_text("```dataviewjs\ndv.list()\n```\n`$= dv.current()`\n", encoding="utf-8")
    found = [line.split(": ")[0] for line in check(root, tmp_path).splitlines() if line.endswith("[dataviewjs]")]
    assert found == reported


def test_check_parses_inline_queries_with_the_vaults_prefix(make_vault: VaultMaker, tmp_path: Path) -> None:
    root = vault(make_vault, {"inlineQueryPrefix": "dv:"})
    (root / "N.md").write_text("`dv: 1 +` and `= 1 +`\n", encoding="utf-8")
    out = check(root, tmp_path)
    assert [line.split(": ")[0] for line in out.splitlines() if line.endswith("[query-syntax]")] == ["N.md:1"]


def render(root: Path, tmp_path: Path, note: str, *extra: str) -> str:
    result = CliRunner().invoke(main, ["render", str(root), note, "--db", str(tmp_path / "i.sqlite"), *extra])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize(("settings", "expected"), [
    ({}, '<div class="block-language-dataviewjs" style="overflow-x: auto;"><pre class="dataview dataview-error">'
         "Dataview JS queries are disabled. You can enable them in the Dataview settings.</pre></div>"),
    ({"enableDataviewJs": True}, '<div class="gardend-notice gardend-dataviewjs">DataviewJS is not supported here.</div>'),
])
def test_render_follows_enable_dataview_js(make_vault: VaultMaker, tmp_path: Path, settings: dict, expected: str) -> None:
    root = vault(make_vault, settings)
    (root / "N.md").write_text("```dataviewjs\ndv.list()\n```\n", encoding="utf-8")
    assert render(root, tmp_path, "N.md").strip() == expected


@pytest.mark.parametrize(("in_blocks", "expected"), [
    (True, '<pre><span class="dataview dataview-inline-query"><span>3</span></span></pre>'),
    (False, "<pre><code>= this.score + 1\n</code></pre>"),
])
def test_render_follows_inline_queries_in_codeblocks(
    make_vault: VaultMaker, tmp_path: Path, in_blocks: bool, expected: str
) -> None:
    root = vault(make_vault, {"inlineQueriesInCodeblocks": in_blocks})
    assert render(root, tmp_path, "b.md").strip() == ""  # sanity: the vault renders
    (root / "N.md").write_text("---\nscore: 2\n---\n```\n= this.score + 1\n```\n", encoding="utf-8")
    assert render(root, tmp_path, "N.md").strip() == expected
