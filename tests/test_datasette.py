"""The index in Datasette: metadata that describes the real schema, facets and canned queries that
answer correctly, and `gardend datasette` — all against the real Datasette (the test extra)."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from click.testing import CliRunner
from datasette.app import Datasette
from gardend.daemon.cli import main
from gardend.daemon.cli.datasette_cmd import MISSING_DATASETTE, datasette_argv
from gardend.daemon.datasette_meta import CANNED_QUERIES, TABLES, build_metadata
from gardend.daemon.index import Index
from gardend.daemon.sync import Synchronizer

from .conftest import VaultMaker

# A published home linking to a published and an unpublished note and to nothing, a published
# note embedding the unpublished one, an orphan that only links to itself, nested tags and tasks.
VAULT: dict[str, str | bytes] = {
    "Home.md": (
        "---\ndg-publish: true\ntags: [home]\n---\n"
        "# Home\n"
        "See [[Garden]] and [[Private plan]].\n"
        "Also [[Missing note]].\n"
    ),
    "Ideas/Garden.md": (
        "---\ndg-publish: true\n---\n"
        "Roses #gardening/roses, back to [[Home]].\n"
        "![[Private plan]]\n"
    ),
    "Ideas/Private plan.md": (
        "---\nrelated: \"[[Nowhere]]\"\ntags: [Gardening]\n---\n"
        "## Spring\n"
        "- [ ] prune the roses\n"
        "- [x] order seeds\n"
        "- plain item #gardening\n"
        "Back to [[Garden]].\n"
    ),
    "Lonely.md": "Only talks to itself: [[Lonely]]. #misc\n",
    "Attachments/pic.png": b"\x89PNG\r\n\x1a\n",
}


def build_index(root: Path, db_path: Path) -> None:
    with Index(db_path) as index:
        Synchronizer(index, root).full_sync()


@pytest.fixture
def index_db(make_vault: VaultMaker, tmp_path: Path) -> Path:
    db_path = tmp_path / "db" / "index.sqlite"
    build_index(make_vault(VAULT), db_path)
    return db_path


async def _fetch(db_path: Path, paths: list[str]) -> list[httpx.Response]:
    ds = Datasette([str(db_path)], metadata=build_metadata("index", vault_name="vault"))
    await ds.invoke_startup()
    return [await ds.client.get(path) for path in paths]


def fetch(db_path: Path, *paths: str) -> list[httpx.Response]:
    """GET each path from a fresh in-process Datasette; every response must be a 200."""
    responses = asyncio.run(_fetch(db_path, list(paths)))
    for path, response in zip(paths, responses, strict=True):
        assert response.status_code == 200, (path, response.text[:500])
    return responses


def rows(db_path: Path, path: str) -> list[dict[str, Any]]:
    sep = "&" if "?" in path else "?"
    return fetch(db_path, f"{path}{sep}_shape=array")[0].json()


# -- metadata against the real schema --------------------------------------------------------------


def real_schema(db_path: Path) -> dict[str, list[str]]:
    """{table: [column, …]} of a freshly migrated index, SQLite's own tables left out."""
    Index(db_path).close()
    conn = sqlite3.connect(db_path)
    try:
        names = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )]
        return {name: [r[1] for r in conn.execute(f"PRAGMA table_info([{name}])")] for name in names}
    finally:
        conn.close()


def test_every_table_and_column_of_the_schema_is_described(tmp_path: Path) -> None:
    schema = real_schema(tmp_path / "fresh.sqlite")
    assert set(schema) == set(TABLES), "describe new tables in datasette_meta.TABLES; drop removed ones"
    for table, columns in schema.items():
        doc = TABLES[table]
        assert doc.description.strip(), table
        assert set(doc.columns) == set(columns), f"{table}: described {sorted(doc.columns)}, real {sorted(columns)}"
        for column, text in doc.columns.items():
            assert text.strip(), f"{table}.{column} has an empty description"


def test_facets_sorts_and_labels_name_real_columns(tmp_path: Path) -> None:
    schema = real_schema(tmp_path / "fresh.sqlite")
    for table, doc in TABLES.items():
        named = [doc.sort, doc.sort_desc, doc.label_column, doc.fts_pk]
        named += [f if isinstance(f, str) else next(iter(f.values())) for f in doc.facets]
        for column in filter(None, named):
            assert column in schema[table], f"{table}: {column!r} is not a column"
        if doc.fts_table:
            assert doc.fts_table in schema


