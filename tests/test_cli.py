"""The `gardend` commands as a user runs them: index, export, check, info, config handling."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from gardend.daemon.cli import main

from .conftest import CORPORA, REPO, VaultMaker, corpus

DEMO = REPO / "examples" / "research-vault"


def run(*args: str, cwd: Path | None = None) -> tuple[int, str]:
    runner = CliRunner()
    if cwd is not None:
        with runner.isolated_filesystem(temp_dir=cwd):
            result = runner.invoke(main, list(args), catch_exceptions=False)
    else:
        result = runner.invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def test_index_demo_vault(tmp_path: Path) -> None:
    code, out = run("index", str(DEMO), "--db", str(tmp_path / "i.sqlite"))
    assert code == 0
    assert "indexed" in out and "notes" in out


def test_index_json_summary(tmp_path: Path) -> None:
    code, out = run("index", str(DEMO), "--db", str(tmp_path / "i.sqlite"), "--json")
    data = json.loads(out)
    assert code == 0 and data["notes"] >= 10 and data["scanned"] == data["notes"]


def test_export_is_deterministic_across_indexes(tmp_path: Path) -> None:
    _, first = run("export", str(DEMO), "--db", str(tmp_path / "a.sqlite"))
    _, second = run("export", str(DEMO), "--db", str(tmp_path / "b.sqlite"))
    assert first == second
    rows = [json.loads(line) for line in first.splitlines()]
    assert [r["path"] for r in rows] == sorted(r["path"] for r in rows)
    insight = next(r for r in rows if r["path"] == "Research/Insights/2025-01-30 12.13.47.md")
    assert insight["publish"] is True
    assert {link["resolved"] for link in insight["links"] if link["linkpath"] == "Back Pain"} == {
        "Research/Tags/Back Pain.md"
    }
    assert [q["kind"] for q in insight["queries"]] == ["dataview", "dataview"]


def test_check_reports_with_file_and_line(tmp_path: Path, make_vault: VaultMaker) -> None:
    root = make_vault(
        {
            "bad.md": "---\ntitle: [unclosed\n---\nbody",
            "links.md": "text\n[[Nowhere]]\n",
            "a/Same.md": "",
            "b/Same.md": "",
            "x/y/amb.md": "[[Same]]",
            "dup.md": "one ^id\n\ntwo ^id\n",
        }
    )
    code, out = run("check", str(root), "--db", str(tmp_path / "i.sqlite"))
    assert code == 1  # the YAML error
    assert "bad.md:" in out and "invalid YAML" in out
    assert "links.md:2: warning: [[Nowhere]]" in out
    assert "x/y/amb.md:1: warning:" in out and "a/Same.md" in out and "b/Same.md" in out
    assert "dup.md:3: warning: block id ^id" in out
    code, out = run("check", str(root), "--db", str(tmp_path / "i.sqlite"), "--json")
    findings = json.loads(out)
    assert {f["kind"] for f in findings} >= {"yaml", "broken-link", "ambiguous-link", "duplicate-block"}


def test_check_clean_vault_exits_zero_and_strict_fails_on_warnings(tmp_path: Path, make_vault: VaultMaker) -> None:
    root = make_vault({"a.md": "[[b]]", "b.md": "[[c]]"})
    assert run("check", str(root), "--db", str(tmp_path / "i.sqlite"))[0] == 0
    assert run("check", str(root), "--db", str(tmp_path / "i.sqlite"), "--strict")[0] == 1


def test_info_prints_paths_and_db_outside_vault(tmp_path: Path) -> None:
    code, out = run("info", str(DEMO), "--json")
    data = json.loads(out)
    assert code == 0
    assert not data["db"].startswith(str(DEMO))  # the index lives outside the vault
    assert data["vault"] == str(DEMO.resolve())


def test_config_file_and_errors(tmp_path: Path) -> None:
    cfg = tmp_path / "gardend.toml"
    cfg.write_text(f'vault = "{DEMO}"\n[index]\ndb = "idx.sqlite"\n')
    code, out = run("info", "--config", str(cfg), "--json")
    data = json.loads(out)
    assert data["db"] == str(tmp_path / "idx.sqlite")
    cfg.write_text("[index]\ndbb = 1\n")
    code, out = run("info", str(DEMO), "--config", str(cfg))
    assert code == 1 and "unknown option 'index.dbb'" in out
    cfg.write_text("[watch]\ndebounce_ms = 'fast'\n")
    code, out = run("info", str(DEMO), "--config", str(cfg))
    assert code == 1 and "must be an integer" in out


def test_config_example_lists_every_option() -> None:
    from gardend.daemon.config import iter_options

    text = (REPO / "config.example.toml").read_text()
    for dotted, _default, doc in iter_options():
        key = dotted.rsplit(".", 1)[-1]
        assert f"# {key} = " in text, f"{dotted} is missing from config.example.toml"
        assert doc, f"{dotted} has no docstring"


def test_missing_vault_is_a_clear_error(tmp_path: Path) -> None:
    code, out = run("index", str(tmp_path / "nope"))
    assert code == 1 and "does not exist" in out


@pytest.mark.corpus
@pytest.mark.parametrize(
    "name",
    ["dataview-deep-dive", "dataview-test-vault", "dg-test-vault", "kepano-vault", "metadatamenu-test-vault",
     "obsidiantools-vault-stub", "tasks-demo", "ttrpg-share"],
)
def test_corpora_index_export_check_without_traceback(name: str, tmp_path: Path) -> None:
    root = corpus(name)
    db = str(tmp_path / "i.sqlite")
    assert run("index", str(root), "--db", db, "--quiet")[0] == 0
    code, out = run("export", str(root), "--db", db, "--no-sync")
    assert code == 0 and out.count("\n") == sum(1 for _ in root.rglob("*.md") if ".obsidian" not in _.parts)
    code, out = run("check", str(root), "--db", db, "--no-sync", "--json")
    assert code in (0, 1)
    json.loads(out)


@pytest.mark.corpus
def test_obsidian_export_cases(tmp_path: Path) -> None:
    base = corpus("obsidian-export-testdata") / "input"
    for case in sorted(p for p in base.iterdir() if p.is_dir()):
        assert run("index", str(case), "--db", str(tmp_path / f"{case.name}.sqlite"), "--quiet")[0] == 0


def test_corpora_root_is_next_to_repo() -> None:
    assert CORPORA.name == "corpora"
