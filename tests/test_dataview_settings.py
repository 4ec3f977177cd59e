"""The vault's own Dataview settings change results and markup, with no gardend.toml (dataview.md §6)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from gardend.daemon.cli import main
from gardend.daemon.dataview_settings import load_dataview_settings

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