def test_internal_and_fulltext_tables_are_hidden() -> None:
    hidden = {name for name, doc in TABLES.items() if doc.hidden}
    assert {"notes_fts", "notes_fts_data", "notes_fts_idx", "notes_fts_docsize", "notes_fts_config",
            "_sqlite_migrations", "settings"} <= hidden
    assert not hidden & {"files", "notes", "links", "tags", "tag_index", "fields", "list_items"}


def test_metadata_is_plain_json_keyed_by_database_name() -> None:
    meta = build_metadata("my-index", vault_name="Garden")
    assert json.loads(json.dumps(meta)) == meta
    assert meta["title"] == "gardend index of Garden" and meta["license"]
    db = meta["databases"]["my-index"]
    assert set(db["queries"]) == set(CANNED_QUERIES)
    assert db["queries"]["notes_by_tag"]["params"] == ["tag"]
    assert db["tables"]["files"]["facets"] == ["folder", "ext", "is_note", "excluded"]


# -- the real Datasette ---------------------------------------------------------------------------


def test_descriptions_and_canned_queries_are_served(index_db: Path) -> None:
    meta_json, db_json, notes_html = fetch(index_db, "/-/metadata.json", "/index.json", "/index/notes")
    assert meta_json.json()["databases"]["index"]["tables"]["links"]["description"].startswith("Every link")
    assert [q["name"] for q in db_json.json()["queries"]] == list(CANNED_QUERIES)
    hidden = {t["name"] for t in db_json.json()["tables"] if t["hidden"]}
    assert {"notes_fts", "settings", "_sqlite_migrations"} <= hidden
    page = notes_html.text
    assert TABLES["notes"].description in page
    assert 'data-column-description="Frontmatter title, else the file name without .md"' in page


def test_table_json_has_the_configured_facets(index_db: Path) -> None:
    files, notes, tag_index, items = (r.json() for r in fetch(
        index_db, "/index/files.json", "/index/notes.json", "/index/tag_index.json", "/index/list_items.json",
    ))
    folders = {f["value"]: f["count"] for f in files["facet_results"]["folder"]["results"]}
    assert folders == {"": 2, "Ideas": 2, "Attachments": 1}
    assert set(files["facet_results"]) == {"folder", "ext", "is_note", "excluded"}
    publish = {f["value"]: f["count"] for f in notes["facet_results"]["publish"]["results"]}
    assert publish == {1: 2, 0: 2}
    tags = {f["value"]: f["count"] for f in tag_index["facet_results"]["tag_lower"]["results"]}
    assert tags["#gardening"] == 2 and tags["#gardening/roses"] == 1
    statuses = {f["value"]: f["count"] for f in items["facet_results"]["status"]["results"]}
    assert statuses == {" ": 1, "x": 1}
    assert [f["value"] for f in items["facet_results"]["tags"]["results"]] == ["#gardening"]
    assert files["human_description_en"] == "sorted by path"


def test_notes_search_uses_the_fulltext_index(index_db: Path) -> None:
    found = rows(index_db, "/index/notes.json?_search=prune&_col=title")
    assert found == [{"file_id": found[0]["file_id"], "title": "Private plan"}]


def test_broken_links_query(index_db: Path) -> None:
    found = rows(index_db, "/index/broken_links.json")
    assert [(r["note"], r["link"], r["line"], r["property"], r["kind"]) for r in found] == [
        ("Home.md", "[[Missing note]]", 7, None, "wiki"),
        ("Ideas/Private plan.md", "[[Nowhere]]", None, "related", "frontmatter"),
    ]


def test_orphans_query_ignores_self_links(index_db: Path) -> None:
    found = rows(index_db, "/index/orphans.json")
    assert found == [{"note": "Lonely.md", "title": "Lonely", "published": 0, "outgoing_links": 1}]


@pytest.mark.parametrize("tag", ["gardening", "#gardening", "GARDENING", " #Gardening "])
def test_notes_by_tag_includes_nested_tags_and_ignores_case(index_db: Path, tag: str) -> None:
    found = rows(index_db, f"/index/notes_by_tag.json?tag={quote(tag)}")
    assert [(r["note"], r["published"]) for r in found] == [("Ideas/Garden.md", 1), ("Ideas/Private plan.md", 0)]


def test_notes_by_tag_nested_tag_only(index_db: Path) -> None:
    found = rows(index_db, "/index/notes_by_tag.json?tag=gardening/roses")
    assert [r["note"] for r in found] == ["Ideas/Garden.md"]


def test_unpublished_linked_from_published_query(index_db: Path) -> None:
    found = rows(index_db, "/index/unpublished_linked_from_published.json")
    assert [(r["published_note"], r["link"], r["line"], r["embed"], r["unpublished_note"]) for r in found] == [
        ("Home.md", "[[Private plan]]", 6, 0, "Ideas/Private plan.md"),
        ("Ideas/Garden.md", "![[Private plan]]", 5, 1, "Ideas/Private plan.md"),
    ]


def test_tag_counts_and_open_tasks_queries(index_db: Path) -> None:
    counts = {r["tag"]: (r["notes"], r["published"]) for r in rows(index_db, "/index/tag_counts.json")}
    assert counts == {"#gardening": (2, 1), "#gardening/roses": (1, 1), "#home": (1, 1), "#misc": (1, 0)}
    tasks = rows(index_db, "/index/open_tasks.json")
    assert tasks == [{"note": "Ideas/Private plan.md", "line": 6, "text": "prune the roses", "section": "Spring"}]


def test_datasette_sees_changes_written_after_it_started(make_vault: VaultMaker, tmp_path: Path) -> None:
    """The index is opened as a live (mutable, read-only) file, not --immutable: rows the daemon
    commits later are visible without restarting Datasette."""
    root = make_vault(VAULT)
    db_path = tmp_path / "index.sqlite"
    build_index(root, db_path)

    async def scenario() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        ds = Datasette([str(db_path)], metadata=build_metadata())
        await ds.invoke_startup()
        assert ds.databases["index"].is_mutable
        before = (await ds.client.get("/index/orphans.json?_shape=array")).json()
        (root / "New.md").write_text("Fresh and unlinked.\n", encoding="utf-8")
        build_index(root, db_path)
        after = (await ds.client.get("/index/orphans.json?_shape=array")).json()
        return before, after

    before, after = asyncio.run(scenario())
    assert [r["note"] for r in before] == ["Lonely.md"]
    assert [r["note"] for r in after] == ["Lonely.md", "New.md"]


# -- gardend datasette ----------------------------------------------------------------------------


def test_cli_prints_metadata_for_the_index_database(make_vault: VaultMaker, tmp_path: Path) -> None:
    root = make_vault({"A.md": "a\n"})
    db = tmp_path / "state" / "idx.sqlite"
    result = CliRunner().invoke(main, ["datasette", str(root), "--db", str(db), "--metadata-out", "-"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == build_metadata("idx", vault_name="vault")
    assert not db.exists(), "printing the metadata neither syncs nor creates the index"


def test_cli_writes_metadata_file(make_vault: VaultMaker, tmp_path: Path) -> None:
    root = make_vault({"A.md": "a\n"})
    out = tmp_path / "meta.json"
    result = CliRunner().invoke(main, ["datasette", str(root), "--metadata-out", str(out)])
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text(encoding="utf-8")) == build_metadata("index", vault_name="vault")


def test_cli_without_datasette_is_one_clear_error(make_vault: VaultMaker, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "datasette", None)  # makes `import datasette` raise ImportError
    root = make_vault({"A.md": "a\n"})
    result = CliRunner().invoke(main, ["datasette", str(root), "--db", str(tmp_path / "i.sqlite")])
    assert result.exit_code == 1
    assert result.stderr.strip() == f"Error: {MISSING_DATASETTE}"
    assert "pip install 'gardend[datasette]'" in result.stderr


def test_cli_no_sync_needs_an_existing_index(make_vault: VaultMaker, tmp_path: Path) -> None:
    root = make_vault({"A.md": "a\n"})
    result = CliRunner().invoke(main, ["datasette", str(root), "--db", str(tmp_path / "i.sqlite"), "--no-sync"])
    assert result.exit_code == 1 and "no index yet" in result.stderr


def test_cli_runs_datasette_read_only_not_immutable(tmp_path: Path) -> None:
    argv = datasette_argv(tmp_path / "index.sqlite", tmp_path / "m.json", "127.0.0.1", 8001, None)
    assert argv[:4] == [sys.executable, "-m", "datasette", "serve"]
    assert "-i" not in argv and "--immutable" not in argv
    assert argv[argv.index("--metadata") + 1] == str(tmp_path / "m.json")


def test_cli_syncs_then_answers_through_real_datasette(make_vault: VaultMaker, tmp_path: Path) -> None:
    """End to end, as a user runs it: `gardend datasette` indexes the vault, starts Datasette in
    this environment and answers one request (Datasette's --get; no socket is opened)."""
    root = make_vault(VAULT)
    db = tmp_path / "gardend.sqlite"
    proc = subprocess.run(
        [sys.executable, "-m", "gardend.daemon.cli", "datasette", str(root), "--db", str(db),
         "--get", "/gardend/broken_links.json?_shape=array"],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert [r["link"] for r in json.loads(proc.stdout)] == ["[[Missing note]]", "[[Nowhere]]"]
